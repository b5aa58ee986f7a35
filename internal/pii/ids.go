package pii

import (
	"strings"
	"unicode/utf8"
)

// Identifiers are personal by default: a run of five digits or more, whatever separates them, or a code mixing
// letters and digits of six characters or more, is masked unless it has a known safe form (an amount, a date, a
// year, a percentage, a legal reference, a Cerfa, a public service number, a postcode naming a place). The cue
// before it only chooses the label; with none, it is a case number.

// byDefault labels tokens a..b (s upper-cased, without separators) as an identifier when nothing more precise
// did, or returns "" for a safe form or something too short to identify anyone.
func (d *detector) byDefault(a, b int, s string, c cue) string {
	nd := countDigits(s)
	nl := len(s) - nd
	// A word before or after a number, « NIR 1234567 », « 123456 CAF », is not part of it: the run without it
	// is judged on its own.
	if a != b && (d.toks[a].lettersOnly() && d.gap(a) != "-" || d.toks[b].lettersOnly() && d.gap(b-1) != "-") && !d.codeJoined(a, b) {
		// …except the letters that start an identity document: « passeport FT 521874 ».
		if !(d.toks[a].lettersOnly() && d.toks[a].has(fUpper) && !d.toks[b].lettersOnly() && isDocCue(c)) {
			return ""
		}
	}
	switch {
	case nd >= 5:
	case nd > 0 && nl > 0 && len(s) >= 6 && (a == b || d.codeJoined(a, b)):
		if a == b && safeWordCode(d.toks[a].key) {
			return ""
		}
		if a != b && c == cueNone && d.formName(a, b) {
			return "" // « 2042-C-PRO », a form's name
		}
	default:
		return ""
	}
	if d.safeNumber(a, b, s, c) {
		return ""
	}
	switch c {
	case cuePhone:
		if nl == 0 && nd >= 9 && nd <= 13 {
			return LabelPhone
		}
	case cueSecu:
		if nd >= 12 {
			return LabelNIR
		}
	case cueIBAN:
		// « compte » also introduces a contributor's account at URSSAF: a bank account is an IBAN's length or
		// starts with its country.
		if len(s) >= 20 || len(s) >= 14 && isUpper(s[0]) && isUpper(s[1]) {
			return LabelIBAN
		}
	case cueCard:
		if nd >= 13 && nl == 0 {
			return LabelCard
		}
	case cueFiscal:
		if nd >= 12 && nl == 0 {
			return LabelTaxID
		}
	case cuePassport, cueCNI, cueSejour, cuePermis:
		return LabelIDDoc
	case cuePlate:
		if len(s) <= 9 {
			return LabelPlate
		}
	}
	if nl == 0 && (nd == 9 || nd == 11) && s[0] == '0' && s[1] != '0' && s[1] != '8' && !d.signedNumber(a) {
		return LabelPhone // a mobile or landline with a digit missing or one too many
	}
	if nl > 0 && b-a >= 3 && phoneWithLetters(s) {
		return LabelPhone // « 06 12 47 88 3O », « 02 54 46 xx 13 »
	}
	// The shapes of identity cards (9 letters and digits since 2021, 12 digits before), the card named earlier in
	// the text: « Demande de carte d'identité … La nouvelle carte (X4RT8P2K9) ».
	if (len(s) == 9 && nl >= 1 && nd >= 1 && a == b || len(s) == 12 && nl == 0) && d.docEarlier(a) {
		return LabelIDDoc
	}
	return LabelCaseID
}

// phoneWithLetters reports ten characters laid out as a French phone number in which letters stand for digits:
// a capital O typed for a zero, x for digits the writer hid or did not remember. s is upper-cased.
func phoneWithLetters(s string) bool {
	if len(s) != 10 || s[0] != '0' && s[0] != 'O' || s[1] < '1' || s[1] > '9' {
		return false
	}
	nd := 0
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
			nd++
		case s[i] != 'O' && s[i] != 'X':
			return false
		}
	}
	return nd >= 6
}

