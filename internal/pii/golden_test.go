package pii

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// updateGolden rewrites testdata/golden-spans.txt from the current filter: run it when detection changes on
// purpose (`go test ./internal/pii -run TestGoldenSpans -update`) and name the recording commit in the message.
var updateGolden = flag.Bool("update", false, "rewrite testdata/golden-spans.txt from the current filter")

const goldenPath = "testdata/golden-spans.txt"

// goldenShapeSize is the size of each worst-case shape in the golden record: large enough for the long-text
// paths (more than 64 names, more than one deadline check), small enough for the test to stay under a second.
const goldenShapeSize = 200 << 10

// TestGoldenSpans proves that a change meant for speed changes no output: every eval/pii set, the bench texts
// and the worst-case shapes give spans whose hash is the one recorded. Only a hash and a count per set are
// kept and reported, so the measured sets' texts and errors are never read.
func TestGoldenSpans(t *testing.T) {
	sets := goldenSets(t)
	f := NewFilter(0)
	got := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		h := sha256.New()
		n := 0
		for i, text := range sets[name] {
			spans, err := f.Find(context.Background(), text)
			if err != nil {
				t.Fatalf("%s, text %d: %v", name, i, err)
			}
			n += len(spans)
			fmt.Fprintf(h, "#%d\n", i)
			for _, s := range spans {
				fmt.Fprintf(h, "%d %d %s\n", s.Start, s.End, s.Label)
			}
		}
		got[name] = fmt.Sprintf("%x %d", h.Sum(nil)[:12], n)
	}
	if *updateGolden {
		var b strings.Builder
		b.WriteString("# set, sha-256 (first 12 bytes) of every text's spans, number of spans: see golden_test.go\n")
		for _, name := range slices.Sorted(maps.Keys(got)) {
			fmt.Fprintf(&b, "%s %s\n", name, got[name])
		}
		if err := os.WriteFile(goldenPath, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readGolden(t)
	// A set added to eval/pii since the recording is not compared (nothing says what its spans were before) but
	// named, so that the next speed change records it at its start.
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Logf("%s: not recorded yet (record it with -update before changing the filter)", name)
			delete(got, name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans changed (-recorded +now); if on purpose, rerun with -update:\n%s", diff)
	}
}

// goldenSets returns the texts of every eval/pii set by file name, then the bench texts and the worst shapes.
func goldenSets(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("../../eval/pii/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no eval/pii set found (%v)", err)
	}
	sets := map[string][]string{}
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
		name := filepath.Base(path)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var ex struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sets[name] = append(sets[name], ex.Text)
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	sets["bench-texts"] = benchTexts
	for name, gen := range worstCases {
		sets["shape-"+name] = []string{gen(goldenShapeSize)}
	}
	return sets
}

func readGolden(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (record it with -update)", err)
	}
	want := map[string]string{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		want[name] = rest
	}
	return want
}
