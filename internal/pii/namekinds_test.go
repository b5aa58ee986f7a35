package pii

import "testing"

// TestNamesInNarratives: kinds of names a long review gives in passing, with invented examples: someone
// « un certain » introduces, Catalan and Spanish double surnames, a surname in capitals before a rare first name,
// a lower-case surname that is also a word closing the phrase after a first name.
func TestNamesInNarratives(t *testing.T) {
	wantSpans(t, LabelPerson, []spanCase{
		{"un certain, hyphenated short form", "le lendemain un certain Paul-Ed m'a rappelé sans rien savoir", "Paul-Ed"},
		{"une dénommée", "une dénommée Ornella m'a reçue au guichet", "Ornella"},
		{"Catalan i", "Nom : Núria Casadevall i Ferrer, né à Gérone", "Núria Casadevall i Ferrer"},
		{"Spanish y", "Je suis Ana Etxeberria y Zubiaurre et j'attends", "Ana Etxeberria y Zubiaurre"},
		{"surname in capitals first", "AKPOVI-SOGLO Sédami, étudiant, dossier bloqué depuis mars", "AKPOVI-SOGLO Sédami"},
		{"lower-case surname that is a word", "jsui allocataire 7788123, killian brun, 06 44 21 87 90", "killian brun"},
		{"child after a helper's acronym", "depuis mars l'AVS de Maëlys ne vient plus", "Maëlys"},
	})
	wantNoPerson(t,
		"il faut fournir un certain nombre de justificatifs",
		"le logiciel PARCOURSUP Grenoble ne répond plus",
		"les sites IMPOTS Toulouse et CAF Lyon sont en panne",
		// Acronyms of schemes after a role or before a child's name are not surnames; SMS shortenings are words.
		"Ma référente RSA, très gentille, a changé en mai.",
		"Entre-temps, l'ULIS de mon fils a fermé.",
		"slt ma carte vitale toujours pas recu, rappelé moi jsuis dispo l'aprem",
		"la CPAM de Lorraine et la DDFIP de Florence",
	)
	// A word after a first name, in the middle of a sentence, is not the surname.
	wantKept(t, "jsui allocataire 7788123 et kevin blanc de colère depuis", "blanc de colère")
}

// TestNamesInLettersAndNotes: kinds of names that letters, replies and case notes give (invented examples): a
// household named after its holder, a short surname that folds to a function word after a civil title, and a
// double surname of which one part was found elsewhere in the text.
func TestNamesInLettersAndNotes(t *testing.T) {
	wantSpans(t, LabelPerson, []spanCase{
		{"household of a titled person", "le logement reste au foyer de Mme Wiśniewska jusqu'en juin", "Wiśniewska"},
		{"short surname after a title", "Bonjour Monsieur Vũ,\nvotre dossier est complet.", "Vũ"},
		{"short surname after M.", "le dossier de M. Ma. Il manque un relevé.", "Ma"},
		{"double surname of a name found", "De : Nadia Haddad\nObjet : cantine Girard-Haddad\nBonjour", "Girard-Haddad"},
	})
	// A building bears a doctor's name; a function or a longer name follows a title; a district keeps its name.
	wantKept(t, "rendez-vous au centre du Docteur Roux à 10 h", "centre du Docteur Roux")
	wantKept(t, "Madame La Directrice, je vous écris", "La Directrice")
	wantKept(t, "Madame Monsieur, je vous écris", "Monsieur")
	wantKept(t, "Signé Paul Roubaix, à la mairie annexe de Roubaix-Est", "Roubaix-Est")
}

// TestSpelledAndTypedNames: names spelled letter by letter on the phone, and names in texts typed without
// capitals where « c'est » is written as it sounds (invented examples).
func TestSpelledAndTypedNames(t *testing.T) {
	wantSpans(t, LabelPerson, []spanCase{
		{"hyphens", "Usager : Kowalczyk. K-O-W-A-L-C-Z-Y-K.", "K-O-W-A-L-C-Z-Y-K"},
		{"spaces", "Appelant : bonjour, Ferreira, F E R R E I R A, Joaquim.", "F E R R E I R A"},
		{"comme and deux", "Usagère : Madame Hubbell, H comme Henri, U, deux B, E, deux L.", "H comme Henri, U, deux B, E, deux L"},
		{"known name spelled alone", "je vous épelle : N, G, U, Y, E, N.", "N, G, U, Y, E, N"},
		{"c'est typed ses", "bonjour moi ses josiane jai pas eu ma pension", "josiane"},
		{"c'est typed ces after a relation", "mon mari ces thierry il est malade", "thierry"},
		{"née in lower case", "je suis yvette morin née kowalski le 3 mai", "kowalski"},
		{"first name that is a word, then a surname", "le colis est au bureau de poste moussa diabaté merci", "moussa diabaté"},
	})
	wantNoPerson(t,
		"il y a a b c d dans la liste",
		"moi ses papiers sont perdus",
		"ma fille ces pas normal",
		"elle est née le 3 mai et née prématurée",
	)
}

// TestNamesQuotedListedAndSigned: what someone is called between quotation marks, children listed with their
// years of birth, a reply signed by a first name and the service (invented examples).
func TestNamesQuotedListedAndSigned(t *testing.T) {
	wantSpans(t, LabelPerson, []spanCase{
		{"nickname in quotes", "Évitez le guichet de « Rachid », comme on l'appelle ici.", "Rachid"},
		{"first name in quotes", "Le conseiller du 3646, « Kevin » (pas de nom), m'a raccroché au nez.", "Kevin"},
		{"initials on a badge", "l'agent (badge « K.M. ») a refusé mon dossier", "K.M"},
		{"uncle in quotes", "l'enfant parle souvent de « Tonton Kader ».", "Kader"},
		{"children and years", "Enfants : Tahirou (2011), Mariam (2014), Sidiki (2019).", "Sidiki"},
		{"year list named again", "Enfants : Tahirou (2011), Mariam (2014). Inscription de Tahirou au collège.", "Tahirou"},
		{"relation, adjectives, comma", "vos trois enfants mineurs scolarisés, Tiavina et Mamy, sont rattachés", "Tiavina"},
		{"the little one", "La petite Nomenjanahary est gardée chez moi depuis mars", "Nomenjanahary"},
		{"first name then titled surname", "Usagère : Kossiwa, Mme Agbodjan, n'a rien reçu.", "Kossiwa"},
		{"signed with the service", "Bonjour Monsieur,\nVotre dossier est à jour.\n\nLaetitia, service des retraites, CARSAT Nord", "Laetitia"},
	})
	wantKept(t, "rubrique « Contact » puis « Messagerie », réponse « OK »", "« Contact » puis « Messagerie », réponse « OK »")
	wantKept(t, "les faux conseillers « CPF » appellent encore", "CPF")
}
