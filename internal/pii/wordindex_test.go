package pii

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestWordIndex checks the index against a map holding the same keys: the bits of keys added several times with
// several bits, keys that differ by one byte or by their length, the empty key, and keys never added.
func TestWordIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 17))
	want := map[string]wordInfo{}
	var keys []string
	for i := range 5000 {
		k := fmt.Sprintf("mot%d", rng.IntN(3000)) // repeated keys: their bits add up
		if i%7 == 0 {
			k += "-é"
		}
		keys = append(keys, k)
	}
	keys = append(keys, "", "a", "ab", "abc", "abd", "ba")
	x := newWordIndex(len(keys), 0)
	for i, k := range keys {
		bit := wordInfo(1) << (i % 20)
		x.add(k, bit)
		want[k] |= bit
	}
	x.done()
	if x.Len() != len(want)-1 { // the empty key has no slot
		t.Errorf("Len() = %d, want %d", x.Len(), len(want)-1)
	}
	for k, w := range want {
		if got := x.get(k); got != w {
			t.Errorf("get(%q) = %b, want %b", k, got, w)
		}
	}
	for _, k := range []string{"mot", "mot3000x", "abe", "b", "aba", "mot1-e", string(make([]byte, 1<<16))} {
		if got, w := x.get(k), want[k]; got != w {
			t.Errorf("get(%q) = %b, want %b (never added)", k, got, w)
		}
	}
}

// TestWordIndexTooLong checks that a key longer than a slot can say is refused at load.
func TestWordIndexTooLong(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("add of a 65,536-byte key did not panic")
		}
	}()
	newWordIndex(1, 0).add(string(make([]byte, 1<<16)), wKnown)
}
