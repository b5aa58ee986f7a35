-- Offline evaluation runs and their per-item results (issue 10). Depends on 001 only.

-- One run of a dataset through the pipeline under one configuration (prompt version, model, retrieval…).
CREATE TABLE eval_runs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL DEFAULT '',
  -- kind: reviews (drafts scored) or questions (retrieval scored).
  kind            text NOT NULL CHECK (kind IN ('reviews', 'questions')),
  dataset         text NOT NULL,
  -- dataset_digest is the sha256 of the dataset file: a run is resumed only on the same items.
  dataset_digest  text NOT NULL DEFAULT '',
  item_count      integer NOT NULL DEFAULT 0 CHECK (item_count >= 0),
  config          jsonb NOT NULL DEFAULT '{}',
  git_commit      text NOT NULL DEFAULT '',
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- One item of a run: the output, its metrics and judge verdicts, timings and tokens. A run never stores an item
-- twice, which is what makes an interrupted run resumable.
CREATE TABLE eval_items (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
  item_id     text NOT NULL CHECK (item_id <> ''),
  -- position is the item's rank in the dataset, so reports list items in file order.
  position    integer NOT NULL DEFAULT 0,
  output      text NOT NULL DEFAULT '',
  -- metrics maps a metric name to its value; a metric that does not apply (no reference, no judge) is absent.
  metrics     jsonb NOT NULL DEFAULT '{}',
  judge       jsonb,
  timings_ms  jsonb,
  prompt_tokens     integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  cost        double precision NOT NULL DEFAULT 0,
  latency_ms  double precision NOT NULL DEFAULT 0,
  -- details holds what a reader needs to understand the scores (checks failed, sources, ranking).
  details     jsonb,
  error       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, item_id)
);
