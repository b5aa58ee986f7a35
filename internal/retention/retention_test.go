package retention_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/retention"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestPurgeExportErase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	save := func(ext, pseudo, body, reply string) int64 {
		id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: ext, Title: "Mon dossier", Body: body,
			Organisation: "CAF", AuthorPseudonym: pseudo, PublishedReply: reply, WrittenAt: "2024-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	old := save("r1", "Lune42", "Je suis Marie Lefebvre, joignable au 06 11 22 33 44.", "Bonjour Marie Lefebvre, nous avons traité votre demande.")
	recent := save("r2", "Lune42", "Je suis Marie Lefebvre, mon numéro est le 06 11 22 33 44.", "")
	other := save("r3", "Soleil", "Paul Girard attend sa prime d'activité depuis trois mois.", "Bonjour, votre dossier est traité.")
	if _, err := st.AddDraft(ctx, store.Draft{ReviewID: old, Kind: store.DraftEdit, Text: "Bonjour Marie Lefebvre, merci."}); err != nil {
		t.Fatal(err)
	}
	if err := st.SavePIIMapping(ctx, old, pii.NewMapping()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE reviews SET updated_at = now() - interval '400 days' WHERE id = ANY($1)`, []int64{old, recent}); err != nil {
		t.Fatal(err)
	}
	svc := retention.New(st, pii.NewFilter(2*time.Second), 365*24*time.Hour, 90*24*time.Hour)

	n, err := svc.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 (only the old published review; the new one is not answered)", n, err)
	}
	rv, _ := st.GetReview(ctx, old)
	d, _ := st.LatestDraft(ctx, old)
	for _, text := range []string{rv.Body, rv.PublishedReply, d.Text, rv.AuthorPseudonym} {
		if strings.Contains(text, "Lefebvre") || strings.Contains(text, "06 11") || strings.Contains(text, "Lune42") {
			t.Errorf("purged review still holds personal data: %q", text)
		}
	}
	if !strings.Contains(rv.Body, "[PERSONNE_1]") {
		t.Errorf("purged body %q: want the filtered form, placeholders in", rv.Body)
	}
	if _, err := st.PIIMapping(ctx, old); err == nil {
		t.Error("mapping of a purged review kept")
	}
	if n, err := svc.Purge(ctx); err != nil || n != 0 {
		t.Errorf("second Purge = %d, %v; want 0", n, err)
	}

	var buf bytes.Buffer
	n, err = svc.Export(ctx, retention.Citizen{Source: reviews.SourceSPP, Pseudonym: "Lune42"}, &buf)
	if err != nil || n != 1 || !strings.Contains(buf.String(), "06 11 22 33 44") {
		t.Errorf("Export = %d, %v, %q; want the one unpurged review of Lune42 in full", n, err, buf.String())
	}
	if _, err := svc.Export(ctx, retention.Citizen{Source: reviews.SourceSPP}, &buf); err != retention.ErrNoCitizen {
		t.Errorf("Export without a citizen: %v", err)
	}
	n, err = svc.Erase(ctx, retention.Citizen{Source: reviews.SourceSPP, ExternalID: "r2"})
	if err != nil || n != 1 {
		t.Fatalf("Erase = %d, %v", n, err)
	}
	if _, err := st.GetReview(ctx, recent); err == nil {
		t.Error("erased review still there")
	}
	if _, err := st.GetReview(ctx, other); err != nil {
		t.Errorf("another citizen's review was erased: %v", err)
	}
}
