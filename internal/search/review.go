package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
)

// Review is what the sources of a reply are retrieved by: a Services Publics+ review after the personal-data
// filter, and the type of organisation it was posted to (intitule_typologie_1, a public label).
type Review struct {
	Organisation string
	Title, Text  pii.Redacted
}

// ReviewQuery is the retrieval query built from a review, with what the builder saw.
type ReviewQuery struct {
	Text pii.Redacted
	// Title is the review's cleaned title (placeholders, greetings and emotions out), searched on its own as
	// well: zero when nothing of it is left.
	Title pii.Redacted
	// Cues counts the procedure words (a démarche, a document, an allowance, a delay, a refusal…) of the
	// title and text: a review with none is praise or a complaint about a counter, whose reply cites nothing.
	Cues int
	// ServiceCues counts the words about how the service was delivered (a counter, an agent, a phone line, a
	// website, waiting): what a review with no procedure at stake is about.
	ServiceCues int
	// ProcedureSentences, ServiceSentences and MixedSentences count the sentences of the title and text with
	// procedure words only, service words only, and both: « j'ai appelé dix fois pour mon dossier de carte
	// grise » is about the procedure, the call being only how the citizen followed it, while « 45 minutes
	// d'attente au téléphone » is about the service. Sentences too short to enter the query count too.
	ProcedureSentences, ServiceSentences, MixedSentences int
	// ChannelSentences counts the mixed sentences that name a channel, a place or a person of the service, not
	// only a wait: beside a démarche, « en attente depuis huit mois » is its delay, not a queue.
	ChannelSentences int
	// Conduct counts the words judging how the citizen was treated (aimable, désagréable, merci, bravo, mépris,
	// l'agent…): praise and complaints about a counter are made of them.
	Conduct int
	// Questions counts the question marks of the title and text, and their sentences that ask without one
	// (« je voudrais comprendre comment ça marche », « je ne sais pas quoi faire », « merci de me dire si… »)
	// and name nothing of the service: a citizen who asks wants to know what to do or what they are owed,
	// which a fiche answers; praise and complaints about a counter rarely ask.
	Questions int
}

// DefaultReviewQueryRunes bounds the query built from a review: the title and the procedure sentences of a
// long review fit, its narrative does not.
const DefaultReviewQueryRunes = 600

// BuildReviewQuery makes the retrieval query of a review: its title, then its sentences that carry procedure
// words, then (room permitting) its other sentences, each without greetings, emotions and placeholders, at
// most maxRunes characters (DefaultReviewQueryRunes when 0). A long review is condensed, never refused.
func BuildReviewQuery(r Review, maxRunes int) ReviewQuery {
	if maxRunes <= 0 {
		maxRunes = DefaultReviewQueryRunes
	}
	q := ReviewQuery{Questions: strings.Count(r.Title.String(), "?") + strings.Count(r.Text.String(), "?")}
	var parts []pii.Redacted
	used := 0
	add := func(s sentence) bool {
		if used+s.runes > maxRunes {
			return false
		}
		parts = append(parts, s.text)
		used += s.runes + 1
		return true
	}
	title, tstats := cleanSentences(r.Title, true)
	body, bstats := cleanSentences(r.Text, false)
	for _, st := range append(tstats, bstats...) {
		q.Conduct += st.conduct
		if st.asks {
			q.Questions++
		}
		switch {
		case st.cues > 0 && st.service == 0:
			q.ProcedureSentences++
		case st.cues == 0 && st.service > 0:
			q.ServiceSentences++
		case st.cues > 0:
			q.MixedSentences++
			if st.service > st.waits {
				q.ChannelSentences++
			}
		}
	}
	titleParts := make([]pii.Redacted, 0, len(title))
	for _, s := range title {
		titleParts = append(titleParts, s.text)
	}
	if len(titleParts) > 0 {
		q.Title = pii.Join(titleParts, pii.Const(" "))
	}
	for _, s := range title {
		q.Cues += s.cues
		q.ServiceCues += s.service
		add(s)
	}
	order := make([]int, 0, len(body))
	for i, s := range body {
		q.Cues += s.cues
		q.ServiceCues += s.service
		if s.cues > 0 {
			order = append(order, i)
		}
	}
	// Sentences with the most procedure words first; the narrative after them, in its order.
	slices.SortStableFunc(order, func(a, b int) int { return body[b].cues - body[a].cues })
	for i, s := range body {
		if s.cues == 0 {
			order = append(order, i)
		}
	}
	for _, i := range order {
		if !add(body[i]) && used >= maxRunes*3/4 {
			break
		}
	}
	q.Text = pii.Join(parts, pii.Const("\n"))
	return q
}

