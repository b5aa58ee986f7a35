package pii

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Mapping links each placeholder of a text (or of a group of texts) to the value it replaced. It stays on the
// server: it is serialisable to JSON for storage, but String, GoString and LogValue never show a value.
type Mapping struct {
	mu      sync.Mutex
	entries []entry
	byKey   map[string]int // label + NUL + normalised value → index in entries
	byPH    map[string]int // placeholder → index in entries
	count   map[string]int // label → highest number given
}

type entry struct {
	Placeholder string `json:"placeholder"`
	Label       string `json:"label"`
	Value       string `json:"value"`
}

// NewMapping returns an empty mapping; the zero Mapping is ready to use too.
func NewMapping() *Mapping { return &Mapping{} }

func (m *Mapping) init() {
	if m.byKey == nil {
		m.byKey = map[string]int{}
		m.byPH = map[string]int{}
		m.count = map[string]int{}
	}
}

// Len returns the number of placeholders in the mapping.
func (m *Mapping) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// apply replaces the spans of text with placeholders, adding new values to m, and fills each span's
// Placeholder. Nothing is added to m unless it succeeds.
func (m *Mapping) apply(text string, spans []Span) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	var b strings.Builder
	b.Grow(len(text) + 8*len(spans))
	pos := 0
	// Values new to m in this text, committed only once every span is placed.
	var fresh []entry
	var freshKeys []string
	counts := map[string]int{}
	for i := range spans {
		s := &spans[i]
		if s.Start < pos || s.End > len(text) || s.Start >= s.End {
			return "", fmt.Errorf("%w : segments incohérents", ErrFilter)
		}
		c, ok := classByLabel[s.Label]
		if !ok {
			return "", fmt.Errorf("%w : classe inconnue %q", ErrFilter, s.Label)
		}
		value := text[s.Start:s.End]
		key := s.Label + "\x00" + normValue(s.Label, value)
		ph := ""
		if _, ok := m.byPH[s.Placeholder]; ok && s.Placeholder != "" {
			// A known value (FindKnown): the placeholder it already has, whatever its spelling here.
			ph = s.Placeholder
		} else if k, ok := m.byKey[key]; ok {
			ph = m.entries[k].Placeholder
		} else {
			for k, fk := range freshKeys {
				if fk == key {
					ph = fresh[k].Placeholder
					break
				}
			}
		}
		if ph == "" {
			counts[s.Label]++
			ph = "[" + c.word + "_" + strconv.Itoa(m.count[s.Label]+counts[s.Label]) + "]"
			fresh = append(fresh, entry{Placeholder: ph, Label: s.Label, Value: value})
			freshKeys = append(freshKeys, key)
		}
		s.Placeholder = ph
		b.WriteString(text[pos:s.Start])
		b.WriteString(ph)
		pos = s.End
	}
	b.WriteString(text[pos:])
	for k, e := range fresh {
		m.byKey[freshKeys[k]] = len(m.entries)
		m.byPH[e.Placeholder] = len(m.entries)
		m.entries = append(m.entries, e)
	}
	for l, n := range counts {
		m.count[l] += n
	}
	return b.String(), nil
}

// splitPlaceholder splits "[PERSONNE_12]" into "PERSONNE" and 12; n is 0 if p is not well formed.
func splitPlaceholder(p string) (string, int) {
	if len(p) < 4 || p[0] != '[' || p[len(p)-1] != ']' {
		return "", 0
	}
	in := p[1 : len(p)-1]
	i := strings.LastIndexByte(in, '_')
	if i <= 0 {
		return "", 0
	}
	n, err := strconv.Atoi(in[i+1:])
	if err != nil || n <= 0 || strconv.Itoa(n) != in[i+1:] {
		return "", 0
	}
	return in[:i], n
}

// normValue is the form under which two spellings of one value share a placeholder: "06 12 34 56 78" and
// "0612345678", "Élodie" and "ELODIE".
func normValue(label, v string) string {
	switch label {
	case LabelPerson, LabelAddress, LabelPostcodeCity, LabelBirthdate:
		return foldString(v)
	case LabelEmail:
		return strings.ToLower(v)
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if isDigit(c) || isUpper(c) {
			b = append(b, c)
		}
	}
	s := string(b)
	if label == LabelPhone {
		switch {
		case strings.HasPrefix(s, "0033"):
			s = "0" + strings.TrimPrefix(s[4:], "0")
		case strings.HasPrefix(s, "33") && strings.HasPrefix(v, "+"):
			s = "0" + strings.TrimPrefix(s[2:], "0")
		}
	}
	return s
}

// mask shows what an agent may see of a confidential number: « FR76 •••• 189 ».
func mask(label, v string) string {
	n := normValue(label, v)
	tail := func(k int) string {
		if len(n) <= k {
			return ""
		}
		return n[len(n)-k:]
	}
	switch label {
	case LabelIBAN:
		if len(n) > 8 && isUpper(n[0]) {
			return n[:4] + " •••• " + tail(3)
		}
		return "•••• " + tail(3)
	case LabelCard:
		return "•••• " + tail(4)
	default:
		return "•••• " + tail(3)
	}
}

