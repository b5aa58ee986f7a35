package draft

import (
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/ground"
)

// TestOfflineDraftQuotesEachSentenceOnce checks the offline draft over passages shaped as the corpus writes
// them: no service or office line is quoted (they ran together as « Téléservice : A - Téléservice : B »), the
// next step repeats no quoted sentence, even one found in two passages, and never ends on a list's colon.
func TestOfflineDraftQuotesEachSentenceOnce(t *testing.T) {
	t.Parallel()
	const shared = "Pour faire la démarche en ligne, vous devez vous connecter à votre espace personnel sur le site de la Caf."
	ps := ground.Number([]ground.Passage{
		{Title: "Allocation de logement familiale (ALF)", Score: 1, Text: shared + "\n" +
			"Pour contester une décision de la Caf, vous devez respecter les étapes suivantes :\n" +
			"Simulateur : Simulateur Caf - Allocations logement (éligibilité et montant)\n" +
			"- Téléservice : Demande d'allocation logement en ligne\n- Téléservice : Téléservice de déclaration de situation"},
		{Title: "Allocation de logement familiale (ALF)", Score: 1, Text: "La demande d'allocation logement se fait en ligne sur le site de la Caf.\n" + shared},
	})
	out := offlineDraft(offlineInput{Title: "Demande d'allocation logement", Text: "Ma demande d'allocation logement en ligne sur le site de la Caf est bloquée.",
		Feeling: "Négatif", Passages: ps})
	for _, bad := range []string{"Téléservice :", "Simulateur :", "suivantes : [", "suivantes :\n"} {
		if strings.Contains(out, bad) {
			t.Errorf("the offline draft holds %q:\n%s", bad, out)
		}
	}
	if n := strings.Count(out, "vous devez vous connecter"); n > 1 {
		t.Errorf("a sentence is said %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "[1]") {
		t.Errorf("the offline draft quotes nothing:\n%s", out)
	}
}
