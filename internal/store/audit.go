package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one row of audit_log, which the database keeps append-only.
type AuditEntry struct {
	ID             int64
	At             time.Time
	UserID         int64 // 0 for the system or an unknown user
	Actor          string
	Action         string
	ObjectType     string
	ObjectID       string
	OrganisationID int64 // 0 when the event concerns no organisation
	Details        map[string]any
	IP             string
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	UserID         int64
	OrganisationID int64
	Action         string // exact action, or a prefix ending in "." ("auth.") for a family
	ObjectType     string
	ObjectID       string
	Since, Until   time.Time // Since inclusive, Until exclusive
	BeforeID       int64     // for paging: only entries older than this id
	Limit          int       // at most this many entries, newest first; 0 means 100, capped at 1000
}

// InsertAudit appends one entry. An empty actor is filled with the user's email, so the log still says who
// acted after the account is gone.
func (s *Store) InsertAudit(ctx context.Context, e AuditEntry) (int64, error) {
	return insertAudit(ctx, s.Pool, e)
}

// InsertAuditTx is InsertAudit within tx, so that an action and its audit row commit together or not at all.
func (s *Store) InsertAuditTx(ctx context.Context, tx pgx.Tx, e AuditEntry) (int64, error) {
	return insertAudit(ctx, tx, e)
}

func insertAudit(ctx context.Context, q querier, e AuditEntry) (int64, error) {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO audit_log (at, user_id, actor, action, object_type, object_id, organisation_id, details, ip)
		VALUES ($1, NULLIF($2, 0::bigint),
		        COALESCE(NULLIF($3, ''), (SELECT email FROM users WHERE id = $2), 'système'),
		        $4, $5, $6, NULLIF($7, 0::bigint), $8, $9)
		RETURNING id`,
		e.At, e.UserID, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.OrganisationID, e.Details, e.IP).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: insert audit: %w", err)
	}
	return id, nil
}

// ListAudit returns the entries matching f, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.UserID != 0 {
		add("user_id = $%d", f.UserID)
	}
	if f.OrganisationID != 0 {
		add("organisation_id = $%d", f.OrganisationID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok && prefix != "" {
		add("starts_with(action, $%d)", f.Action)
	} else if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", f.Since)
	}
	if !f.Until.IsZero() {
		add("at < $%d", f.Until)
	}
	if f.BeforeID != 0 {
		add("id < $%d", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q := `SELECT id, at, COALESCE(user_id, 0), actor, action, object_type, object_id, COALESCE(organisation_id, 0), details, ip
		FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	es, err := pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	return es, nil
}
