package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/prompts"
)

func init() {
	registerEval(&command{
		name:    "run",
		args:    "--dataset FICHIER.jsonl --config CONFIG.json",
		summary: "passe un jeu de données dans le vrai pipeline et enregistre une campagne (reprise possible)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			dataset := fs.String("dataset", "", "jeu de données JSONL (avis avec réponses de référence, ou questions → fiches)")
			cfgPath := fs.String("config", "", "configuration JSON {prompt_version, model, llm_base_url, embedder, k, reranker, judge_model, judge_base_url, prices…} ; vide : hors ligne")
			name := fs.String("name", "", "nom de la campagne")
			resume := fs.Int64("resume", 0, "reprendre la campagne n° RUN_ID là où elle s'est arrêtée")
			limit := fs.Int("limit", 0, "ne traiter que les N premiers éléments")
			conc := fs.Int("concurrency", 2, "éléments traités en parallèle")
			return func(ctx context.Context, a *app) error {
				return evalRun(ctx, a, *dataset, *cfgPath, *name, *resume, *limit, *conc)
			}
		},
	})
	registerEval(&command{
		name:    "compare",
		args:    "RUN_A RUN_B",
		summary: "compare deux campagnes : moyennes, écarts par élément, intervalle de confiance bootstrap apparié",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			top := fs.Int("top", 5, "écarts par élément affichés par métrique")
			return func(ctx context.Context, a *app) error {
				args, err := interleaved(fs, a.args)
				if err != nil {
					return err
				}
				ids, err := runIDs(args, 2)
				if err != nil {
					return err
				}
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				c, err := loadComparison(ctx, st, ids[0], ids[1])
				if err != nil {
					return err
				}
				printComparison(a, c, *top)
				return nil
			}
		},
	})
	registerEval(&command{
		name:    "report",
		args:    "RUN_ID [--format html|json|md] [--compare RUN_B]",
		summary: "rapport d'une campagne : page HTML autonome, JSON ou Markdown pour la CI",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			format := fs.String("format", "html", "html, json ou md")
			compare := fs.Int64("compare", 0, "comparer avec la campagne n° RUN_B")
			out := fs.String("o", "", "écrire dans ce fichier plutôt que sur la sortie standard")
			return func(ctx context.Context, a *app) error {
				args, err := interleaved(fs, a.args)
				if err != nil {
					return err
				}
				ids, err := runIDs(args, 1)
				if err != nil {
					return err
				}
				switch *format {
				case "html", "json", "md":
				default:
					return usagef("format %q inconnu (html, json ou md)", *format)
				}
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				run, items, err := loadRun(ctx, st, ids[0])
				if err != nil {
					return err
				}
				var cmp *eval.Comparison
				if *compare != 0 {
					c, err := loadComparison(ctx, st, ids[0], *compare)
					if err != nil {
						return err
					}
					cmp = &c
				}
				rep := eval.NewReport(run, items, cmp)
				w := a.stdout
				if *out != "" {
					f, err := os.Create(*out)
					if err != nil {
						return err
					}
					defer f.Close()
					w = f
				}
				switch *format {
				case "json":
					return rep.WriteJSON(w)
				case "md":
					return rep.WriteMarkdown(w)
				}
				return rep.WriteHTML(w)
			}
		},
	})
	registerEval(&command{
		name:    "export",
		args:    "--dataset approved|spp [--from EXPORT.csv]",
		summary: "exporte un jeu d'avis JSONL : réponses approuvées dans Plume (filtrées), ou export CSV Services Publics+",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			kind := fs.String("dataset", "approved", "approved (réponses publiées depuis Plume) ou spp (export CSV open data)")
			from := fs.String("from", "", "fichier CSV de l'export Services Publics+ (avec --dataset spp)")
			return func(ctx context.Context, a *app) error {
				switch *kind {
				case "spp":
					if *from == "" {
						return usagef("--from EXPORT.csv est obligatoire avec --dataset spp")
					}
					f, err := os.Open(*from)
					if err != nil {
						return err
					}
					defer f.Close()
					items, err := eval.ConvertSPPCSV(f)
					if err != nil {
						return err
					}
					if err := eval.WriteReviews(a.stdout, items); err != nil {
						return err
					}
					fmt.Fprintf(a.stderr, "%d avis exportés\n", len(items))
					return nil
				case "approved":
					st, err := a.openStore(ctx)
					if err != nil {
						return err
					}
					defer st.Close()
					n, err := eval.ExportApproved(ctx, st, pii.NewFilter(a.cfg.PIITimeout), a.stdout)
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stderr, "%d réponses approuvées exportées (textes filtrés)\n", n)
					return nil
				}
				return usagef("jeu %q inconnu (approved ou spp)", *kind)
			}
		},
	})
}

