-- Agents' feedback on drafts, kept as an evaluation dataset, and the index of the inbox's working order.
-- Depends on 003 (reviews, drafts) and 004 (users).

-- One opinion per agent and draft: a thumb, tags naming what is wrong, a comment. Changing one's mind replaces it.
CREATE TABLE draft_feedback (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  draft_id    bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  review_id   bigint NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- thumbs: 1 useful, -1 not useful.
  thumbs      smallint NOT NULL CHECK (thumbs IN (-1, 1)),
  tags        text[] NOT NULL DEFAULT '{}'
              CHECK (tags <@ ARRAY['inexact', 'incomplet', 'hors_sujet', 'ton_inadapte', 'sources_manquantes', 'trop_long']::text[]),
  comment     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (draft_id, user_id)
);
CREATE INDEX draft_feedback_review_idx ON draft_feedback (review_id);

-- The inbox's default order: reviews still to answer first, oldest first (store.OldestOpenFirst); queries must
-- repeat this exact expression to use it.
CREATE INDEX reviews_inbox_open_idx ON reviews (organisation_id, (status IN ('publie', 'ecarte')), written_at, id);
