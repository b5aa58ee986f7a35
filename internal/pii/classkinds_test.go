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

// TestBirthdatesSpoken: a birth date dictated in words, with a false start, answered on the next turn of a
// transcript, or a year right after « né » in a learner's French, is a birth date; a date in words that answers
// another question, or a day in words before a month elsewhere, is an event's.
func TestBirthdatesSpoken(t *testing.T) {
	runKinds(t, []kindCase{
		{"day and year in words", "il est né le vingt-deux mars quatre-vingt-onze à Tours", "vingt-deux mars quatre-vingt-onze", LabelBirthdate},
		{"a single word for the day", "ma fille née le neuf février deux mille douze", "neuf février deux mille douze", LabelBirthdate},
		{"false start", "Parent : Inès Carvalho, née le cinco... cinq mai deux mille dix-huit.", "cinq mai deux mille dix-huit", LabelBirthdate},
		{"filler", "née le euh 3 avril 1961 à Oran", "3 avril 1961", LabelBirthdate},
		{"answered on the next turn", "Agent : Votre date de naissance ?\nUsager : le onze octobre soixante-quatre.\nAgent : Merci.", "onze octobre soixante-quatre", LabelBirthdate},
		{"answered in digits", "Conseiller : et la date de naissance de votre fils ?\nMme Bertin : euh le 04/09/2011", "04/09/2011", LabelBirthdate},
		{"year right after né", "mon voisin il né 1947 en Algérie, il attend sa retraite", "1947", LabelBirthdate},
	})
	keptAll(t, [][2]string{
		{"Agent : Quand avez-vous déposé le dossier ?\nUsager : le onze octobre, par courrier.", "onze octobre"},
		{"Votre date de naissance ? Je vous la donne après.\nUsager : le dossier date du 12 mars 2024.", "12 mars 2024"},
		{"rendez-vous le seize juin à la sous-préfecture", "seize juin"},
	})
}

// TestDocumentNumbersByKind: a residence card « UE » is a document, not a European text; the number that answers
// a question naming the document on the line before, or that follows a foreign word for a passport, is that
// document's; a European regulation's number stays.
func TestDocumentNumbersByKind(t *testing.T) {
	runKinds(t, []kindCase{
		{"residence card UE", "Il est belge, titulaire d'une carte de séjour UE n° 6409921735, et demande l'APL.", "6409921735", LabelIDDoc},
		{"answer to a question on the document", "Agent : Et le numéro de votre récépissé ?\nUsager : 5120 7734 18.\nAgent : Merci.", "5120 7734 18", LabelIDDoc},
		{"answer after a passport question", "Conseillère : Votre numéro de passeport ?\nM. Sylla : P4417920, Mali.", "P4417920", LabelIDDoc},
		{"foreign word for passport", "Mi pasaporte colombiano AV3381290, gracias.", "AV3381290", LabelIDDoc},
		{"CNIE", "CNIE : KM208841, délivrée à Rabat", "KM208841", LabelIDDoc},
	})
	keptAll(t, [][2]string{
		{"selon le règlement UE n° 2016/679 sur les données", "2016/679"},
		{"Agent : Vous pouvez me rappeler l'article ?\nUsager : article L. 262-1, je crois.", "262-1"},
	})
}

// TestCedexAddresses: an address in Cedex, the mail service of organisations, is an office's when nothing says it
// is someone's; a person's box number in Cedex, or an address said to be one's own, stays personal.
func TestCedexAddresses(t *testing.T) {
	runKinds(t, []kindCase{
		{"a box in Cedex", "Mon adresse là-bas : BP 812, 98713 Papeete Cedex, Tahiti.", "BP 812, 98713 Papeete Cedex", LabelAddress},
		{"lodged at an association", "Adresse de domiciliation : Secours populaire, 8 rue des Forges, 21000 Dijon Cedex 4", "8 rue des Forges, 21000 Dijon Cedex 4", LabelAddress},
	})
	keptAll(t, [][2]string{
		{"Vous pouvez aussi écrire au 7 place de la Liberté, 83056 Toulon Cedex, en joignant l'acte.", "7 place de la Liberté, 83056 Toulon Cedex"},
		{"Le recours est à adresser au 14 rue Saint-Éloi, 67070 Strasbourg Cedex 2.", "67070 Strasbourg Cedex 2"},
	})
}

// TestPublicFiguresAndTexts: a count of an office's cases grouped by thousands, a European regulation named with
// its adjective, a « lettre circulaire » (LC) are public; a file number before the same words is not.
func TestPublicFiguresAndTexts(t *testing.T) {
	keptAll(t, [][2]string{
		{"Bilan 2024 : 31 905 demandes traitées, dont 40 % en ligne.", "31 905"},
		{"Le règlement européen 261/2004 prévoit une indemnisation.", "261/2004"},
		{"Une lettre de la Cnav (LC n° 2023-045) précise ce point.", "2023-045"},
	})
	runKinds(t, []kindCase{
		{"file number before a count noun", "mon dossier 44810392 demandes en attente", "44810392", LabelCaseID},
	})
}

// TestHomeBeforeCommune: a commune and its postcode after someone's home (« sa maison à … ») are the person's;
// after an office's house they stay.
func TestHomeBeforeCommune(t *testing.T) {
	runKinds(t, []kindCase{
		{"her house", "faut-il vendre sa maison à Issoudun 36100 après son décès ?", "Issoudun 36100", LabelPostcodeCity},
		{"in brackets", "et pour la succession (leur maison à Montargis 45200), rien", "Montargis 45200", LabelPostcodeCity},
	})
	keptAll(t, [][2]string{
		{"rendez-vous à la Maison France services de Vierzon 18100 mardi", "Vierzon 18100"},
	})
}

// TestAddressesAbroadLayouts: a Spanish floor written with an ordinal sign, a province in brackets after the town,
// a Polish street abbreviated in lower case with its flat (« m. 5 ») and its postcode NN-NNN are lines of one
// address abroad; « 12 m. » of a length stays.
func TestAddressesAbroadLayouts(t *testing.T) {
	runKinds(t, []kindCase{
		{"Spanish floor and province", "Vivo en Calle Real 14, 3º A, 29601 Marbella (Málaga), España desde 2019.", "Calle Real 14, 3º A, 29601 Marbella (Málaga), España", LabelAddress},
		{"Polish street and flat", "Adres: ul. Długa 8 m. 12, 80-831 Gdańsk, Polska.", "ul. Długa 8 m. 12, 80-831 Gdańsk, Polska", LabelAddress},
	})
	keptAll(t, [][2]string{
		{"La Calle Mayor fait 300 m. Le bureau est au fond.", "300 m"},
	})
}
