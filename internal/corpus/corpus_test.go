package corpus_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
)

func sampleDoc(t *testing.T, audience, id string) corpus.Document {
	t.Helper()
	f, err := sample.VDD.Open(audience + "/" + id + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pub, err := corpus.DecodeJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := corpus.ParseFiche(pub, audience)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseFicheMetadataAndStructure(t *testing.T) {
	d := sampleDoc(t, "particuliers", "F12006")
	if d.ID != "F12006" || d.Kind != "F" || d.Audience != "particuliers" {
		t.Errorf("id/kind/audience = %q %q %q", d.ID, d.Kind, d.Audience)
	}
	if d.Title != "Aide personnalisée au logement (APL)" {
		t.Errorf("title = %q", d.Title)
	}
	if want := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); !d.Date.Equal(want) {
		t.Errorf("date = %v, want %v", d.Date, want)
	}
	if d.URL != "https://www.service-public.fr/particuliers/vosdroits/F12006" || d.Theme != "Logement" {
		t.Errorf("url/theme = %q %q", d.URL, d.Theme)
	}
	paths := map[string]bool{}
	for _, s := range d.Sections {
		paths[s.PathString()] = true
	}
	for _, p := range []string{"", "Location > Démarche > Cas général (Caf)", "Location > Conditions d'attribution > Conditions liées au demandeur", "Services en ligne et contacts"} {
		if !paths[p] {
			t.Errorf("section %q missing; have %v", p, paths)
		}
	}
}

func TestTablesAndListsStayReadable(t *testing.T) {
	d := sampleDoc(t, "particuliers", "F13213")
	var all strings.Builder
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			all.WriteString(b + "\n")
		}
	}
	text := all.String()
	for _, want := range []string{
		"Tableau : Montants des allocations familiales",
		"- Ressources : 69 309 € ou moins ; Montant de base : 131,95 €",
		"- soit avoir votre résidence habituelle en France",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered fiche lacks %q", want)
		}
	}
}

