package pii

import (
	"slices"
	"sort"
	"strings"
)

// What belongs to an administration stays in the text: agents' replies, letters citizens forward and texts from
// abroad give the office's postal address, its switchboard and its mailbox, and none of them is anybody's. An
// address, a postcode or a phone is the office's when it stands in apposition to the office's name (« CAF du
// Rhône, 67 boulevard Vivier-Merle », a letterhead line) or is given as the office's (« joignable au », « Standard
// : », « (ou … depuis l'étranger) »). Anything a private person could have said of their own home or line — a
// cue such as « j'habite », « chez », « mon », a name right before — keeps it masked: a doubt masks.

// officeHeads name a public body or one of its places: the head of a phrase that an office's address follows.
var officeHeads = set(`caf cpam cnam msa urssaf carsat cnav crous mdph anah antai ants ofii ofpra cfe cgss cssm cps
	ccas cias pmi pij sip sie spf sdif dgfip drfip ddfip tresorerie agirc arrco ircantec cnracl cicas dreets ddets
	prefecture sous-prefecture prefet prefete tribunal greffe mairie hotel ville metropole departement region
	centre agence service services direction maison pole bureau bureaux accueil antenne caisse consulat ambassade
	consulaire institut commissariat gendarmerie caserne banque succursale secretariat permanence guichet
	section commission casier habitat office siege locaux delegation daaf anef cnaf conseil espace collectivite
	tresor cfe rectorat academie cci cma`)

// privateCues say that what follows is someone's own place or line.
var privateCues = set(`habite habites habitons habitez habitent habitait domicile domicilie domiciliee domicilies
	domiciliees demeurant demeure reside residant residante adresse demenage demenagee demenages vis vit vivons
	vivent vivait loge logee logees loges logeons logent heberge hebergee heberges hebergees chez moi je j me m mon ma mes
	rappelez rappeler recontacter o`)

// privateAt reports a private cue at token k: « m' » and « j' » only as elisions (« M. » is a title), « domicile »
// not in « aide à domicile ».
func (d *detector) privateAt(k int) bool {
	t := &d.toks[k]
	if !privateCues[t.key] {
		return false
	}
	switch t.key {
	case "m", "j":
		g := d.gap(k)
		return strings.HasPrefix(g, "'") || strings.HasPrefix(g, "’")
	case "o":
		return k > 0 && d.toks[k-1].key == "c" && d.gap(k-1) == "/" // « c/o », care of: someone's mail lodged there
	case "domicile":
		return k == 0 || d.toks[k-1].key != "a"
	case "adresse":
		// « écrivez-nous à l'adresse ci-dessous », « notre adresse » name no one's home; « votre adresse », « mon
		// adresse », « adresse : » do.
		return k == 0 || !neutralDeterminers[d.toks[k-1].key]
	}
	return true
}

// neutralDeterminers, before « adresse », leave it nobody's in particular.
var neutralDeterminers = set(`l la une cette cet notre nos`)

// identifierLabels name an identifier: a phrase holding one belongs to a citizen's file, not to an office.
var identifierLabels = set(`num numero allocataire dossier reference ref identifiant matricule secu nir`)

// phoneLabels introduce an office's line: « Standard : », « Renseignements : ».
var phoneLabels = set(`standard renseignements fax`)

// dropOffices removes the candidates that are an office's address, postcode or phone, with whatever other
// candidate lies inside them, and keeps their ranges in d.public so that the second pass leaves them too.
func (d *detector) dropOffices() {
	// The firms the name rules left are released like an office's words: the tagger does not take them up. A
	// name found elsewhere in the text stays masked inside them (repeatNames): « SCP Castaing & Morel » after
	// « Maître Hélène Castaing ».
	d.public = pairsSorted(d.orgs)
	if len(d.cands) == 0 {
		return
	}
	persons := make([]int, 0, 16) // [start, end) pairs of the name candidates, sorted
	for _, c := range d.cands {
		if c.label() == LabelPerson {
			persons = append(persons, c.start, c.end)
		}
	}
	d.names = pairsSorted(persons)
	var drop []int
	// Addresses first: a phone after an office's address is the office's.
	for _, c := range d.cands {
		if c.label() == LabelAddress || c.label() == LabelPostcodeCity {
			if s, ok := d.officeAddress(c.start); ok || d.sortingCode(c.start, c.end) || d.cedexOffice(c.start, c.end) {
				drop = append(drop, s, c.end)
			}
		}
	}
	d.officeAddrs = pairsSorted(slices.Clone(drop))
	for _, c := range d.cands {
		if c.label() == LabelCaseID && (d.officeRegistration(c.start) || d.firmRegistration(c.start, c.end)) {
			drop = append(drop, c.start, c.end)
		}
	}
	for _, c := range d.cands {
		if (c.label() == LabelPhone || c.label() == LabelCaseID && d.bareLine(c.start, c.end)) && d.officePhone(c.start, c.end) {
			drop = append(drop, c.start, c.end)
		}
	}
	if len(drop) == 0 {
		return
	}
	drop = pairsSorted(drop)
	kept := d.cands[:0]
	for _, c := range d.cands {
		// A bank account or card is nobody's office: « Banque : 30004 » read as a town's postcode leaves the
		// field of a RIB masked.
		if !insidePairs(drop, c.start, c.end) || c.label() == LabelIBAN || c.label() == LabelCard {
			kept = append(kept, c)
		}
	}
	d.cands = kept
	d.public = pairsSorted(append(drop, d.orgs...))
}