// docEarlier reports an identity document named in the 400 bytes before token a: an identity card, a passport,
// a residence permit or its receipt, a driving licence.
func (d *detector) docEarlier(a int) bool {
	before := strings.ToLower(d.text[max(0, d.toks[a].start-400):d.toks[a].start])
	for _, w := range []string{"identit", "cni", "passeport", "séjour", "sejour", "récépissé", "recepisse", "permis de conduire", "titre de"} {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

// codeJoined reports whether tokens a..b are glued by dashes, dots, slashes or underscores without a space:
// « PJ-2024-A55 », not « CAF 2024 ».
func (d *detector) codeJoined(a, b int) bool {
	for k := a; k < b; k++ {
		g := d.gap(k)
		if g != "-" && g != "/" && g != "." && g != "_" && g != "\u2011" {
			return false
		}
	}
	return true
}

// safeWordCode reports letter-digit words that identify nobody: ordinals, quantities with their unit glued,
// times, a few names of things.
func safeWordCode(k string) bool {
	i := 0
	for i < len(k) && isDigit(k[i]) {
		i++
	}
	if i > 0 && i < len(k) {
		switch k[i:] {
		case "e", "eme", "er", "ere", "ieme", "nd", "nde", "km", "kg", "mg", "g", "h", "min", "mn", "ans", "an", "mois",
			"jours", "j", "euros", "euro", "eur", "k", "ke", "m", "m2", "m3", "cm", "mm", "go", "mo", "ko", "gb", "mb",
			"ml", "cl", "l", "s", "sec", "x", "pm", "am", "pct", "hab", "personnes", "ttc", "ht", "kwh", "w", "kw", "v":
			return true
		}
		if timeLike(k) {
			return true
		}
	}
	switch k {
	case "covid19", "covid2019", "sarscov2", "h1n1":
		return true
	}
	return false
}

// legalWords announce a reference to a text or a form: the number after them is public.
var legalWords = set(`article articles art loi lois decret decrets arrete arretes circulaire circulaires ordonnance
	cerfa formulaire formulaires jorf jo directive reglement deliberation alinea al nor bofip boi bo ue ce cee
	vol train tgv ter intercites ouigo tram bus navette rer instruction instructions vols trains lc`)

// transportWords name a train, a flight or a bus: the short number after them is public, a long code is a
// booking's.
var transportWords = set(`vol train tgv ter intercites ouigo tram bus navette rer vols trains`)

// courtWords name a court's decision: its number, « 24/01583 », is the case's reference, not a public text's.
var courtWords = set(`ordonnance jugement arret`)

// legalAdjectives qualify a text between its kind and its number: « arrêté préfectoral n° … ».
var legalAdjectives = set(`prefectoral prefectorale municipal municipale ministeriel ministerielle interministeriel
	interministerielle organique modificatif modificative rectificatif rectificative royal europeen europeenne
	communautaire`)

// safeNumber reports whether tokens a..b are a known safe form.
func (d *detector) safeNumber(a, b int, s string, c cue) bool {
	if d.amountAfter(b) || d.amountBefore(a) {
		return true
	}
	// A count of things grouped by thousands: « 48 210 demandes », « 12 004 dossiers traités ».
	if a < b && d.amountShape(a, b) && b+1 < len(d.toks) && countNouns[d.toks[b+1].key] && strings.TrimSpace(d.gap(b)) == "" {
		return true
	}
	// A round quantity grouped by thousands: « 10 000 habitants », « 45 000 nairas la page », « 1 200 000 ». No
	// file or account number is written in thousands ending in « 000 », unless a label says so.
	if a < b && c == cueNone && d.amountShape(a, b) && d.roundThousands(a, b) {
		return true
	}
	// A quarter or a half-year of a year: « le T4 2024 », « cotisations du T3 2023 », « S1 2025 ».
	if b == a+1 && periodOfYear(d.toks[a].key) && d.toks[b].digitsOnly() && d.toks[b].end-d.toks[b].start == 4 &&
		(d.toks[b].key[:2] == "19" || d.toks[b].key[:2] == "20") && strings.TrimSpace(d.gap(a)) == "" {
		return true
	}
	// An amount said by its word, without its currency: « RFR 14 860 », « revenu fiscal de référence : 31 420 ».
	if a < b && d.toks[a].lettersOnly() && amountWords[d.toks[a].key] && d.amountShape(a+1, b) || d.amountShape(a, b) && d.amountWordBefore(a) {
		return true
	}
	// A bank's BIC is the bank's: « BIC CEPAFRPP145 ».
	if a == b && (len(s) == 8 || len(s) == 11) && a > 0 && (d.toks[a-1].key == "bic" || d.toks[a-1].key == "swift") {
		return true
	}
	// A code given as the shape expected, not as anyone's: « le format AB-123-CD », « par exemple 1234 AB 56 ».
	if countDigits(s) < len(s) && d.exampleBefore(a) {
		return true
	}
	// Years only: « 2019-2020 », « 2021 2022 2023 ».
	years := true
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		if !t.digitsOnly() || t.end-t.start != 4 || !(t.key[:2] == "19" || t.key[:2] == "20") {
			years = false
			break
		}
	}
	if years {
		return true
	}
	// Opening hours: « 9h00-12h00 », « 8h30-12h30 13h30-16h30 ».
	hours := true
	for k := a; k <= b; k++ {
		if !timeLike(d.toks[k].key) {
			hours = false
			break
		}
	}
	if hours {
		return true
	}
	// National short numbers of five or six digits: « signalez ces SMS au 33700 », « 116 006 ».
	if (len(s) == 5 || len(s) == 6) && publicShortNumbers[s] {
		return true
	}
	// Public service numbers: 08 numbers belong to organisations (0 800, 0 806, 0 809…).
	if len(s) == 10 && s[0] == '0' && s[1] == '8' && allDigits(s) {
		return true
	}
	// 09 69 numbers are the non-premium lines of services; any number said to be free or at a call's price is
	// a service's: « 09 72 72 21 21 (appel non surtaxé) ».
	if len(s) == 10 && s[0] == '0' && allDigits(s) && (strings.HasPrefix(s, "0969") || d.serviceLineAfter(b, s[1] == '6' || s[1] == '7') ||
		s[1] != '6' && s[1] != '7' && d.ownerAfter(b) ||
		s[1] != '6' && s[1] != '7' && d.serviceLineBefore(a)) {
		return true
	}
	// A legal reference or a form: « décret n° 2019-1234 », « cerfa 15186*03 », « article L262-1 ». Not a number
	// shaped like a phone, nor a field's value after a colon (« sur le formulaire : 06 45 21 873 »), nor a long
	// code after a train or a flight.
	phoneShape := allDigits(s) && s[0] == '0' && len(s) >= 9 && len(s) <= 11
	for k := a - 1; k >= 0 && k >= a-5 && !phoneShape; k-- {
		t := &d.toks[k]
		if t.in(tagLegal | tagCourt) {
			if transportWords[t.key] && len(s) > 6 {
				break
			}
			if (t.key == "ue" || t.key == "ce" || t.key == "cee") && k > 0 && (isDocCue(numberCues[d.toks[k-1].key]) || d.toks[k-1].key == "carte") {
				break // « carte de séjour UE n° … »: a document issued under EU law, not the text's number
			}
			if t.in(tagCourt) && strings.Contains(d.text[d.toks[a].start:d.toks[b].end], "/") {
				break // « ordonnance IP n° 24/01583 »: a court's docket number (texts are numbered 2020-1234)
			}
			if !t.in(tagLegal) {
				break
			}
			if strings.Contains(d.text[t.end:d.toks[a].start], ":") && t.key != "cerfa" && t.key != "nor" {
				break
			}
			return true
		}
		// Only « n° », « no », the L./R./D. of an article, an issuer's acronym or a text's adjective may stand
		// between the word and the number: « délibération CNIL n° 2019-160 », « arrêté préfectoral n° 12345 ».
		switch {
		case t.key == "n" || t.key == "no" || t.key == "numero" || t.key == "l" || t.key == "r" || t.key == "d":
			continue
		case t.key == "et" || t.key == "ou" || t.digitsOnly():
			continue // a list: « les trains 871 547 et 871 551 »
		case timeLike(t.key) || t.key == "de" || t.key == "du":
			continue // « le train de 6h47 (n° 847103) »
		case t.lettersOnly() && t.has(fUpper) && t.end-t.start >= 2 && t.end-t.start <= 6, t.in(tagLegalAdj):
			continue
		}
		break
	}
	// The SIRET or SIREN of an administration named beside it is public: « le SIRET de la CAF de Paris est … ».
	if (len(s) == 9 || len(s) == 14) && allDigits(s) && (c == cueSiret || d.hasCueNear(a, cueSiret)) {
		for k, n := a-1, 0; k >= 0 && n < 8; k, n = k-1, n+1 {
			if key := d.toks[k].key; publicDomains[key] || institutions[key] || key == "mairie" || key == "commune" {
				return true
			}
			if numberCues[d.toks[k].key] == cueSiret {
				break
			}
		}
	}
	// « L262-1 » written without its article; not a document's number (« passeport n° R0218843 »): articles are
	// numbered from 1, on four digits at most.
	if a == b && len(s) >= 2 && len(s) <= 6 && (s[0] == 'L' || s[0] == 'R' || s[0] == 'D') && allDigits(s[1:]) && s[1] != '0' && !isDocCue(c) {
		return true
	}
	// A postcode alone, no cue before it: a place (« l'agence de Roubaix 59100 », « le 93 »). Not a number given
	// as one: « n° d'écrou 48217 », « numéro 48217 » (a postcode is never « numéro »).
	if a == b && len(s) == 5 && allDigits(s) && postcodeOK(s) && c == cueNone && !d.numberSignBefore(a) {
		return true
	}
	return false
}

// numberSignBefore reports « n° », « no », « numéro » in the three words before token a, in the same clause:
// « n° d'écrou 48217 », « mon numéro est le 48217 ».
func (d *detector) numberSignBefore(a int) bool {
	for k := a - 1; k >= 0 && k >= a-3; k-- {
		if containsAny(d.gap(k), ",;.!?()\n") || d.toks[k].has(fDigit) {
			return false
		}
		if key := d.toks[k].key; key == "numero" || key == "num" || d.numberSign(k) {
			return true
		}
	}
	return false
}

// numberSign reports whether token k is the sign « n° » (« nº », « No »).
func (d *detector) numberSign(k int) bool {
	switch d.toks[k].key {
	case "n":
		g := d.gap(k)
		return strings.HasPrefix(g, "°") || strings.HasPrefix(g, "º")
	case "no":
		return d.text[d.toks[k].start] == 'N'
	}
	return false
}

// signedNumber reports a number written right after « n° », maybe after the short capitals of its kind (« n° PV
// 0712 449 381 »), with no phone word before: « Livret A n° 0445 8821 307 », « titre de séjour n° 0692145873 ». A
// phone is « mon numéro 06… », « tél. n° 06… », never a bare « n° 06… ».
func (d *detector) signedNumber(a int) bool {
	k := a - 1
	if k > 0 && d.toks[k].lettersOnly() && d.toks[k].has(fUpper) && d.toks[k].end-d.toks[k].start <= 3 && !d.numberSign(k) {
		k--
	}
	if k < 0 || !d.numberSign(k) || strings.ContainsAny(d.gap(k), "\n") {
		return false
	}
	return !d.hasCueNear(k, cuePhone)
}

// countNouns are what an office counts in its figures: « 48 210 demandes ».
var countNouns = set(`demandes dossiers appels usagers visites passages contacts courriers reclamations allocataires
	beneficiaires foyers familles accompagnements rendez-vous entretiens connexions recours`)

// roundThousands reports tokens a..b, grouped by thousands, whose groups after the first are all « 000 ».
func (d *detector) roundThousands(a, b int) bool {
	for k := a + 1; k <= b; k++ {
		if d.toks[k].key != "000" {
			return false
		}
	}
	return true
}

// periodOfYear reports a quarter or a half-year as payroll and contribution returns write them: « T1 »…« T4 »,
// « S1 », « S2 ».
func periodOfYear(k string) bool {
	return len(k) == 2 && (k[0] == 't' && k[1] >= '1' && k[1] <= '4' || k[0] == 's' && (k[1] == '1' || k[1] == '2'))
}

// publicShortNumbers are the national short numbers longer than four digits: spam reports, European helplines.
var publicShortNumbers = set(`33700 116000 116006 116111 116117 116123`)

// amountWords name a sum of money.
var amountWords = set(`rfr revenu revenus montant montants salaire salaires ressources plafond quotient somme total loyer
	solde net brut`)

// amountShape reports digits grouped as a sum is: one group of six digits at most, or thousands after a first
// group of one to three digits.
func (d *detector) amountShape(a, b int) bool {
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		l := t.end - t.start
		if !t.digitsOnly() || k == a && l > 6 || k > a && (l != 3 || d.toks[a].end-d.toks[a].start > 3) {
			return false
		}
		if k > a && strings.TrimSpace(d.gap(k-1)) != "" && d.gap(k-1) != "." {
			return false
		}
	}
	return true
}

