package ground

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/pii"
)

// Check is one failed output check, shown to the agent as a warning: drafts are never silently fixed.
type Check struct {
	Code    string `json:"code"`    // url, phone, email, placeholder, promise, length, citation, offline
	Message string `json:"message"` // French, for the agent
	Excerpt string `json:"excerpt,omitempty"`
}

// Allowlist is what a draft may contain besides the sources' own links: the organisation's official contacts.
type Allowlist struct {
	Hosts  []string // exact hosts or suffixes starting with a dot (".gouv.fr")
	Phones []string // digits only, e.g. "3230" or "0969397777"
	Emails []string
}

// DefaultAllowlist accepts State domains and the national public-service numbers citizens are told to call.
var DefaultAllowlist = Allowlist{
	Hosts: []string{".gouv.fr", "service-public.fr", "www.service-public.fr", "ameli.fr", "www.ameli.fr", "caf.fr",
		"www.caf.fr", "france-travail.fr", "www.france-travail.fr", "info-retraite.fr", "www.info-retraite.fr", "msa.fr"},
	Phones: []string{"3939", "3646", "3230", "3949", "3960", "3400", "3914", "3919", "3975", "3995", "3624", "3966", "3977", "3920"},
}

// Rules are what a text may contain besides its passages' own links, and how long it may be.
type Rules struct {
	Allow              Allowlist
	MinWords, MaxWords int    // 0: no bound
	Noun               string // what the length warnings call the text: "Brouillon", "Réponse"
}

// DraftRules are the rules of a reply to a review.
var DraftRules = Rules{Allow: DefaultAllowlist, MinWords: 40, MaxWords: 350, Noun: "Brouillon"}

var (
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://[^\s<>()\[\]"]+|www\.[^\s<>()\[\]"]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fr|com|org|net|eu|info)(?:/[^\s<>()\[\]"]*)?)`)
	emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}`)
	phoneRE = regexp.MustCompile(`(?:\+33\s?(?:\(0\)\s?)?|\b0)[1-9](?:[\s.\-\x{00a0}]?\d{2}){4}\b|\b3\d{3}\b`)
	// promiseRE catches commitments only the administration can make after examining the file.
	promiseRE = regexp.MustCompile(`(?i)(nous (allons|vous) (vous )?(verser|rembourser|payer|accorder|attribuer|valider)|` +
		`vous (serez|allez être) (rembours|pay|indemnis|régularis|reçu|prioritaire)|` +
		`votre (dossier|demande|droit|recours|réclamation) (sera|va être) (accept|accord|valid|traité(e)? (sous|dans|avant|d'ici))|` +
		`(nous|je) (vous )?(garantiss|promett|assur)(ons|ez|e)? (que|le|la|un|une|votre)|` +
		`le (versement|paiement|remboursement) (sera|interviendra) (effectué )?(sous|dans|avant|d'ici|le)|` +
		`sous (\d+|quelques|deux|trois|huit|quinze) (jours|heures|semaines) (vous|votre))`)
)

// RunChecks returns the warnings a reader must see before trusting text written from ps, whose links it may
// repeat.
func RunChecks(text string, r Rules, ps []Passage) []Check {
	allow, sourceLinks := r.Allow, links(ps)
	var out []Check
	for _, m := range emailRE.FindAllString(text, -1) {
		if !containsFold(allow.Emails, m) {
			out = append(out, Check{Code: "email", Message: "Adresse électronique absente des contacts officiels de l'organisme.", Excerpt: m})
		}
	}
	withoutEmails := emailRE.ReplaceAllString(text, " ")
	for _, m := range urlRE.FindAllString(withoutEmails, -1) {
		m = strings.TrimRight(m, ".,;:!?»")
		if !allowedURL(m, allow.Hosts, sourceLinks) {
			out = append(out, Check{Code: "url", Message: "Lien hors des sites publics autorisés (*.gouv.fr, service-public.fr, contacts de l'organisme).", Excerpt: m})
		}
	}
	for _, m := range phoneRE.FindAllString(withoutEmails, -1) {
		digits := onlyDigits(m)
		if strings.HasPrefix(digits, "33") && len(digits) == 11 {
			digits = "0" + digits[2:]
		}
		if !slices.Contains(allow.Phones, digits) {
			out = append(out, Check{Code: "phone", Message: "Numéro de téléphone absent des contacts officiels de l'organisme.", Excerpt: m})
		}
	}
	for _, m := range pii.Placeholders(text) {
		out = append(out, Check{Code: "placeholder", Message: "Marqueur de donnée personnelle non restitué : à compléter ou supprimer.", Excerpt: m})
	}
	for _, m := range promiseRE.FindAllString(text, -1) {
		out = append(out, Check{Code: "promise", Message: "Le texte semble promettre une décision, un paiement ou un délai.", Excerpt: m})
	}
	switch n := len(strings.Fields(text)); {
	case r.MinWords > 0 && n < r.MinWords:
		out = append(out, Check{Code: "length", Message: fmt.Sprintf("%s très court (%d mots, minimum conseillé %d).", r.Noun, n, r.MinWords)})
	case r.MaxWords > 0 && n > r.MaxWords:
		out = append(out, Check{Code: "length", Message: fmt.Sprintf("%s trop long (%d mots, maximum conseillé %d).", r.Noun, n, r.MaxWords)})
	}
	if !utf8.ValidString(text) {
		out = append(out, Check{Code: "encoding", Message: "Le texte contient des caractères invalides."})
	}
	return out
}

func allowedURL(raw string, hosts, sourceLinks []string) bool {
	for _, l := range sourceLinks {
		if strings.TrimSuffix(l, "/") == strings.TrimSuffix(raw, "/") {
			return true
		}
	}
	u := raw
	if !strings.Contains(u, "://") {
		u = "https://" + u
	}
	p, err := url.Parse(u)
	if err != nil || p.Hostname() == "" {
		return false
	}
	h := strings.ToLower(p.Hostname())
	for _, a := range hosts {
		a = strings.ToLower(a)
		if h == a || (strings.HasPrefix(a, ".") && strings.HasSuffix(h, a)) || strings.HasSuffix(h, "."+a) {
			return true
		}
	}
	return false
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// Verdict is what the checks found in a text written from numbered passages.
type Verdict struct {
	Checks    []Check
	Grounding Grounding
}

// Verify checks text as written from the redacted prompt (placeholders in, citations already through
// CheckCitations or a StreamFilter, whose findings are c) against ps, and marks the passages it cites. Placeholders
// are expected before restoration: the caller checks them after it.
func Verify(text string, ps []Passage, c Citations, r Rules) Verdict {
	Cite(ps, c.Used)
	var v Verdict
	for _, k := range c.Unknown {
		v.Checks = append(v.Checks, Check{Code: "citation", Message: fmt.Sprintf("Citation [%d] sans source correspondante : retirée.", k)})
	}
	for _, ck := range RunChecks(text, r, ps) {
		if ck.Code != "placeholder" {
			v.Checks = append(v.Checks, ck)
		}
	}
	v.Grounding = Ground(text, ps)
	return v
}
