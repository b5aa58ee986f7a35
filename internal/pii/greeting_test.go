package pii

import (
	"context"
	"testing"
	"time"
)

// Cases seen in real Services Publics+ replies: the greeted pseudonym or first name is a name, a capitalised
// common word after « Appel » is not.
func TestGreetingsAndFalseFriends(t *testing.T) {
	f := NewFilter(time.Second)
	tests := []struct {
		text string
		want []string // the PERSON values
	}{
		{"Bonjour Tanya,\nNous avons bien reçu votre message.", []string{"Tanya"}},
		{"Bonjour JMH, merci pour votre retour.", []string{"JMH"}},
		{"Chère Ophélie, votre dossier est complet.", []string{"Ophélie"}},
		{"Bonjour Madame Durand, votre demande est close.", []string{"Durand"}},
		{"Bonjour, Nous avons transmis votre demande.", nil},
		{"Bonjour à tous, merci.", nil},
		{"Agirc-arrco. Appel Téléphonique \r\nJ'ai besoin de sa pension.", nil},
		{"Je m'appel Karim et j'attends ma carte.", []string{"Karim"}},
	}
	for _, tt := range tests {
		spans, err := f.Find(context.Background(), tt.text)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range spans {
			if s.Label == LabelPerson {
				got = append(got, tt.text[s.Start:s.End])
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: PERSON %q, want %q", tt.text, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: PERSON %q, want %q", tt.text, got, tt.want)
			}
		}
	}
}