// interleaved parses the flags written after the positional arguments ("report 12 --format md"), which the
// flag package leaves in the arguments, and returns the positional ones.
func interleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if !strings.HasPrefix(args[0], "-") {
			pos = append(pos, args[0])
			args = args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		args = fs.Args()
	}
	return pos, nil
}

func runIDs(args []string, n int) ([]int64, error) {
	if len(args) != n {
		return nil, usagef("%d numéro(s) de campagne attendu(s), %d donné(s)", n, len(args))
	}
	ids := make([]int64, n)
	for i, s := range args {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, usagef("numéro de campagne %q invalide", s)
		}
		ids[i] = id
	}
	return ids, nil
}

func loadRun(ctx context.Context, st *store.Store, id int64) (store.EvalRun, []store.EvalItem, error) {
	run, err := st.GetEvalRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return run, nil, fmt.Errorf("campagne n° %d introuvable", id)
	}
	if err != nil {
		return run, nil, err
	}
	items, err := st.ListEvalItems(ctx, id)
	return run, items, err
}

func loadComparison(ctx context.Context, st *store.Store, a, b int64) (eval.Comparison, error) {
	runA, itemsA, err := loadRun(ctx, st, a)
	if err != nil {
		return eval.Comparison{}, err
	}
	runB, itemsB, err := loadRun(ctx, st, b)
	if err != nil {
		return eval.Comparison{}, err
	}
	if runA.Kind != runB.Kind {
		return eval.Comparison{}, fmt.Errorf("les campagnes %d (%s) et %d (%s) ne portent pas sur le même type de jeu", a, runA.Kind, b, runB.Kind)
	}
	return eval.Compare(runA, itemsA, runB, itemsB), nil
}

func printComparison(a *app, c eval.Comparison, top int) {
	fmt.Fprintf(a.stdout, "A = campagne %d (%s, %d éléments)\nB = campagne %d (%s, %d éléments)\n\n", c.A.Run.ID, c.A.Run.Dataset, c.A.Items, c.B.Run.ID, c.B.Run.Dataset, c.B.Items)
	fmt.Fprintf(a.stdout, "%-42s %10s %10s %10s  %-24s %s\n", "métrique", "A", "B", "B − A", "IC 95 % (bootstrap)", "verdict")
	for _, m := range c.Metrics {
		d := m.Info.Digits
		fmt.Fprintf(a.stdout, "%-42s %10.*f %10.*f %+10.*f  [%.*f ; %.*f] n=%-4d %s\n", m.Info.Label, d, m.A.Mean, d, m.B.Mean, d, m.Paired.Mean,
			d, m.Paired.Low, d, m.Paired.High, m.Paired.N, m.Verdict)
	}
	for _, m := range c.Metrics {
		if !m.Paired.Significant() || top <= 0 {
			continue
		}
		fmt.Fprintf(a.stdout, "\n%s : plus grands écarts\n", m.Info.Label)
		for i, d := range m.Diffs {
			if i == top {
				break
			}
			fmt.Fprintf(a.stdout, "  %-20s %10.*f → %10.*f (%+.*f)\n", d.ItemID, m.Info.Digits, d.A, m.Info.Digits, d.B, m.Info.Digits, d.Diff)
		}
	}
}