// amountWordBefore reports a word naming a sum in the few words before token a, in the same clause.
func (d *detector) amountWordBefore(a int) bool {
	for k, n := a-1, 0; k >= 0 && n < 6; k, n = k-1, n+1 {
		if containsAny(d.gap(k), ".!?\n;") || d.toks[k].has(fDigit) || d.toks[k].in(tagCue) && !d.toks[k].in(tagLegal) &&
			d.toks[k].key != "fiscal" && d.toks[k].key != "reference" {
			return false // « le montant de mon dossier 123456 »: the file's number (the RFR's words are no cue)
		}
		if amountWords[d.toks[k].key] {
			return true
		}
	}
	return false
}

// exampleBefore reports a word right before token a that presents what follows as a format or an example.
func (d *detector) exampleBefore(a int) bool {
	for k, n := a-1, 0; k >= 0 && n < 2; k, n = k-1, n+1 {
		if containsAny(d.gap(k), ".!?\n") {
			return false
		}
		switch d.toks[k].key {
		case "format", "exemple", "ex", "modele", "type":
			return true
		case "du", "de", "le", "un":
			continue
		}
		return false
	}
	return false
}

// serviceLineAfter reports words right after token b that describe a service's line: « non surtaxé »,
// « service gratuit », « prix d'un appel », « appel local ».
func (d *detector) serviceLineAfter(b int, mobile bool) bool {
	rest := d.text[d.toks[b].end:]
	rest = strings.ToLower(rest[:min(len(rest), 48)])
	if i := strings.IndexAny(rest, ".!?\n"); i >= 0 {
		rest = rest[:i]
	}
	for _, w := range []string{"surtax", "gratuit", "prix d'un appel", "prix d’un appel", "appel local", "numéro vert", "numero vert"} {
		if strings.Contains(rest, w) {
			return true
		}
	}
	// A landline said to be always busy is a service's, not the citizen's own: « le 09 71 10 20 10 est saturé ».
	if !mobile {
		for _, w := range []string{"satur", "ne répond", "ne repond", "injoignable", "sonne dans le vide", "toujours occupé"} {
			if strings.Contains(rest, w) {
				return true
			}
		}
	}
	return false
}

