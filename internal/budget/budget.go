// Package budget bounds what a person's text may weigh in a prompt: characters and estimated tokens for a review,
// an agent's instruction, one chat turn and a whole chat history. Input over a limit is refused with a French
// message (or, for a stored review, condensed for the prompt): nothing larger than the budget reaches a model.
package budget

import (
	"fmt"
	"unicode/utf8"
)

// CharsPerToken is the estimate used for French text: about four characters per token in the tokenizers of
// the models Plume talks to (Mistral, Llama); estimates round up.
const CharsPerToken = 4

// Limit bounds one text; zero in a field means no limit of that kind.
type Limit struct {
	Chars  int
	Tokens int
}

// Limits are Plume's prompt budgets.
type Limits struct {
	Review      Limit // a review's title and text as the prompt carries them (longer ones are condensed)
	Instruction Limit // an agent's rewrite instruction, and the text they ask to rewrite
	Turn        Limit // one chat question or answer
	History     Limit // all the earlier turns of a chat together
}

// Default are the limits when the environment sets none.
var Default = Limits{
	Review:      Limit{Chars: 12000, Tokens: 3000},
	Instruction: Limit{Chars: 1000, Tokens: 250},
	Turn:        Limit{Chars: 4000, Tokens: 1000},
	History:     Limit{Chars: 16000, Tokens: 4000},
}

// Tokens estimates the tokens of s.
func Tokens(s string) int { return (utf8.RuneCountInString(s) + CharsPerToken - 1) / CharsPerToken }

// MaxChars is the most characters a text may have under l: the smaller of its two bounds.
func (l Limit) MaxChars() int {
	n := l.Chars
	if l.Tokens > 0 && (n == 0 || l.Tokens*CharsPerToken < n) {
		n = l.Tokens * CharsPerToken
	}
	return n
}

// Fits reports whether s is within l.
func (l Limit) Fits(s string) bool {
	return (l.Chars <= 0 || utf8.RuneCountInString(s) <= l.Chars) && (l.Tokens <= 0 || Tokens(s) <= l.Tokens)
}

// Check returns a *TooLong naming field when s is over l.
func (l Limit) Check(field, s string) error {
	if l.Fits(s) {
		return nil
	}
	return &TooLong{Field: field, Chars: utf8.RuneCountInString(s), Tokens: Tokens(s), Limit: l}
}

// TooLong is a text over its budget. Whole is set when it is a sum of texts (a chat history) rather than one
// field: the request as a whole is too large (413), not one of its values (422).
type TooLong struct {
	Field         string // French name of what is too long: « instruction », « question », « historique »
	Chars, Tokens int
	Limit         Limit
	Whole         bool
}

// Error is the French message for the person who sent the text.
func (e *TooLong) Error() string {
	return fmt.Sprintf("%s trop long : %d caractères (environ %d jetons), %d caractères et %d jetons au plus",
		e.Field, e.Chars, e.Tokens, e.Limit.Chars, e.Limit.Tokens)
}

// BadInput marks the error as the client's.
func (e *TooLong) BadInput() bool { return true }
