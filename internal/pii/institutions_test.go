package pii

import "testing"

// TestOfficeContactsKept: an office's address, postcode or line given in apposition to its name, in a
// letterhead, as its standard or with its hours stays in the text (invented examples).
func TestOfficeContactsKept(t *testing.T) {
	tests := []keptCase{
		{"address after the office's name", "Vous pouvez vous présenter à la CPAM de l'Allier, 14 rue des Forges, 03000 Moulins, sur rendez-vous.",
			"14 rue des Forges, 03000 Moulins"},
		{"letterhead lines", "Bien cordialement,\nCaisse d'allocations familiales du Cantal\n9 place du Marché\n15000 Aurillac Cedex",
			"9 place du Marché\n15000 Aurillac Cedex"},
		{"letterhead spaced by blank lines", "Écrivez-nous :\n\nCARSAT\n\nCS 40021\n\n87044 LIMOGES CEDEX", "CS 40021"},
		{"a district on its own line", "au service des titres de la préfecture, Ouangani, 97670 Chiconi.", "97670 Chiconi"},
		{"consulate abroad", "Le consulat général de France à Oran – 12 boulevard de l'Indépendance, Oran.", "12 boulevard de l'Indépendance"},
		{"phone after the office's address", "La mairie de Figeac, 8 rue de la Monnaie, 46100 Figeac (tél. 05 65 50 05 40), vous recevra.",
			"05 65 50 05 40"},
		{"phone through the office's name", "Vous pouvez joindre le greffe du tribunal au 03 80 12 44 90 le matin.", "03 80 12 44 90"},
		{"switchboard", "Ambassade de France au Sénégal\nStandard : +221 33 839 51 00", "+221 33 839 51 00"},
		{"number from abroad", "Appelez le 3646 (ou le 09 74 75 36 46 depuis l'étranger).", "09 74 75 36 46"},
		{"service number's digits ending an international line", "Le 3949 ne marche pas hors de France et le +33 9 72 72 39 49 sonne dans le vide.", "+33 9 72 72 39 49"},
		{"line with opening hours", "Le numéro 02 41 22 33 10 reste ouvert du lundi au jeudi.", "02 41 22 33 10"},
		{"event's time before a street", "Le contrôle a eu lieu le 3 mars à 9h15, boulevard Carnot, devant la gare.", "9h15, boulevard Carnot"},
		{"office's SIRET after its address", "Urssaf Limousin, 3 rue de Belfort, 87000 Limoges (SIRET 501 880 404 00018).", "501 880 404 00018"},
		{"the file followed by an agency", "Votre dossier est instruit par l'agence de Vierzon, 6 rue Voltaire, 18100 Vierzon.",
			"6 rue Voltaire, 18100 Vierzon"},
		{"the file dropped at an annex", "Déposez votre demande en mairie annexe, 4 place de l'Église, 97440 Saint-André.",
			"4 place de l'Église, 97440 Saint-André"},
		{"the service's landline with « contactez-nous »", "Une question ? Contactez-nous au 0596 61 20 40 ou écrivez-nous à l'adresse ci-dessous.",
			"0596 61 20 40"},
		{"the service's address with « retrouvez-nous »", "Retrouvez-nous au 9 rue Schœlcher, 97300 Cayenne, le matin.", "9 rue Schœlcher, 97300 Cayenne"},
		{"the reader sent to a desk", "Pour le dépôt, rendez-vous au 22 avenue Foch, 54000 Nancy, muni de l'original.", "22 avenue Foch, 54000 Nancy"},
		{"the reader sent to a counter", "Présentez-vous au 3 quai Gambetta, 49100 Angers, du lundi au jeudi.", "3 quai Gambetta, 49100 Angers"},
		{"the department's line in a letterhead", "Direction régionale des finances publiques\nService des pensions\n4 rue Marcel-Paul\n13002 Marseille",
			"4 rue Marcel-Paul\n13002 Marseille"},
		{"the department after a dash", "Centre des impôts fonciers – 3e bureau\nCS 60301\n76041 Rouen Cedex", "CS 60301\n76041 Rouen Cedex"},
		{"what the writer did at a consulate", "J'ai déposé mon dossier au consulat de France à Québec (25 rue Saint-Louis).", "25 rue Saint-Louis"},
		{"residents sent to a prefecture", "Les usagers résidant à Marie-Galante doivent s'adresser à la sous-préfecture, rue de la Marine, 97112 Grand-Bourg.",
			"rue de la Marine, 97112 Grand-Bourg"},
		{"a bulk-mail code", "J'écris au centre de gestion (5 rue des Forges, TSA 40120, 69401 Lyon Cedex 03) sans réponse.", "5 rue des Forges"},
		{"a line named in brackets", "Merci de nous rappeler au 02 99 87 10 00 (standard de la sous-préfecture).", "02 99 87 10 00"},
		{"a signature's line under the office", "Bien à vous,\nKarine Morel\nAssistante sociale – Département de l'Isère\nTél. 04 76 00 38 38",
			"04 76 00 38 38"},
		{"the town hall", "Rendez-vous à l'hôtel de ville, 1 place du Marché, 35000 Rennes.", "1 place du Marché, 35000 Rennes"},
		{"the line from abroad after its label", "Le minimum est de 747 €. Depuis l'étranger : +33 9 71 10 39 60.", "+33 9 71 10 39 60"},
		{"an office's subject then « joignable au »", "La Caisse des Français de l'Étranger (CFE) est joignable au +33 1 64 71 19 00.",
			"+33 1 64 71 19 00"},
		{"a chamber of agriculture", "Destinataire : Chambre d'agriculture de la Creuse, 1 rue Martinet, 23000 Guéret", "1 rue Martinet, 23000 Guéret"},
	}
	wantAllKept(t, tests)
}

