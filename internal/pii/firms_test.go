package pii

import "testing"

// TestFirmsAndFiguresKept: a firm named where a firm stands (after an employer's or a firm's word, its legal form,
// « chez » in a sentence about work), an office's town or département, a town abroad in its French name and a
// president or prime minister named in full are nobody's personal data (invented examples).
func TestFirmsAndFiguresKept(t *testing.T) {
	wantAllKept(t, []keptCase{
		{"employer's word", "Mon employeur Dalkia Nord refuse de signer l'attestation.", "Dalkia Nord"},
		{"landlord", "J'ai une dette de loyer (bailleur Logirem) de 900 €.", "Logirem"},
		{"temp agency", "L'agence d'intérim Proman Carvin a envoyé une attestation fausse.", "Proman Carvin"},
		{"firm's acronym opening the name", "L'aide à domicile passe par le SSIAD Valmy deux fois par semaine.", "SSIAD Valmy"},
		{"legal form", "Courrier de la SCP Berthier & Lacombe, huissiers à Rodez.", "Berthier & Lacombe"},
		{"work then « chez »", "J'ai travaillé quinze ans chez Lactalis avant mon licenciement.", "Lactalis"},
		{"quarters then « chez »", "La caisse ne trouve pas mes trimestres chez Peugeot Sochaux.", "Peugeot Sochaux"},
		{"département after « de l' »", "Il faut écrire au conseil départemental de l'Aude pour l'APA.", "Aude"},
		{"office's town past « pour »", "Audience au tribunal pour enfants de Beauvais le 3 juin.", "Beauvais"},
		{"town abroad in French", "Le consulat de France à Hô Chi Minh-Ville ne répond pas.", "Hô Chi Minh-Ville"},
		{"president in full", "J'ai entendu Emmanuel Macron parler de la réforme à la radio.", "Emmanuel Macron"},
		{"date of a mail header", "Sent: Thursday, 6 November 2025 10:12\nSubject: dossier", "November"},
	})
}

// TestFirmSlotsKeepPersons: a person stays masked where a firm could stand: a frequent first name after the
// employer's word or « chez », a name found elsewhere inside a firm's name, a word of a town also in a name.
func TestFirmSlotsKeepPersons(t *testing.T) {
	wantSpans(t, LabelPerson, []spanCase{
		{"private employer", "Pajemploi : parent employeur Fatoumata Keïta, salariée depuis mars.", "Fatoumata Keïta"},
		{"nanny at a family's", "Je travaille chez Sandrine depuis deux ans comme nounou.", "Sandrine"},
		{"notary's name in the firm", "De : Maître Hélène CASTAING\nObjet : succession\n\nÉtude SCP Castaing & Morel, notaires", "Castaing"},
		{"word of a town abroad also in a name", "Le consulat à Hô Chi Minh-Ville attend. Je suis son fils, Trần Minh Đức.", "Minh"},
	})
}

// TestQuantitiesAndRegistrationsKept: a round quantity in thousands, a quarter of a year and an office's or a
// firm's SIREN or SIRET stay in the text (invented examples).
func TestQuantitiesAndRegistrationsKept(t *testing.T) {
	wantAllKept(t, []keptCase{
		{"round thousands", "La région annonce 20 000 places de formation cette année.", "20 000"},
		{"round thousands in a currency's name", "La traduction revient à 150 000 francs CFA à Dakar.", "150 000"},
		{"quarter", "J'ai déclaré le T2 2025 en retard, la majoration tombe.", "T2 2025"},
		{"half-year", "Les cotisations du S1 2024 sont régularisées.", "S1 2024"},
		{"office's SIRET after the label", "Réponse de la caisse (SIRET de l'organisme 534 120 987 00011).", "534 120 987 00011"},
		{"association's SIRET", "Le SIRET 533 201 448 00027 de l'association Les Amis du Rail est à jour.", "533 201 448 00027"},
		{"employer's SIRET after its legal form", "Employeur : SARL Boulangerie Vidal, SIRET 529 441 082 00015\nSalarié : …",
			"529 441 082 00015"},
	})
}

// TestPrivateRegistrationsMasked: a sole trader's SIRET and a labelled round number stay masked.
func TestPrivateRegistrationsMasked(t *testing.T) {
	wantSpans(t, LabelCaseID, []spanCase{
		{"micro-enterprise", "Micro-entreprise de couture, SIRET 851 204 377 00019. L'Urssaf me réclame 900 €.", "851 204 377 00019"},
		{"own SIRET", "Je suis auto-entrepreneur, mon SIRET 851 204 377 00019 est bloqué par l'Urssaf.", "851 204 377 00019"},
		{"a number after another office's number", "Numéro MSA 1 71 03 22 145 009, SIRET de l'exploitation 481 225 913 00012.",
			"481 225 913 00012"},
		{"labelled round number", "Mon numéro allocataire 1 000 000 est bloqué.", "1 000 000"},
	})
}

// TestBodiesAfterArticlesKept: a body's name after an article or after an office's acronym, an office's acronym
// after a role, are nobody's name (invented examples).
func TestBodiesAfterArticlesKept(t *testing.T) {
	wantAllKept(t, []keptCase{
		{"foreign body after an article", "J'ai envoyé le formulaire de la Deutsche Rentenversicherung en mai.", "Deutsche Rentenversicherung"},
		{"branch after an office's acronym", "Une réunion avec la CCI Grand Hainaut est prévue lundi.", "Grand Hainaut"},
		{"office after a role", "Prochaine permanence de la conseillère MSA le 3 mars.", "MSA"},
	})
	wantSpans(t, LabelPerson, []spanCase{
		{"Vietnamese « là » is no article", "Xin chào. Tôi là Trần Văn Đức. Je demande ma retraite.", "Trần Văn Đức"},
	})
}