// pairsSorted sorts [start, end) pairs by start.
func pairsSorted(p []int) []int {
	type pr struct{ a, b int }
	ps := make([]pr, len(p)/2)
	for i := range ps {
		ps[i] = pr{p[2*i], p[2*i+1]}
	}
	slices.SortFunc(ps, func(x, y pr) int { return x.a - y.a })
	for i, x := range ps {
		p[2*i], p[2*i+1] = x.a, x.b
	}
	return p
}

// insidePairs reports whether [s, e) lies within one of the sorted pairs p.
func insidePairs(p []int, s, e int) bool {
	// Pairs may nest (a phone inside an address) but are short: a few before s are enough to look at.
	i := sort.Search(len(p)/2, func(i int) bool { return p[2*i] > s }) - 1
	for n := 0; i >= 0 && n < 8; i, n = i-1, n+1 {
		if p[2*i] <= s && e <= p[2*i+1] {
			return true
		}
	}
	return false
}

// overlapsPairs reports whether [s, e) meets one of the sorted pairs p.
func overlapsPairs(p []int, s, e int) bool {
	i := sort.Search(len(p)/2, func(i int) bool { return p[2*i] >= e }) - 1
	for n := 0; i >= 0 && n < 8; i, n = i-1, n+1 {
		if p[2*i+1] > s {
			return true
		}
	}
	return false
}

// tokAt returns the index of the first token starting at or after byte s.
func (d *detector) tokAt(s int) int {
	return sort.Search(len(d.toks), func(k int) bool { return d.toks[k].start >= s })
}

// sentenceEndAfter reports that the gap after token k ends a sentence or a paragraph.
func (d *detector) sentenceEndAfter(k int) bool {
	g := d.gap(k)
	if containsAny(g, "!?…") || strings.Count(g, "\n") >= 2 {
		return true
	}
	if strings.Contains(g, ".") {
		t := &d.toks[k]
		return !(abbreviations[t.key] || t.has(fInitial) || addressWords[t.key] || abbreviatedStreet[t.key] || phoneLabels[t.key] ||
			t.key == "tel" || t.key == "telephone")
	}
	return false
}

// phraseBreakAfter reports that the gap after token k separates two phrases: a comma, a dash between spaces,
// a bracket, a colon, a line break.
func (d *detector) phraseBreakAfter(k int) bool {
	g := d.gap(k)
	return containsAny(g, ",;:()[]–—\n«»\"") || strings.Contains(g, " - ")
}

// phraseBefore returns the first token of the phrase that ends with token k, and whether a sentence ends right
// before it (so that the walk stops there).
func (d *detector) phraseBefore(k int) (first int, sentenceStart bool) {
	for first = k; first > 0 && k-first < 24; first-- {
		if d.sentenceEndAfter(first - 1) {
			return first, true
		}
		if d.phraseBreakAfter(first - 1) {
			return first, false
		}
	}
	return first, first == 0
}

// phraseKind is what a phrase before an address or a phone says of it.
type phraseKind int

const (
	phrasePlain   phraseKind = iota // nothing of an office: what follows may be anybody's
	phrasePrivate                   // someone's own: « j'habite », « chez », a name, « mon »
	phraseAddress                   // a line of a postal block: read past it
	phraseOffice                    // an office's name
)

// phraseOf says what tokens a..b (a phrase) are, before an address when addr is set, else before a number:
// an identifier's label before a number may label that very number, not before an address.
func (d *detector) phraseOf(a, b int, addr bool) phraseKind {
	if a > b {
		return phrasePlain
	}
	office, address := false, false
	lastOffice := a - 1
	lastPrivate, firstPerson := -1, true // the last private cue, and whether every cue was only a first person
	directed := false                    // the reader or the writer goes or writes to the office named last
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		switch {
		case d.privateAt(k):
			lastPrivate = k
			firstPerson = firstPerson && firstPersonWords[t.key]
		case identifierLabels[t.key] && (!addr || d.labelsNumber(k, b)):
			return phrasePrivate
		case t.has(fDigit) && !t.digitsOnly() && t.end-t.start >= 6, k > a && t.digitsOnly() && d.toks[k-1].digitsOnly() && d.numGap(k-1):
			return phrasePrivate // an identifier: the phrase is about the citizen's file
		case d.officeHeadAt(k, b): // before the address words: « Chambre d'agriculture » is no room
			office, lastOffice = true, k
			directed = d.goingTo(a, k)
		case k == a && (t.in(tagStreet) || t.in(tagStreetAmb) || addressWords[t.key]):
			address = true
		case t.digitsOnly() && t.end-t.start == 5 && postcodeOK(d.text[t.start:t.end]), t.key == "cedex", t.key == "tsa":
			address = true
		case k == a && t.digitsOnly() && t.end-t.start <= 4 && k < b && (d.toks[k+1].in(tagStreet) || d.toks[k+1].in(tagStreetAmb) ||
			d.toks[k+1].key == "bis" || d.toks[k+1].key == "ter"):
			address = true
		case d.serviceVoice(k):
			office, lastOffice = true, k
		}
	}
	// A cue of one's own before the office's name says what the writer did there, not that the address after the
	// office is theirs: « j'ai renouvelé mon passeport au consulat de Montréal (1501 avenue …) », « les usagers
	// résidant à Saint-Martin doivent s'adresser à la préfecture, rue … ». After it, or dwelling with no going
	// to the office between, it does: « je suis hébergée au CROUS, résidence … ».
	if lastPrivate >= 0 && !(office && lastOffice > lastPrivate && (firstPerson || directed)) {
		return phrasePrivate
	}
	// A name after the office's word is somebody's (« CAF du Rhône, Mme Dupont, … »); before it, it is an agent's
	// or a place read as a name (« consulat général de France à Alger »).
	if lastOffice < b && overlapsPairs(d.names, d.toks[lastOffice+1].start, d.toks[b].end) && !(office && d.placeAfterOffice(lastOffice+1, b)) {
		return phrasePrivate
	}
	switch {
	case address:
		return phraseAddress
	case office:
		return phraseOffice
	case d.localityLine(a, b):
		return phraseAddress // a place alone on its line of the block: « préfecture, Kawéni, 97600 Mamoudzou »
	}
	return phrasePlain
}

