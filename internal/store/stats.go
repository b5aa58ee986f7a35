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
	OrganisationID int64          // 0: every organisation
	Since          time.Time      // closed at or after
	LittleEdited   float64        // the edit ratio under which a reply counts as little edited
	Location       *time.Location // where weeks start on Monday at midnight; UTC when nil
}

// closedReviewsSQL selects the reviews of StatsQuery: closed since $2, at the first acknowledged publication
// when there is one. updated_at is never before that acknowledgement (set in the same transaction), so
// r.updated_at >= $2 changes nothing but lets reviews_closed_idx bound the scan.
const closedReviewsSQL = `SELECT r.id, r.topic, r.status, r.created_at, r.edit_ratio, r.rejected_reason, p.published_at,
		coalesce(p.published_at, r.updated_at) AS closed_at
	FROM reviews r
	LEFT JOIN LATERAL (SELECT min(pu.published_at) AS published_at FROM publications pu
		WHERE pu.review_id = r.id AND pu.status = 'publie') p ON true
	WHERE %s r.status IN ('publie', 'ecarte') AND r.updated_at >= $2 AND coalesce(p.published_at, r.updated_at) >= $2`

func closedReviewsFrom(orgID int64) string { return fmt.Sprintf(closedReviewsSQL, orgCond(orgID)) }

// orgCond restricts to organisation $1, or to none when it is 0, in a form indexes on organisation_id serve.
func orgCond(orgID int64) string {
	if orgID == 0 {
		return "$1 = 0 AND"
	}
	return "r.organisation_id = $1 AND"
}

// ClosedReviewStats aggregates the reviews published or set aside in the period: counts, median response time
// and edit ratios overall, per topic and per week, and the reasons for setting aside. Replies imported already
// published, with no publication through Plume, say nothing of the agents' response time. Edit ratios are read
// as stored: FillEditRatios computes the missing ones.
func (s *Store) ClosedReviewStats(ctx context.Context, q StatsQuery) (StatsReport, error) {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	// One pass: the whole period, per topic, per week, and per reason for the reviews set aside (edit ratios
	// stored as NaN have nothing to compare).
	rows, err := s.Pool.Query(ctx, `WITH c AS (`+closedReviewsFrom(q.OrganisationID)+`)
		SELECT grouping(k.topic) = 0, grouping(k.week) = 0, grouping(k.reason) = 0, coalesce(k.topic, ''),
			coalesce(k.week, ''), coalesce(k.reason, ''),
			count(*) FILTER (WHERE c.status = 'publie')::int,
			count(*) FILTER (WHERE c.status = 'ecarte')::int,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.published_at - c.created_at) / 3600)
				FILTER (WHERE c.status = 'publie' AND c.published_at IS NOT NULL),
			count(*) FILTER (WHERE c.status = 'publie' AND c.edit_ratio <> 'NaN')::int,
			count(*) FILTER (WHERE c.status = 'publie' AND c.edit_ratio < $3)::int,
			avg(c.edit_ratio) FILTER (WHERE c.status = 'publie' AND c.edit_ratio <> 'NaN')
		FROM c, LATERAL (SELECT btrim(c.topic) AS topic,
			to_char(date_trunc('week', c.closed_at AT TIME ZONE $4), 'YYYY-MM-DD') AS week,
			CASE WHEN c.status = 'ecarte' THEN btrim(split_part(coalesce(c.rejected_reason, ''), ' : ', 1)) END AS reason) k
		GROUP BY GROUPING SETS ((), (k.topic), (k.week), (k.reason))`,
		q.OrganisationID, q.Since, q.LittleEdited, loc.String())
	if err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}
	var rep StatsReport
	var byTopic, byWeek, byReason bool
	var topic, week, reason string
	var cs ClosedStats
	if _, err := pgx.ForEachRow(rows, []any{&byTopic, &byWeek, &byReason, &topic, &week, &reason, &cs.Published, &cs.Rejected,
		&cs.MedianHours, &cs.Compared, &cs.LittleEdited, &cs.MeanRatio}, func() error {
		switch {
		case byTopic:
			rep.Topics = append(rep.Topics, TopicStats{Topic: topic, ClosedStats: cs})
		case byWeek:
			w, err := time.ParseInLocation(time.DateOnly, week, loc)
			if err != nil {
				return err
			}
			rep.Weeks = append(rep.Weeks, WeekStats{Week: w, ClosedStats: cs})
		case byReason:
			if cs.Rejected > 0 { // the reviews published have no reason: their group is not one
				rep.Reasons = append(rep.Reasons, ReasonCount{Reason: reason, N: cs.Rejected})
			}
		default:
			rep.All = cs
		}
		cs = ClosedStats{}
		return nil
	}); err != nil {
		return StatsReport{}, fmt.Errorf("store: closed review statistics: %w", err)
	}
	sortStats(&rep)
	return rep, nil
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
		rows, err := s.Pool.Query(ctx, `SELECT r.id, d.text AS first_draft, coalesce(r.published_reply, '') AS published
			FROM reviews r
			LEFT JOIN LATERAL (SELECT d.text FROM drafts d WHERE d.review_id = r.id AND d.kind IN ('ia', 'offline')
				AND d.text <> '' ORDER BY d.version LIMIT 1) d ON true
			WHERE `+orgCond(q.OrganisationID)+` r.status = 'publie' AND r.edit_ratio IS NULL AND r.updated_at >= $2
			LIMIT `+fmt.Sprint(batch), q.OrganisationID, q.Since)
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
