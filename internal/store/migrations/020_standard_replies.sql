-- Standard replies: paragraphs a supervisor writes once for their organisation and agents insert from the editor
-- (typing « / »). Depends on 001.
CREATE TABLE standard_replies (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
  body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_by      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, title)
);