// localityLine reports one or two capitalised words, or one compound (« Lille-Douai »), that are nobody's name:
// a district or a building on its own line of a postal block (« Hydra », « Espace Rodesse »).
func (d *detector) localityLine(a, b int) bool {
	words := 0
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		if k > a && (d.gap(k-1) == "-" || d.gap(k-1) == "'" || d.gap(k-1) == "’") {
			continue
		}
		if !t.lettersOnly() || !t.has(fCap|fUpper) || d.lex.first[t.key] > 0 || d.lex.last[t.key] > 0 {
			return false
		}
		words++
	}
	return words >= 1 && words <= 2 && !overlapsPairs(d.names, d.toks[a].start, d.toks[b].end)
}

// personalSubdomains hold the mailboxes a university or a school gives each student: one person's each.
var personalSubdomains = set(`etu etud etudiant etudiants student students eleve eleves alumni`)

// firstPersonWords are the private cues that only say « I »: before an office's name they tell what the writer
// did there.
var firstPersonWords = set(`je j me m mon ma mes moi`)

// officeHeadAt reports the head of an office's name at token k of a phrase ending at token b.
func (d *detector) officeHeadAt(k, b int) bool {
	t := &d.toks[k]
	switch {
	case officeHeads[t.key] && t.key != "hotel":
		return !(t.key == "centre" && k < b && d.toks[k+1].key == "ville") && (t.key != "maison" || t.has(fCap|fUpper))
	case t.key == "travail":
		return k > 0 && d.toks[k-1].key == "france"
	case t.key == "hotel":
		// « hôtel de ville », « hôtel des impôts », « hôtel de police »; « hôtel social Le Relais » lodges people.
		return k+2 <= b && (d.toks[k+1].key == "de" || d.toks[k+1].key == "des" || d.toks[k+1].key == "du") &&
			(d.toks[k+2].key == "ville" || d.toks[k+2].key == "impots" || d.toks[k+2].key == "police" || d.toks[k+2].key == "finances" ||
				d.toks[k+2].key == "departement" || d.toks[k+2].key == "region")
	case t.key == "chambre":
		// « Chambre d'agriculture », « chambre de commerce », « chambre des métiers », not a room of a home.
		return k+2 <= b && (d.toks[k+2].key == "agriculture" || d.toks[k+2].key == "commerce" || d.toks[k+2].key == "metiers")
	}
	return false
}

// goVerbs send someone to an office or write to it: what comes after the office's name is the office's.
var goVerbs = set(`adresser adressez rendre rendez presenter presentez deposer deposez envoyer envoyez ecrire ecrivez
	contacter contactez`)

// goingTo reports a verb of going or writing to an office within the few words before its name at token k.
func (d *detector) goingTo(a, k int) bool {
	for j := k - 1; j >= a && j >= k-4; j-- {
		if goVerbs[d.toks[j].key] {
			return true
		}
	}
	return false
}

// labelsNumber reports that the label at token k, in a phrase ending at token b before an address, labels a
// number of the citizen's: one inside the phrase (« dossier 4471, 3 rue … ») or one it ends on. Far from the end
// of a phrase with no number, it speaks of the file, not of the address: « votre dossier est suivi par l'agence
// de Pessac, 12 avenue … » gives the agency's address.
func (d *detector) labelsNumber(k, b int) bool {
	if b-k <= 2 {
		return true
	}
	for j := k + 1; j <= b; j++ {
		if d.toks[j].has(fDigit) {
			return true
		}
	}
	return false
}

// contactVerbs, before « -nous », are a service speaking of itself: « contactez-nous », « retrouvez-nous ».
var contactVerbs = set(`contactez contacter joignez joindre appelez appeler ecrivez ecrire retrouvez retrouver rejoignez
	rejoindre rencontrez rencontrer trouverez`)

// visitVerbs, before « -vous », send the reader to a service's place: nobody is sent to their own home.
var visitVerbs = set(`rendez presentez adressez`)

