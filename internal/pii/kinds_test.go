package pii

import (
	"strings"
	"testing"
)

// Tests by kind of text, phrased for these tests (never copied from an evaluation set): each kind is a
// mechanism of the filter, not a list of examples.

// wantSpan fails unless value is found in text with label (the span may be a little wider, never narrower).
func wantSpan(t *testing.T, text, value, label string) {
	t.Helper()
	i := strings.Index(text, value)
	if i < 0 {
		t.Fatalf("%q is not in %q", value, text)
	}
	spans := findAll(t, text)
	for _, s := range spans {
		if s.Start <= i && s.End >= i+len(value) && s.Label == label {
			return
		}
	}
	var got []string
	for _, s := range spans {
		got = append(got, s.Label+" "+text[s.Start:s.End])
	}
	t.Errorf("in %q want %s %q, got %q", text, label, value, got)
}

// keptCase is a text and a part of it that must come out of the filter unmasked.
type keptCase struct{ name, text, keep string }

// wantAllKept runs wantKept on every case.
func wantAllKept(t *testing.T, cases []keptCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { wantKept(t, tt.text, tt.keep) })
	}
}

// wantKept fails when any part of keep is masked in text.
func wantKept(t *testing.T, text, keep string) {
	t.Helper()
	i := strings.Index(text, keep)
	if i < 0 {
		t.Fatalf("%q is not in %q", keep, text)
	}
	for _, s := range findAll(t, text) {
		if s.Start < i+len(keep) && s.End > i {
			t.Errorf("in %q, %q must stay but %s %q is masked", text, keep, s.Label, text[s.Start:s.End])
		}
	}
}

// TestObfuscatedEmails: addresses written with words, brackets, spaces or a doubled sign are found whole.
func TestObfuscatedEmails(t *testing.T) {
	tests := []spanCase{
		{"(at) and (dot)", "contact perso : sophie_b(at)hotmail(dot)com", "sophie_b(at)hotmail(dot)com"},
		{"[dot] everywhere", "joindre à : claire[dot]morel[at]outlook[dot]fr", "claire[dot]morel[at]outlook[dot]fr"},
		{"spaced sign and dots", "email : paul . girard @ sfr . fr", "paul . girard @ sfr . fr"},
		{"space before the last dot", "mon adresse est nadia.benali@laposte .net merci", "nadia.benali@laposte .net"},
		{"doubled sign", "mail jdupont@@gmail.com", "jdupont@@gmail.com"},
		{"AT and DOT in capitals", "adresse electronique : lea-roux AT protonmail DOT com", "lea-roux AT protonmail DOT com"},
		{"arobase and point com", "c'est toto75 arobase gmail point com", "toto75 arobase gmail point com"},
		{"chez before a mail provider", "répondez-moi sur f.ndiaye chez hotmail point fr svp", "f.ndiaye chez hotmail point fr"},
		{"an agent's own address at a service", "écrire à jean.dupont@caf.fr", "jean.dupont@caf.fr"},
		{"a sole trader's address", "devis envoyé par contact@plomberie-renard.fr", "contact@plomberie-renard.fr"},
	}
	wantSpans(t, LabelEmail, tests)
	wantKept(t, "je travaille chez orange depuis mars", "chez orange")
}

