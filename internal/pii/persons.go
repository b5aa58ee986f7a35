package pii

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// unit is a word as a name sees it: tokens joined by hyphens (« Ndiaye-Sarr », « Jean-Pierre ») or by the
// apostrophe of « N'Diaye », « O'Brien ».
type unit struct {
	a, b       int // first and last token
	start, end int
	key        string
	cap        bool // capitalised: « Élodie », « Ndiaye-Sarr »
	upper      bool // in capitals: « DUPONT »
	initial    bool // « J »
	lower      bool
	first      int // frequency as a first name
	last       int // frequency as a surname
	common     bool
	nonName    bool
	stop       bool
	known      bool     // in the large name list (humannames)
	french     bool     // a French word form (wfrench)
	english    bool     // a common English word (wamerican) that is not in the name tables
	place      bool     // a town or a country (GeoNames, ISO 3166 in French) that is in neither name table
	lex        wordInfo // what the lexicons and word sets say about key, looked up once
}

func (u *unit) inLex() bool { return u.first > 0 || u.last > 0 }

// foreign reports a word that is not French: in a place where names stand, it is a name. Short words in
// capitals are acronyms, not names.
func (u *unit) foreign() bool {
	return !u.french && !u.english && !u.stop && !u.nonName && u.end-u.start >= 2 && !(u.upper && (u.end-u.start <= 4 || !u.inLex() && !u.known))
}

// nameWord reports a word that may be a name: a known first name or surname, or a word that is not French.
func (u *unit) nameWord() bool { return u.inLex() || u.foreign() }

// nameLike reports whether u is written like a name in a text where case means something.
func (u *unit) nameLike() bool { return u.cap || u.upper || u.initial }

// notName reports words that never are (part of) a name even when capitalised.
func (u *unit) notName() bool {
	return u.stop || u.nonName || u.lex&(wTitle|wRole|wRelation|wInstitution|wStreet|wSignoff) != 0
}

// units groups the letter tokens of the text into name units.
func (d *detector) units() []unit {
	// At most one unit per token of letters: no copy while the slice grows on a long text. Counted, not taken as
	// the number of tokens: a unit is 88 bytes, and a 3.5 MB body of digits held 150 MB of units never written,
	// which the collector scanned.
	n := 0
	for i := range d.toks {
		if d.toks[i].lettersOnly() {
			n++
		}
	}
	us := d.us[:0]
	if cap(us) < n {
		us = make([]unit, 0, n)
	}
	var kb []byte
	for i := 0; i < len(d.toks); i++ {
		t := &d.toks[i]
		if !t.lettersOnly() {
			continue
		}
		u := unit{a: i, b: i, start: t.start, end: t.end}
		for i+1 < len(d.toks) && d.toks[i+1].lettersOnly() {
			g := d.gap(i)
			n := &d.toks[i+1]
			if g == "-" || g == "‐" || g == "‑" {
				// hyphenated: joined
			} else if (g == "'" || g == "’") && d.toks[i].has(fInitial) && i == u.a && (n.has(fCap) || n.has(fUpper)) &&
				!stopwords[n.key] && d.apostropheName(i) {
				// N'Diaye, O'Brien, but not M'APPELLE
			} else {
				break
			}
			i++
			u.b = i
			u.end = n.end
		}
		if u.a == u.b {
			u.key = t.key
		} else {
			kb = kb[:0]
			for k := u.a; k <= u.b; k++ {
				if k > u.a {
					if g := d.gap(k - 1); g == "'" || g == "’" {
						kb = append(kb, '\'')
					} else {
						kb = append(kb, '-')
					}
				}
				kb = append(kb, d.toks[k].key...)
			}
			u.key = string(kb)
		}
		ft := &d.toks[u.a]
		switch {
		case u.a == u.b && ft.has(fInitial):
			u.initial = true
		case ft.has(fUpper) || ft.has(fInitial) && d.toks[u.b].has(fUpper):
			u.upper = true
			for k := u.a; k <= u.b; k++ {
				if d.toks[k].has(fLower) {
					u.upper = false
				}
			}
		case ft.has(fCap) || ft.has(fInitial):
			// « Jean-Pierre », « Le Goff-de-la-Tour », and « Min-jun », « Jean-pierre »: capitalised once, the
			// rest in lower case. « Ndiaye-sarr-Diop » mixes both: no shape.
			u.cap = true
			lowerRest := u.a < u.b
			for k := u.a + 1; k <= u.b; k++ {
				if !d.toks[k].has(fLower) {
					lowerRest = false
				}
			}
			for k := u.a + 1; k <= u.b && !lowerRest; k++ {
				if d.toks[k].has(fLower) && !communeParticles[d.toks[k].key] && !nameParticles[d.toks[k].key] {
					u.cap = false
				}
			}
		default:
			u.lower = true
		}
		w := d.lex.word(u.key)
		u.lex = w
		u.stop = w&wStop != 0
		if u.initial && strings.HasPrefix(d.text[u.end:], ".") {
			u.stop = false // « T. Moroz »: an initial, not the « t' » of « t'as »
		}
		if !u.stop && w&wFirst != 0 {
			u.first = d.lex.first[u.key]
		}
		if !u.stop && w&wLast != 0 {
			u.last = d.lex.last[u.key]
		}
		if u.a != u.b && (u.first == 0 || u.last == 0) {
			// « Jean-Pierre »: every part a first name; « Ndiaye-Sarr »: some part a surname.
			allFirst, someLast := true, false
			for k := u.a; k <= u.b; k++ {
				pw := d.lex.word(d.toks[k].key)
				if pw&wFirst == 0 {
					allFirst = false
				}
				if pw&wLast != 0 && pw&wNameParticle == 0 {
					someLast = true
				}
			}
			if u.first == 0 && allFirst && !(d.toks[u.a].key == "saint" || d.toks[u.a].key == "sainte") {
				u.first = 1000
			}
			if u.last == 0 && someLast && !(d.toks[u.a].key == "saint" || d.toks[u.a].key == "sainte" || d.toks[u.a].key == "st") {
				u.last = 1000
			}
		}
		u.common = w&wCommon != 0
		u.place = !u.stop && u.first == 0 && u.last == 0 && w&(wPlace|wExonym|wCountry) != 0
		if !u.stop {
			u.french = w&(wFrench|wFrenchExtra) != 0
			u.known = w&wKnown != 0
			u.english = !u.french && u.first == 0 && u.last == 0 && w&wEnglish != 0
			if !u.french && !u.known && u.first == 0 && u.last == 0 && (frenchSuffix(u.key) || u.lower && d.elided(u.key)) {
				u.french = true // « joignable », « dispo », « jhabite » typed in a way no dictionary lists: still French
			}
			if !u.french && u.a != u.b && u.first == 0 && u.last == 0 {
				// « auto-entrepreneur », « porte-monnaie »: every part French, none a name, the compound is French.
				u.french = true
				for k := u.a; k <= u.b; k++ {
					if pw := d.lex.word(d.toks[k].key); pw&(wFrench|wFrenchExtra) == 0 || pw&(wFirst|wLast) != 0 {
						u.french = false
						break
					}
				}
			}
		}
		u.nonName = w&wNonName != 0 || u.a != u.b && (d.toks[u.a].key == "saint" || d.toks[u.a].key == "sainte" || d.toks[u.a].key == "st" || d.toks[u.a].key == "ste")
		us = append(us, u)
	}
	return us
}

// ugap is the text between units k and k+1.
func (d *detector) ugap(us []unit, k int) string { return d.text[us[k].end:us[k+1].start] }

func plainSpace(g string) bool {
	return g == " " || g == "\u00a0" || g == "  "
}

// context of a possible name.
type nameCtx uint8

const (
	ctxNone    nameCtx = iota
	ctxTitle           // « Mme », « M. », « Dr »
	ctxPhrase          // « je m'appelle », « mon fils », « la conseillère », « Nom : »
	ctxWeak            // « je suis »
	ctxSignoff         // after « Cordialement, » or alone on the last line
)

const minLoneFirst = 500