// serviceVoice reports, at token k, the office speaking of itself or sending the reader to it: the « nous » of
// « contactez-nous », « retrouvez-nous », the « vous » of « rendez-vous », « présentez-vous ». A family writes
// « contactez-nous » too, but with a mobile, which no office publishes and mobile() keeps masked.
func (d *detector) serviceVoice(k int) bool {
	t := &d.toks[k]
	if k == 0 || (t.key != "nous" && t.key != "vous") || d.gap(k-1) != "-" {
		return false
	}
	v := d.toks[k-1].key
	return t.key == "nous" && contactVerbs[v] || t.key == "vous" && visitVerbs[v]
}

// sendingWords, between an office's name and an address with no separator, make the address where the office
// sent something, not where it stands: « la CAF a envoyé le courrier au 3 rue … » is the citizen's.
var sendingWords = set(`envoye envoyee envoyes envoyees envoie envoient envoyer renvoye renvoyee renvoie expedie
	expediee expedier adresse adressee adresses adressent ecrit ecrivent ecrire transmis transmise transmet notifie
	notifiee convoque convoquee poste postee courrier courriers lettre lettres colis pli plis recommande
	recommandee notification decision avis carte titre document documents facture factures ont avait avaient
	aurait auraient avons`)

// officeLocated reports that tokens a..b, a phrase naming an office right before an address, say where the
// office is (« l'agence de Pessac située au », « retrouvez-nous au ») rather than where it sent something: no
// sending word, and no verb « a » (typed without its accent, it is « avoir » unless it ends the phrase) after the
// office's last word.
func (d *detector) officeLocated(a, b int) bool {
	last := -1
	for k := a; k <= b; k++ {
		if d.officeHeadAt(k, b) || d.serviceVoice(k) {
			last = k
		}
	}
	for k := last + 1; k <= b; k++ {
		t := &d.toks[k]
		if sendingWords[t.key] || k < b && d.text[t.start:t.end] == "a" {
			return false
		}
	}
	return true
}

// placeAfterOffice reports that tokens a..b, after an office's word, only say where the office is: « de France à
// Alger », « à Montréal ».
func (d *detector) placeAfterOffice(a, b int) bool {
	for k := a; k <= b; k++ {
		t := &d.toks[k]
		if !(placePrepositions[t.key] || communeParticles[t.key] || t.key == "general" || t.key == "generale" || t.has(fCap|fUpper)) {
			return false
		}
	}
	for k := a; k < b; k++ {
		if (d.toks[k].key == "a" || d.toks[k].key == "en") && d.toks[k+1].has(fCap|fUpper) {
			return true
		}
	}
	return false
}

// officeAddress reports that the address or postcode [s, e) is an office's: the phrase it follows names an
// office, maybe past other lines of the same postal block, with no private cue between.
func (d *detector) officeAddress(s int) (int, bool) {
	a := d.tokAt(s)
	if a == 0 || a >= len(d.toks) {
		return s, false
	}
	// « 1-9 avenue … », « 179-191 avenue … »: the range's first number belongs to the address.
	if strings.TrimSpace(d.gap(a-1)) == "-" && d.toks[a-1].digitsOnly() && a > 1 {
		a--
		s = d.toks[a].start
	}
	return s, d.officeLead(a, true)
}

// officeLead reports that the phrases before token a, an address's (addr) or a number's, name an office, maybe
// past other lines of a postal block.
func (d *detector) officeLead(a int, addr bool) bool {
	if a <= 0 {
		return false
	}
	// Words right before the address, with no separator: « demeurant 4 rue … », « j'habite au … ».
	if !d.phraseBreakAfter(a-1) && !d.sentenceEndAfter(a-1) {
		first, _ := d.phraseBefore(a - 1)
		return d.phraseOf(first, a-1, addr) == phraseOffice && (!addr || d.officeLocated(first, a-1))
	}
	if d.sentenceEndAfter(a-1) && !d.letterheadBreak(a-1) {
		return false
	}
	k := a - 1
	skipped := false
	for n := 0; n < 5 && k >= 0; n++ {
		first, stop := d.phraseBefore(k)
		if stop && first > 0 && d.letterheadBreak(first-1) {
			stop = false
		}
		switch d.phraseOf(first, k, addr) {
		case phraseOffice:
			return true
		case phraseAddress:
			if stop {
				return false
			}
			k = first - 1
			continue
		case phrasePlain:
			// One line of a letterhead that names the office's department between its name and its address:
			// « Pôle civil de proximité », « Retraite à l'international », « – 2ème division ».
			if !stop && !skipped && d.departmentLine(first, k) {
				skipped = true
				k = first - 1
				continue
			}
		}
		return false
	}
	return false
}

// departmentLine reports that tokens a..b, a phrase with no cue of anyone's, stand on their own line or after a
// dash on the office's line, in at most five words and no number.
func (d *detector) departmentLine(a, b int) bool {
	if a == 0 || b-a > 4 || overlapsPairs(d.names, d.toks[a].start, d.toks[b].end) {
		return false
	}
	before, after := d.gap(a-1), d.gap(b)
	if !(strings.Contains(before, "\n") || containsAny(before, "–—")) || !strings.Contains(after, "\n") {
		return false
	}
	for k := a; k <= b; k++ {
		if d.toks[k].digitsOnly() {
			return false
		}
	}
	return true
}

