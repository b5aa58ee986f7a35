// Package guard decides whether a reply may be made public: replies to Services Publics+ reviews are published
// on the open web, so a reply that carries the citizen's personal data, or a promise the organisation has
// forbidden, is refused before its approval, whatever the browser sent.
package guard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/pii"
)

// Input is a reply about to be approved, with what the guard needs to know of its review.
type Input struct {
	Reply string
	// Mapping is the review's own mapping: every value the filter replaced in the review or its drafts, found
	// in the reply in any spelling even where detection misses it.
	Mapping *pii.Mapping
	// Pseudonym is the name the citizen chose to publish under: the only name of theirs a reply may carry.
	Pseudonym string
	// Forbidden are the promises the organisation's supervisors never want made, in their own words.
	Forbidden []string
	// AllowedPhones (digits only) and AllowedEmails are the organisation's official contacts, which a reply may
	// give.
	AllowedPhones, AllowedEmails []string
}

// Finding is one thing that blocks publication: what it is, the text at fault and where it is.
type Finding struct {
	Kind    string `json:"kind"`  // a pii label (PHONE, NIR…), "MASKED" or "FORBIDDEN"
	What    string `json:"what"`  // French: « numéro de téléphone »
	Text    string `json:"text"`  // the text at fault
	Line    int    `json:"line"`  // from 1
	Start   int    `json:"start"` // UTF-8 byte offsets into the reply
	End     int    `json:"end"`
	Message string `json:"message"` // French, one line: what, which text, where
}

// Blocked is the error Check returns when a reply may not be published; its message lists every finding.
type Blocked struct {
	Findings []Finding
}

// Error is the French message shown to the agent.
func (b *Blocked) Error() string {
	var s strings.Builder
	s.WriteString("Publication refusée : la réponse sera publique et contient ")
	if len(b.Findings) == 1 {
		s.WriteString("un élément à retirer : ")
	} else {
		fmt.Fprintf(&s, "%d éléments à retirer : ", len(b.Findings))
	}
	for i, f := range b.Findings {
		if i > 0 {
			s.WriteString(" ; ")
		}
		s.WriteString(f.Message)
	}
	s.WriteString(". Corrigez le texte puis approuvez à nouveau.")
	return s.String()
}

// Summary is the French message without the list, for a page that lists Items below it.
func (b *Blocked) Summary() string {
	n := "un élément à retirer"
	if len(b.Findings) > 1 {
		n = fmt.Sprintf("%d éléments à retirer", len(b.Findings))
	}
	return "Publication refusée : la réponse sera publique et contient " + n + ". Votre texte est enregistré : corrigez-le puis approuvez à nouveau."
}

// Items returns one French line per finding, for a list on the page.
func (b *Blocked) Items() []string {
	out := make([]string, len(b.Findings))
	for i, f := range b.Findings {
		out[i] = f.Message
	}
	return out
}

// ErrFilter is returned when the reply could not be scanned: it is not published either (fail closed).
var ErrFilter = errors.New("vérification des données personnelles impossible : publication refusée, réessayez")

// what names a pii label for the agent.
var what = map[string]string{
	pii.LabelPerson:       "nom de personne",
	pii.LabelNIR:          "numéro de sécurité sociale (NIR)",
	pii.LabelIBAN:         "IBAN",
	pii.LabelCard:         "numéro de carte bancaire",
	pii.LabelTaxID:        "numéro fiscal",
	pii.LabelPhone:        "numéro de téléphone",
	pii.LabelEmail:        "adresse électronique",
	pii.LabelAddress:      "adresse postale",
	pii.LabelPostcodeCity: "code postal et commune de l'usager",
	pii.LabelBirthdate:    "date de naissance",
	pii.LabelCaseID:       "numéro de dossier",
	pii.LabelPlate:        "plaque d'immatriculation",
	pii.LabelIDDoc:        "numéro de pièce d'identité",
}

