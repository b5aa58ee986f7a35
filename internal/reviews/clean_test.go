package reviews

import (
	"testing"
	"time"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bonjour&nbsp;: merci &amp; bonne journée", "Bonjour : merci & bonne journée"},
		{"l&#39;accueil ==&gt; la CAF", "l'accueil ==> la CAF"},
		{"double &amp;nbsp;encodage", "double encodage"},
		{"appelez le 0&nbsp;805&nbsp;204&nbsp;805", "appelez le 0 805 204 805"},
		{"Bonjour JMH,&nbsp;Merci pour votre témoignage.", "Bonjour JMH,\n\nMerci pour votre témoignage."},
		{"complet.&nbsp;Les agents sont mobilisés", "complet.\n\nLes agents sont mobilisés"},
		{"M.&nbsp;Dupont a appelé", "M. Dupont a appelé"},
		{"espace\u202finsécable et\u00a0normal", "espace insécable et normal"},
		{"ligne 1\r\nligne 2\rligne 3", "ligne 1\nligne 2\nligne 3"},
		{"  début\n\n\n\n\nfin  \n", "début\n\nfin"},
		{"trop   d'espaces\t ici  \n  suite", "trop d'espaces ici\nsuite"},
		{"ligne<br>suivante<br/>et <b>gras</b>", "ligne\nsuivante\net gras"},
		{"2 < 3 et 5 > 4", "2 < 3 et 5 > 4"},
		{"invisible\u200b\ufeffcar", "invisiblecar"},
		{"Caf\xe9 cr\xe8me \x80", "Café crème €"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlugAndKind(t *testing.T) {
	tests := []struct{ name, slug, kind string }{
		{"CAF", "caf", "caf"},
		{"Caisse d'allocations familiales du Rhône", "caisse-d-allocations-familiales-du-rhone", "caf"},
		{"CPAM ORLEANS", "cpam-orleans", "cpam"},
		{"France Titres - ANTS", "france-titres-ants", "ants"},
		{"Service des Impôts des particuliers (SIP)", "service-des-impots-des-particuliers-sip", "dgfip"},
		{"Trésorerie amendes", "tresorerie-amendes", "dgfip"},
		{"Préfecture de la Moselle", "prefecture-de-la-moselle", "prefecture"},
		{"Sous-préfecture", "sous-prefecture", "prefecture"},
		{"Pôle emploi Île-de-France", "pole-emploi-ile-de-france", "france-travail"},
		{"France services de Lunel", "france-services-de-lunel", "france-services"},
		{"Ministère de l’Europe et des Affaires étrangères", "ministere-de-l-europe-et-des-affaires-etrangeres", "other"},
		{"Œuvre sociale", "oeuvre-sociale", "other"},
		{"Cafétéria municipale", "cafeteria-municipale", "other"},
		{"  —  ", "", "other"},
	}
	for _, tt := range tests {
		if got := Slug(tt.name); got != tt.slug {
			t.Errorf("Slug(%q) = %q, want %q", tt.name, got, tt.slug)
		}
		if got := Kind(tt.name); got != tt.kind {
			t.Errorf("Kind(%q) = %q, want %q", tt.name, got, tt.kind)
		}
	}
	long := Slug("Secrétariat général des ministères de l'Éducation nationale, de la Jeunesse et des Sports et de l'Enseignement supérieur")
	if len(long) > 60 || long[len(long)-1] == '-' {
		t.Errorf("long slug %q", long)
	}
}

func TestParseDate(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{"2021-05-22", time.Date(2021, 5, 22, 0, 0, 0, 0, paris), false},
		{"2024-01-10T09:30:00+00:00", time.Date(2024, 1, 10, 9, 30, 0, 0, time.UTC), false},
		{"2024-01-10T09:30:00Z", time.Date(2024, 1, 10, 9, 30, 0, 0, time.UTC), false},
		{"22/05/2021", time.Date(2021, 5, 22, 0, 0, 0, 0, paris), false},
		{"1621634400000.0", time.Date(2021, 5, 22, 0, 0, 0, 0, paris), false},
		{"", time.Time{}, false},
		{"hier", time.Time{}, true},
		{"2021-13-45", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.bad || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]Status{"nouveau": "nouveau", "Brouillon prêt": "brouillon_pret", "en_relecture": "en_relecture", " Publié ": "publie", "écarté": "ecarte"} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseStatus("archivé"); err == nil {
		t.Error("unknown status accepted")
	}
}
