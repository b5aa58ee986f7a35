package ground

import (
	"regexp"
	"sort"
	"strings"

	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
)

// PickOptions bound what the offline writers quote; they write no fact that is not a sentence of a passage.
type PickOptions struct {
	Max        int // sentences in all; 0: no bound
	PerPassage int // sentences from one passage; 0: no bound
	// MinShared is how many distinct content words a sentence must share with the query to be quoted.
	MinShared int
	MaxLen    int     // longer sentences (in bytes) are skipped; 0: 400
	RankBonus float64 // a sentence of the passage ranked r (from 0) scores RankBonus/(r+1) more: ties go to better passages
	// Skip leaves out passages that are not to be quoted (an assistant's contacts section).
	Skip func(Passage) bool
}

// Quote is the sentences picked from one passage, in the passage's own order so that they read as written.
type Quote struct {
	Passage   Passage
	Sentences []string
	Shared    int // the most query words one of its sentences shares
}

// Pick is the offline writers' sentence picker: the sentences of ps sharing the most content words with query,
// within o's bounds, grouped by passage in rank order. A sentence's opening position breaks ties, since a
// passage usually opens with its summary.
func Pick(query string, ps []Passage, o PickOptions) []Quote {
	if o.MaxLen <= 0 {
		o.MaxLen = 400
	}
	q := map[string]bool{}
	for _, t := range embed.ContentTerms(query) {
		q[t] = true
	}
	type cand struct {
		src, pos, shared int
		text             string
		score            float64
	}
	var cands []cand
	for si, p := range ps {
		if o.Skip != nil && o.Skip(p) {
			continue
		}
		for pos, sent := range Sentences(p.Text) {
			words := embed.ContentTerms(sent)
			if len(words) < 4 || len(sent) > o.MaxLen {
				continue
			}
			shared := map[string]bool{}
			for _, w := range words {
				if q[w] {
					shared[w] = true
				}
			}
			if len(shared) < o.MinShared {
				continue
			}
			score := float64(len(shared)) + o.RankBonus/float64(si+1) + 0.1/float64(pos+1)
			cands = append(cands, cand{si, pos, len(shared), sent, score})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	perPassage := map[int]int{}
	quoted := map[string]bool{}
	var picked []cand
	for _, c := range cands {
		if o.Max > 0 && len(picked) == o.Max {
			break
		}
		if o.PerPassage > 0 && perPassage[c.src] == o.PerPassage || quoted[c.text] {
			continue
		}
		perPassage[c.src]++
		quoted[c.text] = true
		picked = append(picked, c)
	}
	sort.SliceStable(picked, func(a, b int) bool {
		if picked[a].src != picked[b].src {
			return picked[a].src < picked[b].src
		}
		return picked[a].pos < picked[b].pos
	})
	var out []Quote
	for i, c := range picked {
		if i == 0 || picked[i-1].src != c.src {
			out = append(out, Quote{Passage: ps[c.src]})
		}
		last := &out[len(out)-1]
		last.Sentences = append(last.Sentences, c.text)
		last.Shared = max(last.Shared, c.shared)
	}
	return out
}

// bulletRE is a list marker at the start of a line: « - » or « 1. ».
var bulletRE = regexp.MustCompile(`^(?:- |\d{1,2}\. )`)

// labelRE is a line the corpus writes for a link rather than prose: an online service, a form, an office, a
// table's title (« Téléservice : Demande d'aide au logement », « Où s'adresser : Caf »).
var labelRE = regexp.MustCompile(`^(?:Téléservice|Formulaire|Simulateur|Service en ligne|Outil de recherche|Outil de calcul|` +
	`Module de calcul|Modèle de document|Où s'adresser|Tableau) :`)

// Sentences returns the sentences of a passage an offline writer may quote. Lines are split first: a fiche's
// list items, steps and service lines end without a full stop, and joined into one line they ran into each
// other, so that a quotation read « Téléservice : A - Téléservice : B » or « … (Caf). Simulateur : Simulateur
// Caf - … ». List markers are dropped; service and office lines are left out, since they name a link and say
// nothing, and so are sentences announcing a list (« … les étapes suivantes : »), which dangle when quoted alone.
func Sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, s := range corpus.SplitSentences(bulletRE.ReplaceAllString(strings.TrimSpace(line), "")) {
			if s = strings.TrimSpace(s); s != "" && !labelRE.MatchString(s) && !strings.HasSuffix(s, ":") {
				out = append(out, s)
			}
		}
	}
	return out
}
