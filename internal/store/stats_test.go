package store_test

import (
	"fmt"
	"strings"

	"context"
	"github.com/jackc/pgx/v5"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestClosedReviewStats: the statistics are aggregated per organisation, topic and week, with the edit ratios
// computed once and again when a reply changes.
func TestClosedReviewStats(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o, other := org(t, s, "caf-test"), org(t, s, "cpam-test")
	publish := func(orgID int64, ext string, arrived time.Duration, draftText, published string) int64 {
		id, _ := upsert(t, s, sample(orgID, ext))
		if _, err := s.Pool.Exec(ctx, "UPDATE reviews SET created_at = now() - $2::interval WHERE id = $1", id, arrived.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: draftText}); err != nil {
			t.Fatal(err)
		}
		final, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, Text: published})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []store.ReviewStatus{store.StatusDraftReady, store.StatusInReview} {
			if _, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := s.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestPublicationTx(ctx, tx, id, final.ID, "a@test.fr"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordPublicationSuccess(ctx, id, final.ID, 1, "test", published, "ok"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	publish(o.ID, "st-1", 10*time.Hour, "Bonjour, premier brouillon.", "Bonjour, réponse finale.")
	publish(o.ID, "st-5", 4*time.Hour, "Un deux trois quatre", "Un deux trois quatre")
	publish(other.ID, "st-2", time.Hour, "x", "y")
	r, _ := upsert(t, s, sample(o.ID, "st-3"))
	if _, err := s.SetReviewStatus(ctx, r, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon : voir l'avis 2"}); err != nil {
		t.Fatal(err)
	}
	upsert(t, s, sample(o.ID, "st-4")) // still open: not counted

	q := store.StatsQuery{OrganisationID: o.ID, Since: time.Now().Add(-24 * time.Hour), LittleEdited: 0.2}
	ratio := func(a, b string) float64 {
		if a == b {
			return 0
		}
		return 0.5
	}
	if n, err := s.FillEditRatios(ctx, q, ratio); err != nil || n != 2 {
		t.Fatalf("FillEditRatios: %d, %v; want the 2 published replies of the organisation", n, err)
	}
	if n, err := s.FillEditRatios(ctx, q, ratio); err != nil || n != 0 {
		t.Fatalf("FillEditRatios again: %d, %v; want nothing left to compute", n, err)
	}
	got, err := s.ClosedReviewStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	all := got.All
	// 2 published (of this organisation only), 1 set aside, 2 compared, 1 little edited; the median and mean
	// are checked below within a tolerance.
	want := store.ClosedStats{Published: 2, Rejected: 1, Compared: 2, LittleEdited: 1}
	if diff := cmp.Diff(want, all, cmpopts.IgnoreFields(store.ClosedStats{}, "MedianHours", "MeanRatio")); diff != "" {
		t.Fatalf("all (-want +got):\n%s", diff)
	}
	if all.MedianHours == nil || *all.MedianHours < 6.9 || *all.MedianHours > 7.1 {
		t.Errorf("median %v, want about 7 h (10 h and 4 h)", all.MedianHours)
	}
	if all.MeanRatio == nil || *all.MeanRatio != 0.25 {
		t.Errorf("mean ratio %v, want 0.25", all.MeanRatio)
	}
	if len(got.Weeks) != 1 || got.Weeks[0].Published != 2 || got.Weeks[0].Week.Weekday() != time.Monday {
		t.Errorf("weeks: %+v, want one week starting on Monday", got.Weeks)
	}
	if len(got.Topics) != 1 || got.Topics[0].Published+got.Topics[0].Rejected != 3 {
		t.Errorf("topics: %+v", got.Topics)
	}
	if diff := cmp.Diff([]store.ReasonCount{{Reason: "Doublon", N: 1}}, got.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	q.OrganisationID = 0
	if n, _ := s.FillEditRatios(ctx, q, ratio); n != 1 {
		t.Errorf("all organisations: %d ratios filled, want the other organisation's 1", n)
	}
	if every, _ := s.ClosedReviewStats(ctx, q); every.All.Published != 3 {
		t.Errorf("all organisations: %+v, want 3 published", every.All)
	}
	// A reply changed at the source is compared again.
	if _, err := s.Pool.Exec(ctx, "UPDATE reviews SET published_reply = 'autre' WHERE external_id = 'st-5'"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.FillEditRatios(ctx, q, ratio); n != 1 {
		t.Errorf("after a reply changed: %d ratios filled, want 1", n)
	}
	q.Since = time.Now().AddDate(0, 0, 8) // next week: the counters are kept per week
	if later, _ := s.ClosedReviewStats(ctx, q); later.All.Published+later.All.Rejected != 0 {
		t.Errorf("since the future: %+v, want nothing", later.All)
	}
}

// statsRecountSQL counts the closed reviews from the reviews themselves, as the statistics did before migration
// 026 (closing at the first acknowledged publication found in publications, else at the last change): one line
// per counter key and per histogram bucket with a non-zero figure.
const statsRecountSQL = `WITH c AS (
	SELECT r.organisation_id AS org, date_trunc('week', coalesce(p.first, r.updated_at) AT TIME ZONE 'Europe/Paris')::date AS week,
		btrim(r.topic) AS topic, r.status, p.first - r.created_at AS response,
		CASE WHEN r.status = 'ecarte' THEN btrim(split_part(coalesce(r.rejected_reason, ''), ' : ', 1)) ELSE '' END AS reason,
		CASE WHEN r.status = 'publie' AND r.edit_ratio <> 'NaN' THEN r.edit_ratio END AS ratio
	FROM reviews r LEFT JOIN LATERAL (SELECT min(pu.published_at) AS first FROM publications pu
		WHERE pu.review_id = r.id AND pu.status = 'publie') p ON true
	WHERE r.status IN ('publie', 'ecarte'))
SELECT format('%s %s %s %s: %s %s %s %s', org, week, topic, reason, count(*) FILTER (WHERE status = 'publie'),
	count(*) FILTER (WHERE status = 'ecarte'), count(ratio), coalesce(sum(ratio::numeric), 0)) FROM c GROUP BY org, week, topic, reason
UNION ALL
SELECT format('%s %s %s h%s: %s', org, week, topic, plume_hours_bucket(response), count(*)) FROM c
	WHERE status = 'publie' AND response IS NOT NULL GROUP BY org, week, topic, plume_hours_bucket(response)
UNION ALL
SELECT format('%s %s %s r%s: %s', org, week, topic, least(floor(ratio * 100), 99), count(*)) FROM c
	WHERE ratio IS NOT NULL GROUP BY org, week, topic, least(floor(ratio * 100), 99)
ORDER BY 1`

// statsCountersSQL is the same lines read from the counters.
const statsCountersSQL = `SELECT format('%s %s %s %s: %s %s %s %s', organisation_id, week, topic, reason, sum(published),
	sum(rejected), sum(compared), sum(ratio_sum)) FROM review_stats GROUP BY organisation_id, week, topic, reason
	HAVING (sum(published), sum(rejected), sum(compared), sum(ratio_sum)) <> (0, 0, 0, 0)
UNION ALL
SELECT format('%s %s %s %s%s: %s', organisation_id, week, topic, measure, bucket, sum(n)) FROM review_stats_hist
	GROUP BY organisation_id, week, topic, measure, bucket HAVING sum(n) <> 0
ORDER BY 1`

// TestReviewStatsMatchRecount: after a mix of inserts, imports of replies, every workflow transition,
// publications, edit ratios, re-imports changing topic and reply, a purge, deletions and changes moving reviews
// across weeks, in batches and one by one, the counters kept by the triggers equal a recount of the reviews,
// before and after they are compacted.
func TestReviewStatsMatchRecount(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	orgs := []store.Organisation{org(t, s, "caf-stats"), org(t, s, "cpam-stats")}
	topics := []string{"Logement", " RSA ", "", "Prime d'activité"}
	var batch []store.ReviewUpsert
	for i := range 40 {
		in := sample(orgs[i%2].ID, fmt.Sprintf("stats-%d", i))
		in.Topic = topics[i%len(topics)]
		if i%5 == 0 { // imported already answered
			in.PublishedReply = fmt.Sprintf("Réponse publiée %d", i)
		}
		batch = append(batch, in)
	}
	outs, err := s.UpsertReviews(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(outs))
	for i, o := range outs {
		ids[i] = o.ID
	}
	set := func(id int64, c store.StatusChange) {
		t.Helper()
		if _, err := s.SetReviewStatus(ctx, id, c); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range ids {
		if i%5 == 0 {
			continue
		}
		switch i % 5 {
		case 1: // set aside, for one of two reasons
			set(id, store.StatusChange{To: store.StatusRejected, RejectedReason: []string{"Doublon : voir l'avis 2", "Hors sujet"}[i%2]})
		case 2, 3: // drafted, edited and published through Plume; one in three acknowledged twice
			if _, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: "Bonjour, un brouillon."}); err != nil {
				t.Fatal(err)
			}
			final, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, Text: fmt.Sprintf("Bonjour, la réponse %d.", i)})
			if err != nil {
				t.Fatal(err)
			}
			set(id, store.StatusChange{To: store.StatusDraftReady})
			set(id, store.StatusChange{To: store.StatusInReview})
			if err := s.InTx(ctx, func(tx pgx.Tx) error {
				_, err := s.RequestPublicationTx(ctx, tx, id, final.ID, "a@test.fr")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for range 1 + i%3/2 {
				if err := s.RecordPublicationSuccess(ctx, id, final.ID, 1, "test", final.Text, "ok"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Set aside, then reopened: counted, then no longer.
	set(ids[4], store.StatusChange{To: store.StatusRejected, RejectedReason: "Autre : publicité"})
	set(ids[6], store.StatusChange{To: store.StatusNew})
	if _, err := s.FillEditRatios(ctx, store.StatsQuery{Since: time.Now().AddDate(-1, 0, 0)}, func(a, b string) float64 {
		return float64(len(a)%7) / 7
	}); err != nil {
		t.Fatal(err)
	}
	// Closings spread over weeks, responses over hours, a publication acknowledged a week later.
	for _, stmt := range []string{
		"UPDATE reviews SET updated_at = updated_at - (id % 4) * interval '8 days', created_at = created_at - (id % 7) * interval '5 hours'",
		"UPDATE publications SET published_at = published_at - interval '9 days' WHERE review_id = (SELECT min(review_id) FROM publications)",
	} {
		if _, err := s.Pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	// Re-imported: another topic and another reply for the answered ones, which resets their edit ratio.
	for i := range batch {
		batch[i].Topic = "Retraite"
		if batch[i].PublishedReply != "" {
			batch[i].PublishedReply += " (corrigée)"
		}
	}
	if _, err := s.UpsertReviews(ctx, batch[:20]); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeReview(ctx, ids[11], func(string) (string, error) { return "[effacé]", nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteReviews(ctx, []int64{ids[2], ids[5], ids[21]}); err != nil {
		t.Fatal(err)
	}

	lines := func(q string) []string {
		t.Helper()
		rows, err := s.Pool.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	want := lines(statsRecountSQL)
	if len(want) < 20 {
		t.Fatalf("the recount has %d lines: the mix closes too few reviews to prove anything\n%s", len(want), strings.Join(want, "\n"))
	}
	if diff := cmp.Diff(want, lines(statsCountersSQL)); diff != "" {
		t.Errorf("counters (+) differ from a recount (-):\n%s", diff)
	}
	var before, after int
	count := "SELECT (SELECT count(*) FROM review_stats) + (SELECT count(*) FROM review_stats_hist)"
	if err := s.Pool.QueryRow(ctx, count).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := s.CompactReviewStats(ctx, store.StatsQuery{Since: time.Now().AddDate(-1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Pool.QueryRow(ctx, count).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lines(statsCountersSQL)); diff != "" {
		t.Errorf("compacted counters (+) differ from a recount (-):\n%s", diff)
	}
	if after != len(want) {
		t.Errorf("%d counter rows after compaction (%d before), want one per line of the recount: %d", after, before, len(want))
	}
}
