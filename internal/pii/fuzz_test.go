package pii

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"Bonjour, je suis Mme Fatou N'Diaye-Sarr, née le 12/03/1985 à Dakar.",
	"NIR 2 90 05 2A 004 123 52, IBAN FR76 3000 6000 0112 3456 7890 189, carte 4970 1012 3456 7893 exp 08/27 cvv 123",
	"tel +33 (0)6 12 34 56 78 / 06\u00a012\u00a034\u00a056\u00a078, mail a.b@c.fr",
	"12 bis rue de la République, 33000 Bordeaux CEDEX 9",
	"numéro allocataire 1234567, identifiant 1234567A, AB-123-CD, 1234 AB 56, passeport 12AB34567",
	"Cordialement,\nJean-Pierre MARTIN",
	"ÉLODIE ÉLODIE\u202f\u202f0\n\n@@.",
	"[PERSONNE_1] [NIR_2] PERSONNE_3",
	"\xff\xfe Mme \xc3 Diallo 06 12",
	// A postal block whose last line runs to the very end of the text, with no separator after it.
	"Envoyé chez ma fille : 8 rue des Lilas, 69003 Lyon, résidence les Tilleuls bâtiment C",
}

// checkSpans verifies the invariants every result must hold.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	prev := 0
	for i, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
			t.Fatalf("span %d [%d,%d) outside text of %d bytes", i, s.Start, s.End, len(text))
		}
		if s.Start < prev {
			t.Fatalf("span %d [%d,%d) overlaps or is out of order (previous ends at %d)", i, s.Start, s.End, prev)
		}
		if utf8.ValidString(text) && (!utf8.RuneStart(text[s.Start]) || s.End < len(text) && !utf8.RuneStart(text[s.End])) {
			t.Fatalf("span %d [%d,%d) cuts a character", i, s.Start, s.End)
		}
		if classByLabel[s.Label] == nil {
			t.Fatalf("span %d has unknown label %q", i, s.Label)
		}
		prev = s.End
	}
}

// FuzzRedact checks that no text makes the filter panic or return malformed spans, and that restoring a
// redacted text gives back the restorable values and masks the others.
func FuzzRedact(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	filter := NewFilter(0)
	f.Fuzz(func(t *testing.T, text string) {
		r, err := filter.Redact(context.Background(), text)
		if err != nil {
			t.Fatalf("Redact: %v", err)
		}
		checkSpans(t, text, r.Spans)
		checkRestore(t, text, r)
	})
}

// checkRestore rebuilds the text expected from Restore span by span: the original value for restorable
// classes, the mask for the others. Text between spans that already looks like a placeholder is left out of
// the comparison, since Restore is entitled to treat it.
func checkRestore(t *testing.T, text string, r Result) {
	t.Helper()
	if restoreCandidateRe.MatchString(text) {
		return
	}
	var want strings.Builder
	pos := 0
	for _, s := range r.Spans {
		want.WriteString(text[pos:s.Start])
		v := text[s.Start:s.End]
		if Restorable(s.Label) {
			// The first spelling seen of a value is the one restored.
			want.WriteString(firstSpelling(text, r.Spans, s))
		} else {
			want.WriteString(mask(s.Label, v))
			if strings.Contains(mask(s.Label, v), v) {
				t.Fatalf("mask of %s shows the value", s.Label)
			}
		}
		pos = s.End
	}
	want.WriteString(text[pos:])
	got := r.Mapping.Restore(r.Text.String())
	if got.Text != want.String() {
		t.Fatalf("Restore(Redact(x)):\n got %q\nwant %q", got.Text, want.String())
	}
	if len(got.Flags) != 0 {
		t.Fatalf("Restore flagged its own placeholders: %v", got.Flags)
	}
}

func firstSpelling(text string, spans []Span, s Span) string {
	for _, o := range spans {
		if o.Placeholder == s.Placeholder {
			return text[o.Start:o.End]
		}
	}
	return text[s.Start:s.End]
}

// TestRestoreIdentity is the property of FuzzRedact run on realistic texts in every test run.
func TestRestoreIdentity(t *testing.T) {
	filter := NewFilter(0)
	texts := append([]string{}, fuzzSeeds[:7]...)
	texts = append(texts, benchTexts...)
	for _, text := range texts {
		r, err := filter.Redact(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		checkSpans(t, text, r.Spans)
		checkRestore(t, text, r)
		for _, s := range r.Spans {
			if strings.Contains(r.Text.String(), text[s.Start:s.End]) && len(text[s.Start:s.End]) > 6 {
				t.Errorf("%s value still in the redacted text: %q", s.Label, r.Text)
			}
		}
	}
}
