package draft_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
)

// echoModel plays the worst model for privacy: it writes back the review it was given, placeholders in, so
// that restoration puts every value back into the draft the agent will edit and send again.
func echoModel(req llmtest.Request) llmtest.Reply {
	user := req.Messages[len(req.Messages)-1].Content
	body := regexp.MustCompile(`(?s)<avis>\n(.*?)\n</avis>`).FindStringSubmatch(user)
	text := "Bonjour,\n\nVous nous écrivez : "
	if body != nil {
		text += body[1]
	}
	return llmtest.Reply{Text: text + "\n\nLe service relations usagers"}
}

// TestEchoRewriteCarriesNoKnownValue drafts with an echo model, then asks for a rewrite of the restored draft
// as an agent edited it (values respelt, the pseudonym — one that reads as a name, so it is greeted — in the greeting): the rewrite's prompt holds none of
// the review's known values nor its pseudonym.
func TestEchoRewriteCarriesNoKnownValue(t *testing.T) {
	t.Parallel()
	e := setup(t, true)
	e.fake.Handle(echoModel)
	ctx := context.Background()
	if _, err := e.st.Pool.Exec(ctx, `UPDATE reviews SET author_pseudonym = 'Lodie' WHERE id = $1`, e.review[0]); err != nil {
		t.Fatal(err)
	}
	d, _, err := e.svc.DraftReview(ctx, draft.Request{ReviewID: e.review[0], Actor: "agent@test"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, "Ndiaye-Sarr") || !strings.Contains(d.Text, "Bonjour Lodie,") {
		t.Fatalf("the echo draft was not restored, the test proves nothing: %q", d.Text)
	}
	edited := d.Text + "\n\nPS : Madame NDIAYE-SARR, élodie, nous vous rappellerons au 0612345678 ou au +33 6 12 34 56 78 ; " +
		"NIR 285077511204847, IBAN fr76 3000 6000 0112 3456 7890 189. À bientôt lodie."
	seen := len(e.fake.Requests()) // the first draft's; only the rewrites matter below
	e.fake.Handle(echoModel)
	for _, prev := range []string{"", edited} {
		if _, _, err := e.svc.DraftReview(ctx, draft.Request{ReviewID: e.review[0], Actor: "agent@test", Instruction: "plus court", Previous: prev}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := e.fake.Requests()[seen:]
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 rewrites", len(reqs))
	}
	known := append([]string{"Lodie", "NDIAYE", "élodie", "+33 6 12", "fr76 3000"}, personal...)
	for i, r := range reqs {
		text := r.Text()
		if !strings.Contains(text, "<brouillon>") {
			t.Fatalf("request %d is not a rewrite", i)
		}
		for _, v := range known {
			if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
				t.Errorf("rewrite %d sent %q to the model", i, v)
			}
		}
	}
}

// TestCrossCitizenProbe publishes replies carrying values of their citizens that the detector misses (a name in
// lower case, a residence without a number, a reference without a cue, an address spelt out), then drafts for
// other citizens with reply memory on: no prompt for another review contains any of them, while the examples
// do reach the prompts.
func TestCrossCitizenProbe(t *testing.T) {
	t.Parallel()
	e := setup(t, true)
	e.fake.Handle(modelAnswer)
	ctx := context.Background()
	type probe struct{ name, residence, ref string }
	probes := []probe{
		{"zoltan", "Tilleuls", "QX-SEPT-ALPHA"}, {"ferko", "Mimosas", "ZB-ONZE-KILO"}, {"ludovica", "Glycines", "RT-NEUF-MIKE"},
		{"anselmo", "Acacias", "PW-DIX-TANGO"}, {"radek", "Peupliers", "LM-HUIT-OSCAR"}, {"oumou", "Cerisiers", "KV-SIX-ROMEO"},
		{"teodor", "Platanes", "HX-DEUX-VICTOR"}, {"yaelle", "Magnolias", "DF-TROIS-ZULU"}, {"bogdan", "Marronniers", "NP-CINQ-ECHO"},
		{"ilinca", "Bouleaux", "GS-SEPT-DELTA"},
	}
	var lines []string
	for i, p := range probes {
		body := fmt.Sprintf("c'est %s qui écrit. Ma prime d'activité est suspendue depuis deux mois, je vis résidence les %s bâtiment C, "+
			"référence %s, écrivez à %s point kovacs chez gmail.", p.name, p.residence, p.ref, p.name)
		reply := fmt.Sprintf("Bonjour %s,\n\nMerci pour votre message au sujet de votre prime d'activité. Nous avons bien noté votre adresse "+
			"résidence les %s bâtiment C et votre référence %s ; nous écrirons à %s point kovacs chez gmail.\n\n"+
			"Nous vous invitons à déclarer vos ressources chaque trimestre depuis votre espace personnel.\n\nLe service relations usagers", p.name, p.residence, p.ref, p.name)
		row, _ := json.Marshal(map[string]string{"id_experience": fmt.Sprintf("pub-%d", i), "titre": "Prime d'activité suspendue", "description": body,
			"ressenti_usager": "Négatif", "intitule_typologie_1": "CAF", "ecrit_le": "2024-02-01", "reponse_structure_1": reply,
			"statut_reponse_structure_1": "Répondu"})
		lines = append(lines, string(row))
	}
	for i := range 10 {
		row, _ := json.Marshal(map[string]string{"id_experience": fmt.Sprintf("new-%d", i), "titre": "Prime d'activité",
			"description":     "Ma prime d'activité est suspendue depuis deux mois et personne ne répond. Que dois-je faire pour mes ressources ?",
			"ressenti_usager": "Négatif", "intitule_typologie_1": "CAF", "ecrit_le": "2024-03-05"})
		lines = append(lines, string(row))
	}
	if _, err := reviews.Import(ctx, e.st, strings.NewReader(strings.Join(lines, "\n")+"\n"), reviews.FormatJSONL, reviews.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// The probe is only a probe if the detector misses these values in the published reviews.
	missed := 0
	for _, p := range probes {
		r, err := pii.NewFilter(0).Redact(ctx, "c'est "+p.name+" qui écrit, référence "+p.ref)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Text.String(), p.name) || strings.Contains(r.Text.String(), p.ref) {
			missed++
		}
	}
	if missed == 0 {
		t.Fatal("the detector finds every probe value now: choose values it misses, or the probe proves nothing")
	}
	withExamples := 0
	for i := range 10 {
		rv, err := e.st.ReviewByExternalID(ctx, reviews.SourceSPP, fmt.Sprintf("new-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.DraftReview(ctx, draft.Request{ReviewID: rv.ID, Actor: "automatique"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := e.fake.Requests()
	if len(reqs) != 10 {
		t.Fatalf("%d requests, want 10", len(reqs))
	}
	for i, r := range reqs {
		text := strings.ToLower(r.Text())
		if strings.Contains(text, "<exemple_reponse>") {
			withExamples++
		}
		for _, p := range probes {
			for _, v := range []string{p.name, p.residence, p.ref, "kovacs", "gmail", strings.Split(p.ref, "-")[0] + "-"} {
				if strings.Contains(text, strings.ToLower(v)) {
					t.Errorf("prompt %d carries %q, a value of another citizen", i, v)
				}
			}
		}
	}
	if withExamples == 0 {
		t.Fatal("no prompt had reply-memory examples: the probe proves nothing")
	}
	t.Logf("%d of %d prompts carried reply-memory examples; %d of %d probe citizens had values the detector misses", withExamples, len(reqs), missed, len(probes))
}

// TestDraftBudgets refuses an instruction or a text to rewrite over budget before anything is sent, and
// condenses a 1.2 MB review (kept whole in the database) to the review budget, in whole words.
func TestDraftBudgets(t *testing.T) {
	t.Parallel()
	e := setup(t, true)
	e.fake.Handle(modelAnswer)
	ctx := context.Background()
	huge := strings.Repeat("Je raconte encore toute mon histoire avec beaucoup de détails sans rien de nouveau. ", 1200*1024/84) +
		"Pourquoi ma carte Vitale n'est-elle toujours pas arrivée ?"
	if _, err := e.st.Pool.Exec(ctx, `UPDATE reviews SET body = $2 WHERE id = $1`, e.review[0], huge); err != nil {
		t.Fatal(err)
	}
	for _, r := range []draft.Request{
		{ReviewID: e.review[0], Instruction: strings.Repeat("plus court ", 110*1024/11), Previous: "Bonjour, texte."},
		{ReviewID: e.review[0], Instruction: "plus court", Previous: strings.Repeat("texte ", budget.Default.Review.Chars)},
	} {
		_, _, err := e.svc.DraftReview(ctx, r)
		var tl *budget.TooLong
		if !errors.As(err, &tl) || !strings.Contains(err.Error(), "trop long") {
			t.Errorf("oversized request: %v, want a *budget.TooLong", err)
		}
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Fatalf("the model received %d oversized requests", n)
	}
	if _, _, err := e.svc.DraftReview(ctx, draft.Request{ReviewID: e.review[0], Actor: "agent@test"}); err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	avis := regexp.MustCompile(`(?s)<avis>\n(.*?)\n</avis>`).FindStringSubmatch(reqs[0].Text())
	if avis == nil {
		t.Fatal("no review block in the prompt")
	}
	if n := utf8.RuneCountInString(avis[1]); !budget.Default.Review.Fits(avis[1]) {
		t.Errorf("the review reached the model with %d characters, over its budget", n)
	}
	if !strings.Contains(avis[1], "Pourquoi ma carte Vitale n'est-elle toujours pas arrivée ?") || !strings.Contains(avis[1], "[…]") {
		t.Errorf("the condensed review lost its question or its gap marks: %.300s…", avis[1])
	}
	for _, w := range strings.Fields(strings.ReplaceAll(avis[1], "[…]", " ")) {
		if w = strings.Trim(w, ".,?!"); w != "" && !strings.Contains(huge, w) {
			t.Errorf("word %q cut in the condensed review", w)
			break
		}
	}
	if rv, _ := e.st.GetReview(ctx, e.review[0]); rv.Body != huge {
		t.Error("the stored review was shortened")
	}
}
