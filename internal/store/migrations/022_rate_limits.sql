-- Rate limits shared by every instance: one row per caller and rule (a token, a user, an address), counting the
-- requests of the current fixed window. Rows of past windows are overwritten on the next hit and purged by
-- HitRateLimit now and then. Depends on nothing.
CREATE UNLOGGED TABLE rate_limits (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);