// Check scans the final text of a reply with the filter and with the review's own mapping. Any identifier, any
// name other than the citizen's pseudonym, any value shown masked (« •••• 189 ») and any of the organisation's
// forbidden promises blocks publication: the error is a *Blocked listing each item and where it is.
func Check(ctx context.Context, f *pii.Filter, in Input) error {
	text := in.Reply
	detected, err := f.Find(ctx, text)
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrFilter, err)
	}
	var findings []Finding
	add := func(kind string, start, end int) {
		findings = append(findings, Finding{Kind: kind, What: what[kind], Text: text[start:end], Start: start, End: end})
	}
	for _, s := range detected {
		// A postcode and town found by detection alone is as likely the office's: only the citizen's blocks.
		if s.Label == pii.LabelPostcodeCity || in.allowed(s.Label, text[s.Start:s.End]) {
			continue
		}
		add(s.Label, s.Start, s.End)
	}
	for _, s := range in.Mapping.FindKnown(text) {
		if in.allowed(s.Label, text[s.Start:s.End]) || overlaps(findings, s.Start, s.End) {
			continue
		}
		add(s.Label, s.Start, s.End)
	}
	for _, loc := range maskedRE.FindAllStringIndex(text, -1) {
		if !overlaps(findings, loc[0], loc[1]) {
			findings = append(findings, Finding{Kind: "MASKED", What: "numéro masqué", Text: text[loc[0]:loc[1]], Start: loc[0], End: loc[1]})
		}
	}
	for _, fb := range in.Forbidden {
		if start, end, ok := findPromise(text, fb); ok {
			findings = append(findings, Finding{Kind: "FORBIDDEN", What: "engagement interdit par l'organisme (« " + strings.TrimSpace(fb) + " »)",
				Text: text[start:end], Start: start, End: end})
		}
	}
	if len(findings) == 0 {
		return nil
	}
	slices.SortFunc(findings, func(a, b Finding) int { return a.Start - b.Start })
	for i := range findings {
		f := &findings[i]
		f.Line = 1 + strings.Count(text[:f.Start], "\n")
		f.Message = fmt.Sprintf("%s « %s » (ligne %d, « %s »)", f.What, f.Text, f.Line, context80(text, f.Start, f.End))
	}
	return &Blocked{Findings: findings}
}

// allowed reports whether a value may stay: the citizen's own pseudonym, or an official contact.
func (in Input) allowed(label, value string) bool {
	// The pseudonym is public whatever detection takes it for (« Lodie75 » looks like a case number).
	if p := normalise(in.Pseudonym); p != "" && normalise(value) == p {
		return true
	}
	switch label {
	case pii.LabelPhone:
		d := digits(value)
		if strings.HasPrefix(d, "33") && len(d) == 11 {
			d = "0" + d[2:]
		}
		return slices.Contains(in.AllowedPhones, d)
	case pii.LabelEmail:
		return slices.ContainsFunc(in.AllowedEmails, func(e string) bool { return strings.EqualFold(e, value) })
	}
	return false
}

func overlaps(fs []Finding, start, end int) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return start < f.End && f.Start < end })
}

// context80 is the line around a finding, cut to about 80 characters, so the agent sees where it is.
func context80(text string, start, end int) string {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	le := strings.IndexByte(text[end:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += end
	}
	from, to := ls, le
	if start-from > 30 {
		from = start - 30
		for from < start && !utf8.RuneStart(text[from]) {
			from++
		}
	}
	if to-end > 30 {
		to = end + 30
		for to > end && to < len(text) && !utf8.RuneStart(text[to]) {
			to--
		}
	}
	out := strings.TrimSpace(text[from:to])
	if from > ls {
		out = "…" + out
	}
	if to < le {
		out += "…"
	}
	return out
}

// StripBidi removes bidirectional control characters (U+202A–U+202E, U+2066–U+2069, and the marks U+200E,
// U+200F, U+061C): in a pseudonym or a reply they can reverse the text a reader sees, and a published reply
// would carry them.
func StripBidi(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidi(r) {
			return -1
		}
		return r
	}, s)
}

func isBidi(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// ReviewMapping is the mapping Check needs for a review: the one its drafts stored (as store.PIIMapping decoded
// it; nil when none), completed with the values of the review's own texts, so that a reply written by hand
// before any draft is checked against the citizen's values too. stored is completed in place.
func ReviewMapping(ctx context.Context, f *pii.Filter, stored *pii.Mapping, texts ...string) (*pii.Mapping, error) {
	m := stored
	if m == nil {
		m = pii.NewMapping()
	}
	for _, t := range texts {
		if strings.TrimSpace(t) == "" {
			continue
		}
		if _, err := f.RedactWith(ctx, m, t); err != nil {
			return nil, fmt.Errorf("%w (%v)", ErrFilter, err)
		}
	}
	return m, nil
}