// Flag reports a placeholder of a draft that was not restored: unknown to the mapping (invented by the model)
// or altered. Offsets are UTF-8 byte offsets into the text given to Restore.
type Flag struct {
	Placeholder string `json:"placeholder"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Reason      string `json:"reason"`
}

// Reasons of a Flag.
const (
	FlagUnknown = "inconnu" // well formed, but not in the mapping
	FlagAltered = "altéré"  // looks like a placeholder the model changed: case, spaces, brackets
)

// Restored is a draft with its placeholders replaced for the agent's eyes.
type Restored struct {
	Text  string
	Flags []Flag
}

// restoreCandidateRe is the net Restore casts, wider than the placeholder grammar (wellFormedRe): every short
// bracketed span and bare WORD_n, so that a placeholder the model altered ("[Personne 1]", "PERSONNE_1") is
// found and flagged; splitPlaceholder and looksLikePlaceholder then tell which is which.
var restoreCandidateRe = regexp.MustCompile(`\[[^\[\]\n]{1,40}\]|\b[A-Z][A-Z_]{1,20}_\d{1,4}\b`)

// Restore replaces the placeholders of text (a draft written from redacted text) with what the agent may see:
// names, addresses, contact details, dates and case numbers in clear; NIR, IBAN, card, tax and identity
// document numbers masked. Placeholders the mapping does not hold, or altered ones, stay as they are and are
// flagged.
func (m *Mapping) Restore(text string) Restored {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out Restored
	var b strings.Builder
	pos := 0
	for _, loc := range restoreCandidateRe.FindAllStringIndex(text, -1) {
		p := text[loc[0]:loc[1]]
		word, n := splitPlaceholder(p)
		if n > 0 {
			if _, known := classByWord[word]; known {
				if k, ok := m.byPH[p]; ok {
					e := m.entries[k]
					b.WriteString(text[pos:loc[0]])
					if Restorable(e.Label) {
						b.WriteString(e.Value)
					} else {
						b.WriteString(mask(e.Label, e.Value))
					}
					pos = loc[1]
					continue
				}
				out.Flags = append(out.Flags, Flag{Placeholder: p, Start: loc[0], End: loc[1], Reason: FlagUnknown})
				continue
			}
		}
		if looksLikePlaceholder(p) {
			out.Flags = append(out.Flags, Flag{Placeholder: p, Start: loc[0], End: loc[1], Reason: FlagAltered})
		}
	}
	b.WriteString(text[pos:])
	out.Text = b.String()
	return out
}

// looksLikePlaceholder reports whether p is a placeholder the model changed: "[Personne 1]", "[PERSONNE-1]",
// "PERSONNE_1", "[TÉLÉPHONE_2]".
func looksLikePlaceholder(p string) bool {
	s := foldString(p) // lower-case, no accents, separators as spaces
	s = strings.ReplaceAll(s, "_", " ")
	f := strings.Fields(s)
	if len(f) < 2 {
		// "[personne1]"
		if len(f) == 1 {
			w := strings.TrimRight(f[0], "0123456789")
			return w != f[0] && classByWord[strings.ToUpper(w)] != nil
		}
		return false
	}
	if _, err := strconv.Atoi(f[len(f)-1]); err != nil {
		return false
	}
	w := strings.ToUpper(strings.Join(f[:len(f)-1], "_"))
	return classByWord[w] != nil || w == "PERSON" || w == "PHONE" || w == "ADDRESS" || w == "CARD" || w == "TAX_ID" ||
		w == "ID_DOC" || w == "CASE_ID" || w == "PLATE" || w == "BIRTHDATE" || w == "POSTCODE_CITY" || w == "TEL"
}

type mappingJSON struct {
	Version int     `json:"version"`
	Entries []entry `json:"entries"`
}

// MarshalJSON serialises the mapping with its values, for storage on the server only.
func (m *Mapping) MarshalJSON() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	es := m.entries
	if es == nil {
		es = []entry{}
	}
	return json.Marshal(mappingJSON{Version: 1, Entries: es})
}

// UnmarshalJSON reads a mapping stored by MarshalJSON, checking every placeholder.
func (m *Mapping) UnmarshalJSON(data []byte) error {
	var mj mappingJSON
	if err := json.Unmarshal(data, &mj); err != nil {
		return fmt.Errorf("pii : correspondance illisible : %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries, m.byKey, m.byPH, m.count = nil, nil, nil, nil
	m.init()
	for i, e := range mj.Entries {
		c, ok := classByLabel[e.Label]
		word, n := splitPlaceholder(e.Placeholder)
		if !ok || n == 0 || word != c.word {
			return fmt.Errorf("pii : correspondance : entrée %d invalide (%q, %q)", i+1, e.Placeholder, e.Label)
		}
		if _, dup := m.byPH[e.Placeholder]; dup {
			return fmt.Errorf("pii : correspondance : %s en double", e.Placeholder)
		}
		m.byPH[e.Placeholder] = len(m.entries)
		m.byKey[e.Label+"\x00"+normValue(e.Label, e.Value)] = len(m.entries)
		m.count[e.Label] = max(m.count[e.Label], n)
		m.entries = append(m.entries, e)
	}
	return nil
}

// String describes the mapping without any value: how many placeholders of each label.
func (m *Mapping) String() string {
	if m == nil {
		return "pii.Mapping(nil)"
	}
	return "pii.Mapping(" + m.summary() + ")"
}

// GoString is String, so %#v shows no value either.
func (m *Mapping) GoString() string { return m.String() }

// LogValue logs the counts per label, never a value.
func (m *Mapping) LogValue() slog.Value {
	if m == nil {
		return slog.StringValue("nil")
	}
	return slog.StringValue(m.summary())
}

func (m *Mapping) summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	per := map[string]int{}
	for _, e := range m.entries {
		per[e.Label]++
	}
	parts := make([]string, 0, len(per))
	for _, l := range Labels() {
		if n := per[l]; n > 0 {
			parts = append(parts, l+"="+strconv.Itoa(n))
		}
	}
	return strconv.Itoa(len(m.entries)) + " entrées " + strings.Join(parts, " ")
}
