package auth

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testArgon2 is cheaper than the default so that tests about logic, not cost, stay fast.
var testArgon2 = Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordPHCAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery", DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not argon2id PHC with the default parameters", h)
	}
	ok, p, err := VerifyPassword("correct horse battery", h)
	if err != nil {
		t.Fatal(err)
	}
	type verified struct {
		OK, Weaker bool
		Memory     uint32
	}
	want := verified{OK: true, Weaker: false, Memory: DefaultArgon2.Memory}
	if diff := cmp.Diff(want, verified{OK: ok, Weaker: p.weaker(DefaultArgon2), Memory: p.Memory}); diff != "" {
		t.Errorf("VerifyPassword with the default parameters (-want +got):\n%s", diff)
	}
	// The rest checks logic, not cost: cheaper parameters keep the race detector's run short.
	h, _ = HashPassword("correct horse battery", testArgon2)
	h2, _ := HashPassword("correct horse battery", testArgon2)
	if h == h2 {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	tests := []struct {
		password string
		want     bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"correct horse battery ", false},
		{"", false},
	}
	for _, tt := range tests {
		for _, hash := range []string{h, h2} {
			if ok, _, err := VerifyPassword(tt.password, hash); err != nil || ok != tt.want {
				t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.password, ok, err, tt.want)
			}
		}
	}
}

func TestVerifyPasswordUsesTheHashParameters(t *testing.T) {
	h, err := HashPassword("un mot de passe assez long", testArgon2)
	if err != nil {
		t.Fatal(err)
	}
	ok, p, err := VerifyPassword("un mot de passe assez long", h)
	if err != nil || !ok {
		t.Fatalf("verify with older parameters: %v, %v", ok, err)
	}
	if !p.weaker(DefaultArgon2) {
		t.Errorf("parameters %+v not reported weaker than the default", p)
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	good, _ := HashPassword("un mot de passe assez long", testArgon2)
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"",
		"plaintext",
		"$2a$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234", // bcrypt
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, parts[3], "m=99999999,t=1,p=1", 1), // a tampered row must not cost gigabytes
		strings.Replace(good, parts[3], "m=65536,t=0,p=1", 1),
		strings.Replace(good, parts[4], "!!!", 1),
		good + "$extra",
	} {
		if ok, _, err := VerifyPassword("un mot de passe assez long", h); ok || err == nil {
			t.Errorf("VerifyPassword accepted malformed hash %q (ok %v, err %v)", h, ok, err)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery", DefaultArgon2); err != nil {
			b.Fatal(err)
		}
	}
}
