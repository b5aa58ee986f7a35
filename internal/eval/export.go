package eval

import (
	"context"
	"fmt"
	"io"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// ExportApproved writes the replies agents published through Plume as a reviews dataset (JSONL): the review,
// the published reply as reference, the machine draft the agent started from and how much they changed it.
// Every text goes through filter with one mapping per review, so the same person keeps one placeholder and no
// personal value reaches the file. It returns the number of items written.
func ExportApproved(ctx context.Context, st *store.Store, filter *pii.Filter, w io.Writer) (int, error) {
	rows, err := st.ApprovedExports(ctx)
	if err != nil {
		return 0, err
	}
	items := make([]ReviewItem, 0, len(rows))
	for _, r := range rows {
		m := pii.NewMapping()
		redact := func(s string) (string, error) {
			if s == "" {
				return "", nil
			}
			res, err := filter.RedactWith(ctx, m, s)
			if err != nil {
				return "", fmt.Errorf("eval: export de l'avis %d : %w", r.ReviewID, err)
			}
			return res.Text.String(), nil
		}
		it := ReviewItem{ID: r.Source + ":" + r.ExternalID, Organisation: r.OrganisationName, Feeling: r.Feeling,
			AIKind: r.AIKind, Edits: r.Edits, ExportedFrom: "plume"}
		if r.AIDraft != "" {
			c := ChrF(r.AIDraft, r.Published)
			it.EditChrF = &c
		}
		for _, f := range []struct {
			dst *string
			src string
		}{{&it.Title, r.Title}, {&it.Text, r.Body}, {&it.Reference, r.Published}, {&it.AIDraft, r.AIDraft}} {
			if *f.dst, err = redact(f.src); err != nil {
				return 0, err
			}
		}
		items = append(items, it)
	}
	if err := WriteReviews(w, items); err != nil {
		return 0, err
	}
	return len(items), nil
}
