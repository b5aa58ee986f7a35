package assistant

import (
	"fmt"
	"sort"
	"strings"

	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
)

// Offline answers quote the sources and write nothing else: these bound how much they quote.
const (
	offlineSentences      = 4 // sentences quoted in all
	offlinePerSource      = 2 // sentences quoted from one passage
	offlineMinSharedTerms = 2 // content words a sentence must share with the question (1 for a short question)
)

// offlineAnswer writes an answer without a model: a label saying so, the sentences of the passages that share
// the most words with the question, each passage cited, then where to turn. When no sentence shares enough
// words, it says « Je ne sais pas » and gives the contacts the sources name. It returns the answer in pieces, so
// that it streams like a model's.
func offlineAnswer(question pii.Redacted, sources []Source) []string {
	q := map[string]bool{}
	for _, t := range embed.ContentTerms(question.String()) {
		q[t] = true
	}
	minShared := offlineMinSharedTerms
	if len(q) <= 2 {
		minShared = 1
	}
	type cand struct {
		src, pos int
		text     string
		score    float64
	}
	var cands []cand
	for si, src := range sources {
		if strings.HasPrefix(src.SectionPath, contactsSection) {
			continue
		}
		for pos, sent := range corpus.SplitSentences(strings.ReplaceAll(src.Text, "\n", " ")) {
			sent = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sent), "- "))
			words := embed.ContentTerms(sent)
			if len(words) < 4 || len(sent) > 400 {
				continue
			}
			shared := map[string]bool{}
			for _, w := range words {
				if q[w] {
					shared[w] = true
				}
			}
			if len(shared) < minShared {
				continue
			}
			// Better-ranked passages and their opening sentences win ties: the opening is usually the summary.
			score := float64(len(shared)) + 0.3/float64(si+1) + 0.1/float64(pos+1)
			cands = append(cands, cand{si, pos, sent, score})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	perSource := map[int]int{}
	quoted := map[string]bool{}
	var picked []cand
	for _, c := range cands {
		if len(picked) == offlineSentences {
			break
		}
		if perSource[c.src] == offlinePerSource || quoted[c.text] {
			continue
		}
		perSource[c.src]++
		quoted[c.text] = true
		picked = append(picked, c)
	}
	// Quote passage by passage, in rank order, each passage's sentences in their own order.
	sort.SliceStable(picked, func(a, b int) bool {
		if picked[a].src != picked[b].src {
			return picked[a].src < picked[b].src
		}
		return picked[a].pos < picked[b].pos
	})

	out := []string{"Réponse hors ligne (aucun modèle configuré) : extraits des fiches officielles les plus proches de la question, à vérifier dans les sources.\n\n"}
	if len(picked) == 0 {
		out = append(out, "Je ne sais pas : les fiches disponibles ne répondent pas à cette question.")
	}
	for i := 0; i < len(picked); {
		src := sources[picked[i].src]
		var quote []string
		j := i
		for ; j < len(picked) && picked[j].src == picked[i].src; j++ {
			quote = append(quote, picked[j].text)
		}
		out = append(out, fmt.Sprintf("D'après la fiche « %s »%s : %s [%d]\n\n", src.Title, sectionSuffix(src.SectionPath), strings.Join(quote, " "), src.N))
		i = j
	}
	if len(picked) == 0 {
		// Nothing answers: only the contacts of sources about the question's subject are worth giving.
		var related []Source
		for _, src := range sources {
			for _, t := range embed.ContentTerms(src.Title) {
				if q[t] {
					related = append(related, src)
					break
				}
			}
		}
		sources = related
	}
	out = append(out, contactsParagraph(sources, len(picked) == 0))
	return out
}

func sectionSuffix(path string) string {
	if path == "" {
		return ""
	}
	return " (" + path + ")"
}

// contactsParagraph says where to turn, from the contacts the sources name, or the organisation otherwise.
func contactsParagraph(sources []Source, unknown bool) string {
	var lines []string
	seen := map[string]bool{}
	for _, src := range sources {
		for _, c := range contactLines(src.Text) {
			if !seen[c] && len(lines) < 3 {
				seen[c] = true
				lines = append(lines, fmt.Sprintf("- %s [%d]", c, src.N))
			}
		}
	}
	lead := "Pour aller plus loin :"
	if unknown {
		lead = "\n\nPour obtenir une réponse, orientez la personne vers :"
	}
	if len(lines) == 0 {
		return lead + " l'organisme chargé de la démarche (Caf, Assurance maladie, préfecture, mairie, impôts…), ou la fiche correspondante sur service-public.fr."
	}
	return lead + "\n" + strings.Join(lines, "\n")
}
