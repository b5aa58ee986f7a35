package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

func init() {
	registerEval(&command{
		name:    "retrieval",
		args:    "--dataset eval/retrieval/questions.jsonl [--mode hybrid|fulltext|vector|all]",
		summary: "mesure la recherche (recall@1, recall@5, MRR, nDCG@10) sur un jeu de questions étiquetées",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			dataset := fs.String("dataset", "eval/retrieval/questions.jsonl", "questions étiquetées (JSONL {id, query, relevant})")
			mode := fs.String("mode", "all", "hybrid, fulltext, vector ou all")
			k := fs.Int("k", 10, "fiches classées par question")
			out := fs.String("json", "", "écrire le rapport détaillé (par question) dans ce fichier JSON")
			var opt search.Options
			fs.IntVar(&opt.Candidates, "candidates", 0, "passages apportés par chaque volet à la fusion (0 : valeur par défaut)")
			fs.Float64Var(&opt.RRFK, "rrf-k", 0, "constante k de la fusion par rang réciproque (0 : valeur par défaut)")
			fs.Float64Var(&opt.FullTextWeight, "ft-weight", 0, "poids du volet plein texte dans la fusion (0 : valeur par défaut)")
			fs.Float64Var(&opt.VectorWeight, "vec-weight", 0, "poids du volet vectoriel dans la fusion (0 : valeur par défaut)")
			fs.Float64Var(&opt.MaxLexemeShare, "max-lexeme-share", 0, "part maximale des passages contenant un mot gardé par le volet plein texte (0 : valeur par défaut)")
			fs.Float64Var(&opt.SpreadBonus, "spread-bonus", 0, "bonus par passage supplémentaire d'une fiche (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&opt.DocumentWeight, "doc-weight", 0, "poids du classement plein texte des fiches entières (0 : valeur par défaut, négatif : aucun)")
			return func(ctx context.Context, a *app) error {
				items, err := eval.LoadRetrievalSet(*dataset)
				if err != nil {
					return err
				}
				modes := []search.Mode{search.FullTextOnly, search.VectorOnly, search.Hybrid}
				if *mode != "all" {
					m, err := search.ParseMode(*mode)
					if err != nil {
						return usagef("%v", err)
					}
					modes = []search.Mode{m}
				}
				st, s, err := openSearcherWith(ctx, a, opt)
				if err != nil {
					return err
				}
				defer st.Close()
				filter := pii.NewFilter(a.cfg.PIITimeout)
				// The questions are written like citizens write: they go through the filter like real ones.
				texts := make([]pii.Redacted, len(items))
				for i, it := range items {
					if err := search.CheckQuery(it.Query); err != nil {
						return fmt.Errorf("%s : question %s : %w", *dataset, it.ID, err)
					}
					r, err := filter.Redact(ctx, it.Query)
					if err != nil {
						return fmt.Errorf("question %s : filtre : %w", it.ID, err)
					}
					texts[i] = r.Text
				}
				reports := map[string]eval.RetrievalReport{}
				fmt.Fprintf(a.stdout, "%d questions (%s), %d fiches classées par question\n", len(items), *dataset, *k)
				fmt.Fprintf(a.stdout, "%-9s %9s %9s %9s %9s %9s   %s\n", "mode", "recall@1", "recall@5", "recall@10", "MRR", "nDCG@10", "latence moy.")
				prog := newProgress(a.stderr)
				for _, m := range modes {
					rankings := map[string][]string{}
					start := time.Now()
					for i, it := range items {
						rs, err := s.Search(ctx, search.Query{Text: texts[i], K: *k, Mode: m, ByDocument: true})
						var qe *search.QueryError
						if errors.As(err, &qe) {
							continue // counted as missing by the report
						}
						if err != nil {
							return fmt.Errorf("question %s : %w", it.ID, err)
						}
						ids := make([]string, len(rs))
						for j, r := range rs {
							ids[j] = r.DocID
						}
						rankings[it.ID] = ids
						prog.update(search.Progress{Phase: "évaluation " + m.String(), Done: i + 1, Total: len(items)})
					}
					prog.finish()
					lat := time.Since(start) / time.Duration(len(items))
					rep := eval.Summarise(items, rankings)
					reports[m.String()] = rep
					fmt.Fprintf(a.stdout, "%-9s %9.3f %9.3f %9.3f %9.3f %9.3f   %s\n", m, rep.Mean.Recall1, rep.Mean.Recall5, rep.Mean.Recall10,
						rep.Mean.MRR, rep.Mean.NDCG10, lat.Round(100*time.Microsecond))
				}
				if *out != "" {
					b, err := json.MarshalIndent(reports, "", "  ")
					if err != nil {
						return err
					}
					if err := os.WriteFile(*out, b, 0o644); err != nil {
						return err
					}
				}
				return nil
			}
		},
	})
}