// TestServiceTextKept: what agents write in replies — services, opening hours, web pages, a service's own
// address or line — names nobody.
func TestServiceTextKept(t *testing.T) {
	tests := []keptCase{
		{"opening hours with dashes", "Horaires d'ouverture : lundi, mardi, jeudi 9h-12h / 14h-17h", "9h-12h / 14h-17h"},
		{"opening hours glued", "horaires : 8h30-12h30 13h30-16h30", "8h30-12h30 13h30-16h30"},
		{"service signature", "Bien à vous,\nCellule Qualité de Service", "Cellule Qualité"},
		{"office signature", "Madame, Monsieur,\nNous accusons réception de votre message.\nAntenne Montluçon", "Antenne Montluçon"},
		{"programme name", "L'équipe Ma Prime Rénov' vous répond.", "Rénov"},
		{"Marianne", "Marianne vous remercie de votre confiance", "Marianne"},
		{"fiche address", "Consultez https://www.service-public.fr/particuliers/vosdroits/F2191 pour plus d'informations.", "F2191"},
		{"page with a year", "voir https://www.urssaf.fr/accueil/independant/creer-espace-2024.html", "creer-espace-2024"},
		{"video", "le tutoriel https://youtu.be/dQw4w9WgXcQ explique tout", "dQw4w9WgXcQ"},
		{"a service's address", "Écrivez à service-usagers@urssaf.fr pour toute question.", "service-usagers@urssaf.fr"},
		{"acronym in a service's address", "ou au contact.mse@crous-paris.fr", "contact.mse@crous-paris.fr"},
		{"non-premium line", "Contactez-nous par téléphone au 09 69 32 10 10 du lundi au vendredi.", "09 69 32 10 10"},
		{"free line", "appelez le 01 40 12 34 56 (appel gratuit depuis un fixe)", "01 40 12 34 56"},
		{"role and an institution named like a person", "Votre conseiller France Travail vous recontactera.", "France Travail"},
		{"a public office's address", "envoyez un mail à sip.nanterre@dgfip.finances.gouv.fr", "sip.nanterre@dgfip.finances.gouv.fr"},
		{"an office's code in an address", "écrire à drfip75.pgf@dgfip.finances.gouv.fr", "drfip75.pgf@dgfip.finances.gouv.fr"},
		{"an administration's SIRET", "Le numéro SIRET de la CAF de Paris est le 534 090 126 00014.", "534 090 126 00014"},
		{"deliberation with its issuer", "délibération CNIL n° 2019-160 du 9 mai", "2019-160"},
		{"instruction", "selon l'instruction DSS/2B/2021/123 du ministère", "DSS/2B/2021/123"},
		{"prefectoral order", "arrêté préfectoral n° 2024-0456 du 3 mars", "2024-0456"},
		{"brand after a possessive and a thing", "Mon colis Colissimo est bloqué depuis 10 jours.", "Colissimo"},
		{"office after a city", "Je remercie l'accueil de Brest Bellevue.", "Bellevue"},
		{"role, colon and a service", "Votre interlocuteur : Pôle Solidarité Vieillesse", "Pôle Solidarité Vieillesse"},
	}
	wantAllKept(t, tests)
}

// TestCodesAndQueries: a code is personal after « code », and a reference in a web address's query string is
// still a reference.
func TestCodesAndQueries(t *testing.T) {
	wantSpan(t, "on m'a donné le code XK9Q2M pour suivre le dossier", "XK9Q2M", LabelCaseID)
	wantSpan(t, "mon dossier https://monespace.fr/dossier?ref=AB123456 ne charge pas", "AB123456", LabelCaseID)
	wantSpan(t, "La signature de Mme Leclerc est sur le site", "Leclerc", LabelPerson)
	wantSpan(t, "le SIRET de mon entreprise est 12345678900012", "12345678900012", LabelCaseID)
}

