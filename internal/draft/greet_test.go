package draft

import (
	"strings"
	"testing"
)

// TestGreet checks the greeting rule on pseudonyms citizens really chose on Services Publics+ (the 43 of the
// sample export, and a few more): a name is greeted, anything else keeps « Bonjour, ».
func TestGreet(t *testing.T) {
	t.Parallel()
	const reply = "Bonjour,\n\nMerci pour votre message."
	tests := []struct {
		pseudonym string
		want      bool // greeted by name
	}{
		{"Camille", true},
		{"Paco", true},
		{"Sarah Coquoz", true},
		{"Jean-Pierre", true},
		{"Élodie", true},
		{"D'Artagnan", true},
		{"Anne Marie Dupont", true},
		{"  Julie  ", true},
		{"Merci", false},
		{"Une française", false},
		{"Un Français expatrié à Madrid", false},
		{"Monsieur Excédé", false},
		{"service public français", false},
		{"FrancaisExpatrié", false}, // two words glued: a description, not a name
		{"SAB", false},              // initials
		{"JMH", false},
		{"SOFIENE", false}, // shouted: kept out rather than greeted in capitals
		{"Laurent44", false},
		{"français24", false},
		{"lodie75", false},
		{"isa", false},
		{"81", false},
		{"P", false},
		{"", false},
		{"Anne Marie De Lattre", false}, // more than three words
		{"Mme Martin", false},
	}
	for _, tt := range tests {
		want := reply
		if tt.want {
			want = "Bonjour " + strings.TrimSpace(tt.pseudonym) + ",\n\nMerci pour votre message."
		}
		if got := greet(reply, tt.pseudonym); got != want {
			t.Errorf("greet(%q) = %q, want %q", tt.pseudonym, got, want)
		}
	}
	// Only a reply that opens with « Bonjour, » is changed.
	for _, text := range []string{"Madame, Monsieur,\n\nMerci.", "Bonjour Camille,\n\nMerci.", ""} {
		if got := greet(text, "Camille"); got != text {
			t.Errorf("greet(%q) = %q, want it unchanged", text, got)
		}
	}
}