// sortingCode reports an address [s, e) that holds a TSA or « Libre réponse » line: bulk-mail codes that only
// organisations have.
func (d *detector) sortingCode(s, e int) bool {
	for k := d.tokAt(s); k < len(d.toks) && d.toks[k].start < e; k++ {
		if d.toks[k].key == "tsa" || d.toks[k].key == "libre" && k+1 < len(d.toks) && d.toks[k+1].key == "reponse" {
			return true
		}
	}
	return false
}

// cedexOffice reports an address [s, e) whose commune is followed by « Cedex » with no box number in it and no
// cue of anyone's own before it in its sentence: Cedex is the mail service of organisations that receive much
// mail, « écrire au 11 rue …, 44941 Nantes Cedex 9 ». A person reached through a box (« BP 34, 98845 Nouméa
// Cedex ») or lodged at an association (« notre adresse postale : Association …, BP 125, … Cedex ») keeps it.
func (d *detector) cedexOffice(s, e int) bool {
	a := d.tokAt(s)
	cedex := false
	for k := a; k < len(d.toks) && d.toks[k].start < e; k++ {
		switch d.toks[k].key {
		case "cedex":
			cedex = true
		case "bp", "boite":
			return false
		}
	}
	if !cedex {
		return false
	}
	for k, n := a-1, 0; k >= 0 && n < 12; k, n = k-1, n+1 {
		if d.privateAt(k) {
			return false
		}
		if d.sentenceEndAfter(k) || containsAny(d.gap(k), ".!?") && !d.abbrevDot(k) {
			break
		}
	}
	return true
}

// letterheadBreak reports a blank line after token k that only spaces out the lines of a letterhead
// (« CNAV », blank, « CS 70009 », blank, « 93166 NOISY LE GRAND »): no sentence ends there.
func (d *detector) letterheadBreak(k int) bool {
	g := d.gap(k)
	return strings.Count(g, "\n") >= 2 && !containsAny(g, ".!?…")
}

// mobile reports a mobile number, French or overseas: offices publish none, so it is always somebody's.
func mobile(digits string) bool {
	switch {
	case strings.HasPrefix(digits, "0033"):
		digits = "0" + digits[4:]
	case strings.HasPrefix(digits, "33") && len(digits) == 11:
		digits = "0" + digits[2:]
	}
	for _, p := range []string{"06", "07", "0690", "0691", "0694", "0696", "0697", "0692", "0693", "0639",
		"26269", "59069", "59669", "59469", "26263", "002626", "005906", "005966", "005946"} {
		if strings.HasPrefix(digits, p) {
			return true
		}
	}
	return false
}

// phoneShaped reports a number laid out like a phone: ten digits from 0, eight in pairs (Polynesia, New
// Caledonia), or an international prefix.
func phoneShaped(s string) bool {
	digits := digitsOf(s)
	switch {
	case strings.HasPrefix(strings.TrimSpace(s), "+"):
		return len(digits) >= 8
	case len(digits) == 10 && digits[0] == '0':
		return true
	case len(digits) == 8:
		return strings.Count(s, " ") == 3 || strings.Count(s, ".") == 3
	}
	return false
}

// phonePrecursors are the words a phone number follows: « au », « tél. », « Standard : ».
var phonePrecursors = set(`au le ou tel telephone standard renseignements fax joignable joignables`)

// bareLine reports a number taken for a file's that is laid out like a phone and introduced as one, or by
// nothing but an office's address before it: « – 02 98 85 79 79 », « Standard : 40 41 68 68 ».
func (d *detector) bareLine(s, e int) bool {
	if !phoneShaped(d.text[s:e]) {
		return false
	}
	a := d.tokAt(s)
	if a == 0 || a >= len(d.toks) {
		return false
	}
	return phonePrecursors[d.toks[a-1].key] || overlapsPairs(d.officeAddrs, d.toks[a-1].start, d.toks[a-1].end)
}