// persons finds personal names from context (titles, phrases, signatures) and from the name lexicons.
func (d *detector) persons() {
	us := d.units()
	d.us = us
	next := 0
	found := map[string]bool{}
	for u := 0; u < len(us); u++ {
		d.tick()
		if u < next {
			continue
		}
		cur := &us[u]
		if d.titledShortName(us, u) {
			d.add(cur.start, cur.end, LabelPerson)
			d.lastPerson = u
			continue // not repeated: its other mentions are the function word
		}
		// The lexicon's index already told each unit's word sets (u.lex): a bit, not a hash, for every unit.
		if (cur.lex&wTitle != 0 || cur.stop && !(cur.lex&wNameParticle != 0 && (cur.cap || cur.upper || u > 0 && us[u-1].lex&wTitle != 0 && !d.function(us, u)))) &&
			!d.initialsRun(us, u) {
			continue
		}
		if cur.lower && cur.french && !cur.inLex() && !cur.known && cur.lex&wNameParticle == 0 && !d.namedBy(us, u) {
			continue // a French word in lower case starts no name, whatever stands before it: skip the context
		}
		if d.lowerish && (d.lowerPair(us, u) || d.lowerFirstSurname(us, u)) {
			last := u + 1
			// A third name goes on the pair: « kouassi yao serge ».
			if w := last + 1; w < len(us) && plainSpace(d.ugap(us, last)) && us[w].lower && us[w].inLex() && !us[w].stop &&
				!us[w].notName() && !us[w].common {
				last = w
			}
			d.add(us[u].start, us[last].end, LabelPerson)
			for k := u; k <= last; k++ {
				found[us[k].key] = true
			}
			d.lastPerson = last
			next = last + 1
			continue
		}
		if u+1 < len(us) && foreignThanks[us[u+1].key] && plainSpace(d.ugap(us, u)) {
			continue // « Mila esker »: a thousand thanks, in Basque
		}
		if d.acronym(us, u) {
			continue // « allocation personnalisée d'autonomie (Apa) »
		}
		ctx := d.nameContext(us, u)
		last, n := d.nameRun(us, u, ctx)
		if n == 0 {
			continue
		}
		if ctx == ctxTitle && d.streetTitle(us, u) {
			next = last + 1 // « rue du Docteur Gabriel Péry », « place du Général Leclerc »: a street's name
			continue
		}
		if ctx != ctxTitle && d.namedPlace(us, u) {
			next = last + 1 // « lycée Victor Hugo », « Maison France Services Marcel-Paul »: the name names a place
			continue
		}
		if (ctx == ctxNone || ctx == ctxSignoff) && d.placeRun(us, u, last, ctx) {
			next = last + 1 // « à San Diego »: not « Diego » either
			continue
		}
		if ctx != ctxTitle && (d.firmSlot(us, u, last) || d.publicFigure(us, u, last)) {
			// A firm or a public figure: left in the text, and the tagger does not take it up again. Partners'
			// names go on the firm's: « SCP Castaing & Morel ».
			for last+1 < len(us) && strings.TrimSpace(d.ugap(us, last)) == "&" && (us[last+1].cap || us[last+1].upper) {
				last++
			}
			d.orgs = append(d.orgs, us[u].start, us[last].end)
			next = last + 1
			continue
		}
		if !d.acceptName(us, u, last, n, ctx) {
			continue
		}
		d.add(us[u].start, us[last].end, LabelPerson)
		d.lastPerson = last
		for k := u; k <= last; k++ {
			w := &us[k]
			if (len(w.key) >= 3 || w.upper) && !nameParticles[w.key] && !w.initial && (!w.french || w.first > 0) {
				found[w.key] = true
			}
			if k == u && d.namedBy(us, u) {
				// « elle s'appelle lune »: every mention of that word is her.
				found[w.key] = true
				if d.named == nil {
					d.named = map[string]bool{}
				}
				d.named[w.key] = true
			}
		}
		next = last + 1
	}
	d.quotedNames(us, found)
	d.yearListNames(us, found)
	d.repeatNames(us, found)
}

// nameContext says what, before unit u, announces a name.
func (d *detector) nameContext(us []unit, u int) nameCtx {
	if d.bornAfter(us, u) || d.roleAfter(us, u) || d.namedAfter(us, u) || d.titledAfter(us, u) {
		return ctxPhrase
	}
	if u == 0 {
		if d.aloneOnLine(us, u) {
			return ctxSignoff
		}
		return ctxNone
	}
	p := &us[u-1]
	g := d.ugap(us, u-1)
	if titles[p.key] && (g == " " || g == ". " || g == "." || g == "\u00a0" || g == ".\u00a0") {
		switch p.key {
		case "m":
			if p.initial && (strings.HasPrefix(g, ".") || us[u].cap || us[u].upper) {
				return ctxTitle
			}
			// « mon voisin m. pierre laroche »: typed without capitals, the dot says it is the title.
			if p.lower && strings.HasPrefix(g, ".") && us[u].nameWord() && !us[u].french {
				return ctxTitle
			}
			if p.lower && strings.HasPrefix(g, ".") && us[u].first > 0 && u+1 < len(us) && us[u+1].nameWord() && plainSpace(d.ugap(us, u)) {
				return ctxTitle
			}
			// « mon conseiller m. boucher »: after a role, « m. » and a known surname, even one that is a word.
			if p.lower && strings.HasPrefix(g, ".") && us[u].last > 0 && u >= 2 && (roles[us[u-2].key] || relations[us[u-2].key]) {
				return ctxTitle
			}
		case "me":
			if p.cap && (us[u].cap || us[u].upper) {
				return ctxTitle
			}
		default:
			return ctxTitle
		}
	}
	// « Nom : », « Nom de naissance : », « Prénom(s) : », « nom d'usage : »
	if strings.Contains(g, ":") {
		for k := u - 1; k >= 0 && k >= u-4; k-- {
			if key := us[k].key; key == "nom" || key == "noms" || key == "prenom" || key == "prenoms" {
				return ctxPhrase
			}
			if k < u-1 && containsAny(d.ugap(us, k), ".!?\n:") {
				break
			}
		}
	}
	if containsAny(g, ".!?;") {
		return d.signoffContext(us, u)
	}
	nl := strings.Contains(g, "\n")
	if !nl {
		// « mon fils Lucas », « la conseillère Sophie », « l'agent Karim »
		// A French word that is nobody's name is a heading run on after the noun instead: « d'un enfant Congé
		// maternité », « un référent déontologue ».
		if p.lex&(wRelation|wRole) != 0 && u >= 2 && (possessives[us[u-2].key] || articles[us[u-2].key]) &&
			!(us[u].french && !us[u].inLex() && !us[u].known) && (!us[u].lower || d.lowerish || us[u].inLex() || us[u].known) &&
			!d.acronymWord(&us[u]) {
			return ctxPhrase
		}
		if p.lex&wRelation != 0 && strings.Contains(g, ",") && u >= 2 && (possessives[us[u-2].key] || u >= 3 && countWords[us[u-2].key] && possessives[us[u-3].key]) {
			return ctxPhrase // « mes deux enfants, Mykola et Daryna »
		}
		// « vos deux enfants majeurs rattachés, Sovann et Bopha »: the relation's adjectives before the comma; a
		// name that is no French word.
		if strings.TrimSpace(g) == "," && d.kinBefore(us, u-1) && (us[u].cap || us[u].upper) && us[u].foreign() && !us[u].place {
			return ctxPhrase
		}
		// « la petite Hanitra », « le petit Ilyes »: a child called so, a name that is no French word.
		if (p.key == "petite" || p.key == "petit") && p.lower && u >= 2 && (us[u-2].key == "la" || us[u-2].key == "le") &&
			us[u].cap && us[u].foreign() && !us[u].place && (us[u].known || us[u].inLex() || !us[u].english) {
			return ctxPhrase
		}
		// « mes trois enfants Noé », « mon ex-épouse C. Duhamel »
		if (p.lex&wRelation != 0 || strings.HasPrefix(p.key, "ex-") && relations[p.key[3:]]) && u >= 2 &&
			(u >= 3 && countWords[us[u-2].key] && possessives[us[u-3].key] || strings.HasPrefix(p.key, "ex-") && possessives[us[u-2].key]) &&
			(us[u].cap || us[u].upper || us[u].initial || d.lowerish) && !us[u].notName() {
			return ctxPhrase
		}
		// « ma fille aînée, Ximena », « mon petit-fils cadet Noé »
		if relationAdjectives[p.key] && u >= 3 && relations[us[u-2].key] && (possessives[us[u-3].key] || articles[us[u-3].key]) &&
			(us[u].cap || us[u].upper || d.lowerish) {
			return ctxPhrase
		}
		// « la tante de Nomvula », « le fils de Mme … » (the title decides there): a name that is not French.
		// Not an office's town: « le tribunal pour enfants de Beauvais ».
		if p.key == "de" && u >= 2 && relations[us[u-2].key] && (us[u].cap || us[u].upper) && us[u].nameWord() && !us[u].french &&
			!d.officeTown(us, u) {
			return ctxPhrase
		}
		// « l'AESH de Yanis », « l'ATSEM de Lucas »: a helper's acronym, then whom they help, a frequent first name.
		if p.key == "de" && u >= 2 && d.acronymWord(&us[u-2]) && !us[u-2].notName() && !officeWords[us[u-2].key] && us[u].cap &&
			us[u].first >= minLoneFirst && !us[u].common && !us[u].place {
			return ctxPhrase
		}
		// « mes enfants Noah, Jade, Lina »: a first name in a list after a name found
		// A word that is not French continues the list as well: « Lounis, Tassadit et Amayas ».
		if strings.TrimSpace(g) == "," && d.lastPerson == u-1 && (us[u].first > 0 || us[u].foreign() && !us[u].lower && p.first > 0) &&
			(us[u].cap || us[u].upper || d.lowerish) {
			return ctxPhrase
		}
		// « les Morel »: a family called by its surname
		if p.key == "les" && us[u].cap && us[u].last > 0 && !us[u].nonName && (!us[u].french || us[u].inLex()) &&
			!(u+1 < len(us) && (us[u+1].cap || us[u+1].upper) && plainSpace(d.ugap(us, u))) {
			return ctxPhrase
		}
		// « Noah et à Jade », « merci à Chloé et à Mathieu »
		if p.key == "a" && u >= 3 && us[u-2].key == "et" && d.lastPerson == u-3 {
			return ctxPhrase
		}
		// « mes enfants Noah et Jade », « Fatou et moi »
		if (p.key == "et" || p.key == "ou") && u >= 2 && d.lastPerson == u-2 {
			return ctxPhrase
		}
		// « ma colocataire Razafindrakoto Mialy »: a possessive and a noun, then a word that is not French.
		// A capitalised noun is a title's word instead: « Ma Prime Rénov' ».
		if u >= 2 && possessives[us[u-2].key] && !p.stop && !(p.cap && !d.allCaps) && !things[p.key] && (us[u].cap || us[u].upper) && us[u].foreign() {
			return ctxPhrase
		}
		// « la famille Rossignol », « Famille Ozdemir »: a family called by its surname.
		if p.key == "famille" && (us[u].cap || us[u].upper) && (us[u].last > 0 || us[u].known || us[u].foreign()) && !us[u].notName() {
			return ctxPhrase
		}
		switch p.key {
		case "appelle", "appelait", "appellait", "nomme", "signe", "signee", "prenom", "prenoms", "nom", "noms", "soussigne", "soussignee",
			"sappelle", "sapelle", "sappelait",
			"mappelle", "mapelle", "apelle", "jsuis", "chui", "veuve", "veuf", "divorcee", "epouse", "nee":
			// « née vidal » typed without capitals: a name of the tables that is no French word; « née le »,
			// « née à », « née prématurée » stay.
			if p.key == "nee" && !(us[u].cap || us[u].upper) && !(us[u].lower && d.lowerish && us[u].nameWord() && !us[u].french && !us[u].stop) {
				break
			}
			return ctxPhrase
		case "certain", "certaine", "denomme", "denommee":
			// « un certain Jean-Mi », « une dénommée Sylvie »: someone named by the speaker, not « un certain
			// nombre ».
			if u >= 2 && (us[u-2].key == "un" || us[u-2].key == "une") && (us[u].cap || us[u].upper || d.lowerFirstName(&us[u])) && !us[u].notName() {
				return ctxPhrase
			}
		case "appel":
			// « je m'appel Karim » (misspelt), but not « Appel Téléphonique »
			if u >= 2 && us[u-2].key == "m" {
				return ctxPhrase
			}
		case "bonjour", "bonsoir", "cher", "chere", "salut", "coucou", "hello":
			// A greeting followed directly by a capitalised word names the person greeted: « Bonjour Tanya, »;
			// a pseudonym that is a word too, « Bonjour Coquelicot », but not who anyone may be, « Cher Usager ».
			if (g == " " || g == "\u00a0") && !genericAddressees[us[u].key] {
				return ctxTitle
			}
		case "remercie", "remercions", "remercier", "felicite", "felicitations", "bravo":
			return ctxWeak
		}
		// « j'ai vu hakim au guichet », « eu sandrine au tel »: in a text typed without capitals, a name of the
		// tables that is no French word, right after a meeting.
		if metVerbs[p.key] && d.lowerish && us[u].lower && us[u].inLex() && us[u].foreign() && len(us[u].key) >= 4 {
			return ctxWeak
		}
		// « je remercie chaleureusement Mélodie »
		if strings.HasSuffix(p.key, "ment") && u >= 2 && thanksWords[us[u-2].key] && !us[u].lower {
			return ctxWeak
		}
		switch p.key {
		case "avec", "par":
			// « j'ai parlé avec Rose », « reçue par Blanche »: a first name that is also a word, capitalised
			// inside the sentence after the preposition of a meeting.
			if d.firstNameWritten(us, u) {
				return ctxWeak
			}
		case "a":
			if u >= 2 && talkedTo[us[u-2].key] && d.firstNameWritten(us, u) {
				return ctxWeak // « j'ai eu affaire à Pierre », « j'ai parlé à Rose »
			}
			// « merci à Sandrine », « remerciements à M. … », « merci à l'équipe et surtout à Rose »
			if u >= 2 && (us[u-2].key == "merci" || us[u-2].key == "remerciements" || us[u-2].key == "bravo" || us[u-2].key == "particulier") ||
				d.thanksBefore(us, u) {
				return ctxWeak
			}
			// « merci beaucoup à », « merci encore à », « un grand merci à »
			if u >= 3 && us[u-3].key == "merci" && (us[u-2].key == "beaucoup" || us[u-2].key == "bien" || us[u-2].key == "encore" ||
				us[u-2].key == "infiniment" || us[u-2].key == "mille" || us[u-2].key == "enormement") {
				return ctxWeak
			}
		case "est", "sont":
			if u >= 2 && (us[u-2].key == "nom" || us[u-2].key == "prenom") {
				return ctxPhrase
			}
			if p.key == "est" && u >= 3 && us[u-2].key == "c" && us[u-3].key == "moi" {
				return ctxPhrase // « moi c'est Aïcha »
			}
		case "suis":
			if u >= 2 && (us[u-2].key == "je" || us[u-2].key == "j") {
				return ctxWeak
			}
		case "de":
			if u >= 3 && us[u-2].key == "part" && us[u-3].key == "la" || u >= 2 && us[u-2].key == "nom" {
				return ctxPhrase // « de la part de … », « au nom de … »
			}
		case "c":
			if u >= 2 && us[u-2].key == "moi" {
				return ctxPhrase
			}
		case "ces", "ses", "cest", "se", "sest":
			// « moi ses jacqueline », « maman ces rosa », « mon nom ses gaëlle le floch »: « c'est » as it sounds,
			// in a text typed without capitals, after who is being named; the word after it a name of the tables
			// or no French word.
			if d.lowerish && u >= 2 && d.selfOrKin(us, u-2) && us[u].nameWord() && !us[u].common && !us[u].stop && !us[u].notName() &&
				(!us[u].french || us[u].first >= minLoneFirst) {
				return ctxPhrase
			}
		case "moi":
			// « c'est moi, Willem van den Berghe », « c moi tony »
			if u >= 3 && us[u-2].key == "est" && us[u-3].key == "c" || u >= 2 && us[u-2].key == "c" && us[u-2].lower {
				return ctxPhrase
			}
			// « c'est encore moi JP », « c'est toujours moi, Ana »
			if u >= 4 && selfAdverbs[us[u-2].key] && us[u-3].key == "est" && us[u-4].key == "c" && !us[u].lower {
				return ctxPhrase
			}
		case "ici":
		}
		// « Fatou et moi », « Fatou et mon mari »
		// Not a town: « à Gonesse et mon patron ».
		if u+2 < len(us) && us[u+1].key == "et" && (us[u+2].key == "moi" || us[u+2].key == "mon" || us[u+2].key == "ma") &&
			plainSpace(d.ugap(us, u)) && us[u].nameWord() && (us[u].cap || us[u].upper || d.lowerish) && !us[u].place {
			return ctxPhrase
		}
	}
	return d.signoffContext(us, u)
}

