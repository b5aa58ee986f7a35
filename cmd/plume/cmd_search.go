package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

func init() {
	register(&command{
		name:    "search",
		args:    `"question" | --jsonl < questions.jsonl`,
		summary: "cherche les fiches qui répondent à une question (ou à un fichier JSONL de questions)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			k := fs.Int("k", 10, "nombre de résultats")
			jsonl := fs.Bool("jsonl", false, `lire des lignes {"id","query"} sur l'entrée standard et écrire {"id","results":[…]}`)
			mode := fs.String("mode", "hybrid", "hybrid, fulltext ou vector")
			audience := fs.String("audience", "", "filtrer sur un public : particuliers, professionnels, associations, local")
			docID := fs.String("fiche", "", "chercher dans une seule fiche (identifiant, par exemple F12006)")
			passages := fs.Bool("passages", false, "classer les passages au lieu des fiches (plusieurs passages d'une même fiche)")
			return func(ctx context.Context, a *app) error {
				m, err := search.ParseMode(*mode)
				if err != nil {
					return usagef("%v", err)
				}
				st, s, err := openSearcher(ctx, a)
				if err != nil {
					return err
				}
				defer st.Close()
				filter := pii.NewFilter(a.cfg.PIITimeout)
				q := search.Query{K: *k, Audience: *audience, DocID: *docID, Mode: m, ByDocument: !*passages}
				if *jsonl {
					return searchJSONL(ctx, a, s, filter, q)
				}
				text := strings.TrimSpace(strings.Join(a.args, " "))
				if text == "" {
					return usagef("question manquante")
				}
				rs, err := runQuery(ctx, s, filter, q, text)
				if err != nil {
					return err
				}
				if len(rs) == 0 {
					fmt.Fprintln(a.stdout, "aucun résultat")
				}
				for i, r := range rs {
					fmt.Fprintf(a.stdout, "%2d. %s  %s  (score %.4f)\n", i+1, r.DocID, r.Title, r.Score)
					if r.SectionPath != "" {
						fmt.Fprintf(a.stdout, "    § %s\n", r.SectionPath)
					}
					fmt.Fprintf(a.stdout, "    %s\n    %s\n", excerpt(r.Text, 160), r.URL)
				}
				return nil
			}
		},
	})
}

// openSearcher opens the store and a searcher with the configured embedder, reranker and lexicon.
func openSearcher(ctx context.Context, a *app) (*store.Store, *search.Searcher, error) {
	return openSearcherWith(ctx, a, search.Options{})
}

// openSearcherWith is openSearcher with tuning options (zero fields take the defaults) on top of the configuration.
func openSearcherWith(ctx context.Context, a *app, opt search.Options) (*store.Store, *search.Searcher, error) {
	emb, err := embed.FromConfig(a.cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	opt.Reranker = searchOptions(a.cfg).Reranker
	return st, search.New(st, emb, opt), nil
}

func searchOptions(cfg config.Config) search.Options {
	return search.Options{Reranker: search.NewReranker(cfg.RerankBaseURL, cfg.RerankModel, cfg.RerankAPIKey)}
}

// runQuery checks the citizen's text, passes it through the personal-data filter, then searches.
func runQuery(ctx context.Context, s *search.Searcher, filter *pii.Filter, q search.Query, text string) ([]ground.Passage, error) {
	if err := search.CheckQuery(text); err != nil {
		return nil, err
	}
	red, err := filter.Redact(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("filtre de données personnelles : %w", err)
	}
	q.Text = red.Text
	return s.Search(ctx, q)
}

// searchJSONL answers one {"id","query"} line after another; a bad line gets {"id","error"} and the run goes on.
func searchJSONL(ctx context.Context, a *app, s *search.Searcher, filter *pii.Filter, q search.Query) error {
	type query struct {
		ID    string `json:"id"`
		Query string `json:"query"`
	}
	return jsonLines(a, 1<<20, func(line int, in query) (any, string, error) {
		rs, err := runQuery(ctx, s, filter, q, in.Query)
		var qe *search.QueryError
		switch {
		case errors.As(err, &qe):
			return search.Response{ID: in.ID, Results: []search.Brief{}, Error: qe.Message}, qe.Message, nil
		case err != nil:
			return nil, "", fmt.Errorf("ligne %d (id %q) : %w", line, in.ID, err)
		}
		return search.NewResponse(in.ID, rs), "", nil
	}, func(line int, reason string) any {
		return search.Response{ID: fmt.Sprintf("ligne %d", line), Results: []search.Brief{}, Error: reason}
	})
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