// digitsOf keeps the ASCII digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// officePhone reports that the phone [s, e) is an office's: given as its standard, as the number to call from
// abroad instead of a service number, after the office's address or name, or with opening hours; never a mobile,
// never with a private cue in its sentence.
func (d *detector) officePhone(s, e int) bool {
	if mobile(digitsOf(d.text[s:e])) {
		return false
	}
	a := d.tokAt(s)
	if a == 0 || a >= len(d.toks) {
		return false
	}
	b := d.tokAt(e) // the token after the phone
	// Named as an office's line in brackets right after it: « au 04 91 55 63 00 (standard de la préfecture) ».
	if b < len(d.toks) && strings.TrimSpace(d.gap(b-1)) == "(" && bracketLineLabels[d.toks[b].key] {
		return true
	}
	// The « Tél. » line of a signature whose line above names the office: « Travailleuse sociale – Département du
	// Nord⏎Tél. 03 … ».
	if d.telLineUnderOffice(a) {
		return true
	}
	// A service's short number said before, whose four digits end this one: the line to call it from abroad,
	// « le 3960 … depuis l'étranger, le +33 9 71 10 39 60 ».
	if digits := digitsOf(d.text[s:e]); len(digits) >= 10 {
		for k := max(0, a-40); k < a; k++ {
			if t := &d.toks[k]; t.digitsOnly() && t.end-t.start == 4 && t.key[0] == '3' && strings.HasSuffix(digits, t.key) {
				return true
			}
		}
	}
	// The sentence around: no private cue, no name in it before the phone.
	sent := a - 1
	for sent > 0 && !d.sentenceEndAfter(sent-1) && a-sent < 60 {
		sent--
	}
	for k := sent; k < a; k++ {
		if d.privateAt(k) {
			return false
		}
	}
	for k := b; k < len(d.toks) && k < b+6 && !d.sentenceEndAfter(k-1); k++ {
		if d.privateAt(k) {
			return false
		}
	}
	own := a // the words right before the phone, with no separator: « joignable au », « tél. »
	if !d.phraseBreakAfter(a-1) && !d.sentenceEndAfter(a-1) {
		own, _ = d.phraseBefore(a - 1)
	}
	if overlapsPairs(d.names, d.toks[own].start, s) {
		return false // « Claire Fontenelle, 01 … »: a signature
	}
	// A label of an office's line: « Standard : », « Renseignements : ».
	for k := max(own-2, sent); k < a; k++ {
		if phoneLabels[d.toks[k].key] {
			return true
		}
	}
	// The number to call from abroad instead of a service number: « 3960 (ou 09 71 10 39 60 depuis l'étranger) »,
	// « Depuis l'étranger : +33 9 71 10 39 60 ».
	if b+1 < len(d.toks) && d.toks[b].key == "depuis" && (d.toks[b+1].key == "l" || d.toks[b+1].key == "etranger") ||
		a >= 2 && d.toks[a-1].key == "etranger" && (d.toks[a-2].key == "l" || d.toks[a-2].key == "depuis") {
		return true
	}
	// « La Caisse des Français de l'Étranger (CFE) est joignable au … »: the sentence's subject is an office,
	// nobody is named before the line.
	if a >= 2 && d.toks[a-1].key == "au" && d.toks[a-2].key == "joignable" && !overlapsPairs(d.names, d.toks[sent].start, s) {
		for k := sent; k < a-2; k++ {
			if officeHeads[d.toks[k].key] {
				return true
			}
		}
	}
	for k := max(a-4, sent); k < a; k++ {
		t := &d.toks[k]
		if t.digitsOnly() && t.end-t.start == 4 && t.key[0] == '3' && strings.Contains(d.text[t.end:s], "ou") {
			return true
		}
	}
	// After an office's address in the same sentence, nobody named between: « CCAS, 111 avenue …, 38400 … (tél.
	// 04 …) ».
	if overlapsPairs(d.officeAddrs, d.toks[sent].start, s) {
		i := sort.Search(len(d.officeAddrs)/2, func(i int) bool { return d.officeAddrs[2*i] >= s }) - 1
		if i >= 0 && !overlapsPairs(d.names, d.officeAddrs[2*i+1], s) {
			return true
		}
	}
	// A « Tél. » sentence right after one giving the office's address, on the same line.
	if sent > 0 && a-sent <= 2 && !strings.Contains(d.gap(sent-1), "\n") {
		prev := sent - 1
		for prev > 0 && !d.sentenceEndAfter(prev-1) && sent-prev < 60 {
			prev--
		}
		if overlapsPairs(d.officeAddrs, d.toks[prev].start, d.toks[sent].start) {
			return true
		}
	}
	// Called through an office named in its own phrase: « joindre la MSA Bourgogne au … », « Le greffe est
	// joignable au … », « à l'agence de Vénissieux au … ».
	if d.phraseOf(own, a-1, false) == phraseOffice {
		return true
	}
	// Named as an office's by what follows: « le +213 … du consulat », « 03 … du lundi au vendredi ».
	if b+1 < len(d.toks) && (d.toks[b].key == "du" || d.toks[b].key == "de") {
		if officeHeads[d.toks[b+1].key] || b+2 < len(d.toks) && (d.toks[b+1].key == "la" || d.toks[b+1].key == "l") && officeHeads[d.toks[b+2].key] {
			return true
		}
	}
	if d.hoursAfter(b) && !overlapsPairs(d.names, d.toks[sent].start, s) {
		return true
	}
	// The other way to reach a service whose public site was just given: « sur www.ville-rennes.fr ou au … ».
	if k := a - 1; k > sent && (d.toks[k].key == "au" || d.toks[k].key == "le") && d.toks[k-1].key == "ou" && k >= 2 {
		if e := d.toks[k-2].end; d.inURL(e-1, e) {
			i := sort.SearchInts(d.urls, e) - 1
			if i >= 0 && i%2 == 0 || i > 0 {
				u := i - i%2
				if publicHost(d.text[d.urls[u]:d.urls[u+1]]) {
					return true
				}
			}
		}
	}
	// A letterhead: the office's name, maybe its address, then its line (« La section consulaire – Abidjan
	// (+225 …) »).
	if own == a && d.phraseBreakAfter(a-1) {
		return d.officeLead(a, false)
	}
	return false
}

// bracketLineLabels, in brackets after a number, name it an office's line; « (maison) », « (bureau) » name one's
// own.
var bracketLineLabels = set(`standard renseignements fax accueil secretariat permanence`)

