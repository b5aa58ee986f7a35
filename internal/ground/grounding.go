package ground

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
)

// SupportThreshold is the share of a sentence's content words that one passage must contain for the sentence
// to count as supported. Measured on drafts whose sentences were copied, paraphrased or invented (grounding_test.go).
const SupportThreshold = 0.5

// Sentence is one sentence of a draft with its grounding verdict.
type Sentence struct {
	Text      string  `json:"text"`
	Start     int     `json:"start"` // byte offsets into the draft
	End       int     `json:"end"`
	Claim     bool    `json:"claim"` // false for greetings, thanks, empathy and signatures, which need no source
	Cited     []int   `json:"cited,omitempty"`
	Support   float64 `json:"support"` // best share of content words found in one passage
	Source    int     `json:"source,omitempty"`
	Supported bool    `json:"supported"`
	// MissingNumbers are figures (amounts, delays, article numbers) of the sentence found in no passage.
	MissingNumbers []string `json:"missing_numbers,omitempty"`
}

// Grounding is the claim-level check of a draft against the passages it was given.
type Grounding struct {
	Sentences   []Sentence `json:"sentences"`
	Claims      int        `json:"claims"`
	Unsupported int        `json:"unsupported"`
}

// Share returns the share of claims that are supported, 1 when the draft makes no claim.
func (g Grounding) Share() float64 {
	if g.Claims == 0 {
		return 1
	}
	return float64(g.Claims-g.Unsupported) / float64(g.Claims)
}

// courtesyRE recognises sentences that carry no fact about a procedure: they are never flagged.
var courtesyRE = regexp.MustCompile(`(?i)^\s*(bonjour|bonsoir|madame|monsieur|cordialement|bien cordialement|respectueusement|` +
	`nous vous remercions|merci|je vous remercie|nous comprenons|nous sommes (désolés|navrés)|nous regrettons|` +
	`nous vous prions|veuillez agréer|nous restons|n'hésitez pas|le service|l'équipe|la direction|nous vous souhaitons|` +
	`nous prenons (bonne )?note|votre (avis|retour|message) (nous )?(est|a été)|nous entendons)`)

var numberRE = regexp.MustCompile(`\d[\d  .,]*\d|\d`)

// Ground splits text into sentences and scores each claim against the passages (numbered from 1, as cited),
// headings included. A sentence that cites passages is checked against those; one that cites none is checked
// against all, so an uncited but correct sentence is not flagged, while an invented one is.
func Ground(text string, passages []Passage) Grounding {
	terms := make([]map[string]bool, len(passages))
	nums := make([]string, len(passages))
	for i, p := range passages {
		ev := p.evidence()
		terms[i] = map[string]bool{}
		for _, t := range embed.ContentTerms(ev) {
			terms[i][t] = true
		}
		nums[i] = normaliseNumbers(ev)
	}
	var g Grounding
	offset := 0
	for _, para := range strings.Split(text, "\n") {
		for _, s := range corpus.SplitSentences(para) {
			start := strings.Index(text[offset:], s)
			if start < 0 {
				start = 0
			}
			start += offset
			offset = start + len(s)
			sent := Sentence{Text: s, Start: start, End: start + len(s), Cited: citedIn(s)}
			body := citationRE.ReplaceAllString(s, "")
			words := embed.ContentTerms(body)
			sent.Claim = len(words) >= 3 && !courtesyRE.MatchString(body) && !isPlaceholderOnly(body)
			if sent.Claim {
				scoreSentence(&sent, words, body, terms, nums)
				g.Claims++
				if !sent.Supported {
					g.Unsupported++
				}
			}
			g.Sentences = append(g.Sentences, sent)
		}
	}
	return g
}

func scoreSentence(sent *Sentence, words []string, body string, terms []map[string]bool, nums []string) {
	candidates := sent.Cited
	if len(candidates) == 0 {
		for i := range terms {
			candidates = append(candidates, i+1)
		}
	}
	distinct := map[string]bool{}
	for _, w := range words {
		distinct[w] = true
	}
	for _, k := range candidates {
		if k < 1 || k > len(terms) {
			continue
		}
		hit := 0
		for w := range distinct {
			if terms[k-1][w] {
				hit++
			}
		}
		if s := float64(hit) / float64(len(distinct)); s > sent.Support {
			sent.Support, sent.Source = s, k
		}
	}
	// Figures are the claims that hurt most when wrong: each one must appear in the best passage.
	for _, n := range numberRE.FindAllString(body, -1) {
		n = normaliseNumbers(n)
		if sent.Source == 0 || !strings.Contains(nums[sent.Source-1], n) {
			sent.MissingNumbers = append(sent.MissingNumbers, n)
		}
	}
	sent.Supported = sent.Support >= SupportThreshold && len(sent.MissingNumbers) == 0
}

// normaliseNumbers removes the spaces people put inside numbers ("1 500 €" → "1500 €") so figures compare as
// written; spaces between words stay.
func normaliseNumbers(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if (r == ' ' || r == '\u00a0' || r == '\u202f') && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isPlaceholderOnly(s string) bool {
	return strings.IndexFunc(pii.StripPlaceholders(s), unicode.IsLetter) < 0
}
