package pii

import "testing"

// Tests of the classes other than names, by kind of text (invented examples, never copied from an evaluation set).

// TestLocalityLines: a lieu-dit named without a number or a street type, between a person's name (or an address
// cue) and the person's postcode, is part of the address; the same line after an office's name is not widened.
func TestLocalityLines(t *testing.T) {
	runKinds(t, []kindCase{
		{"after the name, a street word inside", "Vous êtes bien M. Gaston Rivière, La Ville Aubert, 35190 Tinténiac ?", "La Ville Aubert, 35190 Tinténiac", LabelAddress},
		{"after the name", "Je suis Odile Perrault, La Haute Borderie, 79200 Parthenay, merci de me rappeler.", "La Haute Borderie, 79200 Parthenay", LabelAddress},
		{"after the name and an age", "Visite : M. Yves Le Gall (87 ans), Ker Huel, 29800 Landerneau. Suivi GIR 4.", "Ker Huel, 29800 Landerneau", LabelAddress},
		{"Breton particle", "Mme Annick Le Bris, Park an Ilis, 29400 Lampaul-Guimiliau, a appelé.", "Park an Ilis, 29400 Lampaul-Guimiliau", LabelAddress},
		{"lower-case noun after a cue", "Je suis Josette Aubin, demeurant hameau Les Peyrières, 15100 Saint-Flour.", "hameau Les Peyrières, 15100 Saint-Flour", LabelAddress},
		{"cue and colon", "Foyer Sinaï : 4 enfants. Domicile : quartier Bois-Chaudat, 97354 Rémire-Montjoly.", "quartier Bois-Chaudat, 97354 Rémire-Montjoly", LabelAddress},
	})
	keptAll(t, [][2]string{
		{"Reçu par Mme Claire Fabre, Centre social Les Aulnes, 49300 Cholet, le mardi.", "Centre social Les Aulnes"},
		{"Écrivez à la CPAM de la Vienne, Site Grand Large, 86000 Poitiers.", "Site Grand Large"},
	})
}
