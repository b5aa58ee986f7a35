package ground

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheckCitations(t *testing.T) {
	tests := []struct {
		in, want    string
		n           int
		used, unkwn []int
	}{
		{"Selon la règle [1], vous pouvez [2].", "Selon la règle [1], vous pouvez [2].", 2, []int{1, 2}, nil},
		{"Le délai est de deux mois [3].", "Le délai est de deux mois.", 2, nil, []int{3}},
		{"Voir [1, 4] et [2;1].", "Voir [1] et [2][1].", 2, []int{1, 2}, []int{4}},
		{"Bonjour [PERSONNE_1], merci [1].", "Bonjour [PERSONNE_1], merci [1].", 1, []int{1}, nil},
		{"Aucune source [0].", "Aucune source.", 3, nil, []int{0}},
	}
	for _, tt := range tests {
		got, c := CheckCitations(tt.in, tt.n)
		if got != tt.want || !reflect.DeepEqual(c.Used, tt.used) || !reflect.DeepEqual(c.Unknown, tt.unkwn) {
			t.Errorf("CheckCitations(%q, %d) = %q %+v, want %q used %v unknown %v", tt.in, tt.n, got, c, tt.want, tt.used, tt.unkwn)
		}
	}
}

func TestRunChecks(t *testing.T) {
	filler := strings.Repeat("Nous avons bien lu votre message et nous comprenons votre situation. ", 6)
	tests := []struct {
		name  string
		text  string
		codes []string
	}{
		{"clean", filler + "Vous trouverez la démarche sur https://www.service-public.fr/particuliers/vosdroits/F2655 ou au 3230.", nil},
		{"gouv subdomain", filler + "Connectez-vous sur www.impots.gouv.fr pour corriger.", nil},
		{"foreign link", filler + "Consultez https://arnaque.example.com/remboursement.", []string{"url"}},
		{"bare domain", filler + "Allez sur aides-faciles.fr pour en savoir plus.", []string{"url"}},
		{"email", filler + "Écrivez à jean.dupont@gmail.com.", []string{"email"}},
		{"mobile phone", filler + "Appelez le 06 12 34 56 78.", []string{"phone"}},
		{"international phone", filler + "Appelez le +33 (0)6 12 34 56 78.", []string{"phone"}},
		{"placeholder", filler + "Bonjour [PERSONNE_2].", []string{"placeholder"}},
		{"payment promise", filler + "Nous allons vous verser la somme due.", []string{"promise"}},
		{"decision promise", filler + "Votre dossier sera accepté dès réception.", []string{"promise"}},
		{"delay promise", filler + "Le paiement sera effectué sous huit jours.", []string{"promise"}},
		{"too short", "Merci pour votre avis.", []string{"length"}},
		{"too long", strings.Repeat("mot ", DraftRules.MaxWords+1), []string{"length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var codes []string
			for _, c := range RunChecks(tt.text, DraftRules, nil) {
				codes = append(codes, c.Code)
			}
			if !reflect.DeepEqual(codes, tt.codes) {
				t.Errorf("codes = %v, want %v", codes, tt.codes)
			}
		})
	}
}

func TestGround(t *testing.T) {
	passages := []Passage{
		{Text: "La prime d'activité est versée chaque mois par la Caf. Vous devez déclarer vos ressources tous les trois mois pour continuer à la percevoir."},
		{Text: "En cas de perte de la carte Vitale, vous devez la déclarer sur votre compte ameli et commander une nouvelle carte. Le délai de fabrication est d'environ 15 jours."},
	}
	draft := "Bonjour [PERSONNE_1],\n" +
		"Nous vous remercions pour votre avis.\n" +
		"Pour continuer à percevoir la prime d'activité, vous devez déclarer vos ressources tous les trois mois [1]. " +
		"Après la perte de votre carte Vitale, déclarez-la sur votre compte ameli puis commandez une nouvelle carte. " +
		"Le délai de fabrication est d'environ 30 jours [2]. " +
		"Une aide exceptionnelle au logement peut aussi vous être accordée par la mairie.\n" +
		"Cordialement,\nLe service relations usagers"
	g := Ground(draft, passages)
	want := map[string]bool{ // sentence prefix → supported
		"Pour continuer":  true,
		"Après la perte":  true, // uncited but found in passage 2
		"Le délai":        false,
		"Une aide except": false,
	}
	claims := 0
	for _, s := range g.Sentences {
		if !s.Claim {
			continue
		}
		claims++
		found := false
		for prefix, supported := range want {
			if strings.HasPrefix(s.Text, prefix) {
				found = true
				if s.Supported != supported {
					t.Errorf("%q: supported = %v (support %.2f, missing %v), want %v", s.Text, s.Supported, s.Support, s.MissingNumbers, supported)
				}
			}
		}
		if !found {
			t.Errorf("unexpected claim %q", s.Text)
		}
		if draft[s.Start:s.End] != s.Text {
			t.Errorf("offsets of %q point to %q", s.Text, draft[s.Start:s.End])
		}
	}
	if claims != len(want) || g.Unsupported != 2 {
		t.Errorf("claims = %d, unsupported = %d; want %d and 2", claims, g.Unsupported, len(want))
	}
	if got := g.Share(); got != 0.5 {
		t.Errorf("Share = %v, want 0.5", got)
	}
}