// telLineUnderOffice reports that the phone at token a opens its line after a phone label only (« Tél. »,
// « Standard : ») and that the line above names an office, with nobody's name or cue between.
func (d *detector) telLineUnderOffice(a int) bool {
	f := a
	for f > 0 && a-f < 3 && !strings.Contains(d.gap(f-1), "\n") {
		f--
	}
	if f == 0 || f == a || !strings.Contains(d.gap(f-1), "\n") || strings.Contains(d.gap(f-1), "\n\n") {
		return false
	}
	for k := f; k < a; k++ {
		if key := d.toks[k].key; !(phoneLabels[key] || key == "tel" || key == "telephone" || key == "ligne" || key == "directe") {
			return false
		}
	}
	return d.officeLead(f, false)
}

// officeRegistration reports the SIREN or SIRET of an office whose name or address comes before it:
// « Carsat Hauts-de-France – 11 allée Vauban, … – SIREN 775 663 601 ».
func (d *detector) officeRegistration(s int) bool {
	a := d.tokAt(s)
	k := a - 1
	for k >= 0 && a-k <= 3 && (d.toks[k].key == "n" || d.toks[k].key == "no" || d.toks[k].key == "numero") {
		k--
	}
	if k < 1 || a-k > 3 || d.toks[k].key != "siren" && d.toks[k].key != "siret" {
		return false
	}
	// Right after the office's address: a sole trader's own SIRET follows no office's address.
	i := sort.Search(len(d.officeAddrs)/2, func(i int) bool { return d.officeAddrs[2*i] >= s }) - 1
	if i < 0 || containsAny(d.text[d.officeAddrs[2*i+1]:d.toks[k].start], ".!?\n") {
		return false
	}
	return d.officeLead(k, false)
}

// weekdays open an office's hours.
var weekdays = set(`lundi mardi mercredi jeudi vendredi samedi dimanche`)

// registrantWords name a body whose SIREN or SIRET is public: an office, a firm, an association.
var registrantWords = set(`organisme association societe employeur agence etablissement caisse`)

// soleTraderWords say that a SIREN or a SIRET is a person's own business: « micro-entreprise », « entreprise
// individuelle », « SIRET de l'exploitation ».
var soleTraderWords = set(`micro individuelle individuel auto-entrepreneur autoentrepreneur microentreprise
	micro-entrepreneur exploitation exploitant exploitante gerant gerante artisan artisane entreprise`)

// firmRegistration reports a SIREN or SIRET in [s, e) given as a firm's or an office's, not a sole trader's: the
// label, then the number, then whose it is (« SIRET 812 345 678 00019 de l'association … », « (SIRET de
// l'organisme 794 … ) »), or, in the same sentence before the label, a legal form in capitals or an office's or a
// firm's word (« Employeur : SAS Transports Maréchal, SIRET … », « Agence de services et de paiement, SIREN … »).
// A private cue in that sentence (« je », « mon », « chez ») keeps it masked: a sole trader's is personal.
func (d *detector) firmRegistration(s, e int) bool {
	a, b := d.tokAt(s), d.tokAt(e)-1
	if a >= len(d.toks) || b < a {
		return false
	}
	lab := -1
	for k := a - 1; k >= 0 && a-k <= 5; k-- {
		if key := d.toks[k].key; key == "siren" || key == "siret" {
			lab = k
			break
		}
		if containsAny(d.gap(k), ".!?\n") {
			return false
		}
	}
	if lab < 0 {
		return false
	}
	whose := false
	// « SIRET de l'organisme 794 … », « SIRET 812 … de l'association »
	for _, k := range []int{lab + 1, lab + 2, lab + 3, b + 1, b + 2, b + 3} {
		if k >= 0 && k < len(d.toks) && (k < a || k > b) {
			if soleTraderWords[d.toks[k].key] {
				return false
			}
			if registrantWords[d.toks[k].key] {
				whose = true
			}
		}
	}
	// Back to the sentence's start or to another number: « Numéro MSA 1 71 …, SIRET … » is no office's.
	for k := lab - 1; k >= 0 && lab-k <= 12 && !d.sentenceEndAfter(k) && !strings.Contains(d.gap(k), "\n") && !d.toks[k].has(fDigit); k-- {
		t := &d.toks[k]
		if d.privateAt(k) || soleTraderWords[t.key] {
			return false
		}
		if firmForms[t.key] && t.has(fUpper) || registrantWords[t.key] || officeHeads[t.key] {
			whose = true
		}
	}
	return whose
}

// hoursAfter reports opening hours right after token k: « du lundi au vendredi », « de 8h30 à 17h », « reste
// disponible de 9h à 12h ».
func (d *detector) hoursAfter(k int) bool {
	for j := k; j < len(d.toks) && j < k+4; j++ {
		t := &d.toks[j]
		if weekdays[t.key] && j > k && d.toks[j-1].key == "du" {
			return true
		}
		if timeLike(t.key) && j > k && d.toks[j-1].key == "de" {
			return true
		}
		if j > k && d.sentenceEndAfter(j-1) {
			return false
		}
	}
	return false
}

// mapPairs maps [start, end) pairs of a rewritten text back to the original.
func mapPairs(rw *rewriting, p []int) []int {
	for i := 0; i+1 < len(p); i += 2 {
		p[i], p[i+1] = rw.toOriginal(p[i], p[i+1])
	}
	return p
}