// TestPrivateContactsNearOffices: a person's own address, line or SIRET stays masked though an office is named
// beside it: a cue of one's home, a name, a mobile, a first person, an identifier.
func TestPrivateContactsNearOffices(t *testing.T) {
	tests := []struct{ name, text, value, label string }{
		{"a relative's line abroad", "Mon fils vit en Espagne, depuis l'étranger : +34 612 345 678.", "+34 612 345 678", LabelPhone},
		{"a person named before « joignable au »", "Ma fille Inès, à la CAF de Lyon, est joignable au 04 78 12 34 56.", "04 78 12 34 56", LabelPhone},
		{"home after a dwelling verb", "Je suis hébergée au CROUS, résidence Les Lilas, chambre 12, 86000 Poitiers.", "86000 Poitiers", LabelAddress},
		{"recipient after the office's letterhead", "CAF de l'Ain\n4 rue Aristide-Briand, 01000 Bourg-en-Bresse Cedex\nMadame Odette Perrin\n7 chemin des Saules\n01250 Ceyzériat",
			"7 chemin des Saules", LabelAddress},
		{"signature after an office's address", "J'ai écrit à la CAF du Gers, 2 rue Victor-Hugo, 32000 Auch.\n\nRaymond Soulé\n18 route de Vic, 32000 Auch",
			"18 route de Vic, 32000 Auch", LabelAddress},
		{"home named with the office", "Je vis à la maison de ma mère, 3 allée des Pins, 64000 Pau, et la CAF ne répond pas.",
			"3 allée des Pins, 64000 Pau", LabelAddress},
		{"mobile after an office", "La MSA de Dordogne, 5 place du Marché, 24000 Périgueux, 06 44 18 27 93.", "06 44 18 27 93", LabelPhone},
		{"first person and a landline", "Je reste joignable à la mairie au 03 29 41 18 55 le matin.", "03 29 41 18 55", LabelPhone},
		{"signed landline", "Le service des impôts ne répond pas.\nMarcel Thibaud, 04 75 61 20 93", "04 75 61 20 93", LabelPhone},
		{"overseas mobile", "Standard de l'agence : 0694 21 33 57", "0694 21 33 57", LabelPhone},
		{"sole trader's SIRET after an office's name", "Je suis maçon, affilié à l'URSSAF, SIRET 482 619 337 00025.", "482 619 337 00025", LabelCaseID},
		{"where the office sent a letter", "La CAF a envoyé le courrier au 5 rue des Glycines, 26000 Valence alors que j'ai déménagé.",
			"5 rue des Glycines, 26000 Valence", LabelAddress},
		{"where the prefecture posted a card", "La préfecture a expédié mon titre au 12 allée Lamartine 95100 Argenteuil.",
			"12 allée Lamartine 95100 Argenteuil", LabelAddress},
		{"where the tax office writes", "Le centre des finances publiques écrit toujours au 40 rue Nationale, 37000 Tours.",
			"40 rue Nationale, 37000 Tours", LabelAddress},
		{"a file number labelled, then the office's name, stays masked", "Mon numéro de dossier à la CAF du Var 04 94 22 81 37 ne marche pas.",
			"04 94 22 81 37", LabelPhone},
		{"my own address after an office's name", "J'ai prévenu la CAF : j'habite 8 rue des Tulipes, 59300 Valenciennes.", "8 rue des Tulipes, 59300 Valenciennes", LabelAddress},
		{"lodged at an office's residence", "Je suis logée au CROUS, bâtiment C, 3 rue Lamartine, 63000 Clermont-Ferrand.", "3 rue Lamartine, 63000 Clermont-Ferrand", LabelAddress},
		{"mail lodged care of an association", "Domiciliation :\nc/o Restos du Cœur Antenne Est\n9 rue des Glaïeuls\n67100 Strasbourg",
			"c/o Restos du Cœur Antenne Est\n9 rue des Glaïeuls\n67100 Strasbourg", LabelAddress},
		{"lodged at a social hotel", "Je loge à l'Hôtel social Les Mouettes, 12 quai de la Fosse, 44000 Nantes.", "12 quai de la Fosse, 44000 Nantes", LabelAddress},
		{"one's home line in brackets", "Rappelez-moi au 04 76 21 38 90 (maison) après 18 h.", "04 76 21 38 90", LabelPhone},
		{"a signature's line under one's name", "Cordialement,\nJean Dupuis\nTél. 04 76 21 38 90", "04 76 21 38 90", LabelPhone},
		{"a family's mobile with « contactez-nous »", "Nous sommes trois enfants, contactez-nous au 06 71 22 48 90.", "06 71 22 48 90", LabelPhone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantSpan(t, tt.text, tt.value, tt.label) })
	}
}