// TestNamesWhereNamesStand: a name is found by where it stands — after a cue, a relation (plural, with an
// adjective, « de »), a lower-case title, a form's « Nom : » field — whatever its origin or case.
func TestNamesWhereNamesStand(t *testing.T) {
	tests := []spanCase{
		{"lower-case first name alone", "hier j'ai vu sandrine au guichet et elle m'a aidée", "sandrine"},
		{"plural relation", "mes filles Capucine, Apolline et Jeanne sont inscrites", "Capucine"},
		{"relation and adjective", "ma fille ainée, Ximena, est en CP", "Ximena"},
		{"relation de name", "Je suis la tante de Nomvula et je m'occupe d'elle", "Nomvula"},
		{"lower-case title", "c'est mon voisin m. pierre laroche qui m'a aidé", "pierre laroche"},
		{"merci beaucoup à, lower case", "merci beaucoup a chloe et a mathieu pour leur aide", "chloe"},
		{"et à after a name", "merci beaucoup a chloe et a mathieu pour leur aide", "mathieu"},
		{"first name that is a word, after avec", "J'ai parlé avec Rose au téléphone, très gentille.", "Rose"},
		{"first name that is a word, after par", "J'ai été reçue par Blanche, puis par son chef.", "Blanche"},
		{"first name that is a word, after affaire à", "J'ai eu affaire à Pierre qui ne savait rien.", "Pierre"},
		{"a list of first names after a relation", "mes enfants Noah, Jade, Lina et Malo vont à l'école", "Jade"},
		{"a family by its surname", "Mes voisins, les Morel, ont eu le même souci.", "Morel"},
		{"a name after a role and a comma", "l'assistante de direction, Sylvie Marchetti, m'a rappelée", "Sylvie Marchetti"},
		{"three names in lower case", "jsuis kouassi yao serge, ivoirien, jai déposé ma demande", "kouassi yao serge"},
		{"SMS « c moi »", "salut c moi tony g besoin d'aide", "tony"},
		{"form field after Nom", "Nom : GUERIN Prénom : Alice", "GUERIN"},
		{"form field after Prénom", "Nom : GUERIN Prénom : Alice", "Alice"},
		{"birth name field", "Nom de naissance : Moreau", "Moreau"},
		{"Vietnamese name after je m'appelle", "Je m'appelle Tran Thi Mai et je suis étudiante", "Tran Thi Mai"},
		{"Malagasy surname after a title", "la conseillère Mme Rakotoarisoa a été top", "Rakotoarisoa"},
		{"Armenian name signed", "signé : Hovhannes Petrossian", "Hovhannes Petrossian"},
		{"agent's first name between commas", "l'agent qui m'a reçu, Bogdan, était très aimable", "Bogdan"},
		{"first name after the last sentence", "Toujours pas de réponse. Merci quand même. Yasmina", "Yasmina"},
		{"initials and surname after a dash", "Tout s'est bien passé. — J.-L. Lefebvre", "J.-L. Lefebvre"},
		{"lower-case signature after the last sentence", "je veux juste une reponse. tsiory", "tsiory"},
		{"capitals signature after the last sentence", "TOUJOURS RIEN APRÈS 4 MOIS. GIOVANNI MARCHETTI", "GIOVANNI MARCHETTI"},
		{"a surname that names a place after a first name", "Ça bloque depuis mars. Sophie Paris, à Vichy.", "Sophie Paris"},
		{"initial and surname after an ex-relation", "je verse la pension à mon ex-mari P. Lemarchand chaque mois", "P. Lemarchand"},
		{"children counted before their names", "avec mes trois enfants, Taras, Olena et Ivan, nous", "Taras"},
		{"lower-case title and a surname that is a word", "mon conseiller m. meunier dit que c'est normal", "meunier"},
		{"title, lower-case particle, capitalised particle", "merci à Mme de La Motte pour son aide", "de La Motte"},
		{"a family by its surname after famille", "les voisins (famille Moulin) ont reçu mon courrier", "Moulin"},
		{"initials together after a closing", "merci d'avance. cdt, R.T.", "R.T"},
		{"initials after sign.", "Voilà, c'est tout. sign. B.L.", "B.L"},
		{"a word that is a first name after s'appelle", "la dame de l'accueil s'appelait violette, top", "violette"},
		{"a name before a role in apposition", "merci encore à Prune, agent d'accueil à la sous-préfecture", "Prune"},
		{"lower-case name before its birth", "lefevre paul, né le 2/5/61, retraité", "lefevre paul"},
	}
	wantSpans(t, LabelPerson, tests)
	wantAllKept(t, []keptCase{
		{"French compound after je suis", "je suis auto-entrepreneur depuis 2019", "auto-entrepreneur"},
		{"Prénom is a field, not a name", "Nom : GUERIN Prénom : Alice", "Prénom"},
		{"lower-case word that is French", "j'ai vu la rose du jardin", "rose"},
		{"English words are not foreign names", "Après 3 relances sur la messagerie, toujours rien. Game Over.", "Game Over"},
		{"mountains after les", "les Alpes et les Pyrénées sont loin de la CAF", "Alpes"},
		{"a place after par", "je suis passée par Lourdes et Tarbes", "Lourdes"},
		{"a word at the start of a sentence", "Rose et bleu sont les couleurs du formulaire.", "Rose"},
		{"thanks after the last sentence", "Dossier réglé en une semaine. Bravo.", "Bravo"},
		{"thanks in Italian after the last sentence", "Tutto bene, dossier chiuso. Grazie.", "Grazie"},
		{"an office before a role", "reçu à Pôle Emploi, conseiller absent", "Emploi"},
		{"a town before a role", "à la mairie de Roubaix, agent très sympa", "Roubaix"},
		{"a noun before née", "la demande, née le 3 mars d'une erreur", "demande"},
	})
}