// signoffContext recognises a signature: after a closing formula, or alone on the last line.
func (d *detector) signoffContext(us []unit, u int) nameCtx {
	g := d.ugap(us, u-1)
	if !containsAny(g, ",\n") {
		// A name after the last sentence, or after a dash, « Rien à redire. — J.-P. Rousseau »: a signature
		// when it stands alone at the end.
		if containsAny(g, ".!?—–") && d.aloneOnLine(us, u) {
			return ctxSignoff
		}
		return ctxNone
	}
	for k, n := u-1, 0; k >= 0 && n < 4; k, n = k-1, n+1 {
		if greetingNext[us[k].key] || us[k].key == "cordialement" || us[k].key == "vous" && k > 0 && us[k-1].key == "a" {
			return ctxSignoff
		}
		if k > 0 && containsAny(d.ugap(us, k-1), ".!?\n") {
			break
		}
	}
	if d.aloneOnLine(us, u) {
		return ctxSignoff
	}
	return ctxNone
}

// aloneOnLine reports whether unit u starts a line, or the last sentence of the text, that holds nothing but a
// few words: a signature at the end, a sender's name at the top of a letter.
func (d *detector) aloneOnLine(us []unit, u int) bool {
	// A name line is short: looking further than maxNameLine bytes would make a long text quadratic.
	const maxNameLine = 160
	rest := d.text[us[u].start:]
	short := len(rest) <= maxNameLine
	if !short {
		rest = rest[:maxNameLine]
	}
	line, _, nl := strings.Cut(rest, "\n")
	switch {
	case !nl && !short:
		return false
	case u == 0 || strings.Contains(d.ugap(us, u-1), "\n"):
	case containsAny(d.ugap(us, u-1), ".!?—–") && !nl:
	default:
		return false
	}
	line = strings.TrimRight(strings.TrimSpace(line), ".!,;")
	if initialsLine(line) {
		return true // « J.-P. M. »
	}
	// A phone number after the name ends the line: « steph 06 12 … ».
	line = strings.TrimRight(line, "0123456789 +./-")
	if initialsLine(line) {
		return true // « J.-P. M. »
	}
	// The whole line is the name: a few words, no digit, no punctuation inside. The words are counted, not
	// collected: this runs for every name candidate of a text.
	f := 0
	for range strings.FieldsSeq(line) {
		if f++; f > 4 {
			return false
		}
	}
	return f > 0 && !containsAny(line, "0123456789:,;()@.!?")
}