// TestServiceMailboxes: an automatic sender, an office's mailbox on a town's or a public site, a large company's
// service mailbox and an office's code stay; an agent's or a small firm's own mailbox, or one with an initial
// and a surname, is personal (invented examples).
func TestServiceMailboxes(t *testing.T) {
	kept := []keptCase{
		{"automatic sender", "From: Mon espace <ne-pas-repondre@mon-espace-sante.fr>", "ne-pas-repondre@mon-espace-sante.fr"},
		{"town hall's mailbox", "À : accueil.mairie@montigny-le-roi.fr", "accueil.mairie@montigny-le-roi.fr"},
		{"welfare office at a town's site", "To: ccas@ville-quimperle.fr", "ccas@ville-quimperle.fr"},
		{"metropolis contact", "écrivez à contact@rouen-metropole.fr", "contact@rouen-metropole.fr"},
		{"insurer's claims", "À : declaration.sinistre@macif.fr", "declaration.sinistre@macif.fr"},
		{"consulate's desk abroad", "écrivez à visas.oran-fslt@diplomatie.gouv.fr", "visas.oran-fslt@diplomatie.gouv.fr"},
		{"treasury code", "envoyez un courriel à t031042@dgfip.finances.gouv.fr", "t031042@dgfip.finances.gouv.fr"},
		{"agency number", "À : ape.31042@francetravail.fr", "ape.31042@francetravail.fr"},
	}
	wantAllKept(t, kept)
	personal := []spanCase{
		{"an agent at a service", "écrire à sophie.girard@caf.fr", "sophie.girard@caf.fr"},
		{"initial and surname at a school", "De : p.tessier@ac-dijon.fr", "p.tessier@ac-dijon.fr"},
		{"small firm's contact", "devis : contact@menuiserie-lebrun.fr", "contact@menuiserie-lebrun.fr"},
		{"student at a university", "mail : aminata.kone@etu.univ-tours.fr", "aminata.kone@etu.univ-tours.fr"},
		{"student with a short surname", "my email ravi.jha@etud.univ-nantes.fr please", "ravi.jha@etud.univ-nantes.fr"},
		{"webmail with a service word", "mon mail : contact.mairie@gmail.com", "contact.mairie@gmail.com"},
		{"an adviser's number at a service", "renvoyez le CV à conseillere.40917@francetravail.fr avant lundi", "conseillere.40917@francetravail.fr"},
	}
	wantSpans(t, LabelEmail, personal)
}

