package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClosedStats is what the statistics page shows of a set of closed reviews (all, a topic, or a week), aggregated
// by the database.
type ClosedStats struct {
	Published    int
	Rejected     int
	MedianHours  *float64 // arrival to acknowledged publication; nil when no reply was published through Plume
	Compared     int      // published replies with a first draft to compare with
	LittleEdited int      // of Compared, those whose edit ratio is under the threshold asked for
	MeanRatio    *float64 // mean edit ratio of Compared; nil without any
}

// TopicStats is the statistics of one topic; Topic is empty for reviews without one.
type TopicStats struct {
	Topic string
	ClosedStats
}

// WeekStats is the statistics of the reviews closed in the week starting on Monday Week, in the time zone asked.
type WeekStats struct {
	Week time.Time
	ClosedStats
}

// ReasonCount is how many reviews were set aside for a reason (the text before « : » of the reason given).
type ReasonCount struct {
	Reason string
	N      int
}

// StatsReport is the statistics of an organisation's reviews closed in a period.
type StatsReport struct {
	All     ClosedStats
	Topics  []TopicStats // most closed first, then by topic
	Weeks   []WeekStats  // weeks with closed reviews, in order
	Reasons []ReasonCount
}

// StatsQuery selects the closed reviews of ClosedReviewStats.
type StatsQuery struct {
	OrganisationID int64 // 0: every organisation
	// Since is the start of the period: the statistics count the reviews closed from the Monday of its week, in
	// Paris, on (the counters are kept per week).
	Since        time.Time
	LittleEdited float64 // the edit ratio under which a reply counts as little edited, in whole hundredths
}

// statsLocation is where the counters' weeks start on Monday at midnight (plume_stats_week, migration 026).
var statsLocation = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

// statsWeek is the date of the Monday of t's week in Paris, as plume_stats_week keys the counters.
func statsWeek(t time.Time) time.Time {
	t = t.In(statsLocation)
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// orgCond restricts to organisation $1, or to none when it is 0, in a form indexes on organisation_id serve.
func orgCond(orgID int64) string {
	if orgID == 0 {
		return "$1 = 0 AND"
	}
	return "r.organisation_id = $1 AND"
}

// hoursOfBucket is the response time, in hours, a plume_hours_bucket stands for: the middle of the bucket, on
// the bucket's logarithmic scale.
func hoursOfBucket(b int) float64 { return max(math.Pow(1.02, float64(b)+0.5)-1, 0) / 60 }

// statsKey names one group of the statistics: all, a topic or a week.
type statsKey struct {
	byTopic, byWeek bool
	topic, week     string
}

// bucketCount is how many reviews of a group fall in a histogram bucket.
type bucketCount struct{ bucket, n int }

// ClosedReviewStats aggregates the reviews published or set aside in the period: counts, median response time
// and edit ratios overall, per topic and per week, and the reasons for setting aside, from the counters the
// triggers of migration 026 keep (a few rows per week and topic, however many reviews). Replies imported already
// published, with no publication through Plume, say nothing of the agents' response time. The median is read off
// a histogram, within 1 %; edit ratios are read as stored: FillEditRatios computes the missing ones.
func (s *Store) ClosedReviewStats(ctx context.Context, q StatsQuery) (StatsReport, error) {
	week := statsWeek(q.Since)
	// The period, per topic, per week and per reason for the reviews set aside; groups left empty by later
	// changes are not groups.
	rows, err := s.Pool.Query(ctx, `SELECT grouping(r.topic) = 0, grouping(r.week) = 0, grouping(r.reason) = 0,
			coalesce(r.topic, ''), coalesce(to_char(r.week, 'YYYY-MM-DD'), ''), coalesce(r.reason, ''),
			sum(r.published)::int, sum(r.rejected)::int, sum(r.compared)::int, sum(r.ratio_sum)::float8
		FROM review_stats r WHERE `+orgCond(q.OrganisationID)+` r.week >= $2
		GROUP BY GROUPING SETS ((), (r.topic), (r.week), (r.reason))
		HAVING sum(r.published) + sum(r.rejected) > 0`, q.OrganisationID, week)
	if err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}
	groups := map[statsKey]*ClosedStats{}
	var rep StatsReport
	var key statsKey
	var byReason bool
	var reason string
	var cs ClosedStats
	var ratioSum float64
	if _, err := pgx.ForEachRow(rows, []any{&key.byTopic, &key.byWeek, &byReason, &key.topic, &key.week, &reason,
		&cs.Published, &cs.Rejected, &cs.Compared, &ratioSum}, func() error {
		if cs.Compared > 0 {
			cs.MeanRatio = ptr(ratioSum / float64(cs.Compared))
		}
		switch {
		case byReason:
			if cs.Rejected > 0 { // the reviews published have no reason: their group is not one
				rep.Reasons = append(rep.Reasons, ReasonCount{Reason: reason, N: cs.Rejected})
			}
		default:
			c := cs
			groups[key] = &c
		}
		cs = ClosedStats{}
		return nil
	}); err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}

	// The response times and edit ratios of the same groups, bucket by bucket.
	rows, err = s.Pool.Query(ctx, `SELECT grouping(r.topic) = 0, grouping(r.week) = 0, coalesce(r.topic, ''),
			coalesce(to_char(r.week, 'YYYY-MM-DD'), ''), r.measure = 'h', r.bucket, sum(r.n)::int
		FROM review_stats_hist r WHERE `+orgCond(q.OrganisationID)+` r.week >= $2
		GROUP BY GROUPING SETS ((r.measure, r.bucket), (r.topic, r.measure, r.bucket), (r.week, r.measure, r.bucket))
		HAVING sum(r.n) > 0`, q.OrganisationID, week)
	if err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}
	hours := map[statsKey][]bucketCount{}
	var isHours bool
	var bc bucketCount
	key = statsKey{}
	if _, err := pgx.ForEachRow(rows, []any{&key.byTopic, &key.byWeek, &key.topic, &key.week, &isHours, &bc.bucket, &bc.n}, func() error {
		g := groups[key]
		switch {
		case g == nil: // a group with nothing closed left
		case isHours:
			hours[key] = append(hours[key], bc)
		case float64(bc.bucket) < math.Round(q.LittleEdited*100):
			g.LittleEdited += bc.n
		}
		return nil
	}); err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}
	for k, g := range groups {
		g.MedianHours = medianOfBuckets(hours[k])
		switch {
		case k.byTopic:
			rep.Topics = append(rep.Topics, TopicStats{Topic: k.topic, ClosedStats: *g})
		case k.byWeek:
			w, err := time.ParseInLocation(time.DateOnly, k.week, statsLocation)
			if err != nil {
				return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
			}
			rep.Weeks = append(rep.Weeks, WeekStats{Week: w, ClosedStats: *g})
		default:
			rep.All = *g
		}
	}
	sortStats(&rep)
	return rep, nil
}

