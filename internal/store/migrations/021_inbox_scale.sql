-- Indexes for every inbox and API filter and their counts, and what the statistics page needs to aggregate in SQL.
-- Depends on 003 and 008.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- plume_fold is the form filters compare: lower case, accents removed. unaccent() is only STABLE because its
-- dictionary could change; Plume never changes it, so this wrapper may be IMMUTABLE and stored or indexed.
CREATE FUNCTION plume_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- The feeling and the topic as the filters compare them, stored so that plain indexes (and index-only counts)
-- serve them.
ALTER TABLE reviews
  ADD COLUMN feeling_key text GENERATED ALWAYS AS (plume_fold(feeling)) STORED,
  ADD COLUMN topic_key   text GENERATED ALWAYS AS (plume_fold(topic)) STORED,
  -- edit_ratio is the word-level edit distance from the first model or offline draft to the reply published,
  -- over the longer one's word count; NULL until the statistics compute it, and again when the reply changes;
  -- NaN when there is no draft to compare with.
  ADD COLUMN edit_ratio  real,
  -- search_tsv is the full-text form of title and body, stored: searches and ranking read it instead of analysing
  -- every candidate's text again, and ANALYZE gathers its word statistics, so that the planner sees a rare word
  -- is rare (with the expression index alone it assumed 8 % of the inbox matched any search and walked the whole
  -- inbox in date order, analysing each text: 18 s at 100,000 reviews for a search matching nothing).
  ADD COLUMN search_tsv  tsvector GENERATED ALWAYS AS (to_tsvector('french_unaccent'::regconfig, title || ' ' || body)) STORED;

DROP INDEX reviews_search_idx;
CREATE INDEX reviews_search_idx ON reviews USING gin (search_tsv);

-- « ressenti » in the agent's order (open first, oldest first), newest first, and per status (tabs and counts).
CREATE INDEX reviews_feeling_open_idx ON reviews (organisation_id, feeling_key, (status IN ('publie', 'ecarte')), written_at, id);
CREATE INDEX reviews_feeling_idx ON reviews (organisation_id, feeling_key, written_at DESC, id DESC);
CREATE INDEX reviews_feeling_status_idx ON reviews (organisation_id, feeling_key, status, written_at DESC, id DESC);
-- « thème » matches anywhere in the topic: trigrams.
CREATE INDEX reviews_topic_idx ON reviews USING gin (topic_key gin_trgm_ops);
-- The statistics: an organisation's reviews closed since a date. A review's updated_at is never before the
-- acknowledgement of its publication (both are set in the same transaction), so it bounds the period.
CREATE INDEX reviews_closed_idx ON reviews (organisation_id, updated_at) WHERE status IN ('publie', 'ecarte');
-- The published reviews whose edit ratio is still to compute: empty once the statistics filled them.
CREATE INDEX reviews_edit_ratio_todo_idx ON reviews (organisation_id, updated_at) WHERE status = 'publie' AND edit_ratio IS NULL;

-- Whatever path changes a published reply (publication, import, purge), its edit ratio is computed again.
CREATE FUNCTION reviews_reset_edit_ratio() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.edit_ratio := NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER reviews_reset_edit_ratio BEFORE UPDATE OF published_reply ON reviews
  FOR EACH ROW WHEN (OLD.published_reply IS DISTINCT FROM NEW.published_reply) EXECUTE FUNCTION reviews_reset_edit_ratio();
