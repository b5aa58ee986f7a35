package spptest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/plume-services/plume/internal/spp"
)

// predicate is a parsed where clause.
type predicate func(r *spp.Record) bool

// fieldKinds lists the fields a where clause may name, and how they compare.
var fieldKinds = map[string]string{
	"date_de_publication":  "date",
	"ecrit_le":             "date",
	"id_experience":        "int",
	"intitule_structure_1": "text",
	"intitule_structure_2": "text",
	"intitule_structure_3": "text",
	"intitule_typologie_1": "text",
	"intitule_typologie_2": "text",
	"intitule_typologie_3": "text",
	"reponse_structure_1":  "text",
}

func fieldValue(r *spp.Record, name string) string {
	switch name {
	case "date_de_publication":
		return r.DateDePublication
	case "ecrit_le":
		return r.EcritLe
	case "id_experience":
		return r.IDExperience
	case "intitule_structure_1":
		return r.IntituleStructure1
	case "intitule_structure_2":
		return r.IntituleStructure2
	case "intitule_structure_3":
		return r.IntituleStructure3
	case "intitule_typologie_1":
		return r.IntituleTypologie1
	case "intitule_typologie_2":
		return r.IntituleTypologie2
	case "intitule_typologie_3":
		return r.IntituleTypologie3
	case "reponse_structure_1":
		return r.ReponseStructure1
	}
	return ""
}

type token struct {
	kind string // ident, string, number, date, op, punct, eof
	text string
	pos  int
}

func tokenize(s string) ([]token, error) {
	var toks []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, token{"punct", string(c), i})
			i++
		case c == '=':
			toks = append(toks, token{"op", "=", i})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(rs) && rs[i+1] == '=' {
				toks = append(toks, token{"op", string(c) + "=", i})
				i += 2
			} else if c == '!' {
				return nil, fmt.Errorf("caractère inattendu %q à la position %d", c, i)
			} else {
				toks = append(toks, token{"op", string(c), i})
				i++
			}
		case c == '"' || c == '\'':
			str, n, err := readString(rs, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{"string", str, i})
			i = n
		case unicode.IsDigit(c) || c == '-' && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			toks = append(toks, token{"number", string(rs[i:j]), i})
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_') {
				j++
			}
			word := string(rs[i:j])
			if strings.EqualFold(word, "date") && j < len(rs) && (rs[j] == '\'' || rs[j] == '"') {
				str, n, err := readString(rs, j)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{"date", str, i})
				i = n
				continue
			}
			toks = append(toks, token{"ident", word, i})
			i = j
		default:
			return nil, fmt.Errorf("caractère inattendu %q à la position %d", c, i)
		}
	}
	return append(toks, token{"eof", "", len(rs)}), nil
}

func readString(rs []rune, i int) (string, int, error) {
	q := rs[i]
	var b strings.Builder
	for j := i + 1; j < len(rs); j++ {
		switch rs[j] {
		case '\\':
			if j+1 < len(rs) {
				b.WriteRune(rs[j+1])
				j++
			}
		case q:
			return b.String(), j + 1, nil
		default:
			b.WriteRune(rs[j])
		}
	}
	return "", 0, fmt.Errorf("chaîne non terminée à la position %d", i)
}

// parser is a recursive-descent parser of the ODSQL subset Plume emits.
type parser struct {
	toks []token
	i    int
}

func parseWhere(s string) (predicate, error) {
	if strings.TrimSpace(s) == "" {
		return func(*spp.Record) bool { return true }, nil
	}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	pred, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, fmt.Errorf("%q inattendu à la position %d", t.text, t.pos)
	}
	return pred, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) keyword(w string) bool {
	if t := p.peek(); t.kind == "ident" && strings.EqualFold(t.text, w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) or() (predicate, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(r *spp.Record) bool { return l(r) || right(r) }
	}
	return left, nil
}

func (p *parser) and() (predicate, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(r *spp.Record) bool { return l(r) && right(r) }
	}
	return left, nil
}

