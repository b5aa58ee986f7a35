package fielderr

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsReadTheSameWhateverTheOrder(t *testing.T) {
	t.Parallel()
	e := Errors{"texte": "obligatoire", "email": "adresse invalide", "motif": "inconnu"}
	const want = "email : adresse invalide ; motif : inconnu ; texte : obligatoire"
	for range 5 { // map iteration order varies from one run to the next
		if got := e.Error(); got != want {
			t.Fatalf("Error() = %q, want %q", got, want)
		}
	}
	var fe Errors
	if !errors.As(fmt.Errorf("save: %w", e), &fe) || fe.FieldErrors()["motif"] != "inconnu" {
		t.Errorf("a wrapped Errors is not found with its fields: %v", fe)
	}
}

func TestFormatNamesFieldsInTheReadersTerms(t *testing.T) {
	t.Parallel()
	e := Errors{"text": "est vide", "title": "est trop long"}
	label := func(f string) string { return map[string]string{"text": "texte_avis"}[f] + "|" + f }
	if got, want := e.Format(label, " "), "texte_avis|text est vide ; |title est trop long"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
