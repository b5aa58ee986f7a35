-- The procedure corpus: documents (service-public.fr fiches, local pages) and the chunks retrieval ranks.

-- Which embedder built the stored vectors: querying with another one would compare unrelated spaces.
-- One row. idf holds the local embedder's quantised inverse document frequencies (NULL for remote embedders).
CREATE TABLE corpus_meta (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  embedder    text NOT NULL,
  dim         integer NOT NULL CHECK (dim > 0),
  idf         bytea,
  idf_chunks  integer NOT NULL DEFAULT 0,
  chunks      integer NOT NULL DEFAULT 0, -- all stored chunks, for the full-text leg's word filter
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE corpus_documents (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- source scopes reloads: "service-public" for fiches, "local:<name>" for a folder of pages.
  source       text NOT NULL,
  doc_id       text NOT NULL,
  audience     text NOT NULL CHECK (audience IN ('particuliers', 'professionnels', 'associations', 'local')),
  kind         text NOT NULL,
  type         text NOT NULL DEFAULT '',
  title        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  theme        text NOT NULL DEFAULT '',
  subject      text NOT NULL DEFAULT '',
  breadcrumb   text NOT NULL DEFAULT '',
  url          text NOT NULL DEFAULT '',
  date         date,
  loaded_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (doc_id, audience)
);
CREATE INDEX corpus_documents_source ON corpus_documents (source);

-- The embedding column has no fixed dimension so EMBED_DIM can change; the loader creates the HNSW index as an
-- expression index on embedding::vector(<dim>) for the active dimension, and queries use the same cast.
CREATE TABLE corpus_chunks (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id   bigint NOT NULL REFERENCES corpus_documents (id) ON DELETE CASCADE,
  doc_id        text NOT NULL,
  audience      text NOT NULL,
  theme         text NOT NULL DEFAULT '',
  ord           integer NOT NULL,
  title         text NOT NULL,
  section_path  text NOT NULL DEFAULT '',
  body          text NOT NULL,
  url           text NOT NULL DEFAULT '',
  date          date,
  tokens        integer NOT NULL,
  content_hash  text NOT NULL,
  embedding     vector NOT NULL,
  -- Title and section path weigh more (A) than the body (B).
  tsv           tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('french_unaccent'::regconfig, title || ' ' || section_path), 'A') ||
                  setweight(to_tsvector('french_unaccent'::regconfig, body), 'B')) STORED,
  -- The title and section path words alone: small enough to stay inline in the row, so that the full-text leg
  -- tells a title match without decompressing tsv once per query word.
  tsv_title     tsvector GENERATED ALWAYS AS (to_tsvector('french_unaccent'::regconfig, title || ' ' || section_path)) STORED,
  UNIQUE (document_id, content_hash)
);
CREATE INDEX corpus_chunks_tsv ON corpus_chunks USING gin (tsv);
CREATE INDEX corpus_chunks_doc ON corpus_chunks (doc_id);
CREATE INDEX corpus_chunks_audience ON corpus_chunks (audience);
CREATE INDEX corpus_chunks_theme ON corpus_chunks (theme);

-- Document frequency of each lexeme over the chunks, refreshed by every load: the full-text leg keeps the
-- telling words of a question and leaves out those most passages contain ("droit", "demande").
CREATE TABLE corpus_lexemes (
  word  text PRIMARY KEY,
  ndoc  integer NOT NULL
);
