package pii

import "testing"

// TestRewrittenContacts: contacts written to dodge robots and numbers in words are found, and the span covers
// the original words.
func TestRewrittenContacts(t *testing.T) {
	tests := []struct {
		name, text, value, label string
	}{
		{"arobase point", "écrivez à jeanpierre point lemoine arobase gmail point com svp", "jeanpierre point lemoine arobase gmail point com", LabelEmail},
		{"arobase with dots", "mon mail nadia.bs93 arobase hotmail point fr merci", "nadia.bs93 arobase hotmail point fr", LabelEmail},
		{"[at]", "contact : youssef.elidrissi [at] yahoo.fr", "youssef.elidrissi [at] yahoo.fr", LabelEmail},
		{"(at)", "lucas.mrtn(at)laposte.net", "lucas.mrtn(at)laposte.net", LabelEmail},
		{"(at) spaced", "zhou.yuqing (at) etudiant.univ-rennes.fr", "zhou.yuqing (at) etudiant.univ-rennes.fr", LabelEmail},
		{"at between spaces", "paul.martin at orange.fr", "paul.martin at orange.fr", LabelEmail},
		{"phone in words", "rappelez-moi au zéro six, douze, quarante-sept, trente et un, quatre-vingt-dix merci",
			"zéro six, douze, quarante-sept, trente et un, quatre-vingt-dix", LabelPhone},
		{"phone half in words", "mon fixe 02 cinquante et un 37 quatre-vingt-deux 14", "02 cinquante et un 37 quatre-vingt-deux 14", LabelPhone},
		{"birth year in words", "née le vingt-trois février mil neuf cent soixante-dix à Oran", "vingt-trois février mil neuf cent soixante-dix", LabelBirthdate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := findAll(t, tt.text)
			for _, s := range spans {
				if tt.text[s.Start:s.End] == tt.value && s.Label == tt.label {
					return
				}
			}
			var got []string
			for _, s := range spans {
				got = append(got, s.Label+" "+tt.text[s.Start:s.End])
			}
			t.Errorf("in %q want %s %q, got %q", tt.text, tt.label, tt.value, got)
		})
	}
}

func TestParseFrenchNumbers(t *testing.T) {
	tests := map[string]string{
		"zero six douze quarante sept trente et un quatre vingt dix": "0 6 12 47 31 90",
		"mil neuf cent soixante dix":                                 "1970",
		"deux mille vingt trois":                                     "2023",
		"trois cent cinquante":                                       "350",
		"soixante douze":                                             "72",
		"dix sept":                                                   "17",
	}
	for in, want := range tests {
		var ws []tok
		ws, _ = tokenize(in, nil, nil, func() {})
		got := ""
		for i, n := range parseFrenchNumbers(ws) {
			if i > 0 {
				got += " "
			}
			got += n
		}
		if got != want {
			t.Errorf("parseFrenchNumbers(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNothingRewrittenInPlainText: articles and small numbers in prose are left alone, so nothing is found.
func TestNothingRewrittenInPlainText(t *testing.T) {
	for _, text := range []string{
		"J'ai deux enfants et un chien, on attend depuis trois mois.",
		"Il est à la CAF at the moment, rendez-vous à quatorze heures.",
		"Le décret de mil neuf cent quatre-vingt-dix est cité.",
	} {
		if spans := findAll(t, text); len(spans) > 0 {
			t.Errorf("in %q found %v", text, spans)
		}
	}
}
