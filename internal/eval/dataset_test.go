package eval_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/eval"
)

func TestConvertSPPCSV(t *testing.T) {
	t.Parallel()
	csv := "id_experience,titre,description,intitule_typologie_1,ressenti_usager,statut_reponse_structure_1,reponse_structure_1\r\n" +
		"1,Titre&nbsp;un,\"Ligne 1\r\nLigne&nbsp;2 &gt; 1\",CAF,Négatif,Réponse apportée,\"Bonjour&nbsp;Camille,&nbsp;\r\n\r\n\r\n\r\nMerci\"\r\n" +
		"2,Titre deux,Texte deux,CPAM,Positif,En attente de réponse,Le service public concerné n’est pas encore en mesure de vous répondre.\r\n"
	items, err := eval.ConvertSPPCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []eval.ReviewItem{
		{ID: "1", Organisation: "CAF", Title: "Titre un", Text: "Ligne 1\nLigne 2 > 1", Feeling: "Négatif", Reference: "Bonjour Camille,\n\nMerci"},
		{ID: "2", Organisation: "CPAM", Title: "Titre deux", Text: "Texte deux", Feeling: "Positif"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("ConvertSPPCSV:\n got %#v\nwant %#v", items, want)
	}
	if _, err := eval.ConvertSPPCSV(strings.NewReader("id_experience,titre,description\n3,t,\n")); err == nil || !strings.Contains(err.Error(), "ligne 2") {
		t.Errorf("missing description: %v", err)
	}
}

// The committed dataset is exactly what the converter makes of the sample export (the copy the importer's tests
// read, identical to shared/data/spp-experiences-sample.csv).
func TestSampleDatasetIsReproducible(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../reviews/testdata/spp-experiences-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := eval.ConvertSPPCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := eval.WriteReviews(&b, items); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(reviewsSample)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), committed) {
		t.Error("eval/datasets/spp-sample.jsonl differs from the conversion of the export: regenerate it")
	}
}

func TestLoadDataset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, s string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ds, err := eval.LoadDataset(reviewsSample)
	if err != nil {
		t.Fatalf("sample: %v", err)
	}
	type sample struct {
		Kind           string
		Len, DigestLen int
	}
	if diff := cmp.Diff(sample{eval.KindReviews, 43, 64}, sample{ds.Kind, ds.Len(), len(ds.Digest)}); diff != "" {
		t.Fatalf("sample (-want +got):\n%s", diff)
	}
	q, err := eval.LoadDataset(questionsSample)
	if err != nil || q.Kind != eval.KindQuestions || q.Len() != 76 {
		t.Fatalf("questions: %v", err)
	}
	for name, body := range map[string]string{
		"bad-json":  `{"id":"1","text":"a"}` + "\n{oops\n",
		"no-text":   `{"id":"1","text":"a"}` + "\n" + `{"id":"2","text":" "}` + "\n",
		"duplicate": `{"id":"1","text":"a"}` + "\n" + `{"id":"1","text":"b"}` + "\n",
	} {
		if _, err := eval.LoadDataset(write(name, body)); err == nil || !strings.Contains(err.Error(), "ligne 2") {
			t.Errorf("%s: %v, want an error naming line 2", name, err)
		}
	}
}

func TestParseRunConfig(t *testing.T) {
	t.Parallel()
	c, err := eval.ParseRunConfig([]byte(`{"prompt_version":"v1","model":"m","llm_base_url":"http://x/v1","judge_model":"j"}`))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	type defaults struct {
		K                          int
		JudgeBaseURL, JudgeVersion string
	}
	if diff := cmp.Diff(defaults{5, "http://x/v1", eval.DefaultJudgeVersion}, defaults{c.K, c.JudgeBaseURL, c.JudgeVersion}); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{"modele":"x"}`, `{"model":"m"}`, `{"k":99}`, `{"search_mode":"magic"}`, `{"prices":{"prompt_per_1k":-1}}`} {
		if _, err := eval.ParseRunConfig([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if got := (eval.Prices{PromptPer1K: 0.5, CompletionPer1K: 1.5}).Cost(2000, 1000); got != 2.5 {
		t.Errorf("cost %v, want 2.5", got)
	}
}
