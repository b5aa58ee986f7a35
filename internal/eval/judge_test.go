package eval_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
)

func TestParseJudgeAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		score     int
		why       string
		wantError bool
	}{
		{"strict", `{"score": 4, "justification": "Ton courtois."}`, 4, "Ton courtois.", false},
		{"in prose", "Voici mon évaluation :\n```json\n{\"score\":2,\"justification\":\"Promesse de paiement {interdite}.\"}\n```\nMerci.", 2, "Promesse de paiement {interdite}.", false},
		{"second object", `Contexte {"note": "x"} puis {"score": 5, "justification": "Parfait"}`, 5, "Parfait", false},
		{"whole float", `{"score": 3.0, "justification": ""}`, 3, "", false},
		{"out of scale", `{"score": 7, "justification": "trop"}`, 0, "", true},
		{"fraction", `{"score": 3.5, "justification": "entre deux"}`, 0, "", true},
		{"no score", `{"justification": "oubli"}`, 0, "", true},
		{"garbage", "Je pense que c'est bien.", 0, "", true},
		{"empty", "", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, why, err := eval.ParseJudgeAnswer(tt.in)
			if (err != nil) != tt.wantError || score != tt.score || why != tt.why {
				t.Errorf("ParseJudgeAnswer(%q) = %d, %q, %v", tt.in, score, why, err)
			}
		})
	}
}

func TestJudgeAgainstFakeServer(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	client, err := llm.New(llm.Options{BaseURL: srv.URL, Model: "juge-test", MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	j, err := eval.NewJudge(client, pii.NewFilter(time.Second), "")
	if err != nil {
		t.Fatal(err)
	}
	srv.Push(
		llmtest.Reply{Text: `{"score": 5, "justification": "Chaque information est dans la source [1]."}`},
		llmtest.Reply{Text: "Bien sûr ! {\"score\": 3, \"justification\": \"La prochaine étape est vague.\"} J'espère que cela aide."},
		llmtest.Reply{Text: "Note : très bien"},
		llmtest.Reply{Status: 500},
	)
	review := "Bonjour, je suis Jean Dupont, mon numéro de téléphone est le 06 12 34 56 78. Ma demande d'APL est bloquée depuis 3 mois."
	verdicts, err := j.Score(context.Background(), eval.JudgeInput{
		Review:    review,
		Sources:   []ground.Passage{{N: 1, Title: "Aide personnalisée au logement (APL)", Text: "L'APL est versée sous conditions de ressources."}},
		Draft:     "Bonjour [PERSONNE_1], l'APL est versée sous conditions de ressources [1].",
		Reference: "Bonjour Monsieur Dupont, nous avons transmis votre dossier.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != len(eval.Criteria) {
		t.Fatalf("%d verdicts, want %d", len(verdicts), len(eval.Criteria))
	}
	want := []struct {
		score int
		err   bool
	}{{5, false}, {3, false}, {0, true}, {0, true}}
	type verdict struct {
		Criterion string
		Score     int
		Failed    bool
		Version   string
	}
	var got, wanted []verdict
	for i, v := range verdicts {
		got = append(got, verdict{v.Criterion, v.Score, v.Error != "", v.Version})
		wanted = append(wanted, verdict{eval.Criteria[i].Name, want[i].score, want[i].err, eval.DefaultJudgeVersion})
	}
	if diff := cmp.Diff(wanted, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if verdicts[0].Justification == "" || verdicts[2].Raw != "Note : très bien" {
		t.Errorf("rationale or raw answer not kept: %+v / %+v", verdicts[0], verdicts[2])
	}
	reqs := srv.Requests()
	if len(reqs) != len(eval.Criteria) {
		t.Fatalf("%d requests sent, want %d", len(reqs), len(eval.Criteria))
	}
	for i, r := range reqs {
		text := r.Text()
		for _, secret := range []string{"Dupont", "06 12 34 56 78", "Jean"} {
			if strings.Contains(text, secret) {
				t.Errorf("request %d carries %q", i, secret)
			}
		}
		if !strings.Contains(text, "[PERSONNE_1]") || !strings.Contains(text, "L'APL est versée sous conditions de ressources") {
			t.Errorf("request %d lacks the draft or the source:\n%s", i, text)
		}
		if !strings.Contains(text, strings.ToUpper(eval.Criteria[i].Label[:1])) || r.Temperature == nil || *r.Temperature != 0 {
			t.Errorf("request %d: criterion or temperature wrong", i)
		}
	}
}
