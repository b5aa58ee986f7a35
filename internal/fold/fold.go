// Package fold folds French text for comparison: lower case, accents removed, ligatures spelled out, so that
// « Préfecture », « prefecture » and « PRÉFECTURE » meet. The embedder, the publication guard, the inbox filters
// and the review cleaner compare words this one way.
package fold

import (
	"strings"
	"unicode"
)

// String returns s in lower case without its accents.
func String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		Rune(&b, unicode.ToLower(r))
	}
	return b.String()
}

// Rune writes r to b without its accent; œ, æ and ß are spelled out (oe, ae, ss). r is written as it is
// otherwise, so callers that want lower case lower it first.
func Rune(b *strings.Builder, r rune) {
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		b.WriteByte('a')
	case 'ç':
		b.WriteByte('c')
	case 'é', 'è', 'ê', 'ë':
		b.WriteByte('e')
	case 'î', 'ï', 'í', 'ì':
		b.WriteByte('i')
	case 'ô', 'ö', 'ó', 'ò', 'õ', 'ø':
		b.WriteByte('o')
	case 'ù', 'û', 'ü', 'ú':
		b.WriteByte('u')
	case 'ÿ', 'ý':
		b.WriteByte('y')
	case 'ñ':
		b.WriteByte('n')
	case 'œ':
		b.WriteString("oe")
	case 'æ':
		b.WriteString("ae")
	case 'ß':
		b.WriteString("ss")
	default:
		b.WriteRune(r)
	}
}
