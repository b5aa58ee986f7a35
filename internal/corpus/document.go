package corpus

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Audiences a document is written for; "local" marks pages an administration wrote itself.
const (
	AudienceParticuliers   = "particuliers"
	AudienceProfessionnels = "professionnels"
	AudienceAssociations   = "associations"
	AudienceLocal          = "local"
)

// Document is one procedure text, whatever format it came from.
type Document struct {
	ID          string // F2655, N19803, R1234, or local/<path> for a local page
	Kind        string // F (fiche), N (dossier), R (resource), L (local page)
	Type        string // DILA's publication type: "Fiche d'information", "Fiche Question-réponse"…
	Audience    string
	Title       string
	Description string
	Date        time.Time // dc:date, zero when unknown
	Theme       string    // the top theme (Argent, Famille, Social - Santé…)
	Subject     string    // dc:subject
	Breadcrumb  string    // the FilDAriane below the home page, " > "-separated
	URL         string    // canonical page, e.g. https://www.service-public.fr/particuliers/vosdroits/F2655
	Sections    []Section
}

// Section is the run of text blocks under one path of headings.
type Section struct {
	Path   []string // headings above the text, outermost first; empty for the introduction
	Blocks []string // paragraphs, lists ("- item" lines) and tables ("Colonne : valeur" rows), each readable alone
}

// PathString is the section path as shown to people: "Location > Démarche > Cas général (Caf)".
func (s Section) PathString() string { return strings.Join(s.Path, " > ") }

// addBlock appends text under path, opening a new section when the path changes.
func (d *Document) addBlock(path []string, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	if n := len(d.Sections); n > 0 && slices.Equal(d.Sections[n-1].Path, path) {
		d.Sections[n-1].Blocks = append(d.Sections[n-1].Blocks, text)
		return
	}
	d.Sections = append(d.Sections, Section{Path: slices.Clone(path), Blocks: []string{text}})
}

// URLFor is the canonical service-public.fr address of a fiche for an audience.
func URLFor(audience, id string) string {
	switch audience {
	case AudienceProfessionnels:
		return "https://www.service-public.fr/professionnels-entreprises/vosdroits/" + id
	case AudienceAssociations:
		return "https://www.service-public.fr/associations/vosdroits/" + id
	default:
		return "https://www.service-public.fr/particuliers/vosdroits/" + id
	}
}

// collapseSpace folds runs of white space (including no-break spaces) into single spaces and trims the ends.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
