package pii

import "testing"

// Kinds of identifiers and places the default-deny rule alone misses, with invented examples.

// kindCase is a text and the value that must be found in it with its label.
type kindCase struct{ name, text, value, label string }

// keptAll fails when any part of a pair's second string is masked in its first: wantAllKept's cases, each named
// by the part that must stay.
func keptAll(t *testing.T, pairs [][2]string) {
	t.Helper()
	cases := make([]keptCase, len(pairs))
	for i, p := range pairs {
		cases[i] = keptCase{name: p[1], text: p[0], keep: p[1]}
	}
	wantAllKept(t, cases)
}

// runKinds checks every case as a subtest.
func runKinds(t *testing.T, cases []kindCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { wantSpan(t, tt.text, tt.value, tt.label) })
	}
}

// TestBookingCodesWithoutDigits: six capitals right after a booking or file word are a reference; a word, an
// acronym or a name there is not.
func TestBookingCodesWithoutDigits(t *testing.T) {
	runKinds(t, []kindCase{
		{"after dossier", "Vol annulé, dossier WKTRPD, toujours aucun remboursement.", "WKTRPD", LabelCaseID},
		{"after référence de dossier", "ma référence de dossier : HBZQMN ne donne rien", "HBZQMN", LabelCaseID},
		{"after réservation", "Réservation PLXKWD au nom de ma mère", "PLXKWD", LabelCaseID},
		{"after two booking words", "Dossier voyage TRMKZB du 3 mai", "TRMKZB", LabelCaseID},
	})
	keptAll(t, [][2]string{
		{"mon dossier URSSAF est en attente", "URSSAF"},
		{"dossier BLOQUE depuis mars", "BLOQUE"},
		{"la référence MARTIN du courrier", "MARTIN"},
		{"J'ai une réservation. PLXKWD est le code du wifi", "PLXKWD"},
	})
}

// TestCardTail: the expiry and the code typed after a card number belong to it; an amount after a full stop
// does not.
func TestCardTail(t *testing.T) {
	wantSpan(t, "payé avec la carte 5132 0000 1111 2226, exp 09/28 cvc 771 puis bloquée", "5132 0000 1111 2226, exp 09/28 cvc 771", LabelCard)
	wantKept(t, "CARTE 4974 0000 1111 2223, EXP 02/27. 318,90 € PRÉLEVÉS", "318,90 €")
}

// TestBirthdatesAfterPlacesAndInWords: the birthplace between the cue and the date may be in lower case or after
// « au »; a day after the month and the year, an unknown day, an East Asian date, a date in words after « date
// de naissance » are births too.
func TestBirthdatesAfterPlacesAndInWords(t *testing.T) {
	runKinds(t, []kindCase{
		{"lower-case birthplace", "mon fils né a limoges le 4 juin 07 a besoin", "4 juin 07", LabelBirthdate},
		{"country then city", "née au Sénégal, à Thiès, le 11 avril 1979, je", "11 avril 1979", LabelBirthdate},
		{"month, year, then day", "née en juin 1985 le 9 à Tunis", "juin 1985 le 9", LabelBirthdate},
		{"unknown day and month", "Date de naissance : 00/00/1951 selon l'état civil", "00/00/1951", LabelBirthdate},
		{"East Asian date", "Date de naissance : 1952年7月14日", "1952年7月14日", LabelBirthdate},
		{"a date in words after the noun", "l'acte de naissance dit 02/02/1990 mais le titre dit 1er février 1991. Ensuite", "1er février 1991", LabelBirthdate},
	})
}

// TestLowerCaseCommunes: a commune typed in lower case beside its postcode, before it after a preposition of
// place, or after it even when a number cue stood in the sentence before.
func TestLowerCaseCommunes(t *testing.T) {
	runKinds(t, []kindCase{
		{"after a", "il habite a toulouse 31000 depuis un an", "toulouse 31000", LabelPostcodeCity},
		{"after de", "je suis de nantes 44000 et", "nantes 44000", LabelPostcodeCity},
		{"hyphenated", "on vit à saint-malo 35400 maintenant", "saint-malo 35400", LabelPostcodeCity},
		{"after a sentence with a number", "mon numéro 1234567. mathis 37000 tours", "37000 tours", LabelPostcodeCity},
	})
	wantKept(t, "un plafond de 38000 euros", "38000")
	wantKept(t, "arrêté n° 75012 du préfet", "75012")
}

