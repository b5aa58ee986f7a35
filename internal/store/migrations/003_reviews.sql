-- Citizens' reviews (Services Publics+ experiences), the drafts written for them, and the placeholder mappings
-- of the personal-data filter. Depends on 001 only.

CREATE TABLE reviews (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id    bigint NOT NULL REFERENCES organisations (id),
  -- source and external_id identify the review where it came from: re-importing it updates, never duplicates.
  source             text NOT NULL CHECK (source <> ''),
  external_id        text NOT NULL CHECK (external_id <> ''),
  title              text NOT NULL DEFAULT '',
  body               text NOT NULL CHECK (body <> ''),
  -- feeling is the citizen's own rating as the source gives it (Positif, Neutre, Négatif).
  feeling            text NOT NULL DEFAULT '',
  -- organisation_label is the most precise service named by the source (CPAM ORLEANS, Préfecture de la Moselle…).
  organisation_label text NOT NULL DEFAULT '',
  topic              text NOT NULL DEFAULT '',
  author_pseudonym   text NOT NULL DEFAULT '',
  written_at         timestamptz NOT NULL,
  published_at       timestamptz,
  status             text NOT NULL DEFAULT 'nouveau'
                     CHECK (status IN ('nouveau', 'brouillon_pret', 'en_relecture', 'publie', 'ecarte')),
  published_reply    text,
  rejected_reason    text,
  -- raw is the record exactly as imported, for audit and for fields Plume does not map yet.
  raw                jsonb NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, external_id)
);

-- The inbox: one organisation's reviews in a status, newest first, paged by (written_at, id).
CREATE INDEX reviews_inbox_idx ON reviews (organisation_id, status, written_at DESC, id DESC);
-- The same across organisations (administrators, France services networks).
CREATE INDEX reviews_written_idx ON reviews (written_at DESC, id DESC);
-- Full-text search; queries must repeat this exact expression to use it.
CREATE INDEX reviews_search_idx ON reviews
  USING gin (to_tsvector('french_unaccent'::regconfig, title || ' ' || body));

-- Every version of a reply to a review: model and offline drafts, agents' edits, the text published.
CREATE TABLE drafts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  review_id        bigint NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  version          integer NOT NULL CHECK (version > 0),
  kind             text NOT NULL CHECK (kind IN ('ia', 'offline', 'edition', 'publie')),
  text             text NOT NULL DEFAULT '',
  prompt_version   text NOT NULL DEFAULT '',
  model            text NOT NULL DEFAULT '',
  -- redacted_prompt is the prompt as sent, placeholders included: never the citizen's clear text.
  redacted_prompt  text NOT NULL DEFAULT '',
  sources          jsonb,
  checks           jsonb,
  grounding        jsonb,
  usage            jsonb,
  latency_ms       jsonb,
  -- error says why a generation failed; such a draft may have no text.
  error            text NOT NULL DEFAULT '',
  created_by       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (review_id, version)
);

-- The placeholder → original value mapping of a review's filtered text. It holds personal data, so it never leaves
-- the server: restoring placeholders in a draft happens here.
CREATE TABLE pii_mappings (
  review_id   bigint PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
  mapping     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