// nameRun reads the name starting at unit u; it returns the last unit and the count of name words.
func (d *detector) nameRun(us []unit, u int, ctx nameCtx) (int, int) {
	last, n := -1, 0
	// A French word in lower case in a text written with capitals is an adjective after « je suis » (« je suis
	// malienne »), unless thanks say a first name comes (« merci à olivier »).
	slot := d.firstNameSlot(us, u)
	lowerOK := ctx != ctxNone && (ctx != ctxWeak || d.lowerish ||
		us[u].lower && (us[u].first > 0 && (!us[u].french || slot) || us[u].known && !us[u].french))
	for j := u; j < len(us) && n < 4; j++ {
		if j > u {
			g := d.ugap(us, j-1)
			if !(plainSpace(g) || us[j-1].initial && (g == ". " || g == "." || g == ".-" || g == "-" || g == ".\u00a0") || g == "'" || g == "’") {
				break
			}
		}
		w := &us[j]
		if n > 0 && d.workplaceAfter(us, j, ctx) {
			break
		}
		// The Catalan and Spanish « and » between two surnames: « Jordi Puigcerver i Martí », « Ana García y López ».
		if n > 0 && (w.key == "i" || w.key == "y") && w.lower && !d.lowerish && j+1 < len(us) && plainSpace(d.ugap(us, j)) &&
			us[j+1].cap && (us[j+1].foreign() || us[j+1].inLex() || us[j+1].known) && !us[j+1].notName() {
			continue
		}
		// Particles: « Jean de La Fontaine », « Le Goff », « Ben Ali », « N'Diaye ».
		if nameParticles[w.key] && j+1 < len(us) && plainSpace(d.ugap(us, j)) {
			nx := &us[j+1]
			if (n > 0 || w.cap || w.upper || ctx == ctxTitle) && (nx.nameLike() && !nx.notName() || (d.allCaps || lowerOK) && nx.nameWord() && !nx.stop ||
				nameParticles[nx.key] && j+2 < len(us) && us[j+2].nameLike()) &&
				(w.cap || w.upper || n > 0 || ctx == ctxTitle) && !(d.allCaps && w.upper && n == 0 && ctx == ctxNone) {
				continue
			}
		}
		// After a title or a phrase that announces a name, a known name that is also a place is a name:
		// « Mme Lourdes Mendoza », « je suis Saint-Fleur Magalie ».
		// Not when an institution's name goes on: « votre conseiller France Travail », « Pôle Solidarité ».
		placeName := ctx != ctxNone && ctx != ctxSignoff && w.nonName && !w.stop && (w.inLex() || w.known || w.a != w.b) &&
			(w.cap || w.upper) && !titles[w.key] && !roles[w.key] && !institutions[w.key] && !officeHeads[w.key] && !officeWords[w.key] &&
			!(j+1 < len(us) && (us[j+1].nonName && !((us[j+1].inLex() || us[j+1].known) && d.town(&us[j+1])) || us[j+1].cap && us[j+1].french && !us[j+1].inLex() && !us[j+1].known) &&
				plainSpace(d.ugap(us, j)))
		// « Hugo Ferrand », « Jean Lille », « Sandrine Tours »: after a known first name, a known surname or a
		// town (many surnames are towns) that the place lists hold.
		surnameAfterFirst := j > u && n > 0 && us[j-1].first > 0 && w.nonName && (w.last > 0 || d.town(w)) && (w.cap || w.upper) &&
			!w.stop && !titles[w.key] && !roles[w.key] && !institutions[w.key]
		switch {
		case w.notName() && !placeName && !surnameAfterFirst && !d.initialsRun(us, j):
		case d.allCaps && w.upper:
			// « THIERRY CHARLERY »: after a frequent first name, a surname no table holds but that is no word.
			afterFirst := n > 0 && us[j-1].first >= minLoneFirst && !us[j-1].common && !w.french && !w.english && len(w.key) >= 4
			if ctx == ctxNone && !w.inLex() && !afterFirst {
				break
			}
			if w.common && ctx == ctxNone && n == 0 {
				break
			}
			last, n = j, n+1
			continue
		case w.nameLike():
			if w.initial && (j+1 >= len(us) && !(ctx != ctxNone && strings.HasPrefix(d.text[w.end:], "."))) ||
				w.initial && j+1 < len(us) && !strings.HasPrefix(d.ugap(us, j), ".") && ctx != ctxTitle && n == 0 {
				break
			}
			last, n = j, n+1
			continue
		case j == u && ctx == ctxPhrase && d.namedBy(us, u) && !w.stop && !w.notName():
			// « elle s'appelle lune »: after the naming verb any word is the name, French or not.
			last, n = j, n+1
			continue
		case w.lower && lowerOK && w.nameWord() && (!w.common || n > 0 || ctx == ctxTitle || j == u && u > 0 && namingVerbs[us[u-1].key] ||
			j == u && slot && w.first >= minLoneFirst) &&
			!w.stop && !w.notName():
			last, n = j, n+1
			continue
		case n == 0 && d.lowerFirstName(w):
			// « j'ai vu sandrine au guichet »: a frequent first name, not a French word, typed in lower case.
			last, n = j, 1
			if !lowerOK {
				if j+1 < len(us) && plainSpace(d.ugap(us, j)) && d.surnameClosing(us, j+1) {
					return j + 1, 2 // « jsui adherent …, kevin roux, 06 … »
				}
				return last, n
			}
			continue
		}
		break
	}
	if last >= 0 && us[last].initial && n == 1 && ctx != ctxTitle {
		return -1, 0 // « Madame B. » is a person, « B. » alone may be anything
	}
	return last, n
}

// acceptName decides whether the run u..last of n name words is a person's name.
func (d *detector) acceptName(us []unit, u, last, n int, ctx nameCtx) bool {
	for u < last && nameParticles[us[u].key] {
		u++ // « LE GOFF Sébastien »: judge from the name after the particle
	}
	first := &us[u]
	if u > 0 && institutions[us[u-1].key] && ctx != ctxTitle && plainSpace(d.ugap(us, u-1)) {
		return false
	}
	// « au CCAS de Villeneuve-d'Ascq », « l'agence de Clermont-Ferrand », « Tribunal judiciaire de Bobigny »,
	// « France services de Murat », « la préfecture de l'Aude »: the town or the département of an office, past
	// its adjectives.
	if ctx == ctxNone && d.officeTown(us, u) {
		return false
	}
	// « la CCI Grand Hainaut », « la CPAM Flandres »: capitalised words right after an office's acronym name
	// its branch, unless a frequent first name opens them.
	if ctx == ctxNone && u > 0 && us[u-1].upper && (officeHeads[us[u-1].key] || officeWords[us[u-1].key]) && plainSpace(d.ugap(us, u-1)) &&
		!(first.first >= minLoneFirst && !first.common) {
		return false
	}
	// « l'attestation de la Deutsche Rentenversicherung »: a name run after an article is a thing's or a body's;
	// a person's takes a title there (« la Dupont » is not written of a citizen).
	if ctx == ctxNone && u > 0 && first.cap && frenchArticles[d.text[us[u-1].start:us[u-1].end]] {
		return false
	}
	switch ctx {
	case ctxTitle, ctxPhrase:
		return true
	case ctxSignoff:
		if n >= 2 && d.initialsRun(us, u) {
			return true // « Cdt, M.D. », « sign. A.B. »
		}
		// A phone number may follow the signature: « steph 06… ».
		endsText := strings.TrimRight(d.text[us[last].end:], " .!\n\r\t0123456789+/-") == ""
		if endsText && d.namesOnly(us, u, last) {
			return true // « … rappelle. Pierre », « Florence Marine »: first names that are words, alone at the end
		}
		if u > 0 && !containsAny(d.ugap(us, u-1), ",\n") {
			// Alone after the last sentence: a first name, a surname beside another name word, or a word
			// that is not French; not « Bravo. », « Game Over. ».
			for k := u; k <= last; k++ {
				w := &us[k]
				if w.first > 0 && !w.common || n >= 2 && w.last > 0 && !w.common ||
					w.foreign() && !w.inLex() && (w.cap || w.upper || endsText && len(w.key) >= 3 && !smsWords[w.key]) ||
					w.foreign() && w.inLex() && (w.cap || w.upper || endsText && len(w.key) >= 3 && !smsWords[w.key]) {
					return true
				}
			}
			return false
		}
		for k := u; k <= last; k++ {
			if us[k].inLex() || us[k].foreign() && (us[k].cap || us[k].upper || endsText && len(us[k].key) >= 3 && !smsWords[us[k].key]) {
				return true
			}
		}
		// Two or more capitalised French words that are nobody's name sign for a service: « Cellule Qualité ».
		return n >= 2 && !d.allCaps && !d.frenchWords(us, u, last)
	case ctxWeak:
		for k := u; k <= last; k++ {
			if us[k].first > 0 && !nameParticles[us[k].key] || n >= 2 && us[k].last > 0 || us[k].foreign() && !nameParticles[us[k].key] {
				return true
			}
		}
		// « merci à Prudence du CCAS »: thanked, a name of the large list capitalised inside the sentence.
		return n == 1 && first.known && first.cap && !first.nonName && !first.place && !d.toks[first.a].has(fSentStart) && d.firstNameSlot(us, u)
	}
	// Words written as names, none of them French (but known first names), at least one not French:
	// « Ivanka Georgieva », « Lourdes Mendoza », « Willem van den Berghe ».
	if n >= 2 && !d.allCaps && !d.lowerish {
		ok, foreign, known, upperSurname, mixedForeign := true, 0, 0, false, false
		for k := u; k <= last; k++ {
			w := &us[k]
			if nameParticles[w.key] {
				continue
			}
			// A surname in capitals beside a first name that is not: « DOSSOU-YOVO Euloge ». Long enough not to
			// be an acronym, no word of any table.
			if w.upper && w.end-w.start >= 6 && !w.french && !w.english && !w.stop && !w.nonName && !w.place && !w.inLex() && !w.known {
				upperSurname = true
			}
			if w.cap && !w.upper && w.foreign() && !w.place {
				mixedForeign = true
			}
			// An acronym is an office's name: « CCAS de Villeneuve-d'Ascq ».
			if w.french && !w.inLex() || w.notName() || !w.nameLike() || w.initial || w.upper && w.end-w.start <= 5 && !w.inLex() && !w.known {
				ok = false
				break
			}
			if w.foreign() {
				foreign++
			}
			if w.inLex() || w.known {
				known++
			}
		}
		if ok && foreign >= 1 && (known >= 1 || foreign >= 2 || upperSurname && mixedForeign) {
			return true
		}
	}
	if n == 1 && d.lowerFirstName(first) || n == 2 && last == u+1 && d.lowerFirstName(first) && d.surnameClosing(us, last) {
		return true
	}
	if d.lowerish && !first.nameLike() {
		return false
	}
	start := d.toks[first.a].has(fSentStart)
	// « A. Moreau a traité mon dossier », « J. Nowicki »: an initial and a surname, or a word that is not French.
	if n == 2 && first.initial && strings.HasPrefix(d.ugap(us, u), ".") {
		second := &us[last]
		return (second.cap || second.upper) && !second.notName() && (second.last > 0 && !second.common || second.foreign())
	}
	if n >= 2 && u < last {
		second := &us[min(u+1, last)]
		for k := u + 1; k < last && nameParticles[us[k].key]; k++ {
			second = &us[k+1]
		}
		if first.first > 0 {
			if d.allCaps {
				// « THIERRY CHARLERY »: a frequent first name, then a word that is not French.
				return !first.common && second.inLex() || first.first >= minLoneFirst && second.last > 0 ||
					first.first >= minLoneFirst && !first.common && !second.french && !second.stop && !second.notName() && len(second.key) >= 4
			}
			if first.common && (second.common || start) && second.last == 0 {
				return false
			}
			return true
		}
		// « DUPONT Marie », « Diallo Mamadou »; not a programme's acronym, « l'AESH de Yanis ».
		if second.first > 0 && !second.common && (first.upper && !d.allCaps && !d.acronymWord(first) || first.last > 0 && !first.common) {
			return true
		}
		// Two capitalised words, the second a known surname, the first unknown: a rare first name.
		// Not a French word first: « la société Transports Lemaire ».
		if !d.allCaps && first.cap && !start && second.last > 0 && !second.common && !first.common && (!first.french || first.known) {
			return true
		}
		// Retry from the second word alone: « Merci Sandrine »
		return false
	}
	// A first name alone.
	if first.first >= minLoneFirst && !first.common && first.cap && !d.allCaps {
		if u+1 < len(us) && (us[u+1].key == "cedex") {
			return false
		}
		return true
	}
	if d.allCaps && first.upper && first.first >= minLoneFirst && !first.common && first.last == 0 {
		return true
	}
	// A known name that is not a French word, capitalised inside a sentence, not after a preposition of place:
	// « j'ai parlé avec Oksana ».
	// Not after a place's or an office's capitalised name: « l'accueil de Brest Bellevue ».
	if n == 1 && first.cap && !start && !d.allCaps && first.known && first.foreign() && len(first.key) >= 3 && u > 0 &&
		!placePrepositions[us[u-1].key] && !institutions[us[u-1].key] && !possessives[us[u-1].key] && !articles[us[u-1].key] &&
		!((us[u-1].nonName || us[u-1].french && !us[u-1].inLex() && !us[u-1].known) && (us[u-1].cap || us[u-1].upper) && plainSpace(d.ugap(us, u-1))) {
		return true
	}
	return false
}

