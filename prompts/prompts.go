// Package prompts holds Plume's versioned prompt templates and renders them into text that may leave the server.
//
// Every value a template receives is a pii.Redacted (or official text marked public), so the rendered prompt is
// as safe as its parts; that is why this package, and only a few others, may call pii.Public.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/template"

	"github.com/plume-services/plume/internal/pii"
)

//go:embed v*/*.tmpl
var files embed.FS

// Current is the version new drafts use; older versions stay embedded so that evaluations can compare them.
const Current = "v1"

// Source is one retrieved passage as the model sees it, numbered from 1 for citations.
type Source struct {
	N           int
	Title       pii.Redacted
	SectionPath pii.Redacted
	Date        string
	Text        pii.Redacted
}

// Organisation carries an administration's overrides of the reply charter.
type Organisation struct {
	Name      pii.Redacted
	Tone      pii.Redacted   // e.g. "chaleureux mais sobre"; empty keeps the charter's tone
	Signature pii.Redacted   // the closing signature; empty means "Le service relations usagers de {Name}"
	Forbidden []pii.Redacted // promises the organisation never makes, in its own words
}

// Example is an approved reply to a similar review, shown to the model as a model of style (reply memory).
type Example struct {
	Review pii.Redacted
	Reply  pii.Redacted
}

// DraftInput is everything the drafting templates receive.
type DraftInput struct {
	Organisation Organisation
	ReviewTitle  pii.Redacted
	ReviewText   pii.Redacted
	Feeling      pii.Redacted
	Sources      []Source
	Examples     []Example
	// Instruction is an agent's rewrite request (plus court, plus formel…); empty for a first draft.
	Instruction pii.Redacted
	// Previous is the draft to rewrite when Instruction is set.
	Previous pii.Redacted
}

// Rendered is a chat prompt ready for the model client.
type Rendered struct {
	Version string
	System  pii.Redacted
	User    pii.Redacted
}

// Versions lists the embedded prompt versions, oldest first.
func Versions() []string {
	entries, _ := fs.ReadDir(files, ".")
	var vs []string
	for _, e := range entries {
		if e.IsDir() {
			vs = append(vs, e.Name())
		}
	}
	sort.Strings(vs)
	return vs
}

// Set is the parsed templates of one version.
type Set struct {
	version string
	t       *template.Template
}

// Load parses the templates of version; an unknown version or a broken template is an error.
func Load(version string) (*Set, error) {
	t, err := template.New("").Funcs(template.FuncMap{"data": dataBlock, "add": func(a, b int) int { return a + b }, "join": joinTitle}).ParseFS(files, version+"/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("prompts: version %q : %w", version, err)
	}
	for _, name := range []string{"system.tmpl", "draft.tmpl", "rewrite.tmpl"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("prompts: version %q : gabarit %s manquant", version, name)
		}
	}
	return &Set{version: version, t: t}, nil
}

// MustLoad is Load for the embedded versions, which tests keep valid.
func MustLoad(version string) *Set {
	s, err := Load(version)
	if err != nil {
		panic(err)
	}
	return s
}

// Version names the templates' version, recorded with every draft.
func (s *Set) Version() string { return s.version }

// Draft renders the prompt for a first draft, or for a rewrite when in.Instruction is set.
func (s *Set) Draft(in DraftInput) (Rendered, error) {
	sys, err := s.exec("system.tmpl", in)
	if err != nil {
		return Rendered{}, err
	}
	name := "draft.tmpl"
	if !in.Instruction.IsZero() {
		name = "rewrite.tmpl"
	}
	user, err := s.exec(name, in)
	if err != nil {
		return Rendered{}, err
	}
	// Sound: the templates are official text and every value they interpolate is a pii.Redacted.
	return Rendered{Version: s.version, System: pii.Public(sys), User: pii.Public(user)}, nil
}

// Exec renders any other template of the set (judge prompts, assistant prompts) with data whose text fields
// are pii.Redacted values.
func (s *Set) Exec(name string, data any) (pii.Redacted, error) {
	out, err := s.exec(name, data)
	if err != nil {
		return pii.Redacted{}, err
	}
	return pii.Public(out), nil
}

func (s *Set) exec(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("prompts: %s/%s : %w", s.version, name, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// dataBlock wraps text as a data block the model must not obey: the closing tag cannot be forged from inside,
// because any tag-like sequence in the text is neutralised.
func dataBlock(tag string, r pii.Redacted) string {
	text := r.String()
	text = strings.ReplaceAll(text, "<", "‹")
	text = strings.ReplaceAll(text, ">", "›")
	return "<" + tag + ">\n" + strings.TrimSpace(text) + "\n</" + tag + ">"
}

// joinTitle puts a review's title above its text, both already filtered.
func joinTitle(title, text pii.Redacted) pii.Redacted {
	if title.IsZero() {
		return text
	}
	return pii.Join([]pii.Redacted{title, text}, "\n\n")
}
