package pii

import (
	"context"
	"strings"
	"testing"
)

// TestKnownValuesMasked redacts a review, then texts that carry its values again in other spellings, some of
// which detection alone misses: with the review's mapping, none of the values survives.
func TestKnownValuesMasked(t *testing.T) {
	t.Parallel()
	f := NewFilter(0)
	ctx := context.Background()
	m := NewMapping()
	// Values the detector does not find in this second text's layout are put in the mapping directly, as a
	// review's import or a first redaction would.
	values := map[string]string{
		LabelPerson:    "Élodie Ndiaye",
		LabelPhone:     "06 12 34 56 78",
		LabelBirthdate: "12/03/1985",
		LabelCaseID:    "AB-2024-77812",
		LabelNIR:       "2 85 03 75 116 238 42",
	}
	for l, v := range values {
		if m.AddKnown(l, v) == "" {
			t.Fatalf("AddKnown(%s) gave no placeholder", l)
		}
	}
	pseudo := m.AddKnown(LabelPerson, "Lodie75")
	tests := []struct {
		text string
		gone []string
	}{
		{"Bonjour ELODIE NDIAYE, merci.", []string{"ELODIE", "NDIAYE"}},
		{"Mme ndiaye a appelé", []string{"ndiaye"}},
		{"tel 0612345678 ou +33 6 12 34 56 78 ou 06.12.34.56.78", []string{"0612345678", "6 12 34 56 78", "06.12.34.56.78"}},
		{"née le 12.03.1985, dossier ab 2024 77812", []string{"12.03.1985", "ab 2024 77812"}},
		{"NIR 285037511623842", []string{"285037511623842"}},
		{"Bonjour Lodie75,", []string{"Lodie75"}},
		{"Bonjour lodie 75,", []string{"lodie 75"}},
	}
	for _, tt := range tests {
		r, err := f.RedactWith(ctx, m, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range tt.gone {
			if strings.Contains(r.Text.String(), g) {
				t.Errorf("RedactWith(%q) = %q: %q still there", tt.text, r.Text.String(), g)
			}
		}
	}
	r, _ := f.RedactWith(ctx, m, "Bonjour Lodie75,")
	if !strings.Contains(r.Text.String(), pseudo) {
		t.Errorf("the pseudonym did not get its own placeholder %s: %q", pseudo, r.Text.String())
	}
	// Words that merely contain a value stay.
	for _, keep := range []string{"Ndiayes", "en 2024 et 1985"} {
		r, err := f.RedactWith(ctx, m, "texte "+keep+" fin")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Text.String(), keep) {
			t.Errorf("%q was masked as a known value: %q", keep, r.Text.String())
		}
	}
	// A longer number that holds the phone's digits is not the phone: detection masks it (every run of 5 digits
	// or more is an identifier by default), but under a placeholder of its own.
	phone := m.AddKnown(LabelPhone, values[LabelPhone])
	r, err := f.RedactWith(ctx, m, "texte 0612345678912 fin")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Text.String(), phone) {
		t.Errorf("0612345678912 was masked as the known phone: %q", r.Text.String())
	}
}