// acronym reports a word alone between parentheses whose letters are the initials of the words before it:
// « Agence nationale pour l'information sur le logement (Anil) ». A name in parentheses, « (Chantal) », is not.
func (d *detector) acronym(us []unit, u int) bool {
	w := &us[u]
	n := w.end - w.start
	if u == 0 || n < 2 || n > 8 || w.a != w.b || !strings.HasSuffix(d.ugap(us, u-1), "(") ||
		!strings.HasPrefix(d.text[w.end:], ")") {
		return false
	}
	key := w.key
	k := u - 1
	for i := len(key) - 1; i >= 0; i-- {
		for k >= 0 && (stopwords[us[k].key] || len(us[k].key) <= 1 || us[k].key == "pour" || us[k].key == "sur") {
			k--
		}
		if k < 0 || k < u-14 || us[k].key[0] != key[i] {
			return false
		}
		k--
	}
	return true
}

// frenchSuffix reports a word ending like French adjectives, adverbs and nouns of action, which names do not.
func frenchSuffix(k string) bool {
	if len(k) < 7 {
		return false
	}
	for _, suf := range []string{"able", "ables", "ible", "ibles", "ment", "ments", "tion", "tions", "euse", "euses",
		"iste", "istes", "ique", "iques", "itude", "ance", "ances", "ence", "ences", "isation", "ement",
		"ienne", "iennes", "aise", "aises", "oise", "oises"} {
		if strings.HasSuffix(k, suf) {
			return true
		}
	}
	// Nationalities: « mauricien », « malgache » aside.
	return len(k) >= 8 && (strings.HasSuffix(k, "ien") || strings.HasSuffix(k, "iens"))
}

// elided reports a French word glued to the elided pronoun or article before it, as messages are typed:
// « jhabite », « lagence », « davoir ».
func (d *detector) elided(k string) bool {
	if len(k) < 5 || !strings.ContainsRune("jlmdnstc", rune(k[0])) || !strings.ContainsRune("aeiouyh", rune(k[1])) {
		return false
	}
	return d.lex.french.has(k[1:])
}

// talkedTo are the words before « à » that make the next name a person spoken to.
var talkedTo = set(`affaire parle parlee demande demandee explique expliquee dit montre remis remise envoye envoyee
	transmis transmise adresse adressee`)

// firstNameWritten reports a frequent first name written as one, capitalised inside the sentence, not a place.
func (d *detector) firstNameWritten(us []unit, u int) bool {
	w := &us[u]
	return w.cap && !d.allCaps && w.first >= minLoneFirst && !w.nonName && !d.toks[w.a].has(fSentStart)
}

// lowerFirstName reports a word in lower case that can only be a first name: a frequent one, not a French word,
// not a word that is also a name of something.
func (d *detector) lowerFirstName(w *unit) bool {
	return w.lower && !d.allCaps && w.first >= minLoneFirst && !w.common && !w.french && !w.notName() && !w.stop &&
		len(w.key) >= 4 && w.a == w.b
}

// acronymWord reports a short word in capitals that no name table holds, in a text that is not all capitals: a
// scheme's or an office's acronym (« ma conseillère CSP », « l'AESH »), not a surname.
func (d *detector) acronymWord(w *unit) bool {
	return w.upper && !d.allCaps && w.end-w.start <= 5 && w.a == w.b && !w.inLex() && !w.known
}

// surnameClosing reports a known surname in lower case that ends the phrase after a first name: a comma, a line
// break, a parenthesis or the end of the text follows it, « kevin roux, 06 … ». In the middle of a sentence the
// same word is an adjective or a noun: « kevin roux de colère ».
func (d *detector) surnameClosing(us []unit, k int) bool {
	w := &us[k]
	if !w.lower || w.last == 0 || w.stop || w.notName() || w.a != w.b || len(w.key) < 3 {
		return false
	}
	rest := strings.TrimLeft(d.text[w.end:], " \t")
	return rest == "" || containsAny(rest[:1], ",;.\n(")
}

// frenchWords reports whether units u..last are all French words and none in the name tables (the large list
// holds « mission », « service »…): a service's name.
func (d *detector) frenchWords(us []unit, u, last int) bool {
	for k := u; k <= last; k++ {
		if w := &us[k]; !nameParticles[w.key] && (!w.french || w.inLex()) {
			return false
		}
	}
	return true
}

// things are nouns after a possessive that name no person: the capitalised word after them is a brand or a
// service, « mon colis Colissimo », not « ma colocataire Razafindrakoto ».
var things = set(`colis courrier courriers dossier dossiers compte espace logement vehicule voiture banque assurance mutuelle
	telephone ordinateur application appli site contrat fournisseur operateur box forfait abonnement commande paquet
	lettre facture navigateur carte numero mail adresse email messagerie identifiant code mot passe`)

// placePrepositions come before a town or a country more often than before a person.
var placePrepositions = set(`a au aux en de d du des sur sous vers depuis pres dans entre lez les la le l via`)

// apostropheName reports whether the initial at token i and the word after its apostrophe form a known name
// (« N'Diaye », « O'Brien », « D'Angelo ») rather than an elision (« M'APPELLE », « L'Agence »).
func (d *detector) apostropheName(i int) bool {
	t, n := &d.toks[i], &d.toks[i+1]
	var buf [64]byte
	k := append(append(append(buf[:0], t.key...), '\''), n.key...)
	if d.lex.last[string(k)] > 0 || d.lex.first[string(k)] > 0 {
		return true
	}
	switch t.key {
	case "o", "n", "m":
		return !d.allCaps && n.has(fCap) && d.lex.last[n.key]+d.lex.first[n.key] == 0 && !commonWords[n.key] && !stopwords[n.key] && len(n.key) >= 3
	}
	return false
}

