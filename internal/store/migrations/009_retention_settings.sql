-- Data protection and per-organisation prompt settings. Depends on 001 and 003.

-- purged_at marks a review whose citizen texts were replaced by their filtered form after the retention period.
ALTER TABLE reviews ADD COLUMN purged_at timestamptz;
-- The purge looks for answered or set-aside reviews not purged yet, oldest change first.
CREATE INDEX reviews_purge_idx ON reviews (updated_at) WHERE purged_at IS NULL AND status IN ('publie', 'ecarte');
-- Erasure and export of one citizen's reviews find them by pseudonym within a source.
CREATE INDEX reviews_author_idx ON reviews (source, author_pseudonym) WHERE author_pseudonym <> '';

-- prompt_settings holds a supervisor's overrides of the reply charter: tone, signature, promises never made.
ALTER TABLE organisations ADD COLUMN prompt_settings jsonb NOT NULL DEFAULT '{}';
