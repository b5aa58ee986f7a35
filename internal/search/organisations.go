package search

import (
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/plume-services/plume/internal/embed"
)

//go:embed organisations.txt
var defaultOrganisations string

// Organisations maps the organisations of Services Publics+ to the families of fiches they handle, read from
// an editable file, to favour those fiches when a review names its organisation.
type Organisations struct {
	entries []orgEntry
}

type orgEntry struct {
	names    [][]string // folded words of each form of the organisation's name
	families []string   // folded beginnings of fiche breadcrumbs
}

// DefaultOrganisations is the map shipped with Plume (internal/search/organisations.txt).
func DefaultOrganisations() *Organisations {
	o, err := ParseOrganisations(strings.NewReader(defaultOrganisations))
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return o
}

// ParseOrganisations reads « forme | forme… = famille ; famille… » lines; # starts a comment.
func ParseOrganisations(r io.Reader) (*Organisations, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	o := &Organisations{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		left, right, ok := strings.Cut(line, "=")
		var e orgEntry
		for _, name := range strings.Split(left, "|") {
			if ws := embed.Tokens(nil, name); len(ws) > 0 {
				e.names = append(e.names, ws)
			}
		}
		for _, fam := range strings.Split(right, ";") {
			if f := foldText(fam); f != "" {
				e.families = append(e.families, f)
			}
		}
		if !ok || len(e.names) == 0 || len(e.families) == 0 {
			return nil, fmt.Errorf("organisations ligne %d : « intitulé | autre forme = famille ; famille » attendu", i+1)
		}
		o.entries = append(o.entries, e)
	}
	return o, nil
}

// Families returns the folded breadcrumb beginnings of the fiches an organisation handles, nil when unknown.
// Every line whose form appears as whole words in the organisation's name counts.
func (o *Organisations) Families(organisation string) []string {
	if o == nil || strings.TrimSpace(organisation) == "" {
		return nil
	}
	words := embed.Tokens(nil, organisation)
	var out []string
	for _, e := range o.entries {
		for _, n := range e.names {
			if containsWords(words, n) {
				out = append(out, e.families...)
				break
			}
		}
	}
	return out
}

// InFamilies reports whether a fiche's breadcrumb (or, without one, its theme) begins with one of families.
func InFamilies(families []string, theme, breadcrumb string) bool {
	if len(families) == 0 {
		return false
	}
	path := breadcrumb
	if path == "" {
		path = theme
	}
	f := foldText(path)
	if f == "" {
		return false
	}
	for _, fam := range families {
		if strings.HasPrefix(f, fam) {
			return true
		}
	}
	return false
}

func containsWords(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, p := range phrase {
			if words[i+j] != p {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// foldText lowercases and removes accents and punctuation, words separated by one space.
func foldText(s string) string { return strings.Join(embed.Tokens(nil, s), " ") }
