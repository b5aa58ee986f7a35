// Package retention applies the data-protection rules to citizens' texts: the purge after the retention period
// (texts replaced by their filtered form), and the export and erasure of one citizen's reviews.
package retention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Service purges, exports and erases citizens' data.
type Service struct {
	st     *store.Store
	filter *pii.Filter
	period time.Duration
	now    func() time.Time
}

// New returns a Service that keeps citizens' texts for period after a review is published or set aside.
func New(st *store.Store, filter *pii.Filter, period time.Duration) *Service {
	return &Service{st: st, filter: filter, period: period, now: time.Now}
}

// Purge replaces, in every review published or set aside longer ago than the retention period, the citizen's
// texts and the drafts by their filtered form, and drops the placeholder mappings. It returns how many reviews
// it purged; a review that fails stops the purge with its error, the others stay purged.
func (s *Service) Purge(ctx context.Context) (int, error) {
	before := s.now().Add(-s.period)
	n := 0
	for {
		ids, err := s.st.ReviewsToPurge(ctx, before, 200)
		if err != nil {
			return n, err
		}
		if len(ids) == 0 {
			return n, nil
		}
		for _, id := range ids {
			err := s.st.PurgeReview(ctx, id, s.redact)
			if errors.Is(err, store.ErrAlreadyPurged) {
				continue
			}
			if err != nil {
				return n, fmt.Errorf("retention : purge de l'avis %d : %w", id, err)
			}
			n++
		}
	}
}

// redact is the filtered form of a text: fail closed, so an unfiltered text is never kept as "purged".
func (s *Service) redact(text string) (string, error) {
	if text == "" {
		return "", nil
	}
	r, err := s.filter.Redact(context.Background(), text)
	if err != nil {
		return "", err
	}
	return r.Text.String(), nil
}

// Citizen names whose reviews to export or erase: their pseudonym at a source, or the external id of a review.
type Citizen struct {
	Source     string
	Pseudonym  string
	ExternalID string
}

// ErrNoCitizen is returned when neither a pseudonym nor an external id is given.
var ErrNoCitizen = errors.New("indiquez le pseudonyme de l'usager ou l'identifiant d'un de ses avis")

func (s *Service) reviewsOf(ctx context.Context, c Citizen) ([]int64, error) {
	if c.Pseudonym == "" && c.ExternalID == "" {
		return nil, ErrNoCitizen
	}
	return s.st.CitizenReviews(ctx, c.Source, c.Pseudonym, c.ExternalID)
}

// exported is one review in a citizen's export: everything Plume holds about it.
type exported struct {
	Review store.Review  `json:"review"`
	Drafts []store.Draft `json:"drafts"`
}

// Export writes one JSON line per review of the citizen, with its drafts, and returns how many it wrote.
func (s *Service) Export(ctx context.Context, c Citizen, w io.Writer) (int, error) {
	ids, err := s.reviewsOf(ctx, c)
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	for i, id := range ids {
		rv, err := s.st.GetReview(ctx, id)
		if err != nil {
			return i, err
		}
		ds, err := s.st.ListDrafts(ctx, id)
		if err != nil {
			return i, err
		}
		if err := enc.Encode(exported{Review: rv, Drafts: ds}); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// Erase deletes the citizen's reviews with their drafts, mappings, publications and feedback.
func (s *Service) Erase(ctx context.Context, c Citizen) (int, error) {
	ids, err := s.reviewsOf(ctx, c)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return s.st.DeleteReviews(ctx, ids)
}