func TestChunksBoundedAndNeverMidSentence(t *testing.T) {
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Total != 62 {
		t.Errorf("sample has %d fiches, want 62", src.Total)
	}
	ck := corpus.Chunker{MaxTokens: 120}
	n := 0
	for d, err := range src.Documents {
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string]bool{}
		for _, s := range d.Sections {
			for _, b := range s.Blocks {
				for l := range strings.SplitSeq(b, "\n") {
					lines[l] = true
				}
			}
		}
		for i, c := range ck.Chunks(d) {
			n++
			want := chunkMeta{Ord: i, DocID: d.ID, Title: d.Title, URL: d.URL, Hashed: true}
			got := chunkMeta{Ord: c.Ord, DocID: c.DocID, Title: c.Title, URL: c.URL, Hashed: c.Hash != ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s chunk %d metadata (-want +got):\n%s", d.ID, i, diff)
			}
			if c.Tokens > 120 {
				t.Errorf("%s chunk %d has %d tokens > 120", d.ID, i, c.Tokens)
			}
			// Every chunk ends where a block line ends, or at a sentence or clause boundary.
			ls := strings.Split(c.Text, "\n")
			last := ls[len(ls)-1]
			endsLine := false
			for l := range lines {
				if strings.HasSuffix(l, last) {
					endsLine = true
					break
				}
			}
			if !endsLine && !strings.ContainsAny(last[len(last)-1:], ".!?:;,") {
				t.Errorf("%s chunk %d ends mid-sentence: …%q", d.ID, i, c.Text[max(0, len(c.Text)-60):])
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d chunks at 120 tokens", n)
	}
}

func TestSplitLongSentenceOnClauses(t *testing.T) {
	var long strings.Builder
	long.WriteString("Le demandeur")
	for i := range 60 {
		fmt.Fprintf(&long, " doit fournir la pièce justificative numéro %d,", i)
	}
	long.WriteString(" et attendre la réponse.")
	d := corpus.Document{ID: "F1", Title: "T", Sections: []corpus.Section{{Blocks: []string{"Première phrase courte. " + long.String()}}}}
	cs := corpus.Chunker{MaxTokens: 50}.Chunks(d)
	if len(cs) < 5 {
		t.Fatalf("got %d chunks", len(cs))
	}
	for _, c := range cs {
		if c.Tokens > 50 {
			t.Errorf("chunk of %d tokens", c.Tokens)
		}
		if !strings.HasSuffix(c.Text, ",") && !strings.HasSuffix(c.Text, ".") {
			t.Errorf("chunk not cut at a clause: %q", c.Text)
		}
	}
	if cs[0].Text != "Première phrase courte." {
		t.Errorf("first chunk = %q, want the first sentence alone", cs[0].Text)
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Voir l'art. 12 du code. Ensuite, M. Dupont signe.", []string{"Voir l'art. 12 du code.", "Ensuite, M. Dupont signe."}},
		{"Combien ? 3 mois. « Oui » dit-il.", []string{"Combien ?", "3 mois.", "« Oui » dit-il."}},
		{"Le taux est de 1.5 %. fin", []string{"Le taux est de 1.5 %. fin"}},
	}
	for _, tt := range tests {
		if got := corpus.SplitSentences(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Bonjour", 2},                   // 7 letters: 1 + 1
		{"la Caf verse l'APL.", 7},       // la, Caf, verse, l, ', APL, .
		{"anticonstitutionnellement", 5}, // 25 letters: 1 + 24/6
	}
	for _, tt := range tests {
		if got := corpus.EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestXMLRoundTrip writes sample fiches back out as DILA XML and checks the XML reader gives the same documents.
func TestXMLRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var want []corpus.Document
	for _, id := range []string{"F12006", "F13213", "F265", "F1341"} {
		f, err := sample.VDD.Open("particuliers/" + id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		pub, err := corpus.DecodeJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		d, err := corpus.ParseFiche(pub, "")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, d)
		var buf bytes.Buffer
		if err := corpus.WriteXML(&buf, pub); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".xml"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zipPath := filepath.Join(t.TempDir(), "vosdroits-latest.zip")
	writeZip(t, zipPath, dir, nil)
	for _, p := range []string{dir, zipPath} {
		src, err := corpus.OpenXML(p, corpus.Options{}, corpus.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]corpus.Document{}
		for d, err := range src.Documents {
			if err != nil {
				t.Fatal(err)
			}
			got[d.ID] = d
		}
		for _, w := range want {
			if !reflect.DeepEqual(got[w.ID], w) {
				t.Errorf("%s: %s read from XML differs from JSON:\n%+v\n%+v", p, w.ID, got[w.ID].Sections[:2], w.Sections[:2])
			}
		}
	}
}

func writeZip(t *testing.T, zipPath, dir string, extra map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		w, _ := zw.Create(e.Name())
		w.Write(b)
	}
	for name, body := range extra {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestZipRejectsTraversalAndOversize(t *testing.T) {
	dir := t.TempDir()
	good := `<?xml version="1.0"?><Publication ID="F1" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title><Texte><Paragraphe>Bonjour.</Paragraphe></Texte></Publication>`
	tests := []struct {
		name  string
		extra map[string]string
		lim   corpus.Limits
		want  string
	}{
		{"dotdot", map[string]string{"F1.xml": good, "../../etc/F2.xml": good}, corpus.DefaultLimits, "../../etc/F2.xml"},
		{"absolute", map[string]string{"/tmp/F3.xml": good}, corpus.DefaultLimits, "/tmp/F3.xml"},
		{"oversize", map[string]string{"F1.xml": good}, corpus.Limits{MaxFileBytes: 10, MaxTotalBytes: 1 << 20, MaxFiles: 10}, "trop gros"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".zip")
			writeZip(t, p, t.TempDir(), tt.extra)
			_, err := corpus.OpenXML(p, corpus.Options{}, tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestMalformedFicheNamesFile(t *testing.T) {
	fsys := fstest.MapFS{
		"particuliers/index.json": {Data: []byte(`["F1","F2"]`)},
		"particuliers/F1.json":    {Data: []byte(`{"id":"F1","children":[{"type":"element","name":"Publication","attributes":{"ID":"F1"},"children":[{"type":"element","name":"dc:title","children":[{"type":"text","text":"Titre"}]}]}]}`)},
		"particuliers/F2.json":    {Data: []byte(`{"id":"F2","children":[{"type":"element","name":"Publ`)},
	}
	src, err := corpus.OpenVDD(fsys, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var last error
	for _, err := range src.Documents {
		if err != nil {
			last = err
			break
		}
		n++
	}
	type outcome struct {
		Read      int
		File      string
		Malformed bool
	}
	want := outcome{Read: 1, File: "particuliers/F2.json", Malformed: true}
	got := outcome{Read: n, File: fileOf(last), Malformed: errors.Is(last, corpus.ErrMalformed)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("reading a truncated fiche, err %v (-want +got):\n%s", last, diff)
	}
}

func TestMarkdownAndHTMLPages(t *testing.T) {
	fsys := fstest.MapFS{
		"aides/apl.md": {Data: []byte("---\ntitle: Aide au logement en Gironde\ndate: 2024-03-01\nurl: https://caf.example/apl\n---\n" +
			"# Ignored because the front matter gives the title\n\nIntro **importante**.\n\n## Conditions\n\n- être locataire\n- avoir des ressources [modestes](https://x)\n\n### Pièces\n\n| Pièce | Format |\n|---|---|\n| RIB | PDF |\n\n## Démarche\n\nEn ligne.\n")},
		"faq.html": {Data: []byte(`<html><head><title>FAQ locale</title><script>var x=1;</script></head><body><h1>FAQ locale</h1><p>Accueil&nbsp;du public.</p><h2>Horaires</h2><ul><li>lundi</li><li>mardi</li></ul><table><tr><th>Jour</th><th>Heure</th></tr><tr><td>lundi</td><td>9 h</td></tr></table></body></html>`)},
	}
	src, err := corpus.OpenDir(fsys, "gironde")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]corpus.Document{}
	for d, err := range src.Documents {
		if err != nil {
			t.Fatal(err)
		}
		docs[d.ID] = d
	}
	md := docs["local/aides/apl"]
	type meta struct{ Title, URL, Date, Audience string }
	wantMeta := meta{Title: "Aide au logement en Gironde", URL: "https://caf.example/apl", Date: "2024-03-01", Audience: "local"}
	gotMeta := meta{Title: md.Title, URL: md.URL, Date: md.Date.Format(time.DateOnly), Audience: md.Audience}
	if diff := cmp.Diff(wantMeta, gotMeta); diff != "" {
		t.Errorf("markdown metadata (-want +got):\n%s", diff)
	}
	wantMD := []corpus.Section{
		{Path: []string{"Ignored because the front matter gives the title"}, Blocks: []string{"Intro importante."}},
		{Path: []string{"Ignored because the front matter gives the title", "Conditions"}, Blocks: []string{"- être locataire\n- avoir des ressources modestes"}},
		{Path: []string{"Ignored because the front matter gives the title", "Conditions", "Pièces"}, Blocks: []string{"- Pièce : RIB ; Format : PDF"}},
		{Path: []string{"Ignored because the front matter gives the title", "Démarche"}, Blocks: []string{"En ligne."}},
	}
	if !reflect.DeepEqual(md.Sections, wantMD) {
		t.Errorf("markdown sections:\n got %q\nwant %q", md.Sections, wantMD)
	}
	h := docs["local/faq"]
	wantHTML := []corpus.Section{
		{Path: nil, Blocks: []string{"Accueil du public."}},
		{Path: []string{"Horaires"}, Blocks: []string{"- lundi\n- mardi", "- Jour : lundi ; Heure : 9 h"}},
	}
	if h.Title != "FAQ locale" || !reflect.DeepEqual(h.Sections, wantHTML) {
		t.Errorf("html: title %q sections %q", h.Title, h.Sections)
	}
}

func TestNonUTF8PageNamesFile(t *testing.T) {
	fsys := fstest.MapFS{
		"ok.md":     {Data: []byte("# Titre\n\nTexte.\n")},
		"latin1.md": {Data: []byte("# Titre\n\nD\xe9marche en pr\xe9fecture.\n")},
	}
	src, err := corpus.OpenDir(fsys, "x")
	if err != nil {
		t.Fatal(err)
	}
	var got error
	for _, err := range src.Documents {
		if err != nil {
			got = err
		}
	}
	type outcome struct {
		NotUTF8 bool
		File    string
		Line3   bool
	}
	want := outcome{NotUTF8: true, File: "latin1.md", Line3: true}
	facts := outcome{NotUTF8: errors.Is(got, corpus.ErrNotUTF8), File: fileOf(got), Line3: got != nil && strings.Contains(got.Error(), "ligne 3")}
	if diff := cmp.Diff(want, facts); diff != "" {
		t.Fatalf("err = %v (-want +got):\n%s", got, diff)
	}
}

// chunkMeta is what a chunk inherits from its document and position; Hashed stands for a non-empty Hash,
// whose value is the chunker's business.
type chunkMeta struct {
	Ord               int
	DocID, Title, URL string
	Hashed            bool
}

// fileOf is the file a *corpus.FileError in err's chain names, or "" when there is none.
func fileOf(err error) string {
	var fe *corpus.FileError
	if errors.As(err, &fe) {
		return fe.File
	}
	return ""
}

func TestSampleIsStable(t *testing.T) {
	// Evaluation sets refer to the sample: its list of fiches must not change silently.
	n := 0
	err := fs.WalkDir(sample.VDD, ".", func(p string, d fs.DirEntry, err error) error {
		if strings.HasSuffix(p, ".json") && strings.Contains(p, "/F") {
			n++
		}
		return err
	})
	if err != nil || n != 62 {
		t.Fatalf("sample holds %d fiches (err %v), want 62", n, err)
	}
}

func TestSummaryChunk(t *testing.T) {
	d := sampleDoc(t, "particuliers", "F13213")
	tests := []struct {
		name      string
		ck        corpus.Chunker
		wantFirst string // section path of the first chunk
	}{
		{"default", corpus.Chunker{}, corpus.SummaryPath},
		{"tight bound", corpus.Chunker{MaxTokens: 40}, corpus.SummaryPath},
		{"no summary", corpus.Chunker{NoSummary: true}, ""},
	}
	for _, tt := range tests {
		cs := tt.ck.Chunks(d)
		if len(cs) == 0 || cs[0].SectionPath != tt.wantFirst {
			t.Fatalf("%s: first chunk path %q, want %q", tt.name, cs[0].SectionPath, tt.wantFirst)
		}
		if tt.wantFirst != corpus.SummaryPath {
			continue
		}
		s := cs[0]
		if tt.ck.MaxTokens > 0 && s.Tokens > tt.ck.MaxTokens {
			t.Errorf("%s: summary of %d tokens > %d", tt.name, s.Tokens, tt.ck.MaxTokens)
		}
		if !strings.HasPrefix(s.Text, d.Description) && tt.ck.MaxTokens == 0 {
			t.Errorf("%s: summary %q does not start with the description", tt.name, s.Text)
		}
		// Every heading of the fiche is named once in the unbounded summary.
		if tt.ck.MaxTokens == 0 {
			for _, sec := range d.Sections {
				for _, h := range sec.Path {
					if strings.Count(s.Text, h) == 0 {
						t.Errorf("%s: summary lacks heading %q", tt.name, h)
					}
				}
			}
		}
	}
}