// TestNumbersByLayout: the way a number is grouped says what it is when its key or its cue does not: a NIR's
// seven fields, a card's four groups of four, an IBAN of its country's length, an old plate glued together; a
// number whose groups cut a NIR's fields is not one, and two numbers joined by « et » stay two.
func TestNumbersByLayout(t *testing.T) {
	runKinds(t, []kindCase{
		{"NIR layout after carte", "sur la carte vitale, 1 68 11 42 218 044 19. Le relevé", "1 68 11 42 218 044 19", LabelNIR},
		{"overseas NIR layout", "MON NUMÉRO : 2 91 03 974 12 208 33. MERCI", "2 91 03 974 12 208 33", LabelNIR},
		{"Swiss AVS number", "numéro AVS : 756.1122.3344.55, employeur à Genève", "756.1122.3344.55", LabelNIR},
		{"card groups, Luhn wrong", "le site refuse le numéro : 5100 2233 4455 6677. Ma banque", "5100 2233 4455 6677", LabelCard},
		{"IBAN with a wrong key", "virez sur FR12 3000 4000 5000 6000 7000 800 svp", "FR12 3000 4000 5000 6000 7000 800", LabelIBAN},
		{"old plate glued", "la fourrière a ma 4521KT38 depuis lundi", "4521KT38", LabelPlate},
		{"new plate ending with BD", "pour ma moto GT-412-BD. Le reste", "GT-412-BD", LabelPlate},
		{"a reference cutting NIR fields", "ma bourse porte le numéro QRS 2023-18-0457219, en attente", "2023-18-0457219", LabelCaseID},
		{"first of two numbers", "les avis 7 204 118 903 et 7 204 118 977 sont faux", "7 204 118 903", LabelCaseID},
		{"second of two numbers", "les avis 7 204 118 903 et 7 204 118 977 sont faux", "7 204 118 977", LabelCaseID},
		{"court docket after ordonnance", "ordonnance RG n° 23/04417 rendue en mai", "23/04417", LabelCaseID},
		{"brackets around the dot of an address", "écrivez à lina.perret[at]orange[.]fr svp", "lina.perret[at]orange[.]fr", LabelEmail},
		{"phone dictated with dots", "appelez le zéro sept. douze. trente. onze. quatorze merci", "zéro sept. douze. trente. onze. quatorze", LabelPhone},
	})
	keptAll(t, [][2]string{
		{"les avis 7 204 118 903 et 7 204 118 977 sont faux", " et "},
		{"ordonnance n° 2020-306 du 25 mars 2020", "2020-306"},
		{"les trains 864 311 et 864 315 sont supprimés", "864 311"},
		{"les trains 864 311 et 864 315 sont supprimés", "864 315"},
		{"le train de 7h12 (n° 864329) est en retard", "864329"},
		{"signalez le SMS au 33700 tout de suite", "33700"},
		{"le +216 71 00 00 00 de l'ambassade ne répond pas", "+216 71 00 00 00"},
		{"DDN 04.05.1961, décédée le 3 mars, la caisse", "3 mars"},
		{"il y avait zéro. Six personnes devant moi", "Six"},
	})
}