// sentence is one cleaned sentence of a review.
type sentence struct {
	text    pii.Redacted
	runes   int
	cues    int
	service int
	conduct int
	// asks is set for a sentence that asks about something else than the service without a question mark:
	// « je voudrais savoir si… », « je ne sais pas combien… », « merci de me dire… ».
	asks bool
	// waits counts the service words about waiting (« attente », « attendre »).
	waits int
}

// cleanSentences splits text into sentences and keeps, in each, the words that may say what it is about:
// placeholders, greetings and emotion words are dropped, and so is a sentence left with fewer than two
// content words (one for a title). stats has the counts of every sentence with a procedure, service or
// conduct word, the dropped ones' included.
func cleanSentences(text pii.Redacted, title bool) (out, stats []sentence) {
	s := text.String()
	if s == "" {
		return nil, nil
	}
	// The words of a placeholder name a kind of personal data, not the subject of the review, and would
	// retrieve fiches about telephones.
	holes := text.PlaceholderSpans()
	var words []pii.Redacted
	var toks []string // every folded word of the sentence, the dropped ones' included
	content, cues, service, conduct, runes, waits := 0, 0, 0, 0, 0, 0
	marked := false
	flush := func() {
		minContent := 2
		if title {
			minContent = 1
		}
		// A sentence that names the service asks about it (« je ne sais pas si c'est le personnel qui manque »).
		asks := !marked && service == 0 && asksIndirectly(toks)
		st := sentence{runes: runes, cues: cues, service: service, conduct: conduct, asks: asks, waits: waits}
		if cues+service+conduct > 0 || st.asks {
			stats = append(stats, st)
		}
		if content >= minContent {
			st.text = pii.Join(words, pii.Const(" "))
			out = append(out, st)
		}
		words, content, cues, service, conduct, runes = nil, 0, 0, 0, 0, 0
		toks, marked, waits = toks[:0], false, 0
	}
	i := 0
	for i < len(s) {
		if len(holes) > 0 && i >= holes[0][0] {
			i = max(i, holes[0][1])
			holes = holes[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			if r == '?' {
				marked = true
			}
			if r == '.' || r == '!' || r == '?' || r == '\n' || r == ';' {
				flush()
			}
			i += n
			continue
		}
		j := i
		for j < len(s) {
			if len(holes) > 0 && j >= holes[0][0] {
				break
			}
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r) && !(r == '\'' || r == '’' || r == '-') {
				break
			}
			j += n
		}
		w := s[i:j]
		wt := embed.Tokens(nil, w)
		toks = append(toks, wt...)
		drop := len(wt) == 0
		for _, t := range wt {
			if serviceWord(t) {
				service++
				if waitWord(t) {
					waits++
				}
			}
			if conductWord(t) {
				conduct++
			}
			if noiseWord(t) {
				drop = true
				break
			}
		}
		if !drop {
			words = append(words, text.Slice(i, j))
			runes += utf8.RuneCountInString(w) + 1
			for _, t := range wt {
				if !embed.IsStopword(t) && len(t) > 1 {
					content++
				}
				if procedureWord(t) {
					cues++
				}
			}
		}
		i = j
	}
	flush()
	return out, stats
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// procedureStems begin the folded words that name a démarche, a document, a right, money owed or paid, a
// delay or a decision: what the fiches are about. A sentence with one is about a procedure.
var procedureStems = strings.Fields(`demarch dossier demand formulair document piece justifica attestation certificat
	titre passeport carte permis immatricul identit visa sejour naturalis recepisse
	allocation aide prime pension retrait rente indemni rembours prestation cotis rsa apl aah als alf css cmu ass are
	impot impos fiscal taxe declar amende contravention infraction avis
	delai refus rejet recours reclam contest mediat
	rendez rdv inscri radiation trop percu dett paiement payer versement verse virement factur echeanc
	droit instruction notifi renouvel perte perdu vol duplicata changement demenag adresse
	succession deces naissance mariage divorce pacs bail loyer logement chomag emploi arret maladie maternit paternit
	conge vitale mutuelle complementaire cheque bourse stage examen diplome electoral procuration plainte
	resiliation contrat assurance banc credit saisie huissier tribunal jugement
	etat civil acte livret nationalit consulat ants caf cpam urssaf carsat msa pole retraite
	bonus malus point points vehicule voiture cession gage quitus
	formation handicap invalidit mdph apa aspa reversion trimestre carriere
	siret micro entreprise auto entrepreneur`)

var procedureSet = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range procedureStems {
		m[s] = true
	}
	return m
}()