// initialsLine reports a line made of initials and at most one word: « J.-P. M. », « A. Dupuis ».
func initialsLine(line string) bool {
	if !strings.Contains(line, ".") {
		return false // most lines: told before splitting them
	}
	f := strings.Fields(line)
	if len(f) == 0 || len(f) > 3 {
		return false
	}
	words := 0
	for _, w := range f {
		parts := strings.FieldsFunc(w, func(r rune) bool { return r == '.' || r == '-' })
		if len(parts) == 0 {
			return false
		}
		for _, p := range parts {
			r, n := utf8.DecodeRuneInString(p)
			if !unicode.IsUpper(r) {
				return false
			}
			if n < len(p) {
				words++
			}
		}
	}
	return words <= 1
}

// lowerPair reports two words in lower case, a known first name and a known surname in either order, neither
// a French word: « dupont kevin ici », in a text written without capitals.
func (d *detector) lowerPair(us []unit, u int) bool {
	if u+1 >= len(us) || !plainSpace(d.ugap(us, u)) {
		return false
	}
	a, b := &us[u], &us[u+1]
	if !a.lower || !b.lower || a.french || b.french || a.stop || b.stop || a.notName() || b.notName() {
		return false
	}
	if a.first > 0 && b.last > 0 || a.last > 0 && b.first > 0 {
		return true
	}
	return false
}

// lowerFirstSurname reports, in a text written without capitals, a frequent first name (even one that is also a
// French word: « moussa », « bernard ») followed by a word no French or English list holds, that is a known
// name or ends the text: « au bureau de poste moussa konaté plaque … », « … 2 3 1 9 bernard couderc ».
func (d *detector) lowerFirstSurname(us []unit, u int) bool {
	if u+1 >= len(us) || !plainSpace(d.ugap(us, u)) {
		return false
	}
	a, b := &us[u], &us[u+1]
	if !a.lower || !b.lower || a.first < minLoneFirst || a.common || a.stop || a.notName() || b.notName() || !b.foreign() ||
		b.first > 0 || len(b.key) < 4 || a.a != a.b {
		return false
	}
	if b.last > 0 || b.known {
		return true
	}
	return strings.TrimRight(d.text[b.end:], " .!\n") == ""
}

// repeatNames masks the other mentions of a name already found: « mes enfants Noah et Jade … pour Jade ». Only
// capitalised mentions (any case in a text without capitals), and only names that are not French words but
// first names, so the colour « rose » stays when Rose was masked.
func (d *detector) repeatNames(us []unit, found map[string]bool) {
	if len(found) == 0 {
		return
	}
	// Misspelt mentions, « prénom écrit Matilde au lieu de Mathilde »: a word one letter away from a name found.
	// The first 64 names in the text's order, not the map's: drawn from the map, a text of more than 64 names
	// was masked differently from one run to the next.
	var near []string
	for k := 0; k < len(us) && len(near) < 64; k++ {
		if key := us[k].key; len(key) >= 4 && found[key] && !slices.Contains(near, key) {
			near = append(near, key)
		}
	}
	prev, from := -2, 0
	for k := range us {
		d.tick()
		w := &us[k]
		if !(w.cap || w.upper || d.lowerish || d.named[w.key]) {
			continue
		}
		if !found[w.key] && !d.misspelt(w, near) && !d.compoundOf(w, found) {
			continue
		}
		if (w.common || w.french) && (!w.cap || d.toks[w.a].has(fSentStart)) && !d.named[w.key] {
			continue // « Rose » masked, the colour « rose » and a sentence's first word kept
		}
		n := len(d.cands)
		if prev == k-1 && plainSpace(d.ugap(us, prev)) {
			// « Mai Anh » again: one span for the name, as it was found; the last candidate, the previous
			// word's own, goes once the joined one is in.
			if d.add(from, w.end, LabelPerson); len(d.cands) > n {
				d.cands = slices.Delete(d.cands, n-1, n)
				prev = k
				continue
			}
		}
		from, prev = w.start, -2
		if d.add(from, w.end, LabelPerson); len(d.cands) > n {
			prev = k // added: the next word may join it
		}
	}
}

// compoundOf reports a double name written as one word, one part of it a surname found elsewhere in the text:
// « Lemoine-Akkad » after « Samia Akkad ». A first name found is no such part: « Jean » found leaves « lycée
// Jean-Jaurès ». Not a place's name either.
func (d *detector) compoundOf(w *unit, found map[string]bool) bool {
	if w.a == w.b || w.nonName || w.place || strings.Contains(w.key, "'") {
		return false
	}
	// Every other part a name too, not a word: « Lille-Sud » is a district even when a Mr Lille was found.
	some := false
	for part := range strings.SplitSeq(w.key, "-") {
		pw := d.lex.word(part)
		switch {
		case len(part) >= 3 && found[part] && pw&wFirst == 0:
			some = true
		case pw&(wFrench|wFrenchExtra|wStop|wPlace|wNonName) != 0 && pw&(wFirst|wLast) == 0:
			return false
		}
	}
	return some
}

// misspelt reports a word written as a name, not French, one edit (a letter changed, added, dropped, or two
// swapped) away from a name found in the text.
func (d *detector) misspelt(w *unit, near []string) bool {
	if len(w.key) < 4 || w.french || w.stop || w.notName() || w.common || w.a != w.b {
		return false
	}
	for _, k := range near {
		if k[0] == w.key[0] && oneEdit(k, w.key) {
			return true
		}
	}
	return false
}

// oneEdit reports whether a and b differ by exactly one substitution, insertion, deletion or swap of two
// neighbouring bytes (keys are folded to ASCII letters mostly, so bytes will do).
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// countWords count relatives: « mes deux enfants ».
var countWords = set(`deux trois quatre cinq six 2 3 4 5 6`)

// smsWords are the abbreviations a text typed like a message ends with; they sign nothing.
var smsWords = set(`svp stp mdr ptdr bcp cdt cdlt slt bjr bsr mrc mrci dsl jsp tkt pk pq ok okay lol thx merci`)

// namingVerbs say that the next word is a name, even one that is also a common word: « elle s'appelle blanche ».
var namingVerbs = set(`appelle appellait appelait mappelle mapelle apelle nomme prenom sappelle sapelle sappelait`)

// initialsRun reports initials written together, « M.D. », « A.B. », « J.-P. »: the « M. » there is no title.
func (d *detector) initialsRun(us []unit, u int) bool {
	return us[u].initial && u+1 < len(us) && us[u+1].initial && d.ugap(us, u) == "." && !us[u].lower
}

// bornAfter reports a name followed by its birth, « dupont marie, née le 3/4/85 », « Hugo (né en 2015) »: up
// to three words, then a comma or a parenthesis and « né », « née ».
func (d *detector) bornAfter(us []unit, u int) bool {
	if us[u].french && !us[u].inLex() && !us[u].known || us[u].notName() {
		return false
	}
	for k := u; k < len(us)-1 && k < u+3; k++ {
		g := strings.TrimSpace(d.ugap(us, k))
		if g == "," || g == "(" || g == ", (" {
			nx := us[k+1].key
			return (nx == "ne" || nx == "nee") && k+2 < len(us) && (us[k+2].key == "le" || us[k+2].key == "en")
		}
		if !plainSpace(d.ugap(us, k)) || us[k+1].notName() || us[k+1].french && !us[k+1].inLex() && !us[k+1].known {
			return false
		}
	}
	return false
}

// roleAfter reports a capitalised word inside a sentence followed by a role in apposition: « merci à Lune,
// conseillère France Services ». Not a place's or an office's name: « la CAF de Lyon, agent… ».
func (d *detector) roleAfter(us []unit, u int) bool {
	w := &us[u]
	// At the start of a line it signs a reply: « Teva, conseiller CPS », and with the service or the office
	// instead of the role: « Aurore, service courrier, … », « Murielle, CAF de … ».
	lineStart := u > 0 && strings.Contains(d.ugap(us, u-1), "\n") || u == 0
	if u+1 >= len(us) || !w.cap || w.a != w.b || w.notName() || d.toks[w.a].has(fSentStart) && !lineStart || d.allCaps ||
		strings.TrimSpace(d.ugap(us, u)) != "," {
		return false
	}
	if lineStart {
		n := &us[u+1]
		return w.nameWord() && !w.place && (roles[n.key] || (office(n) || n.key == "service" || n.key == "services" || n.key == "equipe") &&
			(w.first > 0 || w.known && !w.french) && d.lastLines(u))
	}
	if !roles[us[u+1].key] {
		return false
	}
	p := &us[u-1]
	if p.cap && plainSpace(d.ugap(us, u-1)) || p.key == "de" || p.key == "du" || p.key == "des" || p.key == "d" || p.key == "en" {
		return false
	}
	return true
}

// selfAdverbs stand between « c'est » and « moi » when someone names themself again: « c'est encore moi ».
var selfAdverbs = set(`encore toujours bien juste re`)

