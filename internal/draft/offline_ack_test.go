package draft

import (
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/ground"
)

// A review no fiche answers gets a short acknowledgement: no citation, no fiche, no procedure explained, even
// when passages were passed by mistake.
func TestOfflineAcknowledgement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, text, want string
	}{
		{"praise", "Accueil parfait", "Merci à l'agent, très aimable et efficace. Bravo !", "encouragements"},
		{"counter complaint", "Guichet", "L'agent au guichet a été impoli, c'est inadmissible.", "désolés"},
		{"neutral", "Mon passage", "Je suis venu au guichet ce matin.", "transmis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := offlineDraft(offlineInput{Organisation: "CAF", Title: tt.title, Text: tt.text, Abstained: true,
				Passages: []ground.Passage{{N: 1, Title: "Prime d'activité", Text: "La prime d'activité est versée par la CAF.", Score: 1}}})
			for _, bad := range []string{"[1]", "fiche", "Prime d'activité"} {
				if strings.Contains(got, bad) {
					t.Errorf("acknowledgement quotes %q:\n%s", bad, got)
				}
			}
			if !strings.Contains(got, tt.want) || !strings.HasPrefix(got, "Bonjour,") || !strings.HasSuffix(got, "Le service relations usagers — CAF") {
				t.Errorf("acknowledgement lacks %q, the greeting or the signature:\n%s", tt.want, got)
			}
			if n := len([]rune(got)); n > 450 {
				t.Errorf("acknowledgement of %d characters, not short:\n%s", n, got)
			}
		})
	}
}
