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

	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Service purges, exports and erases citizens' data.
type Service struct {
	st           *store.Store
	filter       *pii.Filter
	period       time.Duration
	conversation time.Duration
	now          func() time.Time
}

// New returns a Service that keeps citizens' texts for period after a review is published or set aside (and
// evaluation outputs for period after their run), and assistant conversations for conversation after their
// last turn.
func New(st *store.Store, filter *pii.Filter, period, conversation time.Duration) *Service {
	return &Service{st: st, filter: filter, period: period, conversation: conversation, now: time.Now}
}

// Purge replaces, in every review published or set aside longer ago than the retention period, the citizen's
// texts and every version of the reply — text, stored prompt, checks, grounding — by their filtered form (with
// the review's own mapping, so its values go in any spelling), and drops the placeholder mappings; it filters
// the outputs of evaluation runs as old, and deletes the assistant conversations idle for longer than their own
// retention. It returns how many reviews it purged; a review that fails stops the purge with its error, the
// others stay purged.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.purgeReviews(ctx)
	if err != nil {
		return n, err
	}
	if s.conversation > 0 {
		if _, err := s.st.DeleteConversationsBefore(ctx, s.now().Add(-s.conversation)); err != nil {
			return n, err
		}
	}
	if _, err := s.st.PurgeEvalItemsBefore(ctx, s.now().Add(-s.period), s.redact); err != nil {
		return n, err
	}
	return n, nil
}

func (s *Service) purgeReviews(ctx context.Context) (int, error) {
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
			redact, err := s.reviewRedactor(ctx, id)
			if err != nil {
				return n, fmt.Errorf("retention : purge de l'avis %d : %w", id, err)
			}
			err = s.st.PurgeReview(ctx, id, redact)
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

// reviewRedactor filters the texts of one review with its own mapping: the stored one, completed with the
// review's texts and its pseudonym, so that a value spelt otherwise in a draft or a prompt is masked too.
func (s *Service) reviewRedactor(ctx context.Context, id int64) (func(string) (string, error), error) {
	rv, err := s.st.GetReview(ctx, id)
	if err != nil {
		return nil, err
	}
	stored, err := s.st.PIIMapping(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	m, err := guard.ReviewMapping(ctx, s.filter, stored, rv.Title, rv.Body)
	if err != nil {
		return nil, err
	}
	m.AddKnown(pii.LabelPerson, rv.AuthorPseudonym)
	return func(text string) (string, error) {
		if text == "" {
			return "", nil
		}
		r, err := s.filter.RedactWith(ctx, m, text)
		if err != nil {
			return "", err
		}
		return r.Text.String(), nil
	}, nil
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