// medianOfBuckets is the median of a histogram of plume_hours_bucket, computed as percentile_cont(0.5) would on
// the values the buckets stand for; nil for an empty one.
func medianOfBuckets(bs []bucketCount) *float64 {
	total := 0
	for _, b := range bs {
		total += b.n
	}
	if total == 0 {
		return nil
	}
	slices.SortFunc(bs, func(a, b bucketCount) int { return a.bucket - b.bucket })
	// nth is the value of the nth (from 0) smallest response time.
	nth := func(i int) float64 {
		for _, b := range bs {
			if i < b.n {
				return hoursOfBucket(b.bucket)
			}
			i -= b.n
		}
		return hoursOfBucket(bs[len(bs)-1].bucket)
	}
	pos := float64(total-1) / 2
	lo, hi := nth(int(math.Floor(pos))), nth(int(math.Ceil(pos)))
	return ptr(lo + (hi-lo)*(pos-math.Floor(pos)))
}

func ptr[T any](v T) *T { return &v }

// CompactReviewStats folds the counters of each key of the period of q into one row, keys summing to nothing
// dropped: the triggers only ever add rows, so that writers never wait on one another, and the statistics would
// otherwise sum one row per change. Concurrent compactions and writers are safe: a row is folded by whichever
// deletes it.
func (s *Store) CompactReviewStats(ctx context.Context, q StatsQuery) error {
	week := statsWeek(q.Since)
	if _, err := s.Pool.Exec(ctx, `WITH dup AS (
			SELECT organisation_id, week, topic, reason FROM review_stats r WHERE `+orgCond(q.OrganisationID)+` r.week >= $2
			GROUP BY 1, 2, 3, 4 HAVING count(*) > 1
		), gone AS (
			DELETE FROM review_stats r USING dup
			WHERE (r.organisation_id, r.week, r.topic, r.reason) = (dup.organisation_id, dup.week, dup.topic, dup.reason)
			RETURNING r.*
		)
		INSERT INTO review_stats (organisation_id, week, topic, reason, published, rejected, compared, ratio_sum)
		SELECT organisation_id, week, topic, reason, sum(published), sum(rejected), sum(compared), sum(ratio_sum)
		FROM gone GROUP BY 1, 2, 3, 4
		HAVING (sum(published), sum(rejected), sum(compared), sum(ratio_sum)) <> (0, 0, 0, 0)`, q.OrganisationID, week); err != nil {
		return fmt.Errorf("store: compact review statistics: %w", err)
	}
	if _, err := s.Pool.Exec(ctx, `WITH dup AS (
			SELECT organisation_id, week, topic, measure, bucket FROM review_stats_hist r
			WHERE `+orgCond(q.OrganisationID)+` r.week >= $2 GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1
		), gone AS (
			DELETE FROM review_stats_hist r USING dup
			WHERE (r.organisation_id, r.week, r.topic, r.measure, r.bucket) = (dup.organisation_id, dup.week, dup.topic, dup.measure, dup.bucket)
			RETURNING r.*
		)
		INSERT INTO review_stats_hist (organisation_id, week, topic, measure, bucket, n)
		SELECT organisation_id, week, topic, measure, bucket, sum(n) FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`,
		q.OrganisationID, week); err != nil {
		return fmt.Errorf("store: compact review statistics: %w", err)
	}
	return nil
}

