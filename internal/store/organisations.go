package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Organisation is an administration whose reviews Plume handles.
type Organisation struct {
	ID        int64
	Slug      string
	Name      string
	Kind      string // caf, cpam, dgfip, france-travail, ants, prefecture, france-services, other
	CreatedAt time.Time
}

const organisationColumns = "id, slug, name, kind, created_at"

// EnsureOrganisation returns the organisation with slug, creating it with name and kind if it does not exist yet;
// an existing organisation keeps its name and kind.
func (s *Store) EnsureOrganisation(ctx context.Context, slug, name, kind string) (Organisation, error) {
	if kind == "" {
		kind = "other"
	}
	rows, err := s.Pool.Query(ctx, `INSERT INTO organisations (slug, name, kind) VALUES ($1, $2, $3)
		ON CONFLICT (slug) DO NOTHING RETURNING `+organisationColumns, slug, name, kind)
	if err != nil {
		return Organisation{}, fmt.Errorf("store: ensure organisation %q: %w", slug, err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Organisation])
	if err == nil {
		return o, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Organisation{}, fmt.Errorf("store: ensure organisation %q: %w", slug, err)
	}
	return s.OrganisationBySlug(ctx, slug)
}

// OrganisationBySlug returns the organisation with slug, or ErrNotFound.
func (s *Store) OrganisationBySlug(ctx context.Context, slug string) (Organisation, error) {
	return s.organisation(ctx, "slug = $1", slug)
}

// OrganisationByID returns the organisation with id, or ErrNotFound.
func (s *Store) OrganisationByID(ctx context.Context, id int64) (Organisation, error) {
	return s.organisation(ctx, "id = $1", id)
}

// BusiestOrganisation returns the organisation with the most new reviews (then the most reviews): the one a demo
// shows. ErrNotFound when there is no review.
func (s *Store) BusiestOrganisation(ctx context.Context) (Organisation, error) {
	var id int64
	err := s.Pool.QueryRow(ctx, `SELECT organisation_id FROM reviews GROUP BY organisation_id
		ORDER BY count(*) FILTER (WHERE status = 'nouveau') DESC, count(*) DESC, organisation_id LIMIT 1`).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Organisation{}, fmt.Errorf("store: busiest organisation: %w", ErrNotFound)
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("store: busiest organisation: %w", err)
	}
	return s.OrganisationByID(ctx, id)
}

func (s *Store) organisation(ctx context.Context, where string, arg any) (Organisation, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+organisationColumns+" FROM organisations WHERE "+where, arg)
	if err != nil {
		return Organisation{}, fmt.Errorf("store: organisation: %w", err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Organisation])
	if errors.Is(err, pgx.ErrNoRows) {
		return Organisation{}, fmt.Errorf("store: organisation %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("store: organisation %v: %w", arg, err)
	}
	return o, nil
}

// ListOrganisations returns every organisation by name.
func (s *Store) ListOrganisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+organisationColumns+" FROM organisations ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("store: list organisations: %w", err)
	}
	os, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Organisation])
	if err != nil {
		return nil, fmt.Errorf("store: list organisations: %w", err)
	}
	return os, nil
}
