package pii

import "testing"

// TestCardParts: the expiry and the security code said a few words after a card number are masked with it, each
// on its own; the same short numbers elsewhere stay (invented examples).
func TestCardParts(t *testing.T) {
	runKinds(t, []kindCase{
		{"code on the back, later in the sentence", "ma carte 4970 5555 1234 8881 expire fin 10/28 et le code au dos 614 aussi", "614", LabelCard},
		{"security code with a colon", "carte bleue 4970555512348881 valable jusqu'au 11/2029, cryptogramme visuel : 905", "905", LabelCard},
		{"expiry after a few words", "le numéro 5132 4400 8812 0017 que j'ai tapé, puis l'expiration 03/27, tout", "03/27", LabelCard},
		{"digits behind the card", "les 16 chiffres 4970 5555 1234 8881 puis les 3 chiffres derrière 207", "207", LabelCard},
	})
	keptAll(t, [][2]string{
		{"carte 4970 5555 1234 8881 volée. Le code de mon dossier est 4451 pour info", "4451"},
		{"carte 4970 5555 1234 8881 débitée de 120 €, plainte déposée ; à la date du 12/10 rien", "12/10"},
		{"le code au dos 214 du formulaire Cerfa", "214"},
	})
}

// TestRIBParts: a RIB given one field a line, or with other words than banque / guichet / compte / clé, has each
// field masked; a branch number alone is no RIB (invented examples).
func TestRIBParts(t *testing.T) {
	fields := "Voici mon RIB\nBanque : 20041\nGuichet : 01005\nCompte : 0512345K022\nClé : 37\nMerci"
	for _, v := range []string{"20041", "01005", "0512345K022", "37"} {
		t.Run("one field a line "+v, func(t *testing.T) { wantSpan(t, fields, v, LabelIBAN) })
	}
	runKinds(t, []kindCase{
		{"établissement and agence", "établissement 18206 agence 00460 compte 60512397415 clé 72, merci", "00460", LabelIBAN},
		{"key of a RIB", "établissement 18206 agence 00460 compte 60512397415 clé 72, merci", "72", LabelIBAN},
	})
	keptAll(t, [][2]string{
		{"l'agence 00460 de la banque a fermé le 12/05, j'ai payé 52 euros", "52"},
		{"la clé 12 de la boîte aux lettres et le compte rendu", "12"},
	})
}