// TestAddressesAbroad: the house number after the street's name and a four-digit postcode, as in Belgium or
// Switzerland, belong to the address; a postcode with its commune and its country alone is a postcode and city.
func TestAddressesAbroad(t *testing.T) {
	runKinds(t, []kindCase{
		{"Belgian order", "domicilié Chaussée de Mons 231, 1070 Anderlecht, Belgique, depuis", "Chaussée de Mons 231, 1070 Anderlecht, Belgique", LabelAddress},
		{"Swiss order after a cue", "j'habite en Suisse, route de Berne 8, 1700 Fribourg. Ma caisse", "route de Berne 8, 1700 Fribourg", LabelAddress},
		{"postcode, commune, country", "Jan Peeters, 2000 Antwerpen, Belgique", "2000 Antwerpen", LabelPostcodeCity},
		{"signature line, number after the name, letter box", "Luc Maes\nAvenue de Tervueren 40 bte 2, 1040 Etterbeek\n", "Avenue de Tervueren 40 bte 2, 1040 Etterbeek", LabelAddress},
		{"milestone", "elle vit route de Gabès km 6, 3083 Sfax, depuis", "route de Gabès km 6, 3083 Sfax", LabelAddress},
		{"card, expiry and code between dashes", "carte : 4970 1012 3456 7893 – 11/29 – 204 (tout)", "4970 1012 3456 7893 – 11/29 – 204", LabelCard},
	})
	keptAll(t, [][2]string{
		{"le site n'accepte que le format AB-123-CD pour les plaques", "AB-123-CD"},
		{"en 2019 Paris, France, a changé", "2019"},
		{"j'habite rue de la Paix 12 mai dernier, bref", "mai"},
		{"par le boulevard périphérique 12 minutes de plus", "12"},
	})
}

// TestOneWordBesideANumber: a text holding a single word besides its numbers is scanned, not refused (a name
// rule once read the gap after the last word).
func TestOneWordBesideANumber(t *testing.T) {
	wantSpan(t, "Téléphone : +32 471 22 33 44.", "+32 471 22 33 44", LabelPhone)
	wantSpan(t, "Portable 06 71 22 33 44", "06 71 22 33 44", LabelPhone)
}

// TestSumsCodesAndDocuments: a sum named by its word is kept without its currency, a bank's BIC too; a
// document's number starting like an article is not an article; a request for a duplicate numbers a file; a
// North American number is a phone.
func TestSumsCodesAndDocuments(t *testing.T) {
	runKinds(t, []kindCase{
		{"passport number shaped like an article", "son passeport (n° D0412277) est expiré", "D0412277", LabelIDDoc},
		{"duplicate request", "ma demande de duplicata de permis n° 2611KQ90433 est bloquée", "2611KQ90433", LabelCaseID},
		{"North American phone", "Tél. : 514-555-0148 (Montréal)", "514-555-0148", LabelPhone},
	})
	keptAll(t, [][2]string{
		{"avec un RFR 21 530 nous n'avons droit à rien", "21 530"},
		{"Revenu fiscal de référence : 18 940, deux parts", "18 940"},
		{"BIC AGRIFRPP882 pour le virement", "AGRIFRPP882"},
		{"selon l'article R5422-1 du code du travail", "R5422"},
	})
	wantSpan(t, "le montant de mon dossier 418522 reste dû", "418522", LabelCaseID)
}

// TestGroupedNumbersNotDatesNorServices: digits in groups that only look like a date (its year out of the last
// centuries) or a service number (groups laid out otherwise than a phone's) are one identifier.
func TestGroupedNumbersNotDatesNorServices(t *testing.T) {
	runKinds(t, []kindCase{
		{"year 0044", "Votre numéro d'adhérent : 1 64 03 12 0044.", "1 64 03 12 0044", LabelCaseID},
		{"08 then groups of three", "Numéro fiscal de M. : 08 79 398 416 842 (avis).", "08 79 398 416 842", LabelTaxID},
	})
	keptAll(t, [][2]string{
		{"le service au 0 811 10 10 10 20 fois par jour", "0 811 10 10 10"},
		{"rendez-vous le 03 12 2024 à la mairie", "03 12 2024"},
	})
}

// TestBirthYearsOfAHousehold: a year alone is a birth date in parentheses after a person's name, or after another
// member's in the same list, in a list after « nés en », and after « née vers »; a year in parentheses after
// anything else, or a range, is not.
func TestBirthYearsOfAHousehold(t *testing.T) {
	runKinds(t, []kindCase{
		{"after a name", "Foyer : M. Jean-Paul Morin (1961) et son fils", "1961", LabelBirthdate},
		{"month and year", "sa fille Lena Morin (mars 2012) peut-elle", "mars 2012", LabelBirthdate},
		{"after the maiden name", "Mme Fanta Camara (née Sylla, 1990), sans titre", "1990", LabelBirthdate},
		{"list after a name", "3 enfants : Louise Morin (2010), Zorbak (2013) et Kiliane (2018).", "2018", LabelBirthdate},
		{"listed after nés en", "2 enfants nés en 2016 et 2019, lui intérimaire", "2019", LabelBirthdate},
		{"née vers", "Mme Claire Morin, née vers 1995 à Anjouan", "1995", LabelBirthdate},
	})
	keptAll(t, [][2]string{
		{"ouvrier chez Renault Flins (1981-2014) puis retraité", "1981-2014"},
		{"pour ma génération (1964). La Carsat", "1964"},
		{"la loi Travail (2016) a changé", "2016"},
	})
}