// TestIdentifiersByShape: an identifier's shape and its cue give the label, even with an unusual cue or none.
func TestIdentifiersByShape(t *testing.T) {
	tests := []struct{ name, text, value, label string }{
		{"NIR without key after an unusual cue", "je suis immatriculée 2 88 07 75 112 034 depuis 1990", "2 88 07 75 112 034", LabelNIR},
		{"NIR with narrow no-break spaces", "sécu 1\u202f85\u202f03\u202f75\u202f123\u202f456\u202f78", "1\u202f85\u202f03\u202f75\u202f123\u202f456\u202f78", LabelNIR},
		{"télédéclarant", "numéro de télédéclarant 2 45 78 123 456 78 perdu", "2 45 78 123 456 78", LabelTaxID},
		{"old plate in lower case", "ma plaque est 2048 bn 69 et elle a été volée", "2048 bn 69", LabelPlate},
		{"bare RIB with its words", "mon RIB : banque 30004 guichet 00819 compte 00012345678 clé 45 merci",
			"30004 guichet 00819 compte 00012345678 clé 45", LabelIBAN},
		{"a digit too many", "mon tel c 06 12 34 56 78 9 rappelez", "06 12 34 56 78 9", LabelPhone},
		{"a professional's number", "numéro PACAGE 075012345 pour ma déclaration", "075012345", LabelCaseID},
		{"new identity card named earlier", "Demande de carte d'identité déposée en mars. La nouvelle carte (B7KD2M9Q4) est arrivée en mai.", "B7KD2M9Q4", LabelIDDoc},
		{"cue word with a dot", "ma carte d'identité roumaine : seria RX nr. 482157 ne passe pas", "482157", LabelIDDoc},
		{"international prefix", "joignable au 00 212 612 345 678 le soir", "00 212 612 345 678", LabelPhone},
		{"a document's number shaped like a phone", "mon numéro étranger 0123456789 est sur le récépissé", "0123456789", LabelIDDoc},
		{"a phone after a file named earlier", "qu'un agent regarde le dossier et nous rappelle au 06 74 20 38 51.", "06 74 20 38 51", LabelPhone},
		{"foreign phone stays a phone", "joignable au +221 77 96 28 04 06 le soir", "+221 77 96 28 04 06", LabelPhone},
		{"tax number a digit short", "j'ai réglé avec mon numéro fiscal 2109876543 21 sans succès", "2109876543 21", LabelTaxID},
		{"thirteen digits in a tax context", "Mon avis d'impôt est faux. Le numéro de mon épouse est 3087654321098.", "3087654321098", LabelTaxID},
		{"tax number after du foyer", "numéro fiscal du foyer 1 23 45 678 901 23 à corriger", "1 23 45 678 901 23", LabelTaxID},
		{"foreign tax code", "mon codice fiscale RSSMRA80A01H501U n'est pas accepté", "RSSMRA80A01H501U", LabelTaxID},
		{"a phone after a form", "téléphone noté sur le formulaire : 07 12 88 43 1, il en manque un", "07 12 88 43 1", LabelPhone},
		{"a code after en ligne", "demande faite en ligne, numéro 7HQ2KD94XT, introuvable", "7HQ2KD94XT", LabelCaseID},
		{"run followed by words in capitals", "MON SCOOTER 512 KPT 31 A DISPARU", "512 KPT 31", LabelPlate},
		{"reference in brackets followed by a word", "J'AI UN RENDEZ-VOUS (RV-2025-44127) ET PERSONNE", "RV-2025-44127", LabelCaseID},
		{"identity card number after its acronym", "copie de ma CNI 090534112233 envoyée", "090534112233", LabelIDDoc},
		{"driving licence NEPH", "mon NEPH 120691204455 est refusé", "120691204455", LabelIDDoc},
		{"Luhn-valid file number starting with 0", "numéro unique 0931120190077461 de ma demande de logement", "0931120190077461", LabelCaseID},
		{"contributor's account", "URSSAF, compte 117 0000045128 93, échéancier accepté", "117 0000045128 93", LabelCaseID},
		{"phone after a file named in another clause", "pour notre dossier, c'est 07-44-12-90-63 le soir", "07-44-12-90-63", LabelPhone},
		{"Algerian residence certificate", "certificat de résidence n° 2104 556 871 refusé", "2104 556 871", LabelIDDoc},
		{"NIR typed with dots", "sa sécu, née en 2023, c'est 1.23.05.13.055.412.88 je crois", "1.23.05.13.055.412.88", LabelNIR},
		{"MSA member number", "adhérent MSA 1 68 04 12 345 067 depuis 1990", "1 68 04 12 345 067", LabelCaseID},
		{"identity card after a request named earlier", "une demande de RSA avec mes papiers (CNI 110498301122). Plainte", "110498301122", LabelIDDoc},
		{"pre-application number", "Pré-demande de carte d'identité faite, numéro 9FJ2LQ7TZE, refusée", "9FJ2LQ7TZE", LabelCaseID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantSpan(t, tt.text, tt.value, tt.label) })
	}
}

