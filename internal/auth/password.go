package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters of a password hash.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2 follows RFC 9106's second recommended option scaled to a small server: 64 MiB, 2 passes,
// 1 lane. One hash costs one core for the time BenchmarkHashPassword reports; login rate limiting bounds how
// many run at once (each holds 64 MiB while it runs).
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

var errBadHash = errors.New("auth: hachage de mot de passe illisible")

// HashPassword returns the argon2id hash of password in PHC string format
// ($argon2id$v=19$m=65536,t=2,p=1$salt$hash), which carries its own parameters.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC hash, comparing in constant time, and returns the
// hash's parameters so the caller can rehash when they are weaker than the current ones.
func VerifyPassword(password, hash string) (bool, Argon2Params, error) {
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, p, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, p, nil
}

func parsePHC(hash string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	// Bounds keep a tampered row from making one verification take the server down.
	if p.Memory < 8 || p.Memory > 1<<22 || p.Time < 1 || p.Time > 64 || p.Threads < 1 {
		return p, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// weaker reports whether hash parameters p cost less than want, so the hash should be redone at next sign-in.
func (p Argon2Params) weaker(want Argon2Params) bool {
	return p.Memory < want.Memory || p.Time < want.Time || p.KeyLen < want.KeyLen || p.SaltLen < want.SaltLen
}