// evalRun starts or resumes a run and scores every item not stored yet.
func evalRun(ctx context.Context, a *app, datasetPath, cfgPath, name string, resume int64, limit, conc int) error {
	if datasetPath == "" {
		return usagef("--dataset est obligatoire")
	}
	ds, err := eval.LoadDataset(datasetPath)
	if err != nil {
		return err
	}
	cfg := eval.RunConfig{}
	if cfgPath != "" {
		if cfg, err = eval.LoadRunConfig(cfgPath); err != nil {
			return err
		}
	} else if cfg, err = eval.ParseRunConfig([]byte("{}")); err != nil {
		return err
	}
	emb, err := embed.FromConfig(a.cfg)
	if err != nil {
		return err
	}
	if cfg.Embedder == "" {
		cfg.Embedder = emb.Name()
	} else if cfg.Embedder != emb.Name() {
		return fmt.Errorf("la configuration demande l'embedder %q mais le corpus est interrogé avec %q (EMBED_BASE_URL, EMBED_MODEL, EMBED_DIM)", cfg.Embedder, emb.Name())
	}
	if cfg.PromptVersion == "" {
		cfg.PromptVersion = prompts.Current
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := search.Options{}
	if cfg.Reranker != "" {
		if a.cfg.RerankBaseURL == "" {
			return fmt.Errorf("reranker %q demandé mais RERANK_BASE_URL n'est pas défini", cfg.Reranker)
		}
		opts.Reranker = search.NewReranker(a.cfg.RerankBaseURL, cfg.Reranker, a.cfg.RerankAPIKey)
	}
	filter := pii.NewFilter(a.cfg.PIITimeout)
	var model llm.Client
	if ds.Kind == eval.KindReviews && cfg.Model != "" {
		if model, err = llm.New(a.llmOptions(cfg.LLMBaseURL, cfg.Model, a.cfg.LLMAPIKey, conc)); err != nil {
			return err
		}
		// With a model, the sources of each draft are retrieved by the query it rewrote, as in production.
		opts.Rewriter = queryRewriter(model, filter)
	}
	searcher := search.New(st, emb, opts)

	runner := &eval.Runner{Store: st, Concurrency: conc}
	switch ds.Kind {
	case eval.KindQuestions:
		mode := search.Hybrid
		if cfg.SearchMode != "" {
			if mode, err = search.ParseMode(cfg.SearchMode); err != nil {
				return err
			}
		}
		runner.Questions = &eval.QuestionScorer{Retriever: eval.SearchRetriever{Searcher: searcher, Filter: filter, Mode: mode}, K: max(cfg.K, 10)}
	case eval.KindReviews:
		set, err := prompts.Load(cfg.PromptVersion)
		if err != nil {
			return err
		}
		svc, err := draft.New(draft.Options{Searcher: searcher, Model: model,
			WriterOptions: ground.WriterOptions{Filter: filter, Prompts: set, K: cfg.K, Log: a.log}})
		if err != nil {
			return err
		}
		sc := &eval.ReviewScorer{Drafter: svc, Filter: filter, PromptVersion: cfg.PromptVersion, K: cfg.K, Prices: cfg.Prices, JudgePrices: cfg.JudgePrices}
		if cfg.JudgeModel != "" {
			key := a.cfg.JudgeAPIKey
			if key == "" {
				key = a.cfg.LLMAPIKey
			}
			jc, err := llm.New(a.llmOptions(cfg.JudgeBaseURL, cfg.JudgeModel, key, conc))
			if err != nil {
				return err
			}
			if sc.Judge, err = eval.NewJudge(jc, filter, cfg.JudgeVersion); err != nil {
				return err
			}
		}
		runner.Reviews = sc
	}

	var run store.EvalRun
	if resume != 0 {
		if run, err = st.GetEvalRun(ctx, resume); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("campagne n° %d introuvable", resume)
			}
			return err
		}
		if err := st.RestartEvalRun(ctx, run.ID); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "reprise de la campagne n° %d : %d éléments déjà enregistrés sur %d\n", run.ID, run.Done, ds.Len())
	} else {
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		run, err = st.CreateEvalRun(ctx, store.EvalRun{Name: name, Kind: ds.Kind, Dataset: datasetPath, DatasetDigest: ds.Digest,
			ItemCount: ds.Len(), Config: raw, GitCommit: gitCommit()})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "campagne n° %d : %d éléments (%s)\n", run.ID, ds.Len(), ds.Kind)
	}
	prog := newProgress(a.stderr)
	runner.OnProgress = func(p eval.Progress) {
		phase := fmt.Sprintf("campagne %d", run.ID)
		if p.Failed > 0 {
			phase += fmt.Sprintf(" (%d en erreur)", p.Failed)
		}
		prog.update(search.Progress{Phase: phase, Done: p.Done, Total: p.Total})
	}
	stats, err := runner.Run(ctx, run, ds, limit)
	prog.finish()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(a.stderr, "interrompue : %d éléments enregistrés ; « plume eval run --dataset %s --config %s --resume %d » reprend là où elle s'est arrêtée\n",
				stats.Skipped+stats.Scored, datasetPath, cfgPath, run.ID)
		}
		return err
	}
	run, items, err := loadRun(ctx, st, run.ID)
	if err != nil {
		return err
	}
	sum := eval.SummariseRun(run, items)
	fmt.Fprintf(a.stdout, "campagne n° %d : %d éléments traités en %s (%d repris, %d en erreur)\n", run.ID, stats.Scored, stats.Elapsed.Round(time.Millisecond), stats.Skipped, stats.Failed)
	for _, n := range sum.Order {
		mi, s := eval.Info(n), sum.Metrics[n]
		fmt.Fprintf(a.stdout, "  %-44s %10.*f  (n=%d)\n", mi.Label, mi.Digits, s.Mean, s.N)
	}
	if !stats.Complete {
		fmt.Fprintf(a.stdout, "campagne partielle (--limit) : --resume %d la complète\n", run.ID)
	}
	return nil
}

// gitCommit names the code that ran: the VCS stamp of the binary, else the working tree's HEAD.
func gitCommit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+modifié"
				}
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += "+modifié"
	}
	return rev
}