func (p *parser) unary() (predicate, error) {
	if p.keyword("not") {
		inner, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(r *spp.Record) bool { return !inner(r) }, nil
	}
	if t := p.peek(); t.kind == "punct" && t.text == "(" {
		p.i++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != "punct" || t.text != ")" {
			return nil, fmt.Errorf("« ) » attendue à la position %d", t.pos)
		}
		return inner, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (predicate, error) {
	f := p.next()
	if f.kind != "ident" {
		return nil, fmt.Errorf("nom de champ attendu à la position %d, reçu %q", f.pos, f.text)
	}
	kind, ok := fieldKinds[f.text]
	if !ok {
		return nil, fmt.Errorf("champ inconnu %q", f.text)
	}
	name := f.text
	if p.keyword("is") {
		neg := p.keyword("not")
		if !p.keyword("null") {
			return nil, fmt.Errorf("« null » attendu après « is » à la position %d", p.peek().pos)
		}
		return func(r *spp.Record) bool { return (fieldValue(r, name) == "") != neg }, nil
	}
	if p.keyword("in") {
		if t := p.next(); t.kind != "punct" || t.text != "(" {
			return nil, fmt.Errorf("« ( » attendue après « in » à la position %d", t.pos)
		}
		var vals []string
		for {
			v, err := p.literal(kind)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
			t := p.next()
			if t.kind == "punct" && t.text == ")" {
				break
			}
			if t.kind != "punct" || t.text != "," {
				return nil, fmt.Errorf("« , » ou « ) » attendue à la position %d", t.pos)
			}
		}
		return func(r *spp.Record) bool {
			v := fieldValue(r, name)
			for _, x := range vals {
				if compare(kind, v, x) == 0 {
					return true
				}
			}
			return false
		}, nil
	}
	op := p.next()
	if op.kind != "op" {
		return nil, fmt.Errorf("opérateur attendu après %s à la position %d", name, op.pos)
	}
	v, err := p.literal(kind)
	if err != nil {
		return nil, err
	}
	var test func(int) bool
	switch op.text {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "!=":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	case ">=":
		test = func(c int) bool { return c >= 0 }
	}
	return func(r *spp.Record) bool {
		fv := fieldValue(r, name)
		if fv == "" {
			return false // null compares to nothing
		}
		return test(compare(kind, fv, v))
	}, nil
}

// literal reads a value of the field's kind: a date field wants date'…', an integer field a number.
func (p *parser) literal(kind string) (string, error) {
	t := p.next()
	switch kind {
	case "date":
		if t.kind != "date" && t.kind != "string" {
			return "", fmt.Errorf("date attendue à la position %d, reçu %q", t.pos, t.text)
		}
		if len(t.text) < 10 {
			return "", fmt.Errorf("date invalide %q", t.text)
		}
		return t.text, nil
	case "int":
		if t.kind != "number" && t.kind != "string" {
			return "", fmt.Errorf("nombre attendu à la position %d, reçu %q", t.pos, t.text)
		}
		if _, err := strconv.ParseInt(t.text, 10, 64); err != nil {
			return "", fmt.Errorf("nombre entier attendu à la position %d, reçu %q", t.pos, t.text)
		}
		return t.text, nil
	default:
		if t.kind != "string" {
			return "", fmt.Errorf("chaîne attendue à la position %d, reçu %q", t.pos, t.text)
		}
		return t.text, nil
	}
}

func compare(kind, a, b string) int {
	switch kind {
	case "int":
		ai, _ := strconv.ParseInt(a, 10, 64)
		bi, _ := strconv.ParseInt(b, 10, 64)
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	case "date":
		// Dates compare on their day when one side is a plain date.
		if len(a) > 10 && len(b) == 10 {
			a = a[:10]
		}
		if len(b) > 10 && len(a) == 10 {
			b = b[:10]
		}
	}
	return strings.Compare(a, b)
}