// namedAfter reports a word followed by what says it is a name: « Anahit de son prénom », « Blanc de son nom ».
func (d *detector) namedAfter(us []unit, u int) bool {
	w := &us[u]
	if u+3 >= len(us) || w.notName() || !(w.cap || w.upper || d.lowerish) || !plainSpace(d.ugap(us, u)) ||
		us[u+1].key != "de" || us[u+2].key != "son" && us[u+2].key != "sa" {
		return false
	}
	k := us[u+3].key
	return k == "prenom" || k == "nom" || k == "patronyme"
}

// firstNameSlot reports a place where a first name stands even when it is also a word, « merci à olivier »,
// « Noah et blanche »: after thanks, or after « et » that follows a name found.
func (d *detector) firstNameSlot(us []unit, u int) bool {
	if u == 0 {
		return false
	}
	p := us[u-1].key
	switch {
	case p == "remercie" || p == "remercier" || p == "remercions" || p == "remerciez":
		return true
	case p == "a" && u >= 2:
		q := us[u-2].key
		return q == "merci" || q == "remerciements" || q == "bravo" || q == "et" && d.lastPerson == u-3 || d.thanksBefore(us, u)
	case strings.HasSuffix(p, "ment") && u >= 2 && thanksWords[us[u-2].key]:
		return true
	case p == "et" || p == "ou":
		return d.lastPerson == u-2
	case p == "suis" && u >= 2 && (us[u-2].key == "je" || us[u-2].key == "j") || p == "jsuis":
		// « je suis aurore, » : the comma closes the name, an adjective would go on.
		return u+1 >= len(us) || strings.HasPrefix(d.ugap(us, u), ",")
	}
	return false
}

// namedBy reports a word right after « s'appelle », « m'appelle » (also typed « mappelle »), that ends the phrase
// or goes on with another name word: the name, even one that is an ordinary word. « il m'appelle souvent » goes
// on with a word that is no name.
func (d *detector) namedBy(us []unit, u int) bool {
	if u < 1 {
		return false
	}
	p := us[u-1].key
	if !(p == "mappelle" || p == "mapelle" || p == "sappelle" || p == "sapelle" || p == "sappelait" || (p == "appelle" || p == "appelait" || p == "appellait") && u >= 2 &&
		(us[u-2].key == "s" || us[u-2].key == "m")) {
		return false
	}
	if u+1 >= len(us) {
		return true
	}
	return !plainSpace(d.ugap(us, u)) || us[u+1].nameWord() && !us[u+1].french
}

// namesOnly reports units u..last all names as first names or surnames, at least one a frequent first name, even
// ones that are words: alone at the end of a message, they sign it.
func (d *detector) namesOnly(us []unit, u, last int) bool {
	freq := false
	for k := u; k <= last; k++ {
		w := &us[k]
		if nameParticles[w.key] && k > u {
			continue
		}
		if w.nonName || w.notName() || w.first == 0 && (w.last == 0 || last == u) && !initials(w, k < last) {
			return false
		}
		if w.first >= minLoneFirst || initials(w, k < last) {
			freq = true // « JL Barbier »: initials stand for the first name
		}
	}
	return freq
}

// function reports a lower-case « la », « le » after a title that opens a function, not a surname: « Madame la
// Défenseure », « Monsieur le Préfet »; « M. le Gall » goes on with a known name.
func (d *detector) function(us []unit, u int) bool {
	w := &us[u]
	if !w.lower || w.key != "la" && w.key != "le" || u+1 >= len(us) {
		return false
	}
	nx := &us[u+1]
	return nx.notName() || !nx.known && !nx.inLex() || nx.french && nx.last == 0
}

// foreignThanks are words of thanks in other languages; the word before them counts them, « Mila esker ».
var foreignThanks = set(`esker eskerrik grazie gracias danke obrigado obrigada mersi mesi`)

// officeWords name administrations whose town follows: « la CAF de Lens », « au consulat de Tunis ».
var officeWords = set(`caf cpam msa urssaf carsat cnav mdph ccas cias dgfip sip sie prefecture sous-prefecture tribunal
	consulat ambassade commissariat gendarmerie brigade tresorerie sncf crous`)

// office reports a word that names an office: an institution, an administration, an acronym that is nobody's
// name.
func office(w *unit) bool {
	return institutions[w.key] || officeWords[w.key] || w.upper && w.end-w.start <= 6 && !w.inLex() && !w.known
}

// workplaceAfter reports, at unit j after a name, a lower-case « de », « du », « des » that opens where the
// person works rather than the rest of the name: « Aïcha de la Cimade », « Karim du Secours populaire ». A
// known surname goes on the name: « Jean de Villiers ». Text in capitals has no lower case to tell.
func (d *detector) workplaceAfter(us []unit, j int, ctx nameCtx) bool {
	w := &us[j]
	if !(w.lower || d.allCaps) || w.key != "de" && w.key != "du" && w.key != "des" && w.key != "d" {
		return false
	}
	k := j + 1
	for k < len(us) && k <= j+2 && nameParticles[us[k].key] {
		k++
	}
	if k >= len(us) {
		return false
	}
	nx := &us[k]
	// After a title only an office ends the name: « M. de Villepin » is a name, « MR BENALI DU CCAS » is not.
	return office(nx) || nx.nonName || ctx != ctxTitle && !nx.inLex() && !(nx.known && !nx.french)
}

// officeNamedBefore reports an office's word at unit k, or before it past at most two words of its name in lower
// case (« judiciaire », « départemental ») or one capitalised (« France services »), and the « pour » or « des »
// that join them (« tribunal pour enfants », « maison départementale des personnes handicapées »).
func (d *detector) officeNamedBefore(us []unit, k int) bool {
	for j, words := k, 0; j >= 0 && words <= 2; j-- {
		w := &us[j]
		if office(w) || officeHeads[w.key] {
			return true
		}
		if j > 0 && !plainSpace(d.ugap(us, j-1)) {
			return false
		}
		switch {
		case w.lower && officeJoins[w.key]:
		case w.lower && w.french && !w.stop || w.key == "france":
			words++
		default:
			return false
		}
	}
	return false
}

// frenchArticles are the definite articles as written (« là » of « Tôi là Trần Văn Đức » is Vietnamese).
var frenchArticles = set(`la le les l`)

// officeJoins join the words of an office's name: « tribunal pour enfants », « maison des solidarités ».
var officeJoins = set(`pour des aux et`)

// officeTown reports unit u after « de », « du », « de la », « de l' » that follow an office's name: « au CCAS de
// Villeneuve-d'Ascq », « le conseil départemental de l'Aude », « la préfecture de la Somme ».
func (d *detector) officeTown(us []unit, u int) bool {
	k := u - 1
	if k >= 1 && (us[k].key == "l" || us[k].key == "la") && us[k].lower && (us[k-1].key == "de" || us[k-1].key == "d") {
		k--
	}
	return k >= 1 && (us[k].key == "de" || us[k].key == "d" || us[k].key == "du") && d.officeNamedBefore(us, k-1)
}

// firmWords name a firm or an employer; the capitalised words after them are its name: « mon employeur Budimex »,
// « le bailleur Vilogia », « l'agence d'intérim Adecco Villejuif », « l'auto-école CER Bobillot ».
var firmWords = set(`employeur entreprise societe ste bailleur interim auto-ecole saad ssiad enseigne magasin
	supermarche hypermarche garage concessionnaire constructeur transporteur fournisseur assureur groupe etablissements
	ets marque`)

// firmForms are legal forms written before a firm's name, in capitals: « SCP Castaing & Morel », « SAS Transports
// Maréchal ».
var firmForms = set(`sa sas sasu sarl eurl sci scp snc scop selarl selas gie gmbh`)

// workWords say that a sentence is about someone's job: the capitalised name after « chez » is the employer's.
var workWords = set(`travail travaille travailles travaillait travaillais travaillions travailler travaillant bosse
	bossais bossait bosser emploi employe employee salarie salariee embauche embauchee licencie licenciee licenciement
	cdi cdd interim stage stagiaire apprenti apprentie apprentissage alternance alternant mi-temps partiel poste contrat
	carriere trimestres cotise cotisations`)

// firmSlot reports a name run u..last that stands where a firm is named: after a firm's word or its legal form
// (« mon employeur Michelin », « SCP Castaing & Morel »), or after « chez » in a sentence about work (« licenciée
// après 30 ans chez Bigard », « mes trimestres chez Renault »). A frequent first name opening the run keeps it a
// person's: « parent employeur Fatoumata Keïta », « je travaille chez Sandrine ».
func (d *detector) firmSlot(us []unit, u, last int) bool {
	if w := &us[u]; last > u && (firmWords[w.key] || firmForms[w.key] && w.upper) {
		return true // « le SAAD Domidom »: the firm's word opens the run
	}
	if u == 0 || !plainSpace(d.ugap(us, u-1)) || us[u].first >= minLoneFirst && !us[u].common {
		return false
	}
	p := &us[u-1]
	if firmWords[p.key] || firmForms[p.key] && p.upper {
		return true
	}
	if p.key != "chez" {
		return false
	}
	for k := u - 2; k >= 0 && k >= u-10; k-- {
		if workWords[us[k].key] {
			return true
		}
		if containsAny(d.ugap(us, k), ".!?\n;") {
			return false
		}
	}
	return false
}

