package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

func init() {
	register(&command{
		name:    "reviews",
		args:    "import FICHIER | list | sources --jsonl",
		summary: "importe des avis (export Services Publics+ en JSON lines ou CSV), liste ceux de la base, ou donne les fiches qu'un brouillon citerait",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			format := fs.String("format", "", "format du fichier (import) : jsonl ou csv ; par défaut d'après l'extension")
			source := fs.String("source", "", "source donnée à tous les avis (import) ; par défaut celle du fichier, sinon "+reviews.SourceSPP)
			status := fs.String("status", "", "statut (list) : nouveau, brouillon_pret, en_relecture, publie ou ecarte")
			org := fs.String("org", "", "identifiant (slug) de l'organisation (list)")
			query := fs.String("q", "", "recherche dans le titre et le texte (list)")
			limit := fs.Int("limit", 20, "nombre d'avis affichés (list), 500 au plus")
			after := fs.String("after", "", "curseur de la page suivante, donné par la page précédente (list)")
			jsonl := fs.Bool("jsonl", false, "sources : lit des lignes {id, organisation, title, text} sur l'entrée standard, écrit {id, results}")
			var ro search.ReviewOptions
			fs.IntVar(&ro.Fiches, "fiches", 0, "sources : fiches données au modèle (0 : valeur par défaut)")
			fs.IntVar(&ro.QueryRunes, "query-runes", 0, "sources : longueur maximale de la requête tirée de l'avis (0 : valeur par défaut)")
			fs.Float64Var(&ro.OrganisationBoost, "org-boost", 0, "sources : bonus des fiches de l'organisation (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&ro.ServiceWeight, "service-weight", 0, "sources : poids des phrases de service seul (accueil, téléphone…) contre les phrases de démarche (0 : valeur par défaut)")
			fs.Float64Var(&ro.MixedWeight, "mixed-weight", 0, "sources : poids des phrases qui nomment une démarche et un canal (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&ro.ConductWeight, "conduct-weight", 0, "sources : poids des mots qui jugent l'accueil (aimable, désagréable, merci…) (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&ro.QuestionWeight, "question-weight", 0, "sources : poids des points d'interrogation de l'avis, au plus 2 (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&ro.MinProcedure, "min-procedure", 0, "sources : score de démarche (phrases de démarche, moins celles de service et les mots d'accueil pondérés) en dessous duquel aucune fiche n'est donnée (0 : valeur par défaut)")
			fs.Float64Var(&ro.DocumentWeight, "doc-weight", 0, "sources : poids du classement plein texte des fiches entières (0 : valeur par défaut, négatif : aucun)")
			fs.Float64Var(&ro.TitleWeight, "title-weight", 0, "sources : poids de la recherche faite avec le seul titre de l'avis (0 : valeur par défaut, négatif : aucune)")
			fs.Float64Var(&ro.TitleCoverWeight, "title-cover-weight", 0, "sources : bonus d'une fiche selon la part des mots de son titre que l'avis contient (0 : valeur par défaut, négatif : aucun)")
			fs.BoolVar(&ro.NoRewrite, "no-rewrite", false, "sources : garder la requête tirée de l'avis par règles même quand un modèle est configuré (LLM_BASE_URL)")
			fs.IntVar(&ro.QueryTF, "query-tf", 0, "sources : nombre maximal de fois qu'un mot répété dans l'avis compte dans le plein texte (0 : valeur par défaut, une seule)")
			fs.BoolVar(&ro.NoAbstain, "no-abstain", false, "sources : ne jamais s'abstenir (calibrage)")
			signals := fs.Bool("signals", false, "sources : ajoute à chaque ligne les signaux d'abstention (calibrage)")
			return func(ctx context.Context, a *app) error {
				if len(a.args) == 0 {
					return usagef("action manquante : import, list ou sources")
				}
				action := a.args[0]
				pos, err := parseInterleaved(fs, a.args[1:])
				if err != nil {
					return usagef("%v", err)
				}
				switch action {
				case "import":
					if len(pos) != 1 {
						return usagef("import attend un seul fichier (ou - pour l'entrée standard)")
					}
					return reviewsImport(ctx, a, pos[0], *format, *source)
				case "list":
					if len(pos) > 0 {
						return usagef("argument inattendu %q", pos[0])
					}
					return reviewsList(ctx, a, *status, *org, *query, *limit, *after)
				case "sources":
					if len(pos) > 0 {
						return usagef("argument inattendu %q", pos[0])
					}
					if !*jsonl {
						return usagef("sources attend --jsonl (lignes {id, organisation, title, text} sur l'entrée standard)")
					}
					return reviewsSources(ctx, a, ro, *signals)
				}
				return usagef("action %q inconnue : import, list ou sources", action)
			}
		},
	})
}

