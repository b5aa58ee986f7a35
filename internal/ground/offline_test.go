package ground

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// alfPassage is shaped as the corpus writes fiche F13132 (« Allocation de logement familiale »): a sentence, a
// simulator line whose title repeats its label, a note; a list introduced by a colon; the services section.
const alfPassage = "Pour savoir si vous pouvez percevoir l'ALF, vous pouvez utiliser le simulateur de la Caf.\n" +
	"Simulateur : Simulateur Caf - Allocations logement (éligibilité et montant)\n" +
	"Attention : l'ALF n'est pas accordée si vous bénéficiez déjà de l'APL.\n" +
	"Pour contester une décision de la Caf, vous devez respecter les étapes suivantes :\n" +
	"1. Recours préalable devant la Caf par courrier en recommandé avec avis de réception\n" +
	"Où s'adresser : Caisse d'allocations familiales (Caf)\n" +
	"- Téléservice : Demande d'allocation logement en ligne\n" +
	"- Téléservice : Téléservice de déclaration de situation\n" +
	"- Formulaire : Attestation de loyer"

// TestSentences checks that a passage's lines never run into each other and that service and office lines,
// which name a link, are not sentences to quote.
func TestSentences(t *testing.T) {
	t.Parallel()
	want := []string{
		"Pour savoir si vous pouvez percevoir l'ALF, vous pouvez utiliser le simulateur de la Caf.",
		"Attention : l'ALF n'est pas accordée si vous bénéficiez déjà de l'APL.",
		"Recours préalable devant la Caf par courrier en recommandé avec avis de réception",
	}
	if diff := cmp.Diff(want, Sentences(alfPassage)); diff != "" {
		t.Errorf("Sentences (-want +got):\n%s", diff)
	}
	if got := Sentences("Première phrase. Deuxième phrase.\n\n- Un élément de liste assez long"); !cmp.Equal(got,
		[]string{"Première phrase.", "Deuxième phrase.", "Un élément de liste assez long"}) {
		t.Errorf("sentences within a line and a list item: %q", got)
	}
}

// TestPickQuotesNoServiceLabels is the « Téléservice Téléservice : » bug: with lines joined before splitting,
// the picker quoted the services section as one sentence, labels repeated; now no quotation holds a label.
func TestPickQuotesNoServiceLabels(t *testing.T) {
	t.Parallel()
	ps := []Passage{{N: 1, Title: "Allocation de logement familiale (ALF)", Text: alfPassage}}
	for _, q := range Pick("Demande d'allocation logement en ligne : téléservice, simulateur, attestation de loyer, Caf", ps, PickOptions{PerPassage: 4}) {
		for _, s := range q.Sentences {
			for _, label := range []string{"Téléservice :", "Simulateur :", "Formulaire :", "Où s'adresser :", "\n"} {
				if strings.Contains(s, label) {
					t.Errorf("quoted %q, which holds %q", s, label)
				}
			}
		}
	}
}
