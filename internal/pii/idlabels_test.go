package pii

import "testing"

// TestIdentifierLabels: the layout of a number or a letter in it decides its label when the default rule masks
// it anyway (invented examples): a phone with a letter O for a zero or digits hidden by x, the reference of a tax
// notice laid out 2-2-7-2.
func TestIdentifierLabels(t *testing.T) {
	runKinds(t, []kindCase{
		{"letter O for a zero", "rappelez moi au 07 41 22 9O 18 svp", "07 41 22 9O 18", LabelPhone},
		{"hidden digits", "mon fixe est le 03 88 xx 41 27, le reste je l'ai oublié", "03 88 xx 41 27", LabelPhone},
		{"tax notice reference", "Référence de l'avis 22 67 3108845 53, réclamation faite", "22 67 3108845 53", LabelCaseID},
		{"tax number said to be one", "numéro fiscal 22 67 3108845 53 sur l'avis", "22 67 3108845 53", LabelTaxID},
	})
}