// TestBirthdatesInEveryForm: after a birth cue, a date in words, a month and a year, a two-digit year.
func TestBirthdatesInEveryForm(t *testing.T) {
	tests := []spanCase{
		{"premier in words", "mon fils est né le premier janvier 2012", "premier janvier 2012"},
		{"DN field", "DN : 30 avril 1969", "30 avril 1969"},
		{"month and year", "elle est née en mars 1975 à Sétif", "mars 1975"},
		{"two-digit year", "née le 12 octobre 85 à Lille", "12 octobre 85"},
		{"a year alone after né en", "mon grand-père, né en 1939, touche une petite pension", "1939"},
		{"a year alone after date de naissance", "date de naissance : 1956, lieu : Oran", "1956"},
	}
	wantSpans(t, LabelBirthdate, tests)
	wantKept(t, "Mon père est né le 9 septembre 1938 et il est décédé le 2 mars 2024", "2 mars 2024")
	wantKept(t, "je suis arrivé en 1998 et né à Oran", "1998")
}

// TestHeadingsAndAcronymsKept: fiche titles run together and acronyms in parentheses are not names.
func TestHeadingsAndAcronymsKept(t *testing.T) {
	tests := []keptCase{
		{"acronym after its words", "Allocation personnalisée d'autonomie (Apa) versée par le département", "Apa"},
		{"acronym with small words", "Agence nationale pour l'information sur le logement (Anil) de votre département", "Anil"},
		{"heading after a relation", "Congés liés à l'arrivée d'un enfant Congé maternité et paternité", "Congé"},
		{"role and an adjective", "Un référent déontologue est désigné dans chaque service", "déontologue"},
		{"prud'hommes", "Congé de formation d'un conseiller prud'homal", "prud"},
		{"word ending like an adjective", "jsuis joignable toute la journee", "joignable"},
	}
	wantAllKept(t, tests)
	wantSpan(t, "le fils de ma voisine (Chantal) a eu le même souci", "Chantal", LabelPerson)
}

// TestAddressesWithoutStreetType: after « j'habite », « domicilié », « je vis au », a number and capitalised
// words are a street even without « rue »; a form's number is not a postal code.
func TestAddressesWithoutStreetType(t *testing.T) {
	tests := []spanCase{
		{"named place after j'habite", "j'habite 22 Val Fleuri à Metz depuis dix ans", "22 Val Fleuri"},
		{"type after the name", "je vis au 7 Grande Rue à Besançon", "7 Grande Rue"},
		{"a lieu-dit after j'habite au", "Pourtant j'habite au Le Bourg, 24260 saint-avit-de-vialard depuis 12 ans.", "Le Bourg, 24260 saint-avit-de-vialard"},
		{"with its postcode", "domicilié 4 bis Les Terrasses du Lac, 74000 Annecy", "4 bis Les Terrasses du Lac, 74000 Annecy"},
		{"abbreviated block lines", "Adresse : 9 av. des Tilleuls, bât. C, esc. 4, 3e étage, 69008 Lyon depuis mai",
			"9 av. des Tilleuls, bât. C, esc. 4, 3e étage, 69008 Lyon"},
		{"a lieu-dit inside a sentence", "nous vivons au lieu-dit Penhoat, 29400 Lampaul depuis 1990", "lieu-dit Penhoat, 29400 Lampaul"},
		{"a lieu-dit in lower case without commas", "ecrivez moi. lieu dit la croix blanche 56300 kerfourn", "lieu dit la croix blanche 56300 kerfourn"},
		{"a residence line abbreviated", "j'habite rés. les Acacias bat 2 appt 7, 13011 MARSEILLE", "rés. les Acacias bat 2 appt 7, 13011 MARSEILLE"},
	}
	wantSpans(t, LabelAddress, tests)
	wantKept(t, "j'habite 3 ans chez ma soeur", "3 ans")
	wantSpan(t, "signé lina m. 62200 boulogne sur mer", "62200 boulogne sur mer", LabelPostcodeCity)
	wantKept(t, "ma fille vit chez sa tante à Vitré 35500, loin de nous", "chez sa tante")
	wantKept(t, "Dossier déposé en 2021. 4 ans après, rien.", "2021. 4 ans")
	wantKept(t, "Envoyé : jeudi 3 octobre 2024 17:45", "2024 17:45")
	wantKept(t, "J'AI ENVOYÉ LE CERFA 12100*02 EN 2022 ET RIEN", "2022")
	wantKept(t, "ON M'A DIT DE RAPPELER LE 0 820 25 10 10 POUR RIEN", "0 820 25 10 10")
	wantKept(t, "j'ai appelé le 0 809 10 10 10 15 fois", "0 809 10 10 10")
	wantKept(t, "Le 03 20 55 66 77 est saturé tous les matins", "03 20 55 66 77")
	wantKept(t, "vous pouvez aussi appeler depuis l'étranger au 09 72 00 11 22.", "09 72 00 11 22")
	wantKept(t, "billet TGV 6203 Lyon–Marseille annulé, dossier ABC123", "TGV 6203")
	wantKept(t, "remplir le formulaire cerfa n°15924 Justificatifs demandés", "15924 Justificatifs")
	wantKept(t, "texte sur https://www.legifrance.gouv.fr/affichCode.do?idSectionTA=LEGISCTA000031670001&cidTexte=LEGITEXT000006070721 à lire",
		"LEGISCTA000031670001")
}

