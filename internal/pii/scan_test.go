package pii

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScanJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a1","text":"Mme Fatou Diallo, tel 06 12 34 56 78"}`,
		`{"id":"a2","text":"rien à masquer"`,
		``,
		`{"id":7,"text":"né le 01/02/1990"}`,
		`{"id":"a4"}`,
		`{"id":"a5","text":""}`,
	}, "\n")
	var out bytes.Buffer
	st, err := ScanJSONL(context.Background(), NewFilter(time.Second), strings.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 5 || st.Written != 3 || st.Rejected != 2 {
		t.Errorf("stats %+v", st)
	}
	if len(st.Errors) != 2 || st.Errors[0].Line != 2 || st.Errors[1].Line != 5 {
		t.Fatalf("errors %v", st.Errors)
	}
	if !strings.HasPrefix(st.Errors[0].Error(), "ligne 2 : JSON invalide") || !strings.Contains(st.Errors[1].Error(), `"text" manquant`) {
		t.Errorf("messages: %v / %v", st.Errors[0], st.Errors[1])
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("output %q", out.String())
	}
	var r ScanResult
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	type first struct {
		ID, Redacted string
		Spans        int
	}
	if diff := cmp.Diff(first{"a1", "Mme [PERSONNE_1], tel [TELEPHONE_1]", 2}, first{r.ID, r.Redacted, len(r.Spans)}); diff != "" {
		t.Fatalf("first result (-want +got):\n%s", diff)
	}
	type span struct {
		Start, End         int
		Label, Placeholder string
	}
	s := r.Spans[1]
	if diff := cmp.Diff(span{22, 36, string(LabelPhone), "[TELEPHONE_1]"}, span{s.Start, s.End, string(s.Label), s.Placeholder}); diff != "" {
		t.Errorf("phone span (-want +got):\n%s", diff)
	}
	if !strings.Contains(lines[1], `"id":"7"`) || !strings.Contains(lines[1], `"label":"BIRTHDATE"`) {
		t.Errorf("second result %s", lines[1])
	}
	if lines[2] != `{"id":"a5","redacted":"","spans":[]}` {
		t.Errorf("empty text gives %s", lines[2])
	}
}

func TestScanJSONLFailsClosedPerLine(t *testing.T) {
	in := `{"id":"x","text":"` + strings.Repeat("Mme Fatou Diallo 06 12 34 56 78 ", 3000) + `"}` + "\n"
	var out bytes.Buffer
	st, err := ScanJSONL(context.Background(), NewFilter(time.Nanosecond), strings.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rejected != 1 || out.Len() != 0 {
		t.Errorf("a timed-out item was written: stats %+v, output %d bytes", st, out.Len())
	}
}