func procedureWord(w string) bool {
	if len(w) < 3 {
		return false
	}
	if procedureSet[w] {
		return true
	}
	for n := 4; n < len(w); n++ {
		if procedureSet[w[:n]] {
			return true
		}
	}
	return false
}

// noiseWords are greetings, politeness and emotions: they say how the citizen feels, not what about, and in
// a long review they outweigh the one word that names the procedure.
var noiseWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`bonjour bonsoir salut merci remercie remercier remerciements cordialement
		salutations sincerement respectueusement madame monsieur mesdames messieurs
		scandale scandaleux scandaleuse honte honteux honteuse inadmissible inacceptable lamentable nul nulle nuls
		deplorable catastrophe catastrophique incompetent incompetente incompetents incompetence mepris meprisant
		colere furieux furieuse enerve enervee decu decue decus deception degoute degoutee epuise epuisee
		desespere desesperee stress stresse stressee angoisse angoissee inquiet inquiete triste marre ras bol
		content contente satisfait satisfaite satisfaits ravi ravie super genial geniale parfait parfaite
		excellent excellente formidable top bravo felicitations felicite aimable aimables sympathique
		sympathiques agreable agreables souriant souriante gentil gentille gentils chaleureux chaleureuse
		adorable serviable serviables courtois courtoise poli polie impoli impolie desagreable desagreables
		malheureusement heureusement vraiment franchement tellement extremement totalement completement
		vive grand grande grands grandes beaucoup tres encore toujours jamais rien
		hier aujourd aujourdhui demain matin soir apres midi semaine semaines mois annee annees jour jours
		lundi mardi mercredi jeudi vendredi samedi dimanche
		janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre`) {
		m[w] = true
	}
	return m
}()

func noiseWord(w string) bool { return noiseWords[w] }

// serviceStems begin the folded words about how a service was delivered rather than what was asked.
var serviceStems = strings.Fields(`accueil guichet agent agents conseill hotess personnel equipe standard
	telephon appel appele rappel injoignable joindre repond decroch attente attendu attendre file queue
	site internet panne bug bugu plant connexion connect messagerie chat mail courriel application appli
	horaire ferme fermee ouvert locaux bureau salle ecoute aimabl poli impoli accueillant souriant
	efficac rapid professionnel competent incompetent respect irrespect mepris`)