// serviceOwners are the services whose switchboard a number is when it is said to be theirs: « le +213 21 98 15
// 00 du consulat », « le 01 45 … de la préfecture ».
var serviceOwners = set(`consulat ambassade prefecture sous mairie caf cpam urssaf msa carsat tribunal greffe hopital
	standard service services accueil agence centre commissariat gendarmerie banque poste`)

// ownerAfter reports a service named as the owner of the number ending at token b: « du consulat »,
// « de la préfecture », « de l'ambassade ».
func (d *detector) ownerAfter(b int) bool {
	k := b + 1
	if k >= len(d.toks) || strings.TrimSpace(d.gap(b)) != "" {
		return false
	}
	switch d.toks[k].key {
	case "du":
		k++
	case "de":
		k++
		if k < len(d.toks) && (d.toks[k].key == "la" || d.toks[k].key == "l") {
			k++
		}
	default:
		return false
	}
	return k < len(d.toks) && serviceOwners[d.toks[k].key]
}

// serviceLineBefore reports, in the words just before token a, a service's switchboard or its line from abroad:
// « depuis l'étranger au 09 71 10 39 60 », « le standard de la mairie, 03 … ».
func (d *detector) serviceLineBefore(a int) bool {
	for k, n := a-1, 0; k >= 0 && n < 6; k, n = k-1, n+1 {
		if containsAny(d.gap(k), ".!?\n") {
			return false
		}
		switch d.toks[k].key {
		case "etranger":
			// « depuis l'étranger au … », not « mon numéro étranger … »
			return k >= 2 && d.toks[k-1].key == "l" && (d.toks[k-2].key == "depuis" || d.toks[k-2].key == "de")
		case "standard", "plateforme", "hotline", "serveur", "accueil", "conseillers":
			return true
		case "mon", "ma", "mes", "perso", "personnel", "portable", "joindre", "joignable", "rappeler", "rappelez":
			return false
		}
	}
	return false
}

