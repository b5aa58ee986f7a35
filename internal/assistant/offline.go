package assistant

import (
	"fmt"
	"strings"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
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
func offlineAnswer(question pii.Redacted, sources []ground.Passage) []string {
	q := map[string]bool{}
	for _, t := range embed.ContentTerms(question.String()) {
		q[t] = true
	}
	minShared := offlineMinSharedTerms
	if len(q) <= 2 {
		minShared = 1
	}
	quotes := ground.Pick(question.String(), sources, ground.PickOptions{Max: offlineSentences, PerPassage: offlinePerSource,
		MinShared: minShared, MaxLen: 400, RankBonus: 0.3,
		Skip: func(p ground.Passage) bool { return strings.HasPrefix(p.SectionPath, contactsSection) }})

	out := []string{"Réponse hors ligne (aucun modèle configuré) : extraits des fiches officielles les plus proches de la question, à vérifier dans les sources.\n\n"}
	if len(quotes) == 0 {
		out = append(out, "Je ne sais pas : les fiches disponibles ne répondent pas à cette question.")
	}
	for _, qt := range quotes {
		src := qt.Passage
		out = append(out, fmt.Sprintf("D'après la fiche « %s »%s : %s [%d]\n\n", src.Title, sectionSuffix(src.SectionPath), strings.Join(qt.Sentences, " "), src.N))
	}
	if len(quotes) == 0 {
		// Nothing answers: only the contacts of sources about the question's subject are worth giving.
		var related []ground.Passage
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
	out = append(out, contactsParagraph(sources, len(quotes) == 0))
	return out
}

func sectionSuffix(path string) string {
	if path == "" {
		return ""
	}
	return " (" + path + ")"
}

// contactsParagraph says where to turn, from the contacts the sources name, or the organisation otherwise.
func contactsParagraph(sources []ground.Passage, unknown bool) string {
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