// notService are words the service stems begin that say nothing of the service: « je m'appelle » introduces a
// name and « appelez-moi » asks for a call back, in reviews about a procedure as much as in any other.
var notService = map[string]bool{"appelle": true, "appelez": true, "appelons": true}

// conductStems begin, and conductWords are, the folded words judging how the citizen was treated.
var (
	conductStems = strings.Fields(`accueil accueill aimabl agreabl desagreabl politesse courtois souri gentil sympa
		chaleureu bienveill serviabl efficac rapid reactiv competen incompeten professionnalism irrespect mepris
		arrogan humili remerci felicit excellent convivial patien hotess`)
	conductWords = func() map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(`poli polie polis polies impoli impolie merci bravo parfait parfaite top super
			agent agents agente personnel respect ecoute`) {
			m[w] = true
		}
		return m
	}()
)

func conductWord(w string) bool {
	if conductWords[w] {
		return true
	}
	for _, s := range conductStems {
		if strings.HasPrefix(w, s) {
			return true
		}
	}
	return false
}

func serviceWord(w string) bool {
	if notService[w] {
		return false
	}
	for _, s := range serviceStems {
		if strings.HasPrefix(w, s) {
			return true
		}
	}
	return false
}

// wishWords say that the citizen wants, now, to know something (« je voudrais savoir », « j'aimerais
// comprendre », « j'ai besoin d'une réponse ») when one of knowWords follows closely; a past wish (« je voulais
// juste savoir ») tells what was tried, and « je veux dire » says, it does not ask.
var (
	wishWords = map[string]bool{"voudrais": true, "voudrait": true, "voudrions": true, "aimerais": true,
		"aimerait": true, "aimerions": true, "souhaite": true, "souhaiterais": true, "souhaitons": true, "veux": true,
		"besoin": true}
	knowWords = map[string]bool{"savoir": true, "comprendre": true, "connaitre": true, "reponse": true,
		"explication": true, "explications": true, "renseignement": true, "renseignements": true,
		"information": true, "informations": true, "precisions": true}
	// tellWords follow « merci de (me) … » in a request: « merci de me dire si… », « merci de m'éclairer ».
	tellWords = map[string]bool{"dire": true, "indiquer": true, "preciser": true, "expliquer": true, "eclairer": true,
		"renseigner": true, "informer": true, "orienter": true, "confirmer": true, "repondre": true}
	// unknownWords follow « je ne sais pas » when what is not known is a question: « … si », « … combien ».
	unknownWords = map[string]bool{"si": true, "quoi": true, "comment": true, "combien": true, "ou": true,
		"pourquoi": true, "quand": true, "qui": true, "quel": true, "quelle": true, "quels": true, "quelles": true,
		"ce": true, "a": true, "lequel": true, "laquelle": true, "vers": true}
)

// asksIndirectly reports whether a sentence's folded words ask a question without a question mark: a wish to
// know or understand (« je voudrais savoir si… », « j'aimerais comprendre… »), a request (« merci de me dire… »),
// or what the citizen does not know (« je ne sais pas combien je vais toucher »).
func asksIndirectly(toks []string) bool {
	near := func(i int, words map[string]bool) bool {
		for _, u := range toks[i+1 : min(i+5, len(toks))] {
			if words[u] {
				return true
			}
		}
		return false
	}
	for i, t := range toks {
		switch {
		case wishWords[t] && near(i, knowWords):
			return true
		case t == "merci" && i+1 < len(toks) && toks[i+1] == "de" && near(i, tellWords):
			return true
		case (t == "sais" || t == "savons" || t == "sait") && i+2 < len(toks) && toks[i+1] == "pas" && unknownWords[toks[i+2]]:
			return true
		}
	}
	return false
}

// waitWord reports whether a service word is about waiting: beside a procedure word, the démarche's delay.
func waitWord(w string) bool {
	return strings.HasPrefix(w, "attend") || strings.HasPrefix(w, "attente")
}