// TestLowerCaseCommuneBeforePostcode: a commune typed in lower case before its postcode, right after a dwelling
// cue with no « à », is a postcode and city (invented examples).
func TestLowerCaseCommuneBeforePostcode(t *testing.T) {
	wantSpans(t, LabelPostcodeCity, []spanCase{
		{"SMS dwelling verb", "slt jhabite vierzon 18100 et la caf repond pa", "vierzon 18100"},
		{"domiciled, no « à »", "M. Kaba, domicilié creil 60100, demande un rendez-vous.", "creil 60100"},
		{"living, no « à »", "je vis roubaix 59100 depuis 2 ans", "roubaix 59100"},
	})
}

// TestPostalBlocksAbroad: a postal block abroad, laid out as its country does (street type after the name or glued
// to it, number last, complements, postcodes of other shapes, the country in its own language), is one address;
// a street type in a sentence with no house number is none (invented examples).
func TestPostalBlocksAbroad(t *testing.T) {
	tests := []spanCase{
		{"British block on lines", "Cordialement,\nAda Whitlock\nApartment 12, 9 Ashgrove Lane\nLeeds LS6 3HB\nUnited Kingdom",
			"Apartment 12, 9 Ashgrove Lane\nLeeds LS6 3HB\nUnited Kingdom"},
		{"Canadian postcode after the town", "Je réside au 340 Maple Drive, Ottawa K1N 6N5, Canada depuis 2015.", "340 Maple Drive, Ottawa K1N 6N5, Canada"},
		{"Portuguese postcode with a dash", "Morada: Travessa das Flores 8, 2º Dto, 1200-195 Lisboa, Portugal", "Travessa das Flores 8, 2º Dto, 1200-195 Lisboa, Portugal"},
		{"Spanish street with its floor", "Vivo en Calle del Pez 23, piso 3, 28004 Madrid, España.", "Calle del Pez 23, piso 3, 28004 Madrid, España"},
		{"German street glued to its type", "Meine Adresse: Goethestraße 41b, 3. OG, 80336 München, Deutschland", "Goethestraße 41b, 3. OG, 80336 München, Deutschland"},
		{"Turkish street with its door", "adresim: Atatürk Caddesi No: 18 Daire 4, Çankaya 06690 Ankara", "Atatürk Caddesi No: 18 Daire 4, Çankaya 06690 Ankara"},
		{"Brazilian number after a comma", "Endereço: Rua Augusta, 1500, apto 21, Consolação, 01304-001, Brasil", "Rua Augusta, 1500, apto 21, Consolação, 01304-001, Brasil"},
		{"Romanian block and staircase", "Adresa: Strada Florilor nr. 9, bl. C3, sc. 2, ap. 41, 400112 Cluj-Napoca, România",
			"Strada Florilor nr. 9, bl. C3, sc. 2, ap. 41, 400112 Cluj-Napoca, România"},
	}
	wantSpans(t, LabelAddress, tests)
	wantAllKept(t, []keptCase{
		{"a road's number in a story", "Nous avons pris la Road 66 en 2019, puis la Calle Mayor.", "Road 66 en 2019, puis la Calle Mayor"},
		{"a festival's name", "Le Street Art Fest 2024 a lieu à Lille.", "Street Art Fest 2024"},
		{"a country alone", "Mon fils étudie en España depuis septembre.", "España"},
	})
}
