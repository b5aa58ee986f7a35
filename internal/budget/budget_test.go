package budget

import (
	"errors"
	"strings"
	"testing"
)

func TestLimit(t *testing.T) {
	t.Parallel()
	l := Limit{Chars: 100, Tokens: 10}
	tests := []struct {
		text string
		fits bool
	}{
		{strings.Repeat("é", 40), true},  // 40 characters, 10 tokens
		{strings.Repeat("é", 41), false}, // 11 tokens
		{"", true},
	}
	for _, tt := range tests {
		if got := l.Fits(tt.text); got != tt.fits {
			t.Errorf("Fits(%d runes) = %v, want %v", len([]rune(tt.text)), got, tt.fits)
		}
		err := l.Check("instruction", tt.text)
		var tl *TooLong
		if (err == nil) != tt.fits || (err != nil && (!errors.As(err, &tl) || !strings.HasPrefix(err.Error(), "instruction trop long"))) {
			t.Errorf("Check(%d runes) = %v", len([]rune(tt.text)), err)
		}
	}
	if got := l.MaxChars(); got != 40 {
		t.Errorf("MaxChars = %d, want 40 (the token bound is tighter)", got)
	}
	if got := (Limit{Chars: 30, Tokens: 10}).MaxChars(); got != 30 {
		t.Errorf("MaxChars = %d, want 30", got)
	}
}
