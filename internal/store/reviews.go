package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/pii"
)

// ReviewStatus is where a review stands in an organisation's inbox.
type ReviewStatus string

// The statuses of a review; the values are those stored.
const (
	StatusNew        ReviewStatus = "nouveau"
	StatusDraftReady ReviewStatus = "brouillon_pret"
	StatusInReview   ReviewStatus = "en_relecture"
	StatusPublished  ReviewStatus = "publie"
	StatusRejected   ReviewStatus = "ecarte"
)

// ReviewStatuses lists every status in inbox order.
var ReviewStatuses = []ReviewStatus{StatusNew, StatusDraftReady, StatusInReview, StatusPublished, StatusRejected}

// Label is the status as a person reads it.
func (s ReviewStatus) Label() string {
	switch s {
	case StatusNew:
		return "nouveau"
	case StatusDraftReady:
		return "brouillon prêt"
	case StatusInReview:
		return "en relecture"
	case StatusPublished:
		return "publié"
	case StatusRejected:
		return "écarté"
	}
	return string(s)
}

// Valid reports whether s is one of the statuses.
func (s ReviewStatus) Valid() bool {
	for _, v := range ReviewStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// transitions are the status changes allowed: forward through the workflow, any open review set aside, a review
// set aside reopened; a published review is final.
var transitions = map[ReviewStatus][]ReviewStatus{
	StatusNew:        {StatusDraftReady, StatusRejected},
	StatusDraftReady: {StatusInReview, StatusRejected},
	StatusInReview:   {StatusPublished, StatusRejected},
	StatusRejected:   {StatusNew},
	StatusPublished:  nil,
}

// CanTransition reports whether a review may go from one status to another.
func CanTransition(from, to ReviewStatus) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// ErrBadTransition matches every *TransitionError with errors.Is.
var ErrBadTransition = errors.New("changement de statut interdit")

// TransitionError is a status change the workflow does not allow.
type TransitionError struct {
	ReviewID int64
	From, To ReviewStatus
}

func (e *TransitionError) Error() string {
	if e.From == StatusPublished {
		return fmt.Sprintf("l'avis %d est déjà publié : son statut ne peut plus changer", e.ReviewID)
	}
	return fmt.Sprintf("l'avis %d ne peut pas passer de « %s » à « %s »", e.ReviewID, e.From.Label(), e.To.Label())
}

// Is makes errors.Is(err, ErrBadTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrBadTransition }

// Review is a citizen's review as stored, with its organisation's slug and name.
type Review struct {
	ID                int64           `db:"id"`
	OrganisationID    int64           `db:"organisation_id"`
	OrganisationSlug  string          `db:"organisation_slug"`
	OrganisationName  string          `db:"organisation_name"`
	Source            string          `db:"source"`
	ExternalID        string          `db:"external_id"`
	Title             string          `db:"title"`
	Body              string          `db:"body"`
	Feeling           string          `db:"feeling"`
	OrganisationLabel string          `db:"organisation_label"`
	Topic             string          `db:"topic"`
	AuthorPseudonym   string          `db:"author_pseudonym"`
	WrittenAt         time.Time       `db:"written_at"`
	PublishedAt       *time.Time      `db:"published_at"`
	Status            ReviewStatus    `db:"status"`
	PublishedReply    string          `db:"published_reply"`
	RejectedReason    string          `db:"rejected_reason"`
	Raw               json.RawMessage `db:"raw"`
	DraftCount        int             `db:"draft_count"`
	CreatedAt         time.Time       `db:"created_at"`
	UpdatedAt         time.Time       `db:"updated_at"`
}

const reviewSelect = `SELECT r.id, r.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name,
	r.source, r.external_id, r.title, r.body, r.feeling, r.organisation_label, r.topic, r.author_pseudonym,
	r.written_at, r.published_at, r.status, coalesce(r.published_reply, '') AS published_reply,
	coalesce(r.rejected_reason, '') AS rejected_reason, r.raw,
	(SELECT count(*) FROM drafts d WHERE d.review_id = r.id)::int AS draft_count,
	r.created_at, r.updated_at
	FROM reviews r JOIN organisations o ON o.id = r.organisation_id`

// reviewListSelect is reviewSelect without the source record (raw, kilobytes a row), which no list shows.
const reviewListSelect = `SELECT r.id, r.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name,
	r.source, r.external_id, r.title, r.body, r.feeling, r.organisation_label, r.topic, r.author_pseudonym,
	r.written_at, r.published_at, r.status, coalesce(r.published_reply, '') AS published_reply,
	coalesce(r.rejected_reason, '') AS rejected_reason, NULL::jsonb AS raw,
	(SELECT count(*) FROM drafts d WHERE d.review_id = r.id)::int AS draft_count,
	r.created_at, r.updated_at
	FROM reviews r JOIN organisations o ON o.id = r.organisation_id`

// ReviewUpsert is a review as a source gives it: the fields an import may write.
type ReviewUpsert struct {
	OrganisationID    int64
	Source            string
	ExternalID        string
	Title             string
	Body              string
	Feeling           string
	OrganisationLabel string
	Topic             string
	AuthorPseudonym   string
	WrittenAt         time.Time // zero: now for a new review, unchanged for a known one
	PublishedAt       *time.Time
	PublishedReply    string          // a reply already published at the source: the review is stored as publie
	Raw               json.RawMessage // the source record; nil stores {}
}

// UpsertResult says what UpsertReview did.
type UpsertResult int

// The outcomes of UpsertReview.
const (
	Unchanged UpsertResult = iota
	Inserted
	Updated
)

// UpsertReview stores a review by (source, external id): it inserts a new one, or refreshes the source fields of
// an existing one without touching the agents' work. Title, body and organisation change only while no agent has
// worked on the review: nouveau or brouillon_pret, with no draft but the background job's (created_by
// automatique); status, drafts and the reason for setting it aside never change, except that such a review whose
// reply appears at the source becomes publie.
func (s *Store) UpsertReview(ctx context.Context, in ReviewUpsert) (int64, UpsertResult, error) {
	return upsertReview(ctx, s.Pool, in)
}

// UpsertReviewTx is UpsertReview within tx, so that what else tx writes (the review's drafting job) commits with it.
func (s *Store) UpsertReviewTx(ctx context.Context, tx pgx.Tx, in ReviewUpsert) (int64, UpsertResult, error) {
	return upsertReview(ctx, tx, in)
}

// UpsertOutcome is what UpsertReviews did with one review.
type UpsertOutcome struct {
	ID     int64
	Result UpsertResult
}

// UpsertReviews is UpsertReview for a batch, in one transaction: all are stored or, on error, none. Imports use
// it to pay for one commit and a few round trips per batch rather than per review.
func (s *Store) UpsertReviews(ctx context.Context, ins []ReviewUpsert) ([]UpsertOutcome, error) {
	var out []UpsertOutcome
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.UpsertReviewsTx(ctx, tx, ins)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpsertReviewsTx is UpsertReviews within tx, so that the batch's drafting jobs commit with it.
func (s *Store) UpsertReviewsTx(ctx context.Context, tx pgx.Tx, ins []ReviewUpsert) ([]UpsertOutcome, error) {
	out := make([]UpsertOutcome, len(ins))
	err := func() error {
		// Inserts first, pipelined; the records already known then get their updates, pipelined too.
		// A record twice in the batch is inserted once and then updated, as the statements run in order.
		var known []int
		b := &pgx.Batch{}
		for _, in := range ins {
			b.Queue(insertReviewSQL, upsertArgs(in)...)
		}
		err := runBatch(ctx, tx, b, len(ins), func(i int, row pgx.Row) error {
			err := row.Scan(&out[i].ID)
			switch {
			case err == nil:
				out[i].Result = Inserted
			case errors.Is(err, pgx.ErrNoRows):
				known = append(known, i)
			default:
				return fmt.Errorf("store: upsert review %s/%s: %w", ins[i].Source, ins[i].ExternalID, err)
			}
			return nil
		})
		if err != nil || len(known) == 0 {
			return err
		}
		b = &pgx.Batch{}
		for _, i := range known {
			b.Queue(updateReviewSQL, upsertArgs(ins[i])...)
		}
		return runBatch(ctx, tx, b, len(known), func(k int, row pgx.Row) error {
			i := known[k]
			var updated bool
			if err := row.Scan(&out[i].ID, &updated); err != nil {
				return fmt.Errorf("store: upsert review %s/%s: %w", ins[i].Source, ins[i].ExternalID, err)
			}
			out[i].Result = Unchanged
			if updated {
				out[i].Result = Updated
			}
			return nil
		})
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// runBatch sends b and hands each of its n results to fn, in order.
func runBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, n int, fn func(i int, row pgx.Row) error) error {
	br := tx.SendBatch(ctx, b)
	for i := range n {
		if err := fn(i, br.QueryRow()); err != nil {
			_ = br.Close()
			return err
		}
	}
	return br.Close()
}

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func upsertArgs(in ReviewUpsert) []any {
	raw := in.Raw
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	var written *time.Time
	if !in.WrittenAt.IsZero() {
		written = &in.WrittenAt
	}
	return []any{in.OrganisationID, in.Source, in.ExternalID, in.Title, in.Body, in.Feeling, in.OrganisationLabel,
		in.Topic, in.AuthorPseudonym, written, in.PublishedAt, in.PublishedReply, raw}
}

// insertReviewSQL inserts a review unknown so far; it returns no row when (source, external_id) exists.
const insertReviewSQL = `INSERT INTO reviews (organisation_id, source, external_id, title, body, feeling,
		organisation_label, topic, author_pseudonym, written_at, published_at, status, published_reply, raw)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::timestamptz, now()), $11,
		CASE WHEN $12::text <> '' THEN 'publie' ELSE 'nouveau' END, NULLIF($12::text, ''), $13::jsonb)
	ON CONFLICT (source, external_id) DO NOTHING
	RETURNING id`

// updateReviewSQL refreshes a known review's source fields as UpsertReview documents, writing only when something
// changes; it returns the review's id and whether it was written.
const updateReviewSQL = `WITH u AS (
	UPDATE reviews r SET
		organisation_id = n.organisation_id, title = n.title, body = n.body,
		feeling = $6, organisation_label = $7, topic = $8, author_pseudonym = $9,
		written_at = n.written_at, published_at = $11, published_reply = n.published_reply, status = n.status,
		raw = $13::jsonb, updated_at = now()
	FROM (
		SELECT c.id,
			CASE WHEN c.editable THEN $1::bigint ELSE c.organisation_id END AS organisation_id,
			CASE WHEN c.editable THEN $4::text ELSE c.title END AS title,
			CASE WHEN c.editable THEN $5::text ELSE c.body END AS body,
			coalesce($10::timestamptz, c.written_at) AS written_at,
			coalesce(NULLIF($12::text, ''), c.published_reply) AS published_reply,
			CASE WHEN c.editable AND $12::text <> '' THEN 'publie' ELSE c.status END AS status
		FROM (
			SELECT x.id, x.organisation_id, x.title, x.body, x.written_at, x.published_reply, x.status,
				x.status IN ('nouveau', 'brouillon_pret') AND NOT EXISTS (
					SELECT 1 FROM drafts d WHERE d.review_id = x.id AND d.created_by <> 'automatique') AS editable
			FROM reviews x WHERE x.source = $2 AND x.external_id = $3
		) c
	) n
	WHERE r.id = n.id
		AND (r.organisation_id, r.title, r.body, r.feeling, r.organisation_label, r.topic, r.author_pseudonym,
			r.written_at, r.published_at, r.published_reply, r.status, r.raw)
		IS DISTINCT FROM (n.organisation_id, n.title, n.body, $6::text, $7::text, $8::text, $9::text,
			n.written_at, $11::timestamptz, n.published_reply, n.status, $13::jsonb)
	RETURNING r.id
)
SELECT x.id, EXISTS (SELECT 1 FROM u) FROM reviews x WHERE x.source = $2 AND x.external_id = $3`

func upsertReview(ctx context.Context, q rowQuerier, in ReviewUpsert) (int64, UpsertResult, error) {
	args := upsertArgs(in)
	var id int64
	err := q.QueryRow(ctx, insertReviewSQL, args...).Scan(&id)
	if err == nil {
		return id, Inserted, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, Unchanged, fmt.Errorf("store: upsert review %s/%s: %w", in.Source, in.ExternalID, err)
	}
	var updated bool
	if err := q.QueryRow(ctx, updateReviewSQL, args...).Scan(&id, &updated); err != nil {
		return 0, Unchanged, fmt.Errorf("store: upsert review %s/%s: %w", in.Source, in.ExternalID, err)
	}
	if updated {
		return id, Updated, nil
	}
	return id, Unchanged, nil
}

// GetReview returns the review with id, or ErrNotFound.
func (s *Store) GetReview(ctx context.Context, id int64) (Review, error) {
	return getOne[Review](ctx, s.Pool, fmt.Sprintf("review %d", id), reviewSelect+" WHERE r.id = $1", id)
}

// LockReviewTx returns a review and locks its row until tx ends: the workflow's decisions (is it still open, which
// version is the latest) hold until its changes commit.
func (s *Store) LockReviewTx(ctx context.Context, tx pgx.Tx, id int64) (Review, error) {
	return getOne[Review](ctx, tx, fmt.Sprintf("review %d", id), reviewSelect+" WHERE r.id = $1 FOR UPDATE OF r", id)
}

// ReviewByExternalID returns the review a source knows as externalID, or ErrNotFound.
func (s *Store) ReviewByExternalID(ctx context.Context, source, externalID string) (Review, error) {
	return getOne[Review](ctx, s.Pool, fmt.Sprintf("review %s/%s", source, externalID),
		reviewSelect+" WHERE r.source = $1 AND r.external_id = $2", source, externalID)
}

// ReviewCursor marks where a page of reviews ended: the next page starts after it.
type ReviewCursor struct {
	WrittenAt time.Time
	ID        int64
	Closed    bool // the review was published or set aside (OldestOpenFirst pages only)
}

// String encodes the cursor for a URL.
func (c ReviewCursor) String() string {
	s := strconv.FormatInt(c.WrittenAt.UnixMicro(), 10) + "-" + strconv.FormatInt(c.ID, 10)
	if c.Closed {
		s += "-c"
	}
	return s
}

// ParseReviewCursor decodes a cursor made by ReviewCursor.String.
func ParseReviewCursor(s string) (ReviewCursor, error) {
	t, rest, ok := strings.Cut(s, "-")
	id, flag, hasFlag := strings.Cut(rest, "-")
	us, err1 := strconv.ParseInt(t, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || (hasFlag && flag != "c") {
		return ReviewCursor{}, fmt.Errorf("curseur de pagination %q invalide", s)
	}
	return ReviewCursor{WrittenAt: time.UnixMicro(us), ID: n, Closed: hasFlag}, nil
}

// ReviewOrder is the order of an inbox page.
type ReviewOrder int

// The orders of ListReviews.
const (
	// NewestFirst lists the most recently written reviews first.
	NewestFirst ReviewOrder = iota
	// OldestOpenFirst lists the reviews still to answer first, oldest first, then the published and set-aside
	// ones, oldest first: the agent's working order.
	OldestOpenFirst
)

// closedSQL is true for a review that needs no more work; the index reviews_inbox_open_idx repeats it.
const closedSQL = "(r.status IN ('publie', 'ecarte'))"

// ReviewFilter selects reviews for an inbox; zero fields do not filter.
type ReviewFilter struct {
	OrganisationID int64
	Status         ReviewStatus
	Since          time.Time // written at or after
	Until          time.Time // written before
	Query          string    // full-text search in title and body, web-search syntax, accents ignored
	Feeling        string
	Topic          string // matched anywhere in the topic, case and accents ignored
	AssignedTo     int64  // only the reviews this user took (« mes avis »); 0: all
	After          *ReviewCursor
	Limit          int // default 50, at most 500
	Order          ReviewOrder
}

// CountCap is how many reviews the inbox counts at most, per status: counting all of a million reviews cost
// 300 ms a page, and « plus de 10 000 » tells an agent as much.
const CountCap = 10000

// SearchCountCap is how many matches a search (or a topic filter outside an organisation) counts at most: their
// count reads each match in the table (10,001 of them cost 200–260 ms at a million reviews, 1,001 a tenth of it).
const SearchCountCap = 1000

// ReviewPage is one page of an inbox, in the filter's order.
type ReviewPage struct {
	Reviews []Review
	Next    *ReviewCursor // nil on the last page
	// Counts is the reviews per status matching the filter but for its status and cursor, each counted up to
	// CountCap + 1, which means more than CountCap. A search (or a topic outside an organisation), counted in one
	// pass, that matches more than SearchCountCap reviews in all leaves Counts empty and sets Over.
	Counts map[ReviewStatus]int
	Over   bool
}

// ListReviews returns a page of reviews matching f in f.Order, with the count of each status. Pages are read
// by keyset (never OFFSET), so the last page of a large inbox costs what the first does.
func (s *Store) ListReviews(ctx context.Context, f ReviewFilter) (ReviewPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OrganisationID != 0 {
		add("r.organisation_id = ?", f.OrganisationID)
	}
	if !f.Since.IsZero() {
		add("r.written_at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		add("r.written_at < ?", f.Until)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		add("r.search_tsv @@ websearch_to_tsquery('french_unaccent'::regconfig, ?)", q)
	}
	// The stored folded columns (migration 021) are what the feeling and topic indexes cover.
	if f.Feeling != "" {
		add("r.feeling_key = plume_fold(?)", f.Feeling)
	}
	// A topic within an organisation becomes the list of its topics that contain the words, which the topic
	// indexes (migration 027) serve like a feeling: in the page's order, counted per status.
	topicKeys := f.Topic != "" && f.OrganisationID != 0
	switch {
	case topicKeys:
		keys, err := s.topicKeys(ctx, f.OrganisationID, f.Topic)
		if err != nil {
			return ReviewPage{}, err
		}
		// One topic is an equality, which the indexes give in the page's order; an array of them is not
		// (PostgreSQL 15 reads an = ANY scan in no order), and the page walks the inbox for them instead.
		if len(keys) == 1 {
			add("r.topic_key = ?", keys[0])
		} else {
			add("r.topic_key = ANY(?)", keys)
		}
	case f.Topic != "":
		add("r.topic_key LIKE '%' || plume_fold(?) || '%'", escapeLike(f.Topic))
	}
	if f.AssignedTo != 0 {
		add("EXISTS (SELECT 1 FROM review_assignments a WHERE a.review_id = r.id AND a.user_id = ?)", f.AssignedTo)
	}
	countWhere, countArgs := append([]string(nil), where...), append([]any(nil), args...)
	// Counting per status with one index-only scan each (reviews_inbox_idx, or reviews_feeling_status_idx),
	// stopped at CountCap + 1, costs the same at a million reviews as at ten thousand; it only pays when no
	// condition needs the table. A search, or a topic outside an organisation, is counted in one pass over its
	// matches, stopped at SearchCountCap + 1.
	countByStatus := f.Query == "" && (f.Topic == "" || topicKeys)
	if f.Status != "" {
		add("r.status = ?", string(f.Status))
	}
	// Within one status every review is open or every one is closed: the agent's order is then the date's, which
	// the status indexes give without sorting.
	openFirst := f.Order == OldestOpenFirst && f.Status == ""
	order := " ORDER BY r.written_at DESC, r.id DESC"
	switch {
	case openFirst:
		order = " ORDER BY " + closedSQL + ", r.written_at, r.id"
	case f.Order == OldestOpenFirst:
		order = " ORDER BY r.written_at, r.id"
	}
	if f.After != nil {
		switch {
		case f.Order == OldestOpenFirst && !openFirst:
			args = append(args, f.After.WrittenAt, f.After.ID)
			where = append(where, fmt.Sprintf("(r.written_at, r.id) > ($%d, $%d)", len(args)-1, len(args)))
		case openFirst:
			args = append(args, f.After.Closed, f.After.WrittenAt, f.After.ID)
			where = append(where, fmt.Sprintf("(%s, r.written_at, r.id) > ($%d, $%d, $%d)", closedSQL, len(args)-2, len(args)-1, len(args)))
		default:
			args = append(args, f.After.WrittenAt, f.After.ID)
			where = append(where, fmt.Sprintf("(r.written_at, r.id) < ($%d, $%d)", len(args)-1, len(args)))
		}
	}
	page := ReviewPage{Counts: map[ReviewStatus]int{}}
	// The counts first: a search's tells whether its matches are few.
	// The matches are planned apart from the LIMIT (a MATERIALIZED CTE, read only as far as the LIMIT asks):
	// with it, the planner expected two frequent words to match thousands of reviews together and read the whole
	// inbox for none (180 ms at 100,000 reviews), where the search index finds them in 10 ms.
	countSQL := "WITH m AS MATERIALIZED (SELECT r.status FROM reviews r" + whereClause(countWhere) +
		fmt.Sprintf(") SELECT x.status, count(*)::int FROM (SELECT m.status FROM m LIMIT %d) x GROUP BY x.status", SearchCountCap+1)
	if countByStatus {
		countSQL = "SELECT st.s, (SELECT count(*)::int FROM (SELECT FROM reviews r" + whereClause(append(countWhere, "r.status = st.s")) +
			fmt.Sprintf(" LIMIT %d) x", CountCap+1) + ") FROM unnest(ARRAY['nouveau', 'brouillon_pret', 'en_relecture', 'publie', 'ecarte']) st(s)"
	}
	// A search or a topic is planned for its words each time (QueryExecModeExec): the generic plan of a cached
	// statement, used from the sixth page on, knows nothing of how many reviews the words match, and once walked
	// the whole inbox for two words never together (a second at 100,000 reviews).
	// A topic's reviews may be a handful or half the inbox: its statements are planned for its topics each time.
	planEachTime := !countByStatus || f.Topic != ""
	if planEachTime {
		countArgs = append([]any{pgx.QueryExecModeExec}, countArgs...)
	}
	rows, err := s.Pool.Query(ctx, countSQL, countArgs...)
	if err != nil {
		return ReviewPage{}, fmt.Errorf("store: count reviews: %w", err)
	}
	var st ReviewStatus
	var n, total int
	if _, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error {
		if n > 0 {
			page.Counts[st] = n
			total += n
		}
		return nil
	}); err != nil {
		return ReviewPage{}, fmt.Errorf("store: count reviews: %w", err)
	}
	if !countByStatus && total > SearchCountCap {
		page.Counts, page.Over = map[ReviewStatus]int{}, true
	}
	sql := reviewListSelect + whereClause(where) + order + fmt.Sprintf(" LIMIT %d", limit+1)
	if f.Query != "" && !page.Over {
		// The planner cannot tell how many reviews two words match together and may walk the whole inbox in order
		// for a page that never fills. Few matches (SearchCountCap at most) are read from the search index, then
		// sorted: OFFSET 0 keeps the planner from merging the two.
		sql = "SELECT * FROM (" + reviewListSelect + whereClause(where) + " OFFSET 0) r" + order + fmt.Sprintf(" LIMIT %d", limit+1)
	}
	if planEachTime {
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	rows, err = s.Pool.Query(ctx, sql, args...)
	if err != nil {
		return ReviewPage{}, fmt.Errorf("store: list reviews: %w", err)
	}
	if page.Reviews, err = pgx.CollectRows(rows, pgx.RowToStructByName[Review]); err != nil {
		return ReviewPage{}, fmt.Errorf("store: list reviews: %w", err)
	}
	if len(page.Reviews) > limit {
		page.Reviews = page.Reviews[:limit]
		last := page.Reviews[limit-1]
		page.Next = &ReviewCursor{WrittenAt: last.WrittenAt, ID: last.ID}
		if f.Order == OldestOpenFirst {
			page.Next.Closed = last.Status == StatusPublished || last.Status == StatusRejected
		}
	}
	return page, nil
}

// topicKeysSQL lists an organisation's distinct folded topics ($1) that contain the folded words ($2, LIKE
// characters escaped). The topics are read by a loose scan of reviews_topic_newest_idx: each step descends the
// index once to the next topic, so that a million reviews in twenty topics cost twenty descents, not a million
// entries.
const topicKeysSQL = `WITH RECURSIVE t(k) AS (
	(SELECT r.topic_key FROM reviews r WHERE r.organisation_id = $1 ORDER BY r.topic_key LIMIT 1)
	UNION ALL
	SELECT (SELECT r.topic_key FROM reviews r WHERE r.organisation_id = $1 AND r.topic_key > t.k ORDER BY r.topic_key LIMIT 1)
	FROM t WHERE t.k IS NOT NULL)
SELECT t.k FROM t WHERE t.k LIKE '%' || plume_fold($2) || '%'`

// topicKeys returns the folded topics of an organisation's reviews that contain topic, case and accents ignored.
func (s *Store) topicKeys(ctx context.Context, organisationID int64, topic string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, topicKeysSQL, organisationID, escapeLike(topic))
	if err != nil {
		return nil, fmt.Errorf("store: topics of the filter: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: topics of the filter: %w", err)
	}
	if keys == nil {
		keys = []string{} // matches nothing, where a NULL array would be an unknown
	}
	return keys, nil
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// StatusChange moves a review in the workflow.
type StatusChange struct {
	To             ReviewStatus
	RejectedReason string // why the review is set aside; required with StatusRejected
	PublishedReply string // the text published; required with StatusPublished
}

// SetReviewStatus applies c if the workflow allows it from the review's current status, and returns the review
// as changed; a forbidden change returns a *TransitionError (errors.Is ErrBadTransition).
func (s *Store) SetReviewStatus(ctx context.Context, id int64, c StatusChange) (Review, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error { return s.SetReviewStatusTx(ctx, tx, id, c) })
	if err != nil {
		return Review{}, err
	}
	return s.GetReview(ctx, id)
}

// SetReviewStatusTx is SetReviewStatus within tx, so that a status change commits with its audit row and its job.
func (s *Store) SetReviewStatusTx(ctx context.Context, tx pgx.Tx, id int64, c StatusChange) error {
	if !c.To.Valid() {
		return fmt.Errorf("store: set review status: statut %q inconnu", c.To)
	}
	if c.To == StatusRejected && strings.TrimSpace(c.RejectedReason) == "" {
		return errors.New("store: set review status: un avis écarté doit avoir un motif")
	}
	if c.To == StatusPublished && strings.TrimSpace(c.PublishedReply) == "" {
		return errors.New("store: set review status: un avis publié doit avoir sa réponse")
	}
	var from ReviewStatus
	err := tx.QueryRow(ctx, "SELECT status FROM reviews WHERE id = $1 FOR UPDATE", id).Scan(&from)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: review %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set review status: %w", err)
	}
	if !CanTransition(from, c.To) {
		return &TransitionError{ReviewID: id, From: from, To: c.To}
	}
	_, err = tx.Exec(ctx, `UPDATE reviews SET status = $2,
			rejected_reason = CASE WHEN $2 = 'ecarte' THEN $3 ELSE rejected_reason END,
			published_reply = CASE WHEN $2 = 'publie' THEN $4 ELSE published_reply END,
			updated_at = now()
		WHERE id = $1`, id, string(c.To), c.RejectedReason, c.PublishedReply)
	if err != nil {
		return fmt.Errorf("store: set review status: %w", err)
	}
	return nil
}

// SavePIIMapping stores the placeholder mapping of a review's filtered text, replacing any previous one.
func (s *Store) SavePIIMapping(ctx context.Context, reviewID int64, m *pii.Mapping) error {
	b, err := encodeMapping(m)
	if err != nil {
		return fmt.Errorf("store: save pii mapping of review %d: %w", reviewID, err)
	}
	_, err = s.Pool.Exec(ctx, `INSERT INTO pii_mappings (review_id, mapping) VALUES ($1, $2)
		ON CONFLICT (review_id) DO UPDATE SET mapping = EXCLUDED.mapping, created_at = now()`, reviewID, b)
	if err != nil {
		return fmt.Errorf("store: save pii mapping of review %d: %w", reviewID, err)
	}
	return nil
}

// PIIMapping returns the placeholder mapping of a review, or ErrNotFound when it has none. A stored mapping that
// does not decode is an error, never a fresh mapping: the placeholders of earlier drafts would then name others.
func (s *Store) PIIMapping(ctx context.Context, reviewID int64) (*pii.Mapping, error) {
	var raw []byte
	err := s.Pool.QueryRow(ctx, "SELECT mapping FROM pii_mappings WHERE review_id = $1", reviewID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: pii mapping of review %d: %w", reviewID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: pii mapping of review %d: %w", reviewID, err)
	}
	m, err := decodeMapping(raw)
	if err != nil {
		return nil, fmt.Errorf("store: pii mapping of review %d: %w", reviewID, err)
	}
	return m, nil
}

// ErrBadMapping is returned for a stored personal-data mapping that does not decode.
var ErrBadMapping = errors.New("table de correspondance des données personnelles illisible")

// decodeMapping is the one decoder of stored personal-data mappings (reviews' and conversations'); empty or
// null is a fresh mapping, anything unreadable ErrBadMapping.
func decodeMapping(raw []byte) (*pii.Mapping, error) {
	m := pii.NewMapping()
	if len(raw) == 0 || string(raw) == "null" {
		return m, nil
	}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("%w : %v", ErrBadMapping, err)
	}
	return m, nil
}

// encodeMapping is decodeMapping's inverse; nil stores an empty mapping.
func encodeMapping(m *pii.Mapping) (string, error) {
	if m == nil {
		m = pii.NewMapping()
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode pii mapping: %w", err)
	}
	return string(b), nil
}
