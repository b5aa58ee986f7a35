package guard

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/pii"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	f := pii.NewFilter(0)
	ctx := context.Background()
	// The review's mapping, as drafting left it.
	rv, err := f.Redact(ctx, "Je suis Élodie Ndiaye, dossier n° AB-2024-77812, née le 12/03/1985, tél. 06 12 34 56 78.")
	if err != nil {
		t.Fatal(err)
	}
	base := Input{Mapping: rv.Mapping, Pseudonym: "Lodie75", Forbidden: []string{"sous 8 jours, c'est garanti", "remboursement intégral garanti"},
		AllowedPhones: []string{"3230"}}
	const clean = "Bonjour Lodie75,\n\nMerci pour votre avis. Vous pouvez appeler le 3230 ou consulter service-public.fr.\n\nLe service relations usagers"
	tests := []struct {
		name  string
		reply string
		kinds []string // the findings' kinds, in order; nil: allowed
	}{
		{"clean reply with pseudonym and official number", clean, nil},
		{"phone, NIR and forbidden promise", "Bonjour Lodie75,\nNous vous rappellerons au 06 12 34 56 78.\nVotre NIR 2 85 03 75 116 238 42 est bien enregistré.\nVotre dossier sera traité sous 8 jours, c'est garanti.",
			[]string{pii.LabelPhone, pii.LabelNIR, "FORBIDDEN"}},
		{"citizen's name, even lower-case", "Bonjour madame ndiaye, merci.", []string{pii.LabelPerson}},
		{"known case number in another layout", "Votre dossier ab 2024 77812 est suivi.", []string{pii.LabelCaseID}},
		{"birth date in another layout", "Né(e) le 12.03.1985 : merci.", []string{pii.LabelBirthdate}},
		{"masked IBAN left by restoration", "Votre IBAN FR76 •••• 189 est enregistré.", []string{"MASKED"}},
		{"forbidden promise in other words", "Nous vous garantissons un remboursement intégral.", []string{"FORBIDDEN"}},
		{"right-to-left override is not a finding by itself", "Bonjour Lodie75,\u202e merci.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			in.Reply = tt.reply
			err := Check(ctx, f, in)
			var b *Blocked
			if tt.kinds == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &b) {
				t.Fatalf("not refused (err %v)", err)
			}
			var kinds []string
			for _, fd := range b.Findings {
				kinds = append(kinds, fd.Kind)
				if !strings.Contains(tt.reply, fd.Text) || fd.Line < 1 || !strings.Contains(b.Error(), fd.Message) {
					t.Errorf("finding %+v not located in the reply or the message", fd)
				}
			}
			if !slices.Equal(kinds, tt.kinds) {
				t.Errorf("findings %v, want %v\n%s", kinds, tt.kinds, b.Error())
			}
			if !strings.HasPrefix(b.Error(), "Publication refusée") {
				t.Errorf("message not French: %s", b.Error())
			}
		})
	}
}

func TestStripBidi(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Lodie\u202e57": "Lodie57", "a\u2066b\u2069c\u202a\u202b\u202c\u202d": "abc", "sans contrôle": "sans contrôle",
	} {
		if got := StripBidi(in); got != want {
			t.Errorf("StripBidi(%q) = %q, want %q", in, got, want)
		}
	}
}