// publicFigures are the presidents of the Fifth Republic and the prime ministers since 2007 (the lists of the
// Élysée and of Matignon), named in full: people write about them, they are nobody the citizen's data reveals.
var publicFigures = set(`charles-de-gaulle georges-pompidou valery-giscard-d'estaing francois-mitterrand jacques-chirac
	nicolas-sarkozy francois-hollande emmanuel-macron francois-fillon jean-marc-ayrault manuel-valls bernard-cazeneuve
	edouard-philippe jean-castex elisabeth-borne gabriel-attal michel-barnier francois-bayrou sebastien-lecornu`)

// publicFigure reports a run u..last that is, in full, the name of a president or a prime minister.
func (d *detector) publicFigure(us []unit, u, last int) bool {
	return last > u && last-u <= 4 && publicFigures[d.runKey(us, u, last)]
}

// runKey joins the keys of units u..last as a place or a name is listed: by hyphens, or by the apostrophe written
// (« villeneuve-d'ascq », « valery-giscard-d'estaing »).
func (d *detector) runKey(us []unit, u, last int) string {
	var b strings.Builder
	for k := u; k <= last; k++ {
		if k > u && (d.ugap(us, k-1) == "'" || d.ugap(us, k-1) == "’") {
			b.WriteByte('\'')
		} else if k > u {
			b.WriteByte('-')
		}
		b.WriteString(us[k].key)
	}
	return b.String()
}

// streetTitle reports a title at unit u-1 that names a street or a building after a person: a street type or an
// institution, then « du », « de la », « des », before it. A building is named after a doctor or a master, not
// after a « Mme » or a « M. »: « au foyer de Mme Nowak » is her household.
func (d *detector) streetTitle(us []unit, u int) bool {
	k := u - 2
	if k >= 0 && (us[k].key == "la" || us[k].key == "l") {
		k--
	}
	if k < 1 || us[k].key != "du" && us[k].key != "de" && us[k].key != "des" {
		return false
	}
	return streetTypes[us[k-1].key] || streetTypesAmbiguous[us[k-1].key] || institutions[us[k-1].key] && !civilTitles[us[u-1].key]
}

// titledShortName reports a short surname that is also a French function word once folded, capitalised alone
// after a civil title and closing the phrase: « Madame Lê, », « M. Ma. », « Mme Do ». With a word after it, the
// same word opens a function or a longer name instead: « Madame La Directrice », « M. Le Goff ».
func (d *detector) titledShortName(us []unit, u int) bool {
	w := &us[u]
	if u == 0 || !w.stop || !w.cap || d.allCaps || w.a != w.b || len(w.key) > 3 || w.lex&wTitle != 0 || !civilTitles[us[u-1].key] {
		return false
	}
	p := &us[u-1]
	g := d.ugap(us, u-1)
	if p.key == "m" && !(p.initial && strings.HasPrefix(g, ".")) || !(g == " " || g == ". " || g == "\u00a0" || g == ".\u00a0") {
		return false
	}
	rest := strings.TrimLeft(d.text[w.end:], " \t")
	return rest == "" || containsAny(rest[:1], ",;.\n)!?")
}

// kinBefore reports, ending at unit k, a relation after a possessive followed by at most two adjectives in
// lower case: « vos deux enfants majeurs rattachés ».
func (d *detector) kinBefore(us []unit, k int) bool {
	for n := 0; n <= 2 && k >= 1; n, k = n+1, k-1 {
		w := &us[k]
		if w.lex&wRelation != 0 && !w.cap {
			return possessives[us[k-1].key] || k >= 2 && countWords[us[k-1].key] && possessives[us[k-2].key]
		}
		if !w.lower || !w.french || w.stop || w.inLex() || !plainSpace(d.ugap(us, k-1)) {
			return false
		}
	}
	return false
}

// titledAfter reports a first name followed by the same person with a title, in apposition: « Adjoua, Mme
// N'Guessan, n'a pas reçu … ». A word that is no French word and no place.
func (d *detector) titledAfter(us []unit, u int) bool {
	w := &us[u]
	if u+2 >= len(us) || !w.cap || d.allCaps || w.notName() || w.place || w.french || !w.nameWord() || strings.TrimSpace(d.ugap(us, u)) != "," {
		return false
	}
	t := &us[u+1]
	if !civilTitles[t.key] || !(us[u+2].cap || us[u+2].upper) {
		return false
	}
	g := d.ugap(us, u+1)
	return g == " " || g == ". " || g == "\u00a0"
}

// lastLines reports unit u on one of the last three lines of the text, where a reply is signed.
func (d *detector) lastLines(u int) bool {
	return strings.Count(strings.TrimRight(d.text[d.us[u].start:], " \n\t"), "\n") < 3
}

// selfOrKin reports who a phrase « c'est … » names at unit k: « moi », a relation after a possessive or alone
// (« maman », « mon père »), « mon nom », « mon prénom ».
func (d *detector) selfOrKin(us []unit, k int) bool {
	w := &us[k]
	switch {
	case w.key == "moi":
		return true
	case w.key == "nom" || w.key == "prenom":
		return k >= 1 && possessives[us[k-1].key]
	case w.lex&wRelation != 0:
		return k >= 1 && possessives[us[k-1].key] || w.key == "maman" || w.key == "papa"
	}
	return false
}

// civilTitles address a person; no building bears them.
var civilTitles = set(`m mr mme mmes mlle melle monsieur madame mademoiselle messieurs mesdames`)

// town reports a word the place lists hold as a town, not the name of a country that names institutions
// (« France Travail », « France services »).
func (d *detector) town(w *unit) bool {
	return w.key != "france" && (d.lex.places.has(w.key) || exonyms[w.key])
}

// placeRun reports a run that names a place where nothing announces a person: a town of several words
// (« Los Angeles »), or towns and countries that no name table holds, alone inside a sentence or after « à »,
// « de », « en ».
func (d *detector) placeRun(us []unit, u, last int, ctx nameCtx) bool {
	if last-u < 4 && last > u {
		if key := d.runKey(us, u, last); d.lex.places.has(key) || exonyms[key] && !d.wordsElsewhere(us, u, last) {
			return true
		}
	}
	for k := u; k <= last; k++ {
		if !us[k].place && !(k > u && nameParticles[us[k].key]) {
			return false
		}
	}
	// Alone at the end, « Carolina » signs: a first name that is also a town somewhere.
	return u == last && ctx == ctxNone || u > 0 && placePrepositions[us[u-1].key]
}

// wordsElsewhere reports a word of the run u..last (three letters or more) that the text holds outside it too:
// « Minh » of « Hô Chi Minh-Ville » in « son fils, Trần Minh Đức » may be a name, and a doubt masks.
func (d *detector) wordsElsewhere(us []unit, u, last int) bool {
	for k := us[u].a; k <= us[last].b; k++ {
		key := d.toks[k].key
		if len(key) < 3 {
			continue
		}
		for j := range d.toks {
			if (j < us[u].a || j > us[last].b) && d.toks[j].key == key {
				return true
			}
		}
	}
	return false
}

// genericAddressees are greeted when no name is known: « Bonjour Usager », « Cher client ».
var genericAddressees = set(`usager usagere usagers client cliente clients utilisateur utilisatrice internaute internautes
	contribuable allocataire assure assuree administre administree citoyen citoyenne ami amie amis collegue collegues
	anonyme anonymous`)

// thanksWords thank someone; the names after them are the persons thanked.
var thanksWords = set(`merci remercie remercier remercions remerciez remerciements bravo`)

// thanksBefore reports a « à » before unit u that goes on thanks given earlier in the sentence, after an adverb:
// « merci à toute l'équipe et surtout à Rose », « je remercie la CAF, en particulier à Noé ».
func (d *detector) thanksBefore(us []unit, u int) bool {
	if u < 3 || us[u-1].key != "a" || !thanksAdverbs[us[u-2].key] {
		return false
	}
	for k := u - 3; k >= 0 && k >= u-12; k-- {
		if thanksWords[us[k].key] {
			return true
		}
		if containsAny(d.ugap(us, k), ".!?\n") {
			return false
		}
	}
	return false
}

// thanksAdverbs single out, among those thanked, the persons named next.
var thanksAdverbs = set(`surtout notamment particulierement specialement aussi egalement encore particulier et`)

// metVerbs say that someone was met, seen or spoken to: the name follows.
var metVerbs = set(`vu vue rencontre rencontree croise croisee eu avec par parle`)

// namedPlace reports a name right after an institution's word, or after the capitalised words of its name that
// follow one or its adjective: « lycée Victor Hugo », « Maison France Services Louise-Michel », « collège public
// Jean Zay ».
func (d *detector) namedPlace(us []unit, u int) bool {
	for k := u - 1; k >= 0 && k >= u-4 && plainSpace(d.ugap(us, k)); k-- {
		if institutions[us[k].key] {
			return true
		}
		w := &us[k]
		if w.lower && w.french && !w.inLex() && !w.stop && k > 0 && institutions[us[k-1].key] && plainSpace(d.ugap(us, k-1)) {
			return true // « école maternelle Paul Éluard »: the institution's adjective
		}
		if !(w.cap || w.upper) || !(w.nonName || w.french && !w.inLex()) {
			return false
		}
	}
	return false
}

// initials reports two or three capitals standing for first names before a surname: « JL », « JP ».
func initials(w *unit, beforeName bool) bool {
	return beforeName && w.upper && w.end-w.start <= 3 && !w.inLex() && !w.known
}
