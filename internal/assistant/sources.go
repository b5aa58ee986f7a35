package assistant

import (
	"context"
	"regexp"
	"strings"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// contactsSection is the section the corpus loader gives each fiche's online services and offices.
const contactsSection = "Services en ligne et contacts"

// contactsQuery finds that section; it is Plume's own text, not anyone's words.
var contactsQuery = pii.Const("où s'adresser service en ligne téléservice formulaire contacts")

// followUpRE recognises a question that opens as the continuation of the previous one: a linking word
// (« et », « mais », « dans ce cas »…) or a pronoun standing for the previous subject (« elle », « cette aide »…).
var followUpRE = regexp.MustCompile(`(?i)^\s*(et|mais|ou|alors|donc|sinon|aussi|puis|ensuite|dans ce cas|en ce cas|si|s'il|s'ils|s'elle|s'elles|pareil|idem|même|il|elle|ils|elles|ça|cela|ceci|celui|celle|ceux|celles|cette|cet|ces|ce|y|en)\b`)

// followUpMaxTerms is how many content words a question opening as a follow-up may have and still be one: « et
// s'il est mineur ? » has one and needs the previous question's topic; « si je déménage, dois-je prévenir la
// Caf ? » has four and names its own.
const followUpMaxTerms = 2

// retrievalQuery is what the assistant searches for: the question alone when it names its own topic, so that a
// new subject gets its own sources; joined to the previous question when it only continues it.
func retrievalQuery(question pii.Redacted, history []historyTurn) pii.Redacted {
	q := question.String()
	terms := len(embed.ContentTerms(q))
	followUp := terms == 0 || terms <= followUpMaxTerms && followUpRE.MatchString(q)
	if !followUp || len(history) == 0 {
		return question.Truncate(search.MaxQueryRunes)
	}
	return pii.Join([]pii.Redacted{question, history[len(history)-1].Question}, pii.Const("\n")).Truncate(search.MaxQueryRunes)
}

// retrieve returns the passages that answer query, numbered from 1, then the contacts section of the best fiche
// when no passage carries one, so that « je ne sais pas » can always say where to turn.
func (s *Service) retrieve(ctx context.Context, query pii.Redacted) ([]ground.Passage, error) {
	if s.o.Searcher == nil {
		return nil, nil
	}
	out, err := ground.Retrieve(ctx, "assistant", s.o.Log, func(ctx context.Context) ([]ground.Passage, error) {
		return s.o.Searcher.Search(ctx, search.Query{Text: query, K: s.o.K})
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	for _, p := range out {
		if len(contactLines(p.Text)) > 0 {
			return out, nil
		}
	}
	cs, err := s.o.Searcher.Search(ctx, search.Query{Text: contactsQuery, DocID: out[0].DocID, K: 3, Mode: search.FullTextOnly})
	if err != nil {
		s.o.Log.Warn("assistant : contacts de la fiche introuvables", "doc", out[0].DocID, "err", err)
		return out, nil
	}
	for _, c := range cs {
		if strings.HasPrefix(c.SectionPath, contactsSection) && len(contactLines(c.Text)) > 0 {
			return ground.Number(append(out, c)), nil
		}
	}
	return out, nil
}

// contactRE finds the lines of a passage that name an office or an online service: « Où s'adresser : Caf »,
// « Téléservice : Demande d'aide au logement ».
var contactRE = regexp.MustCompile(`(?mi)^\s*(?:- )?(où s'adresser|service en ligne|téléservice|formulaire|simulateur|module de calcul|outil de calcul|modèle de document)\s*:\s*(.+?)\.?\s*$`)

// contactLines returns the contacts of a passage as « Label : titre ».
func contactLines(text string) []string {
	var out []string
	for _, m := range contactRE.FindAllStringSubmatch(text, -1) {
		label := strings.ToUpper(m[1][:1]) + m[1][1:]
		out = append(out, label+" : "+strings.TrimSpace(m[2]))
	}
	return out
}