// EditPair is a published reply and the first draft written for its review, whose edit ratio is not stored yet.
type EditPair struct {
	ReviewID   int64   `db:"id"`
	FirstDraft *string `db:"first_draft"` // nil without a model or offline draft
	Published  string  `db:"published"`
}

// FillEditRatios computes with ratio and stores the edit ratio of every review of the period published whose
// ratio is missing (NaN when it has no model or offline draft to compare with): the first statistics after a
// publication compute it once, the later ones read it. It returns how many it stored.
func (s *Store) FillEditRatios(ctx context.Context, q StatsQuery, ratio func(draft, published string) float64) (int, error) {
	const batch = 500
	done := 0
	for {
		// reviews_edit_ratio_todo_idx holds only the published reviews without a ratio: once filled, nothing is read.
		// Planned for its arguments each time (QueryExecModeExec): the generic plan of a cached statement, used from
		// the sixth page on, expects LIMIT to end a sequential scan early and read all 100,000 reviews (170 ms).
		rows, err := s.Pool.Query(ctx, `SELECT r.id, d.text AS first_draft, coalesce(r.published_reply, '') AS published
			FROM reviews r
			LEFT JOIN LATERAL (SELECT d.text FROM drafts d WHERE d.review_id = r.id AND d.kind IN ('ia', 'offline')
				AND d.text <> '' ORDER BY d.version LIMIT 1) d ON true
			WHERE `+orgCond(q.OrganisationID)+` r.status = 'publie' AND r.edit_ratio IS NULL AND r.updated_at >= $2
			LIMIT `+fmt.Sprint(batch), pgx.QueryExecModeExec, q.OrganisationID, q.Since)
		if err != nil {
			return done, fmt.Errorf("store: edit ratios: %w", err)
		}
		pairs, err := pgx.CollectRows(rows, pgx.RowToStructByName[EditPair])
		if err != nil {
			return done, fmt.Errorf("store: edit ratios: %w", err)
		}
		if len(pairs) == 0 {
			return done, nil
		}
		ids, ratios := make([]int64, len(pairs)), make([]float64, len(pairs))
		for i, p := range pairs {
			ids[i], ratios[i] = p.ReviewID, math.NaN() // nothing to compare, which need not be looked at again
			if p.FirstDraft != nil && p.Published != "" {
				ratios[i] = ratio(*p.FirstDraft, p.Published)
			}
		}
		if _, err := s.Pool.Exec(ctx, `UPDATE reviews r SET edit_ratio = x.ratio
			FROM unnest($1::bigint[], $2::float8[]) AS x(id, ratio) WHERE r.id = x.id`, ids, ratios); err != nil {
			return done, fmt.Errorf("store: edit ratios: %w", err)
		}
		done += len(pairs)
		if len(pairs) < batch {
			return done, nil
		}
	}
}

func sortStats(rep *StatsReport) {
	slices.SortFunc(rep.Topics, func(a, b TopicStats) int {
		if n := (b.Published + b.Rejected) - (a.Published + a.Rejected); n != 0 {
			return n
		}
		return strings.Compare(a.Topic, b.Topic)
	})
	slices.SortFunc(rep.Weeks, func(a, b WeekStats) int { return a.Week.Compare(b.Week) })
	slices.SortFunc(rep.Reasons, func(a, b ReasonCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Reason, b.Reason)
	})
}
