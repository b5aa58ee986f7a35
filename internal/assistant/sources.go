package assistant

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// contactsSection is the section the corpus loader gives each fiche's online services and offices.
const contactsSection = "Services en ligne et contacts"

// contactsQuery finds that section; it is Plume's own text, not anyone's words.
var contactsQuery = pii.Const("où s'adresser service en ligne téléservice formulaire contacts")

// retrieve returns the passages that answer query, numbered from 1, then the contacts section of the best fiche
// when no passage carries one, so that « je ne sais pas » can always say where to turn.
func (s *Service) retrieve(ctx context.Context, query pii.Redacted) ([]Source, error) {
	if s.o.Searcher == nil || search.CheckQuery(query.String()) != nil {
		return nil, nil
	}
	rs, err := s.o.Searcher.Search(ctx, search.Query{Text: query, K: s.o.K})
	if errors.Is(err, search.ErrNoCorpus) {
		s.o.Log.Warn("assistant : aucun corpus chargé, réponse sans sources")
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("assistant: recherche des sources : %w", err)
	}
	out := make([]Source, 0, len(rs)+1)
	hasContacts := false
	for _, r := range rs {
		out = append(out, sourceOf(len(out)+1, r))
		hasContacts = hasContacts || len(contactLines(r.Text)) > 0
	}
	if len(rs) > 0 && !hasContacts {
		cs, err := s.o.Searcher.Search(ctx, search.Query{Text: contactsQuery, DocID: rs[0].DocID, K: 3, Mode: search.FullTextOnly})
		if err != nil {
			s.o.Log.Warn("assistant : contacts de la fiche introuvables", "doc", rs[0].DocID, "err", err)
			return out, nil
		}
		for _, c := range cs {
			if strings.HasPrefix(c.SectionPath, contactsSection) && len(contactLines(c.Text)) > 0 {
				out = append(out, sourceOf(len(out)+1, c))
				break
			}
		}
	}
	return out, nil
}

func sourceOf(n int, r search.Result) Source {
	return Source{N: n, ChunkID: r.ChunkID, DocID: r.DocID, Title: r.Title, SectionPath: r.SectionPath, URL: r.URL, Date: r.Date, Text: r.Text}
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
