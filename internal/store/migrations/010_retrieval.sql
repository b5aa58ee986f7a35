-- Full-text fields for BM25 scoring and the local embedder's word vectors. Depends on 002.

-- The fiche title (A), the section path (B) and the body (C) weigh differently in the full-text leg's BM25F
-- score, so each is its own weight class in tsv: a word of the title says more than a word of a section path.
DROP INDEX corpus_chunks_tsv;
ALTER TABLE corpus_chunks DROP COLUMN tsv;
ALTER TABLE corpus_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('french_unaccent'::regconfig, title), 'A') ||
  setweight(to_tsvector('french_unaccent'::regconfig, section_path), 'B') ||
  setweight(to_tsvector('french_unaccent'::regconfig, body), 'C')) STORED;
CREATE INDEX corpus_chunks_tsv ON corpus_chunks USING gin (tsv);

-- Mean number of distinct lexemes of a chunk, BM25's average document length; refreshed by every load.
ALTER TABLE corpus_meta ADD COLUMN avg_lexemes double precision NOT NULL DEFAULT 1;
UPDATE corpus_meta SET avg_lexemes = coalesce((SELECT avg(length(tsv)) FROM corpus_chunks), 1);

-- The local embedder's word vectors (PPMI-SVD), learned from the chunks with the IDF table.
ALTER TABLE corpus_meta ADD COLUMN semantic bytea;
