-- The statistics page's counters: per organisation, week (Monday, in Paris) of closing, topic and reason for
-- setting aside, so that the page sums a few thousand rows instead of reading every review closed in the period
-- (1.4 s at a million reviews). Triggers keep them in the transaction of every change to a review, whatever the
-- path (workflow, import, publication, purge, deletion). Depends on 021.

-- replied_at is the first acknowledged publication of a reply through Plume: with updated_at it dates a closing,
-- and it is stored on the review so that the counters know, for an old row version, where it was counted.
ALTER TABLE reviews ADD COLUMN replied_at timestamptz;
UPDATE reviews r SET replied_at = p.first
  FROM (SELECT review_id, min(published_at) AS first FROM publications WHERE status = 'publie' GROUP BY review_id) p
  WHERE p.review_id = r.id;

CREATE FUNCTION publications_set_replied_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE reviews r SET replied_at = p.first
    FROM (SELECT c.review_id, (SELECT min(p.published_at) FROM publications p
            WHERE p.review_id = c.review_id AND p.status = 'publie') AS first
          FROM (SELECT DISTINCT review_id FROM changed_rows) c) p
    WHERE r.id = p.review_id AND r.replied_at IS DISTINCT FROM p.first;
  RETURN NULL;
END $$;
CREATE TRIGGER publications_replied_at_ins AFTER INSERT ON publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_set_replied_at();
CREATE TRIGGER publications_replied_at_upd AFTER UPDATE ON publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_set_replied_at();
CREATE TRIGGER publications_replied_at_del AFTER DELETE ON publications
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publications_set_replied_at();

-- The week a review closed: Monday, in Paris, of its first acknowledged publication, or of its last change.
CREATE FUNCTION plume_stats_week(replied_at timestamptz, updated_at timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_trunc('week', coalesce(replied_at, updated_at) AT TIME ZONE 'Europe/Paris')::date $$;

-- The group of a review set aside: its reason up to « : » (« Doublon : voir l'avis 2 » counts as « Doublon »).
CREATE FUNCTION plume_stats_reason(status text, rejected_reason text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN status = 'ecarte' THEN btrim(split_part(coalesce(rejected_reason, ''), ' : ', 1)) ELSE '' END $$;

-- The bucket of a response time: buckets grow by 2 % of (1 + minutes), so that a median read off them is within
-- 1 % (store.hoursOfBucket is the inverse).
CREATE FUNCTION plume_hours_bucket(response interval) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT floor(ln(1 + greatest(extract(epoch FROM response), 0) / 60) / ln(1.02))::integer $$;

-- Counters of the reviews closed: published, set aside, published with an edit ratio (compared), and the sum of
-- those ratios. Rows are deltas, only ever inserted (so concurrent writers never wait on one another or deadlock):
-- a key's figures are the sum of its rows, and store.CompactReviewStats folds them into one row per key.
CREATE TABLE review_stats (
  organisation_id bigint NOT NULL,
  week            date NOT NULL,
  topic           text NOT NULL,
  reason          text NOT NULL,
  published       integer NOT NULL,
  rejected        integer NOT NULL,
  compared        integer NOT NULL,
  ratio_sum       numeric NOT NULL -- numeric: a ratio added then taken away leaves exactly nothing
);
CREATE INDEX review_stats_idx ON review_stats (organisation_id, week);

-- Histograms of the reviews published, for medians and shares: measure 'h' counts response times (arrival to first
-- acknowledged publication) per plume_hours_bucket, measure 'r' edit ratios per hundredth. Deltas too.
CREATE TABLE review_stats_hist (
  organisation_id bigint NOT NULL,
  week            date NOT NULL,
  topic           text NOT NULL,
  measure         "char" NOT NULL CHECK (measure IN ('h', 'r')),
  bucket          integer NOT NULL,
  n               integer NOT NULL
);
CREATE INDEX review_stats_hist_idx ON review_stats_hist (organisation_id, week);

-- review_stats_sql is the statement that inserts the counters of the reviews of a relation, formatted into its %s:
-- the columns of reviews and a sign column, 1 to add, -1 to take away; keys whose changes cancel out are left
-- alone. The trigger runs it itself (EXECUTE), as only the trigger's own statements see its transition tables.
CREATE FUNCTION review_stats_sql() RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT $q$
    WITH ch AS (
      SELECT s.sign, s.organisation_id, plume_stats_week(s.replied_at, s.updated_at) AS week, btrim(s.topic) AS topic,
        plume_stats_reason(s.status, s.rejected_reason) AS reason, s.status, s.replied_at - s.created_at AS response,
        CASE WHEN s.status = 'publie' AND s.edit_ratio <> 'NaN' THEN s.edit_ratio END AS ratio
      FROM (%s) s WHERE s.status IN ('publie', 'ecarte')
    ), counts AS (
      INSERT INTO review_stats (organisation_id, week, topic, reason, published, rejected, compared, ratio_sum)
      SELECT * FROM (
        SELECT organisation_id, week, topic, reason, coalesce(sum(sign) FILTER (WHERE status = 'publie'), 0) AS published,
          coalesce(sum(sign) FILTER (WHERE status = 'ecarte'), 0) AS rejected,
          coalesce(sum(sign) FILTER (WHERE ratio IS NOT NULL), 0) AS compared, coalesce(sum(sign * ratio::numeric), 0) AS ratio_sum
        FROM ch GROUP BY 1, 2, 3, 4) c
      WHERE (c.published, c.rejected, c.compared, c.ratio_sum) <> (0, 0, 0, 0)
    )
    INSERT INTO review_stats_hist (organisation_id, week, topic, measure, bucket, n)
    SELECT organisation_id, week, topic, measure, bucket, sum(sign) FROM (
      SELECT sign, organisation_id, week, topic, 'h'::"char" AS measure, plume_hours_bucket(response) AS bucket
        FROM ch WHERE status = 'publie' AND response IS NOT NULL
      UNION ALL
      SELECT sign, organisation_id, week, topic, 'r', least(floor(ratio * 100), 99)::integer
        FROM ch WHERE ratio IS NOT NULL) h
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0 $q$ $f$;

CREATE FUNCTION reviews_stats_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format(review_stats_sql(), 'SELECT 1 AS sign, * FROM new_rows');
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format(review_stats_sql(), 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows');
  ELSE
    EXECUTE format(review_stats_sql(), 'SELECT -1 AS sign, * FROM old_rows');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER reviews_stats_ins AFTER INSERT ON reviews
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_stats_changed();
CREATE TRIGGER reviews_stats_upd AFTER UPDATE ON reviews
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_stats_changed();
CREATE TRIGGER reviews_stats_del AFTER DELETE ON reviews
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reviews_stats_changed();

-- The reviews already closed.
DO $$ BEGIN EXECUTE format(review_stats_sql(), 'SELECT 1 AS sign, * FROM reviews'); END $$;

-- The statistics no longer read the reviews closed in a period.
DROP INDEX reviews_closed_idx;