// leavePublic drops the second pass's spans that lie within what the first pass released as an office's.
func (d *detector) leavePublic(spans []Span) []Span {
	if len(d.public) == 0 {
		return spans
	}
	out := spans[:0]
	for _, sp := range spans {
		if !insidePairs(d.public, sp.Start, sp.End) {
			out = append(out, sp)
		}
	}
	return out
}

// publicSiteWords mark the domains of local authorities that publicDomains does not list: « bordeaux-metropole.fr »,
// « agglo-rochefort.fr ».
var publicSiteWords = set(`metropole agglo agglomeration communaute cc ca cg cd conseil collectivite diplomatie gouv
	departement region ville mairie commune`)

// companyDomains are large companies and mutual insurers whose service mailboxes (« sinistres@ », « service.client@
// ») are nobody's; a small firm's « contact@ » stays personal.
var companyDomains = set(`sncf sncf-connect ratp edf engie totalenergies maif macif matmut maaf mma gmf axa allianz
	groupama generali mgen harmonie malakoff humanis ag2r aesio swisslife cardif bnpparibas societegenerale
	creditagricole lcl caisse-epargne banquepopulaire labanquepostale boursorama ing orange-business bouyguestelecom
	sfr-business free-mobile laposte colissimo chronopost dpd ups dhl fedex amazon cdiscount fnac darty`)

// webmailDomains hold private mailboxes only.
var webmailDomains = set(`gmail googlemail yahoo hotmail outlook live msn aol icloud me mac gmx proton protonmail
	orange wanadoo free sfr neuf bbox numericable club-internet laposte aliceadsl libertysurf voila tutanota mail
	yandex qq 163 ukr wp abv inbox videotron sympatico bluewin web t-online libero telefonica topnet`)

// noReplyLocal reports an automatic sender's local part: « noreply », « ne-pas-repondre », « no_reply-impots ».
func noReplyLocal(local string) bool {
	k := strings.NewReplacer("-", "", "_", "", ".", "").Replace(foldString(local))
	return strings.HasPrefix(k, "noreply") || strings.HasPrefix(k, "nepasrepondre") || strings.HasPrefix(k, "donotreply") ||
		strings.HasSuffix(k, "noreply") || strings.HasSuffix(k, "nepasrepondre")
}

// serviceMailbox reports the mailbox of an office or a large company, beyond what serviceAddress knows: an
// automatic sender anywhere, an office's name as the whole local part on a town's or a public site
// (« mairie@lagny-sur-marne.fr », « ccas@ville-montreuil.fr »), a service's words at a public site or a large
// company (« sinistres@maif.fr », « passeports.oran-fslt@diplomatie.gouv.fr ») with nobody's name in it, an
// office's code (« t031042@dgfip.finances.gouv.fr », « ape.31042@francetravail.fr »).
func (d *detector) serviceMailbox(local, dom string) bool {
	dom = strings.ToLower(dom)
	labels := strings.Split(dom, ".")
	if len(labels) < 2 || local == "" {
		return false
	}
	site := labels[len(labels)-2] // « maif » in « maif.fr », « sncf-connect » in « sncf-connect.com »
	if webmailDomains[site] || webmailDomains[labels[0]] || personalSubdomains[labels[0]] {
		return false
	}
	if noReplyLocal(local) {
		return true
	}
	public, company := strings.HasSuffix(dom, ".gouv.fr"), companyDomains[site]
	for _, l := range labels {
		for _, p := range strings.FieldsFunc(l, func(r rune) bool { return r == '-' }) {
			public = public || publicDomains[p] || publicSiteWords[p]
			company = company || companyDomains[p]
		}
	}
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	offices, words, codes, unknown, role := 0, 0, 0, 0, false
	for _, p := range parts {
		k := foldString(p)
		role = role || roles[k]
		switch {
		case d.lex.first[k] > 0 || d.lex.last[k] > 0 && !officeHeads[k] && !serviceMailWords[k]:
			return false // an agent's own mailbox: « julie.martin@… »
		case len(k) < 3 && !allDigits(k):
			// An initial says nothing of whose the mailbox is: « s.martin@… » is a person's.
		case officeHeads[k] || publicDomains[k]:
			offices++
		case serviceMailWords[k] || frenchExtra[k] || d.lex.french.has(k):
			words++
		case allDigits(k) && len(k) >= 3 && len(k) <= 6, officeCode(k), len(k) <= 8 && letterCode(k):
			codes++
		case len(k) > 4:
			unknown++ // a town's name beside a service's words (« passeports.oran-fslt@ »), or someone's
		}
	}
	if role && codes > 0 {
		return false // one adviser's mailbox, « conseiller.75412@… », not the agency's « ape.31042@… »
	}
	switch {
	case offices > 0 && offices+words == len(parts) && !strings.HasSuffix(dom, ".com") && !strings.HasSuffix(dom, ".net"):
		return true // « mairie@… », « secretariat.mairie@… » on a town's site
	case public && (offices+words > 0 || codes > 0) && unknown <= 1:
		return true
	case company && offices+words == len(parts):
		return true
	}
	return false
}

// letterCode reports an office's code: one or two letters then digits, « t069099 ».
func letterCode(k string) bool {
	i := 0
	for i < len(k) && k[i] >= 'a' && k[i] <= 'z' {
		i++
	}
	return i >= 1 && i <= 2 && len(k)-i >= 4 && allDigits(k[i:])
}