// TestNumberSignAndSpelledIdentifiers: five digits given as « n° » or « numéro » are no postcode; an identifier
// dictated one character at a time with commas is one; a list of marks or of numbers in order is not.
func TestNumberSignAndSpelledIdentifiers(t *testing.T) {
	runKinds(t, []kindCase{
		{"n° d'écrou", "incarcéré à Liancourt, n° d'écrou 48217 depuis mai", "48217", LabelCaseID},
		{"numéro", "mon numéro est le 48217 au service", "48217", LabelCaseID},
		{"dictated", "Conseiller : Votre numéro CESU ?\nUsagère : Z, 2, 7, 1, 9, 4, 0, 3, 8, 5, 6\nConseiller : Merci.",
			"Z, 2, 7, 1, 9, 4, 0, 3, 8, 5, 6", LabelCaseID},
	})
	keptAll(t, [][2]string{
		{"l'agence de Roubaix 59100 est fermée", "59100"},
		{"les étapes 1, 2, 3, 4, 5, 6, 7 et 8", "1, 2, 3, 4, 5, 6, 7"},
		{"mes notes : 5, 3, 4, 2, 5, 1 sur 5", "5, 3, 4, 2, 5, 1"},
	})
}

// TestShortAndAskedCodes: a code of four or five letters and digits right after « code », and a code of capitals
// that answers a question naming a file or a booking, are case numbers; an activity code, a word are not.
func TestShortAndAskedCodes(t *testing.T) {
	runKinds(t, []kindCase{
		{"code de cession", "le vendeur m'a donné le code de cession 7K2QX. Sur l'ANTS", "7K2QX", LabelCaseID},
		{"answer", "Agent : Avez-vous la référence de votre dossier ?\nClient : WKTRPD, au nom de mon père", "WKTRPD", LabelCaseID},
	})
	keptAll(t, [][2]string{
		{"code APE 8411Z de la mairie", "8411Z"},
		{"Agent : Avez-vous la référence de votre dossier ?\nClient : MERCI, je la cherche", "MERCI"},
	})
}

// TestSignedNumbersAndNoticeReferences: a number shaped like a phone right after « n° » is a file's or a
// document's unless a phone word stands before; the reference of a notice is a file's, not a tax number.
func TestSignedNumbersAndNoticeReferences(t *testing.T) {
	runKinds(t, []kindCase{
		{"livret", "le relevé de compte Livret A n° 0445 8821 307 et l'avis", "0445 8821 307", LabelCaseID},
		{"procès-verbal", "verbalisé (50 €, procès-verbal n° PV 0712 449 381) alors", "0712 449 381", LabelCaseID},
		{"APS", "Ukraine. APS protection temporaire n° 0699415271, renouvelée", "0699415271", LabelIDDoc},
		{"phone after tél. n°", "Tél. n° 06 12 34 56 78 le soir", "06 12 34 56 78", LabelPhone},
		{"phone after numéro", "mon numéro 06 12 34 56 78 le soir", "06 12 34 56 78", LabelPhone},
		{"notice reference", "taxe foncière, prélèvement rejeté. réf. de l'avis 2429718450302. compte joint", "2429718450302", LabelCaseID},
		{"asked reference", "Agent : la référence de l'avis ?\nUsagère : 24 59 7 218 843 19\nAgent : Merci", "24 59 7 218 843 19", LabelCaseID},
		{"tax number", "référence : mon numéro fiscal 2429718450302", "2429718450302", LabelTaxID},
	})
}
