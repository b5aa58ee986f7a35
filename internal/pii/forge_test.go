package pii

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// forgingRoutes are the ways found so far to turn raw text into a Redacted (or into a prompt) outside the filter,
// one program each in testdata/forge. Each must fail to build with the given message, or be caught by
// TestPublicCallers' scan (flag), so that none reaches a model.
var forgingRoutes = []struct {
	dir   string
	build string // a substring of the compiler's error; empty: the program builds
	flag  string // "unsafe" or "public": what the module scan reports instead
}{
	{dir: "literal", build: "unexported field text"},
	{dir: "positional", build: "implicit assignment to unexported field text"},
	{dir: "convert", build: "cannot convert"},
	{dir: "joinsep", build: "as pii.Redacted value in argument to pii.Join"},
	{dir: "constvar", build: "as pii.literal value in argument to pii.Const"},
	{dir: "consttyped", build: "as pii.literal value in argument to pii.Const"},
	{dir: "promptdate", build: "as time.Time value"},
	{dir: "promptfield", build: "as pii.Redacted value"},
	{dir: "promptexec", build: "Exec undefined"},
	{dir: "llmmessage", build: "as pii.Redacted value"},
	{dir: "embedraw", build: "as []pii.Redacted value"},
	{dir: "unsafecast", flag: "unsafe"},
	{dir: "linkname", flag: "unsafe"},
	{dir: "publiccall", flag: "public"},
	{dir: "publicvalue", flag: "public"},
}

// TestForgingRoutes builds every forging program: each must fail to compile for the expected reason, or be one
// the module scan flags (an import of unsafe, a reference to pii.Public from a function not in publicCallers).
func TestForgingRoutes(t *testing.T) {
	root := moduleRoot(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the forging programs: %v", err)
	}
	for _, r := range forgingRoutes {
		t.Run(r.dir, func(t *testing.T) {
			dir := filepath.Join(root, "internal", "pii", "testdata", "forge", r.dir)
			cmd := exec.Command(goBin, "build", "-o", filepath.Join(t.TempDir(), "forge"), ".")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if r.build != "" {
				if err == nil {
					t.Fatalf("the forging program %s builds: raw text can become a pii.Redacted", r.dir)
				}
				if !strings.Contains(string(out), r.build) {
					t.Fatalf("the forging program %s fails for another reason than expected (%q):\n%s", r.dir, r.build, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("the forging program %s no longer builds, so it proves nothing about the scan; update it:\n%s", r.dir, out)
			}
			var flagged bool
			for _, ref := range scanModule(t, root, dir, false) {
				switch {
				case r.flag == "unsafe" && ref.unsafe:
					flagged = true
				case r.flag == "public" && !ref.unsafe && publicCallers[ref.caller] == "":
					flagged = true
				}
			}
			if !flagged {
				t.Errorf("the forging program %s builds and the module scan does not flag it (%s)", r.dir, r.flag)
			}
		})
	}
}

// TestForgingByDecoding tries the run-time routes: decoders and reflection cannot fill a Redacted either.
func TestForgingByDecoding(t *testing.T) {
	const citizen = "Élodie Ndiaye 06 12 34 56 78"
	var r Redacted
	//lint:ignore SA9005 the point: decoding must not fill it
	if err := json.Unmarshal([]byte(`{"text":"`+citizen+`","Text":"`+citizen+`"}`), &r); err == nil && !r.IsZero() {
		t.Errorf("json.Unmarshal filled a Redacted: %q", r.String())
	}
	//lint:ignore SA9005 the point: decoding must not fill it
	if err := json.Unmarshal([]byte(`"`+citizen+`"`), &r); err == nil && !r.IsZero() {
		t.Errorf("json.Unmarshal of a string filled a Redacted: %q", r.String())
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(struct{ Text string }{citizen}); err != nil {
		t.Fatal(err)
	}
	if err := gob.NewDecoder(&buf).Decode(&r); err == nil && !r.IsZero() {
		t.Errorf("gob filled a Redacted: %q", r.String())
	}
	func() {
		defer func() { _ = recover() }()
		reflect.ValueOf(&r).Elem().Field(0).SetString(citizen)
	}()
	if !r.IsZero() {
		t.Errorf("reflection filled a Redacted: %q", r.String())
	}
	if _, ok := any(&r).(interface{ UnmarshalText([]byte) error }); ok {
		t.Error("Redacted decodes text: any decoder could forge it")
	}
	if _, ok := any(&r).(interface{ Scan(any) error }); ok {
		t.Error("Redacted scans database values: a stored clear text could be read back as redacted")
	}
}
