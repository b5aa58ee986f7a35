-- Where each review source's pull stopped, and the publication of approved replies. Depends on 001 and 003.
-- River's own tables are created by rivermigrate (jobs.Migrate), not here.

-- One row per source (a portal dataset and scope): the position after the last record stored, advanced in the
-- same transaction as the records, so a pull killed half-way resumes exactly where its last page committed.
CREATE TABLE sync_cursors (
  source         text PRIMARY KEY CHECK (source <> ''),
  position_date  text NOT NULL DEFAULT '',
  position_id    text NOT NULL DEFAULT '',
  pulled         bigint NOT NULL DEFAULT 0 CHECK (pulled >= 0),
  last_error     text NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per approved reply to publish. status: en_attente (queued or being retried), echec (the last attempt
-- failed; retried), abandonne (retries exhausted: an agent must act), publie (acknowledged by the receiver).
CREATE TABLE publications (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  review_id     bigint NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  draft_id      bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  publisher     text NOT NULL DEFAULT '',
  status        text NOT NULL DEFAULT 'en_attente' CHECK (status IN ('en_attente', 'echec', 'abandonne', 'publie')),
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error    text NOT NULL DEFAULT '',
  ack           text NOT NULL DEFAULT '',
  requested_by  text NOT NULL DEFAULT '',
  requested_at  timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (review_id, draft_id)
);
-- The supervision list: publications not acknowledged yet.
CREATE INDEX publications_open_idx ON publications (status, updated_at) WHERE status <> 'publie';

-- Every attempt to publish, successful or not, for audit.
CREATE TABLE publication_attempts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  publication_id  bigint NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
  review_id       bigint NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  draft_id        bigint NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  attempt         integer NOT NULL CHECK (attempt > 0),
  status          text NOT NULL CHECK (status IN ('publie', 'echec')),
  error           text NOT NULL DEFAULT '',
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX publication_attempts_review_idx ON publication_attempts (review_id, at);