// TestSignatureBlocks: the lines under a private person's name alone on its line, before the phone or the
// mailbox, are that person's address whatever their country's layout; an agent's signature has none, and a
// postcode and commune alone stay a POSTCODE_CITY (invented examples).
func TestSignatureBlocks(t *testing.T) {
	tests := []struct{ name, text, value, label string }{
		{"Belgian box number", "Merci.\n\nLucie Janssens\nAvenue des Tilleuls 41 bte 2, 1180 Uccle\n+32 476 10 20 30",
			"Avenue des Tilleuls 41 bte 2, 1180 Uccle", LabelAddress},
		{"estate and district abroad", "Cordialement,\nSofiane Haddad\nCité 300 logements, bât. 4, n° 9, Aïn Naadja, Alger\n+213 6 61 22 33 44",
			"Cité 300 logements, bât. 4, n° 9, Aïn Naadja, Alger", LabelAddress},
		{"farm name in capitals", "MERCI DE ME RÉPONDRE.\n\nGINETTE ROCHE\nLES GRANGES, 43200 YSSINGEAUX\n04 71 65 00 11",
			"LES GRANGES, 43200 YSSINGEAUX", LabelAddress},
		{"postcode alone", "Bonne journée,\nMaxime Lebreton\n35000 Rennes\nmaxime.lebreton@laposte.net", "35000 Rennes", LabelPostcodeCity},
		{"road's milestone and foreign postcode", "Mon père vit à Kairouan, route de Sousse km 3, 3100 Kairouan, il attend.",
			"route de Sousse km 3, 3100 Kairouan", LabelAddress},
		{"district on its own line", "Mme Payet\n12, chemin des Goyaviers\nBois de Nèfles\n97490 Sainte-Clotilde",
			"12, chemin des Goyaviers\nBois de Nèfles\n97490 Sainte-Clotilde", LabelAddress},
		{"district with particles between commas", "J'habite 8 rue Paul Doumer, Anse des Pêcheurs, 97139 Les Abymes.",
			"8 rue Paul Doumer, Anse des Pêcheurs, 97139 Les Abymes", LabelAddress},
		{"district between street and postcode", "J'habite 5 chemin des Mangues, Ravine-Blanche, 97410 Saint-Pierre depuis 2010.",
			"5 chemin des Mangues, Ravine-Blanche, 97410 Saint-Pierre", LabelAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantSpan(t, tt.text, tt.value, tt.label) })
	}
	wantKept(t, "Bien à vous,\nÉmilie, conseillère retraite\nCarsat Auvergne\n63036 Clermont-Ferrand Cedex 9", "63036 Clermont-Ferrand Cedex 9")
}
