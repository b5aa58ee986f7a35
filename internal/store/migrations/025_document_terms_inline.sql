-- The fiche-level leg reads its postings from the index alone: each row carries its fiche's doc_id and length,
-- so that scoring a long query's ~15,000 postings joins no other table (measured: the join to
-- corpus_documents per posting took three quarters of the leg's time). Depends on 023.
ALTER TABLE corpus_document_terms ADD COLUMN doc_id text NOT NULL DEFAULT '';
ALTER TABLE corpus_document_terms ADD COLUMN dl integer NOT NULL DEFAULT 0;
UPDATE corpus_document_terms x SET doc_id = d.doc_id, dl = d.lexemes FROM corpus_documents d WHERE d.id = x.document_id;
ALTER TABLE corpus_document_terms DROP CONSTRAINT corpus_document_terms_pkey;
ALTER TABLE corpus_document_terms ADD PRIMARY KEY (word, document_id) INCLUDE (doc_id, dl, tf, tf_title);