// amountAfter reports a currency or a percentage right after token b, decimals allowed: « 12 000,50 € ».
func (d *detector) amountAfter(b int) bool {
	rest := d.text[d.toks[b].end:]
	// decimals: « ,50 », « .5 »
	if len(rest) >= 2 && (rest[0] == ',' || rest[0] == '.') && isDigit(rest[1]) {
		i := 1
		for i < len(rest) && i < 4 && isDigit(rest[i]) {
			i++
		}
		rest = rest[i:]
	}
	for n := 0; len(rest) > 0 && n < 3; n++ {
		r, size := utf8.DecodeRuneInString(rest)
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			rest = rest[size:]
			continue
		}
		break
	}
	if rest == "" {
		return false
	}
	switch rest[0] {
	case '%', '$':
		return true
	case 0xE2, 0xC2, 'e', 'E', 'k', 'K', 'p', 'P', 'c', 'C': // €, £ and the words below
	default:
		return false // most numbers: no lower-casing, no allocation
	}
	switch {
	case strings.HasPrefix(rest, "€"), strings.HasPrefix(rest, "£"):
		return true
	}
	w := strings.ToLower(rest[:min(len(rest), 12)])
	for _, u := range []string{"euro", "eur ", "eur.", "eur,", "keur", "k€", "pourcent", "pour cent", "centimes"} {
		if strings.HasPrefix(w, u) {
			return true
		}
	}
	return w == "eur"
}

