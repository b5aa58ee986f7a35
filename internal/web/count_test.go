package web

import "testing"

// TestCountLabel: counts are written the French way, and a capped one as « plus de 10 000 ».
func TestCountLabel(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u202f000", 10000: "10\u202f000", 10001: "plus de 10\u202f000", 2500000: "plus de 10\u202f000"} {
		if got := countLabel(n); got != want {
			t.Errorf("countLabel(%d) = %q, want %q", n, got, want)
		}
	}
	if got := frenchInt(-1234567); got != "-1\u202f234\u202f567" {
		t.Errorf("frenchInt(-1234567) = %q", got)
	}
}