// parseInterleaved parses flags placed before or after the positional arguments (« import FICHIER --format csv »).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func reviewsImport(ctx context.Context, a *app, name, formatFlag, source string) error {
	var format reviews.Format
	var err error
	switch {
	case formatFlag != "":
		format, err = reviews.ParseFormat(formatFlag)
	case name == "-":
		err = errors.New("--format est obligatoire pour l'entrée standard")
	default:
		format, err = reviews.DetectFormat(name)
	}
	if err != nil {
		return usagef("%v", err)
	}
	var in io.Reader = a.stdin
	var size int64
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("ouverture de %s : %w", name, err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// Each new review's drafting job is inserted with it; the workers draft them whenever they run.
	if err := jobs.Migrate(ctx, st.Pool); err != nil {
		return err
	}
	queue, err := jobs.New(st, jobs.Options{Log: a.log})
	if err != nil {
		return err
	}

	cr := &importCounter{r: in}
	prog := newImportProgress(a.stderr, cr, size)
	start := time.Now()
	sum, err := reviews.Import(ctx, st, cr, format, reviews.ImportOptions{Source: source, Progress: prog.update, Drafts: queue})
	prog.finish()
	for _, e := range sum.Errors {
		fmt.Fprintln(a.stderr, e.String())
	}
	if more := sum.Rejected - len(sum.Errors); more > 0 {
		fmt.Fprintf(a.stderr, "… et %d autres lignes rejetées\n", more)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(a.stdout, "%s, en %s\n", sum, elapsed.Round(time.Millisecond))
	if err != nil {
		return fmt.Errorf("import interrompu : %w (les avis comptés ci-dessus sont enregistrés)", err)
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("%d ligne(s) rejetée(s) ; toutes les autres sont enregistrées", sum.Rejected)
	}
	return nil
}

// importCounter counts the bytes read, so that progress can estimate what is left of a file.
type importCounter struct {
	r io.Reader
	n atomic.Int64
}

func (c *importCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// importProgress shows an import's advance: on a terminal a line rewritten in place with the count and an ETA
// estimated from the bytes read, otherwise a plain line every tenth of the file (or every 1,000 reviews).
type importProgress struct {
	w     io.Writer
	tty   bool
	cr    *importCounter
	size  int64
	start time.Time
	mu    sync.Mutex
	last  time.Time
	step  int64
	shown bool
}

func newImportProgress(w io.Writer, cr *importCounter, size int64) *importProgress {
	p := &importProgress{w: w, cr: cr, size: size, start: time.Now(), step: -1}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *importProgress) update(records int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	read := p.cr.n.Load()
	line := fmt.Sprintf("import : %d avis lus", records)
	var step int64
	if p.size > 0 {
		frac := min(float64(read)/float64(p.size), 1)
		line += fmt.Sprintf(" (%d %%)", int(frac*100))
		if frac > 0 && frac < 1 {
			left := time.Duration(float64(now.Sub(p.start)) * (1 - frac) / frac)
			line += fmt.Sprintf(", reste ~%s", left.Round(time.Second))
		}
		step = int64(frac * 10)
	} else {
		step = int64(records / 1000)
	}
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last, p.shown = now, true
		fmt.Fprintf(p.w, "\r%s\033[K", line)
		return
	}
	if step != p.step && step > 0 {
		p.step = step
		fmt.Fprintln(p.w, line)
	}
}

func (p *importProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func reviewsList(ctx context.Context, a *app, status, orgSlug, query string, limit int, after string) error {
	f := store.ReviewFilter{Query: query, Limit: limit}
	if status != "" {
		s, err := reviews.ParseStatus(status)
		if err != nil {
			return usagef("--status : %v", err)
		}
		f.Status = s
	}
	if after != "" {
		c, err := store.ParseReviewCursor(after)
		if err != nil {
			return usagef("--after : %v", err)
		}
		f.After = &c
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if orgSlug != "" {
		o, err := st.OrganisationBySlug(ctx, orgSlug)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("organisation %q inconnue", orgSlug)
		}
		if err != nil {
			return err
		}
		f.OrganisationID = o.ID
	}
	page, err := st.ListReviews(ctx, f)
	if err != nil {
		return err
	}
	if len(page.Reviews) == 0 {
		fmt.Fprintln(a.stdout, "aucun avis")
	} else {
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "N°\tÉCRIT LE\tSTATUT\tORGANISATION\tTITRE")
		for _, r := range page.Reviews {
			title := r.Title
			if title == "" {
				title = r.Body
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.WrittenAt.Local().Format("02/01/2006"), r.Status.Label(), r.OrganisationSlug, reviewTitle(title, 60))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var counts []string
	for _, s := range store.ReviewStatuses {
		counts = append(counts, fmt.Sprintf("%s : %d", s.Label(), page.Counts[s]))
	}
	fmt.Fprintln(a.stdout, strings.Join(counts, " · "))
	if page.Next != nil {
		fmt.Fprintf(a.stdout, "page suivante : --after %s\n", page.Next)
	}
	return nil
}

// reviewTitle shortens s to n characters on one line.
func reviewTitle(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
