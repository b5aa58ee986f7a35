-- Extensions every later migration relies on: pgvector for embeddings, unaccent for French full-text search.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- French full-text configuration that ignores accents, so "demarche" finds "démarche".
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END
$$;

-- An administration using Plume (CAF de la Gironde, CPAM du Rhône…) or a France services network.
CREATE TABLE organisations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
  name        text NOT NULL,
  -- kind: caf, cpam, dgfip, france-travail, ants, prefecture, france-services, other
  kind        text NOT NULL DEFAULT 'other',
  created_at  timestamptz NOT NULL DEFAULT now()
);
