// Package fielderr is the error of a refused form or JSON body: a French message per field, so that a page shows
// each next to its input and the API lists them in its 422 answers.
package fielderr

import (
	"sort"
	"strings"
)

// Errors maps a field's name to what is wrong with it, in French.
type Errors map[string]string

// Error lists the messages by field name, sorted, so that the same refusal always reads the same.
func (e Errors) Error() string {
	return e.Format(func(field string) string { return field }, " : ")
}

// Format lists the messages sorted by field name, each after label(field) and sep, joined by « ; »: a reader
// that knows the fields by other names (an export's columns) words the same refusal in its own terms.
func (e Errors) Format(label func(field string) string, sep string) string {
	names := make([]string, 0, len(e))
	for n := range e {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = label(n) + sep + e[n]
	}
	return strings.Join(parts, " ; ")
}

// FieldErrors returns the messages by field, for forms that show each next to its input and the API's 422 answers.
func (e Errors) FieldErrors() map[string]string { return e }
