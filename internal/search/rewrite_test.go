package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/prompts"
)

// TestQueryRewriter runs the model query-rewriting step against the fake OpenAI server: only filtered text
// reaches the model, the model's answer (filtered in turn) leads the query, « aucune démarche » and a failing
// model leave the rule-based query alone.
func TestQueryRewriter(t *testing.T) {
	t.Parallel()
	st, _ := loadSample(t)
	ctx := context.Background()
	srv := llmtest.New(t)
	model, err := llm.New(llm.Options{BaseURL: srv.URL, Model: "m", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	filter := pii.NewFilter(5 * time.Second)
	rw := &search.QueryRewriter{Model: model, Prompts: prompts.MustLoad(prompts.Current), Filter: filter}
	s := search.New(st, embed.NewLocal(dim), search.Options{Rewriter: rw})

	const name, phone = "Dupont", "06 12 34 56 78"
	raw := "Bonjour, je suis Mme Jeanne " + name + ", joignable au " + phone + ". Le document de ma voiture a disparu " +
		"pendant le déménagement, j'ai fait la démarche il y a trois mois et toujours rien : pourquoi ?"
	m := pii.NewMapping()
	title, err := filter.RedactWith(ctx, m, "Toujours rien")
	if err != nil {
		t.Fatal(err)
	}
	text, err := filter.RedactWith(ctx, title.Mapping, raw)
	if err != nil {
		t.Fatal(err)
	}
	review := search.Review{Organisation: "France Titres - ANTS", Title: title.Text, Text: text.Text}

	plain, err := s.ReviewSources(ctx, review, search.ReviewOptions{NoRewrite: true})
	if err != nil {
		t.Fatal(err)
	}
	// The model names the procedure, and repeats a personal value it should not have known.
	srv.Push(llmtest.Reply{Text: "Déclaration de perte de la carte grise (certificat d'immatriculation) et duplicata ; rappeler au " + phone})
	src, err := s.ReviewSources(ctx, review, search.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests to the model, want 1", len(reqs))
	}
	sent := reqs[0].Text()
	for _, v := range []string{name, phone, "Jeanne"} {
		if strings.Contains(sent, v) {
			t.Errorf("the prompt carries %q:\n%s", v, sent)
		}
	}
	if !strings.Contains(sent, "Quelle démarche, quel droit, quelle question ?") || !strings.Contains(sent, "disparu") {
		t.Errorf("prompt without the question or the review:\n%s", sent)
	}
	if src.RewriteErr != nil || !strings.Contains(src.Rewritten.String(), "carte grise") || strings.Contains(src.Rewritten.String(), phone) {
		t.Fatalf("rewritten %q (err %v): want the model's words, filtered", src.Rewritten, src.RewriteErr)
	}
	rank := func(src search.Sources) int {
		return slices.IndexFunc(src.Fiches, func(f search.Fiche) bool { return f.DocID == "F1726" })
	}
	// Higher with the rewrite, or as high with the first fiche's lead over it cut: the citizen's own words may
	// already put it among the first.
	lead := func(src search.Sources) float64 { return src.Fiches[0].Score - src.Fiches[rank(src)].Score }
	if src.Abstained || rank(src) < 0 || rank(plain) >= 0 && (rank(src) > rank(plain) || rank(src) == rank(plain) && rank(src) > 0 && lead(src) >= lead(plain)) {
		t.Errorf("the lost registration certificate F1726 at %d, %d without the rewrite: want it higher", rank(src), rank(plain))
	}

	// No procedure in the model's eyes: the rule-based query alone.
	srv.Push(llmtest.Reply{Text: "Aucune démarche."})
	src, err = s.ReviewSources(ctx, review, search.ReviewOptions{})
	if err != nil || !src.Rewritten.IsZero() || src.RewriteErr != nil {
		t.Errorf("« aucune démarche »: rewritten %q, err %v / %v", src.Rewritten, src.RewriteErr, err)
	}

	// A failing model: the error is reported, the sources still come from the rule-based query.
	srv.Push(llmtest.Reply{Status: 500})
	src, err = s.ReviewSources(ctx, review, search.ReviewOptions{})
	type failing struct{ Err, RewriteErr, Rewritten, Fiches bool }
	got := failing{Err: err != nil, RewriteErr: src.RewriteErr != nil, Rewritten: !src.Rewritten.IsZero(), Fiches: len(src.Fiches) > 0}
	if diff := cmp.Diff(failing{RewriteErr: true, Fiches: true}, got); diff != "" {
		t.Errorf("failing model (-want +got):\n%s\nrewritten %q, rewrite error %v, error %v", diff, src.Rewritten, src.RewriteErr, err)
	}

	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests to the model, want 3 (none with NoRewrite)", n)
	}
}
