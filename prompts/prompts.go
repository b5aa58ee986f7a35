// Package prompts holds Plume's versioned prompt templates and renders them into text that may leave the server.
//
// Templates receive typed inputs only (DraftInput, AssistantInput): every text field is a pii.Redacted, dates
// are time.Time formatted here, numbers are ints, and TestInputsHoldNoString keeps it so. The rendered prompt is
// therefore as safe as its parts, which is why Draft and Assistant may mark it with pii.Public. Every field that
// did not come from this package's own templates is printed inside a neutralised data block.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode"

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
	Date        time.Time // the fiche's update date; zero: not shown
	Text        pii.Redacted
}

// Organisation carries an administration's overrides of the reply charter.
type Organisation struct {
	Name      pii.Redacted
	Tone      pii.Redacted   // e.g. "chaleureux mais sobre"; empty keeps the charter's tone
	Signature pii.Redacted   // the closing signature; empty means "Le service relations usagers de {Name}"
	Forbidden []pii.Redacted // promises the organisation never makes, in its own words
}

// Example is an approved reply to a similar review, shown to the model as a model of style (reply memory): the
// agent's reply only, reduced to its style (pii.Redacted.StyleOnly), never the other citizen's review.
type Example struct {
	Reply pii.Redacted
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

// Set is the parsed templates of one version.
type Set struct {
	version string
	t       *template.Template
}

// Load parses the templates of version; an unknown version or a broken template is an error.
func Load(version string) (*Set, error) {
	t, err := template.New("").Funcs(template.FuncMap{"data": dataBlock, "add": func(a, b int) int { return a + b }, "date": dateLabel}).ParseFS(files, version+"/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("prompts: version %q : %w", version, err)
	}
	for _, name := range []string{"system.tmpl", "draft.tmpl", "rewrite.tmpl", "assistant-system", "assistant-user", "query-system", "query-user"} {
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
	name := "draft.tmpl"
	if !in.Instruction.IsZero() {
		name = "rewrite.tmpl"
	}
	return s.render("system.tmpl", name, in)
}

// render executes a system and a user template with in, one of the typed inputs of this package.
func (s *Set) render(system, user string, in any) (Rendered, error) {
	sys, err := s.exec(system, in)
	if err != nil {
		return Rendered{}, err
	}
	u, err := s.exec(user, in)
	if err != nil {
		return Rendered{}, err
	}
	// Sound: the templates are official text and every value they interpolate is a pii.Redacted
	// (TestInputsHoldNoString keeps the inputs so).
	return Rendered{Version: s.version, System: pii.Public(sys), User: pii.Public(u)}, nil
}

// Turn is an earlier exchange of an assistant conversation, filtered.
type Turn struct {
	Question, Answer pii.Redacted
}

// AssistantInput is everything the assistant's templates receive.
type AssistantInput struct {
	Sources  []Source
	History  []Turn
	Question pii.Redacted
}

// Assistant renders the system and user prompts of the advisers' assistant.
func (s *Set) Assistant(in AssistantInput) (Rendered, error) {
	return s.render("assistant-system", "assistant-user", in)
}

// QueryInput is what the query-rewriting templates receive: a review after the personal-data filter.
type QueryInput struct {
	Organisation pii.Redacted
	Title, Text  pii.Redacted
}

// Query renders the prompt that asks a model what a review is about (quelle démarche, quel droit, quelle
// question ?), whose answer leads the retrieval query of the review's sources.
func (s *Set) Query(in QueryInput) (Rendered, error) {
	return s.render("query-system", "query-user", in)
}

func (s *Set) exec(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("prompts: %s/%s : %w", s.version, name, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// dataBlock wraps text as a data block the model must not obey: the closing tag cannot be forged from inside,
// because any tag-like sequence in the text is neutralised, and bidirectional controls that could hide or reorder
// what the agent reviewing the prompt sees are dropped.
func dataBlock(tag string, r pii.Redacted) string {
	return "<" + tag + ">\n" + Neutralise(r.String()) + "\n</" + tag + ">"
}

// Neutralise is what dataBlock does to a value: angle brackets become ‹ ›, bidirectional and other invisible
// control characters go, and surrounding space is trimmed.
func Neutralise(text string) string {
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '<':
			return '‹'
		case r == '>':
			return '›'
		case r == '\n' || r == '\t':
			return r
		case unicode.Is(unicode.Bidi_Control, r), unicode.IsControl(r), r == '\u200b', r == '\u2060', r == '\ufeff':
			return -1
		}
		return r
	}, text)
	return strings.TrimSpace(text)
}

// dateLabel formats a source's date the French way; the zero time prints nothing.
func dateLabel(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}
