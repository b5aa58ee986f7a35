package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/store"
)

// Event is one audited action: who (UserID, or Actor for the system and unknown users), did what (Action,
// dotted: "review.view_clear", "reply.approve"), to what (ObjectType, ObjectID), in which organisation.
// Details must never hold citizen text: the audit log is kept longer than the reviews.
type Event struct {
	UserID         int64
	Actor          string // defaults to the user's email, then to the actor in ctx (WithActor), then "système"
	Action         string
	ObjectType     string
	ObjectID       string
	OrganisationID int64
	Details        map[string]any
	IP             string // defaults to the IP in ctx (WithClientIP)
}

// AuditEntry is a stored audit event.
type AuditEntry = store.AuditEntry

// AuditFilter selects audit entries for AuditLog.
type AuditFilter = store.AuditFilter

type ctxKey int

const (
	ipKey ctxKey = iota
	actorKey
)

// WithClientIP records the client's address in ctx so that events audited below it carry it.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey, ip)
}

// WithActor records the signed-in user in ctx, so that events about other objects (an account created by an
// administrator) name who acted.
func WithActor(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, actorKey, u)
}

// Audit appends an event to the audit log, which the database keeps append-only.
func (s *Service) Audit(ctx context.Context, e Event) error {
	return s.insert(ctx, e, s.st.InsertAudit)
}

// AuditTx is Audit within tx: the event is recorded if and only if the action it describes commits.
func (s *Service) AuditTx(ctx context.Context, tx pgx.Tx, e Event) error {
	return s.insert(ctx, e, func(ctx context.Context, en store.AuditEntry) (int64, error) { return s.st.InsertAuditTx(ctx, tx, en) })
}

func (s *Service) insert(ctx context.Context, e Event, insert func(context.Context, store.AuditEntry) (int64, error)) error {
	e.Action = strings.TrimSpace(e.Action)
	if e.Action == "" {
		return errors.New("auth: audit: action manquante")
	}
	if e.IP == "" {
		e.IP, _ = ctx.Value(ipKey).(string)
	}
	if e.UserID == 0 && e.Actor == "" {
		if u, ok := ctx.Value(actorKey).(User); ok {
			e.UserID, e.Actor = u.ID, u.Email
		}
	}
	_, err := insert(ctx, store.AuditEntry{
		At: s.now(), UserID: e.UserID, Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, OrganisationID: e.OrganisationID, Details: e.Details, IP: e.IP,
	})
	if err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	return nil
}

// audit records the service's own events (sign-ins, tokens, accounts). A failure is logged rather than
// returned: refusing a sign-in because the log is briefly unavailable would lock everyone out.
func (s *Service) audit(ctx context.Context, e Event) {
	if err := s.Audit(ctx, e); err != nil {
		slog.ErrorContext(ctx, "audit impossible", "action", e.Action, "err", err)
	}
}

// AuditLog returns the audit entries matching filter, newest first.
func (s *Service) AuditLog(ctx context.Context, filter AuditFilter) ([]AuditEntry, error) {
	es, err := s.st.ListAudit(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return es, nil
}
