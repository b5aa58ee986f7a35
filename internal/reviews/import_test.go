package reviews_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

const sampleCSV = "testdata/spp-experiences-sample.csv"

var paris, _ = time.LoadLocation("Europe/Paris")

// sampleRows reads the sample export independently of the importer, to compute what the import must produce.
func sampleRows(t testing.TB) []map[string]string {
	t.Helper()
	f, err := os.Open(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func importFile(t *testing.T, st *store.Store, data []byte, format reviews.Format) reviews.Summary {
	t.Helper()
	sum, err := reviews.Import(context.Background(), st, bytes.NewReader(data), format, reviews.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func allReviews(t *testing.T, st *store.Store) []store.Review {
	t.Helper()
	p, err := st.ListReviews(context.Background(), store.ReviewFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return p.Reviews
}

func TestImportSampleExport(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	ctx := context.Background()
	data, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows := sampleRows(t)
	if !bytes.Contains(data, []byte("&nbsp;")) || !bytes.Contains(data, []byte("&gt;")) {
		t.Fatal("the sample no longer carries HTML entities: this test would prove nothing")
	}

	sum := importFile(t, st, data, reviews.FormatCSV)
	if sum.Added != len(rows) || sum.Rejected != 0 || sum.Updated != 0 {
		t.Fatalf("first import: %s %v, want %d added", sum, sum.Errors, len(rows))
	}
	got := allReviews(t, st)
	if len(got) != len(rows) {
		t.Fatalf("%d reviews stored, want %d", len(got), len(rows))
	}
	byID := map[string]store.Review{}
	for _, r := range got {
		byID[r.ExternalID] = r
	}
	published := 0
	for _, row := range rows {
		r, ok := byID[row["id_experience"]]
		if !ok {
			t.Errorf("review %s missing", row["id_experience"])
			continue
		}
		if r.Source != reviews.SourceSPP {
			t.Errorf("%s: source %q", r.ExternalID, r.Source)
		}
		for name, v := range map[string]string{"title": r.Title, "body": r.Body, "reply": r.PublishedReply} {
			faults := []string{}
			for fault, found := range map[string]bool{
				"HTML entity":               strings.Contains(v, "&nbsp;") || strings.Contains(v, "&gt;") || strings.Contains(v, "&amp;"),
				"CR or no-break space":      strings.ContainsAny(v, "\r\u00a0\u202f"),
				"more than one blank line":  strings.Contains(v, "\n\n\n"),
				"space at the start or end": v != strings.TrimSpace(v),
			} {
				if found {
					faults = append(faults, fault)
				}
			}
			if diff := cmp.Diff([]string{}, faults, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: %s not clean (-want +got):\n%s\n%q", r.ExternalID, name, diff, v)
			}
		}
		if r.Body == "" || r.Feeling != row["ressenti_usager"] || r.AuthorPseudonym != row["pseudonyme_usager"] {
			t.Errorf("%s: body %d chars, feeling %q, pseudonym %q", r.ExternalID, len(r.Body), r.Feeling, r.AuthorPseudonym)
		}
		if r.OrganisationSlug != reviews.Slug(row["intitule_typologie_1"]) || r.OrganisationName != row["intitule_typologie_1"] {
			t.Errorf("%s: organisation %q (%s), want %q", r.ExternalID, r.OrganisationSlug, r.OrganisationName, row["intitule_typologie_1"])
		}
		// ecrit_le is a date in France: midnight in Paris. The export's timestamp column says the same day.
		if local := r.WrittenAt.In(paris); local.Format("2006-01-02") != row["ecrit_le"] || local.Hour() != 0 {
			t.Errorf("%s: written_at %v, ecrit_le %s", r.ExternalID, local, row["ecrit_le"])
		}
		ms, _ := strconv.ParseFloat(row["timestamp"], 64)
		if d := r.WrittenAt.Sub(time.UnixMilli(int64(ms))); d < -2*time.Hour || d > 2*time.Hour {
			t.Errorf("%s: written_at %v, timestamp %v", r.ExternalID, r.WrittenAt, time.UnixMilli(int64(ms)))
		}
		answered := row["reponse_structure_1"] != "" && row["statut_reponse_structure_1"] == "Réponse apportée"
		if answered {
			published++
		}
		if answered != (r.Status == store.StatusPublished) || answered != (r.PublishedReply != "") {
			t.Errorf("%s: status %s, reply %d chars; export says answered=%v", r.ExternalID, r.Status, len(r.PublishedReply), answered)
		}
		full, err := st.GetReview(ctx, r.ID) // lists leave the source record out
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]string
		if err := json.Unmarshal(full.Raw, &raw); err != nil || len(raw) != 84 || raw["description"] != row["description"] {
			t.Errorf("%s: raw record has %d fields (%v)", r.ExternalID, len(raw), err)
		}
	}
	if published == 0 || published == len(rows) {
		t.Fatalf("%d answered reviews out of %d: the sample should mix both", published, len(rows))
	}
	// A structure name is kept when the export gives one, the typology when it says Hors-structures.
	for _, row := range rows {
		r := byID[row["id_experience"]]
		want := row["intitule_structure_1"]
		if want == "Hors-structures" {
			want = row["intitule_typologie_1"]
		}
		if r.OrganisationLabel != reviews.CleanText(want) {
			t.Errorf("%s: organisation label %q, want %q", r.ExternalID, r.OrganisationLabel, want)
		}
	}

	// Importing again changes nothing.
	again := importFile(t, st, data, reviews.FormatCSV)
	if diff := cmp.Diff(reviews.Summary{Unchanged: len(rows)}, again); diff != "" {
		t.Fatalf("second import (-want +got):\n%s", diff)
	}

	// An agent works on a review; the export then brings a corrected text for it and for a fresh one.
	var worked, fresh store.Review
	for _, r := range got {
		if r.Status != store.StatusNew {
			continue
		}
		if worked.ID == 0 {
			worked = r
		} else if fresh.ID == 0 {
			fresh = r
		}
	}
	if _, err := st.AddDraft(ctx, store.Draft{ReviewID: worked.ID, Kind: store.DraftOffline, Text: "Brouillon de l'agent."}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetReviewStatus(ctx, worked.ID, store.StatusChange{To: store.StatusDraftReady}); err != nil {
		t.Fatal(err)
	}
	edited := rewriteCSV(t, data, map[string]string{worked.ExternalID: "Texte modifié à la source.", fresh.ExternalID: "Autre texte modifié."})
	third := importFile(t, st, edited, reviews.FormatCSV)
	if third.Updated != 2 || third.Unchanged != len(rows)-2 || third.Added != 0 {
		t.Fatalf("third import: %s", third)
	}
	w, _ := st.GetReview(ctx, worked.ID)
	if w.Body != worked.Body || w.Status != store.StatusDraftReady || w.DraftCount != 1 {
		t.Errorf("agent's review changed: status %s, drafts %d, body changed %v", w.Status, w.DraftCount, w.Body != worked.Body)
	}
	if f, _ := st.GetReview(ctx, fresh.ID); !strings.Contains(f.Body, "Autre texte modifié.") {
		t.Errorf("fresh review not refreshed: %q", f.Body[:min(80, len(f.Body))])
	}
	if n := len(allReviews(t, st)); n != len(rows) {
		t.Errorf("%d reviews after three imports, want %d", n, len(rows))
	}
}

// rewriteCSV returns the export with the description of some records replaced, as a later export would bring.
func rewriteCSV(t *testing.T, data []byte, descriptions map[string]string) []byte {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	id, desc := slices.Index(all[0], "id_experience"), slices.Index(all[0], "description")
	n := 0
	for _, rec := range all[1:] {
		if d, ok := descriptions[rec[id]]; ok {
			rec[desc] = d
			n++
		}
	}
	if n != len(descriptions) {
		t.Fatalf("rewrote %d records, want %d", n, len(descriptions))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(all); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportJSONLinesReportsMalformedLines(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	lines := []string{
		`{"id_experience": 101, "titre": "Dossier bloqué", "description": "Mon dossier est bloqué depuis deux mois.", "intitule_typologie_1": "CAF", "date": "2024-05-02", "ressenti_usager": "Négatif"}`,
		`{"id_experience": "102", "titre": "JSON cassé", "description": "x"`,
		`{"titre": "Sans identifiant", "description": "Texte", "intitule_typologie_1": "CAF"}`,
		`{"id_experience": "104", "titre": "Vide", "description": " &nbsp; ", "intitule_typologie_1": "CAF"}`,
		``,
		`{"id_experience": "106", "description": "Très bon accueil au guichet.", "intitule_typologie_1": "CPAM", "tags_metiers": ["Accueil", "Guichet"], "reponse_structure_1": "Merci pour votre retour.", "date": "2024-05-03T10:00:00+02:00"}`,
		`["pas", "un", "objet"]`,
		`{"id_experience": "108", "description": "Date fausse", "intitule_typologie_1": "CAF", "ecrit_le": "hier"}`,
		`{"id_experience": "109", "description": "Sans administration"}`,
		`{"external_id": "110", "body": "Déjà au format Plume.", "organisation": "France Travail", "source": "guichet-lunel"}`,
	}
	data := []byte(strings.Join(lines, "\n"))
	sum := importFile(t, st, data, reviews.FormatJSONL)
	if sum.Added != 3 || sum.Rejected != 6 || sum.Read() != 9 {
		t.Fatalf("summary %s, errors %v", sum, sum.Errors)
	}
	wantLines := []int{2, 3, 4, 7, 8, 9}
	wantWords := []string{"JSON invalide", "id_experience", "description", "objet", "ecrit_le", "intitule_typologie_1"}
	for i, e := range sum.Errors {
		if e.Line != wantLines[i] || !strings.Contains(e.Reason, wantWords[i]) {
			t.Errorf("error %d = %q, want line %d mentioning %q", i, e, wantLines[i], wantWords[i])
		}
		if !strings.HasPrefix(e.String(), fmt.Sprintf("ligne %d : ", e.Line)) {
			t.Errorf("error %d printed %q", i, e)
		}
	}
	ctx := context.Background()
	r, err := st.ReviewByExternalID(ctx, reviews.SourceSPP, "106")
	if err != nil {
		t.Fatal(err)
	}
	type read struct {
		Topic     string
		Status    store.ReviewStatus
		Org       string
		WrittenAt time.Time // compared with Equal: the database answers in its own time zone
	}
	if diff := cmp.Diff(read{"Accueil,Guichet", store.StatusPublished, "cpam", time.Date(2024, 5, 3, 8, 0, 0, 0, time.UTC)},
		read{r.Topic, r.Status, r.OrganisationSlug, r.WrittenAt}); diff != "" {
		t.Errorf("review 106 (-want +got):\n%s", diff)
	}
	if r, err := st.ReviewByExternalID(ctx, reviews.SourceSPP, "101"); err != nil || r.Title != "Dossier bloqué" {
		t.Errorf("numeric id_experience: %v %v", r.Title, err)
	}
	if r, err := st.ReviewByExternalID(ctx, "guichet-lunel", "110"); err != nil || r.OrganisationSlug != "france-travail" {
		t.Errorf("Plume-shaped line: %+v %v", r.OrganisationSlug, err)
	}
	o, err := st.OrganisationBySlug(ctx, "france-travail")
	if err != nil || o.Kind != "france-travail" || o.Name != "France Travail" {
		t.Errorf("organisation created = %+v, %v", o, err)
	}
	// Everything good was stored once, whatever the bad lines around it.
	if again := importFile(t, st, data, reviews.FormatJSONL); again.Unchanged != 3 || again.Added != 0 || again.Rejected != 6 {
		t.Errorf("re-import: %s", again)
	}
}

func TestImportCSVVariants(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	csvData := "\ufeffid_experience;titre;description;intitule_typologie_1;ecrit_le\r\n" +
		"201;Attente;\"Texte sur\r\ndeux lignes ; avec point-virgule\";CAF;2024-02-01\r\n" +
		"202;Trop court;CAF\r\n" +
		"203;Sans texte;;CAF;2024-02-02\r\n" +
		"204;Bon;\"Accueil parfait, merci.\";Préfecture du Rhône;2024-02-03\r\n" +
		"205;Guillemet;Un \"mot\" mal cité;CAF;2024-02-04\r\n" +
		"206;Dernier;Texte final;CAF;2024-02-05\r\n"
	sum := importFile(t, st, []byte(csvData), reviews.FormatCSV)
	if sum.Added != 3 || sum.Rejected != 3 {
		t.Fatalf("summary %s, errors %v", sum, sum.Errors)
	}
	want := []struct {
		line int
		word string
	}{{4, "3 colonnes au lieu de 5"}, {5, "description"}, {7, "guillemet"}}
	for i, e := range sum.Errors {
		if e.Line != want[i].line || !strings.Contains(e.Reason, want[i].word) {
			t.Errorf("error %d = %q, want line %d with %q", i, e, want[i].line, want[i].word)
		}
	}
	r, err := st.ReviewByExternalID(context.Background(), reviews.SourceSPP, "201")
	if err != nil || r.Body != "Texte sur\ndeux lignes ; avec point-virgule" {
		t.Errorf("multi-line field: %q %v", r.Body, err)
	}
	if r, err := st.ReviewByExternalID(context.Background(), reviews.SourceSPP, "204"); err != nil || r.OrganisationSlug != "prefecture-du-rhone" {
		t.Errorf("review 204: %v %v", r.OrganisationSlug, err)
	}
	if _, err := reviews.Import(context.Background(), st, strings.NewReader("nom,prenom\nMartin,Jeanne\n"), reviews.FormatCSV, reviews.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "id_experience") {
		t.Errorf("a file that is no export: %v", err)
	}
}

func TestImportSourceOverrideAndProgress(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	data := `{"id_experience": "1", "description": "Un.", "intitule_typologie_1": "CAF"}
{"id_experience": "2", "description": "Deux.", "intitule_typologie_1": "CAF"}`
	var calls []int
	sum, err := reviews.Import(context.Background(), st, strings.NewReader(data), reviews.FormatJSONL, reviews.ImportOptions{
		Source:   "export-manuel",
		Progress: func(n int) { calls = append(calls, n) },
	})
	if err != nil || sum.Added != 2 {
		t.Fatalf("%s %v", sum, err)
	}
	if fmt.Sprint(calls) != "[1 2]" {
		t.Errorf("progress calls %v", calls)
	}
	if _, err := st.ReviewByExternalID(context.Background(), "export-manuel", "2"); err != nil {
		t.Errorf("source override: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := reviews.Import(ctx, st, strings.NewReader(data), reviews.FormatJSONL, reviews.ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled import: %v", err)
	}
}

func TestFormats(t *testing.T) {
	for name, want := range map[string]reviews.Format{"a.jsonl": reviews.FormatJSONL, "b.NDJSON": reviews.FormatJSONL, "c.csv": reviews.FormatCSV} {
		if got, err := reviews.DetectFormat(name); err != nil || got != want {
			t.Errorf("DetectFormat(%q) = %q, %v", name, got, err)
		}
	}
	if _, err := reviews.DetectFormat("export.xlsx"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("xlsx: %v", err)
	}
	if f, err := reviews.ParseFormat("CSV"); err != nil || f != reviews.FormatCSV {
		t.Errorf("ParseFormat: %v %v", f, err)
	}
	if _, err := reviews.ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
}

func TestValidate(t *testing.T) {
	good := reviews.ReviewInput{ExternalID: "42", Body: "Mon dossier avance enfin.", Organisation: "CAF", WrittenAt: "2024-06-01"}
	if err := reviews.Validate(good); err != nil {
		t.Fatalf("good input: %v", err)
	}
	tests := []struct {
		name   string
		edit   func(*reviews.ReviewInput)
		fields []string
	}{
		{"nothing", func(in *reviews.ReviewInput) { *in = reviews.ReviewInput{} }, []string{"body", "external_id", "organisation"}},
		{"blank body", func(in *reviews.ReviewInput) { in.Body = " &nbsp;\r\n " }, []string{"body"}},
		{"long body", func(in *reviews.ReviewInput) { in.Body = strings.Repeat("a", reviews.MaxBody+1) }, []string{"body"}},
		{"bad dates", func(in *reviews.ReviewInput) { in.WrittenAt, in.PublishedAt = "demain", "32/13/2024" }, []string{"published_at", "written_at"}},
		{"bad slug", func(in *reviews.ReviewInput) { in.OrganisationSlug = "CAF Rhône" }, []string{"organisation_slug"}},
		{"bad source", func(in *reviews.ReviewInput) { in.Source = "Mon Export" }, []string{"source"}},
		{"multi-line id", func(in *reviews.ReviewInput) { in.ExternalID = "4\n2" }, []string{"external_id"}},
		{"punctuation organisation", func(in *reviews.ReviewInput) { in.Organisation = "—" }, []string{"organisation"}},
	}
	for _, tt := range tests {
		in := good
		tt.edit(&in)
		err := reviews.Validate(in)
		var fe reviews.FieldErrors
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want FieldErrors", tt.name, err)
			continue
		}
		var got []string
		for f, msg := range fe {
			got = append(got, f)
			if msg == "" || strings.Contains(msg, "\n") {
				t.Errorf("%s: message for %s = %q", tt.name, f, msg)
			}
		}
		if len(got) != len(tt.fields) {
			t.Errorf("%s: fields %v, want %v (%v)", tt.name, got, tt.fields, err)
		}
		for _, f := range tt.fields {
			if fe[f] == "" {
				t.Errorf("%s: no message for %s (%v)", tt.name, f, err)
			}
		}
	}
	err := reviews.Validate(reviews.ReviewInput{})
	if err.Error() != "body : obligatoire : le texte de l'avis est vide ; external_id : obligatoire : l'identifiant de l'avis à sa source ; organisation : obligatoire : le nom de l'administration concernée (intitule_typologie_1)" {
		t.Errorf("message = %q", err)
	}
}

func TestSaveSingleReview(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	ctx := context.Background()
	in := reviews.ReviewInput{ExternalID: "api-1", Title: " Titre&nbsp;: test ", Body: "Texte\r\n\r\n\r\nsuite", Organisation: "CPAM du Rhône", Structure: "Hors-structures", Feeling: "Positif"}
	id, res, err := reviews.Save(ctx, st, nil, in)
	if err != nil || res != store.Inserted {
		t.Fatalf("Save: %v %v", res, err)
	}
	r, err := st.GetReview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	type stored struct{ Title, Body, OrgSlug, OrgLabel, Source string }
	if diff := cmp.Diff(stored{"Titre : test", "Texte\n\nsuite", "cpam-du-rhone", "CPAM du Rhône", reviews.SourceSPP},
		stored{r.Title, r.Body, r.OrganisationSlug, r.OrganisationLabel, r.Source}); diff != "" {
		t.Errorf("stored review (-want +got):\n%s", diff)
	}
	if time.Since(r.WrittenAt) > time.Minute {
		t.Errorf("a review without date is dated %v, want now", r.WrittenAt)
	}
	if _, res, _ := reviews.Save(ctx, st, nil, in); res != store.Unchanged {
		t.Errorf("same review again: %v", res)
	}
	if _, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "x"}); !errors.As(err, new(reviews.FieldErrors)) {
		t.Errorf("invalid review: %v", err)
	}
}

// BenchmarkImportJSONL measures import throughput on a generated 5,000-line export.
func BenchmarkImportJSONL(b *testing.B) {
	st := storetest.NewDB(b)
	orgs := []string{"CAF", "CPAM", "France Titres - ANTS", "Préfecture du Rhône", "Service des Impôts des particuliers", "France Travail"}
	const n = 5000
	gen := func(round int) []byte {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i := range n {
			rec := map[string]any{
				"id_experience":        fmt.Sprintf("%d-%d", round, i),
				"titre":                fmt.Sprintf("Avis numéro %d", i),
				"description":          strings.Repeat(fmt.Sprintf("Ma démarche n°%d&nbsp;: attente de plusieurs semaines, aucune réponse. ", i), 6),
				"intitule_typologie_1": orgs[i%len(orgs)],
				"ressenti_usager":      []string{"Positif", "Neutre", "Négatif"}[i%3],
				"date":                 time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			}
			if i%4 == 0 {
				rec["reponse_structure_1"] = "Bonjour,&nbsp;Merci pour votre message."
			}
			_ = enc.Encode(rec)
		}
		return buf.Bytes()
	}
	files := make([][]byte, b.N)
	for i := range files {
		files[i] = gen(i)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		sum, err := reviews.Import(context.Background(), st, bytes.NewReader(files[i]), reviews.FormatJSONL, reviews.ImportOptions{})
		if err != nil || sum.Added != n {
			b.Fatalf("%s %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "reviews/s")
}
