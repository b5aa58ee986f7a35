-- The chunk-level full-text leg finds its candidate pool in the postings of the query's rarest words. Read
-- through the GIN index of tsv, each posting cost a visit of the chunk's row (to read whether the word is in its
-- title), and that pool was most of a question's search time; from this table the postings are read from the
-- index alone. One row per word of a chunk, in_title when the word is in the fiche title or section path (the
-- A and B weights of tsv). Depends on 010. Filled by every corpus load from the chunks' tsv.
CREATE TABLE corpus_chunk_terms (
  word     text NOT NULL,
  chunk_id bigint NOT NULL,
  in_title boolean NOT NULL,
  PRIMARY KEY (word, chunk_id) INCLUDE (in_title)
);

-- A corpus loaded before this migration gets its postings now, not at its next load.
INSERT INTO corpus_chunk_terms (word, chunk_id, in_title)
  SELECT v.lexeme, c.id, v.weights && ARRAY['A', 'B'] FROM corpus_chunks c, unnest(c.tsv) v;
