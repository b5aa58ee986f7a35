-- The fiche-level full-text leg: BM25 over each fiche as one document, as a plain search engine ranks it.
-- Depends on 002 and 010. Filled by every corpus load from the chunks' tsv.

-- A long review names several facets of one procedure (the allowance, the delay, the document asked for),
-- spread over several sections of the right fiche: a passage holds only some of them, the whole fiche all.
-- One row per word of a fiche: tf counts it in the sections and text, tf_title in the fiche's title. The key
-- starts with the word, so that a query word's postings are read from the index alone.
CREATE TABLE corpus_document_terms (
  document_id bigint NOT NULL REFERENCES corpus_documents(id) ON DELETE CASCADE,
  word        text NOT NULL,
  tf          real NOT NULL,
  tf_title    real NOT NULL,
  PRIMARY KEY (word, document_id) INCLUDE (tf, tf_title)
);
CREATE INDEX corpus_document_terms_document ON corpus_document_terms (document_id);

-- A fiche's length (its words, counted with repetition) and, for each word, the number of fiches holding it.
ALTER TABLE corpus_documents ADD COLUMN lexemes integer NOT NULL DEFAULT 0;
ALTER TABLE corpus_lexemes ADD COLUMN ndocs integer NOT NULL DEFAULT 0;
-- The number of fiches and their mean length, BM25's N and average document length.
ALTER TABLE corpus_meta ADD COLUMN documents integer NOT NULL DEFAULT 0;
ALTER TABLE corpus_meta ADD COLUMN avg_doc_lexemes double precision NOT NULL DEFAULT 1;

-- A corpus loaded before this migration gets its fiche-level statistics now, not at its next load.
INSERT INTO corpus_document_terms (document_id, word, tf, tf_title)
  SELECT c.document_id, v.lexeme,
         sum(cardinality(array_positions(v.weights, 'B')) + cardinality(array_positions(v.weights, 'C'))),
         max(cardinality(array_positions(v.weights, 'A')))
  FROM corpus_chunks c, unnest(c.tsv) v GROUP BY c.document_id, v.lexeme;
UPDATE corpus_documents d SET lexemes = s.n
  FROM (SELECT document_id, sum(tf + tf_title)::int AS n FROM corpus_document_terms GROUP BY document_id) s
  WHERE s.document_id = d.id;
UPDATE corpus_lexemes l SET ndocs = s.n
  FROM (SELECT word, count(*)::int AS n FROM corpus_document_terms GROUP BY word) s WHERE s.word = l.word;
UPDATE corpus_meta SET (documents, avg_doc_lexemes) =
  (SELECT count(*), coalesce(avg(lexemes), 1) FROM corpus_documents WHERE lexemes > 0);