// amountBefore reports a currency sign just before token a: « € 12 000 », « EUR 15000 ».
func (d *detector) amountBefore(a int) bool {
	before := strings.TrimRight(d.text[max(0, d.toks[a].start-6):d.toks[a].start], " \u00a0\u202f")
	return strings.HasSuffix(before, "€") || strings.HasSuffix(before, "EUR") || strings.HasSuffix(before, "$")
}

// dateAt reports a date written as digits starting at token a (not beyond j): dd/mm/yyyy, dd.mm.yy,
// yyyy-mm-dd, with one separator kind; a fourth group after the same separator makes it a phone, not a date.
func (d *detector) dateAt(a, j int) (int, bool) {
	if a+2 > j {
		return 0, false
	}
	t0, t1, t2 := &d.toks[a], &d.toks[a+1], &d.toks[a+2]
	if !t0.digitsOnly() || !t1.digitsOnly() || !t2.digitsOnly() {
		return 0, false
	}
	g0, g1 := d.gap(a), d.gap(a+1)
	if g0 != g1 || !(g0 == "/" || g0 == "." || g0 == "-" || g0 == " ") {
		return 0, false
	}
	if a > 0 && d.toks[a-1].digitsOnly() && d.gap(a-1) == g0 && g0 != " " {
		return 0, false // « 2.24.03.75.114.287.24 »: groups of a longer number, not a date
	}
	l0, l1, l2 := t0.end-t0.start, t1.end-t1.start, t2.end-t2.start
	ok := false
	switch {
	case l0 <= 2 && l1 <= 2 && (l2 == 2 || l2 == 4):
		dd, mm := atoi2(t0.key), atoi2(t1.key)
		ok = dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12 || dd == 0 && mm == 0 && l2 == 4 // « 00/00/1948 »: an unknown day
		// A year of four digits is of the last centuries: « 1 64 03 12 0044 » holds no date.
		ok = ok && (l2 == 2 || t2.key[0] == '1' && t2.key[1] >= '8' || t2.key[:2] == "20")
	case l0 == 4 && l1 <= 2 && l2 <= 2:
		mm, dd := atoi2(t1.key), atoi2(t2.key)
		ok = (t0.key[:2] == "19" || t0.key[:2] == "20") && dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12
	}
	if !ok {
		return 0, false
	}
	if a+3 <= j && d.gap(a+2) == g0 && d.toks[a+3].digitsOnly() && d.toks[a+3].end-d.toks[a+3].start <= 2 {
		return 0, false // « 06 12 34 56 78 »
	}
	if g0 == " " && l2 == 2 {
		return 0, false // « 06 12 34 » is more often a phone cut short than a date
	}
	return a + 2, true
}

func isDocCue(c cue) bool {
	return c == cuePassport || c == cueCNI || c == cueSejour || c == cuePermis
}

// formName reports a tax form's name: one group of 3 or 4 digits and groups of letters only, « 2042-C-PRO ».
func (d *detector) formName(a, b int) bool {
	digitGroups := 0
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		switch {
		case t.digitsOnly() && t.end-t.start >= 3 && t.end-t.start <= 4:
			digitGroups++
		case t.lettersOnly():
		default:
			return false
		}
	}
	return digitGroups == 1 && d.toks[a].digitsOnly()
}
