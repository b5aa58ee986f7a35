package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJSONLinesAnswersEveryLineAndCountsRefusals: one output line per non-blank input line, in order; a line that
// is not JSON and a line answer refuses are both told on standard error and fail the run at its end, while an
// error from answer stops it at once.
func TestJSONLinesAnswersEveryLineAndCountsRefusals(t *testing.T) {
	t.Parallel()
	type in struct {
		ID string `json:"id"`
		N  int    `json:"n"`
	}
	type out struct {
		ID    string `json:"id"`
		Twice int    `json:"twice,omitempty"`
		Error string `json:"error,omitempty"`
	}
	answer := func(line int, v in) (any, string, error) {
		switch {
		case v.N < 0:
			return out{ID: v.ID, Error: "négatif"}, "négatif", nil
		case v.N == 99:
			return nil, "", fmt.Errorf("ligne %d : panne", line)
		}
		return out{ID: v.ID, Twice: 2 * v.N}, "", nil
	}
	invalid := func(line int, reason string) any { return out{ID: fmt.Sprintf("ligne %d", line), Error: "illisible"} }
	run := func(input string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(input), stdout: &stdout, stderr: &stderr}
		err := jsonLines(a, 1<<10, answer, invalid)
		return stdout.String(), stderr.String(), err
	}

	stdout, stderr, err := run("{\"id\":\"a\",\"n\":2}\n\n  \n{pas du json\n{\"id\":\"b\",\"n\":-1}\n{\"id\":\"c\",\"n\":5}\n")
	wantOut := `{"id":"a","twice":4}` + "\n" + `{"id":"ligne 4","error":"illisible"}` + "\n" + `{"id":"b","error":"négatif"}` + "\n" + `{"id":"c","twice":10}` + "\n"
	if diff := cmp.Diff(wantOut, stdout); diff != "" {
		t.Errorf("standard output (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "ligne 4 : JSON invalide") || !strings.Contains(stderr, "ligne 5 : négatif") {
		t.Errorf("standard error does not name both refused lines:\n%s", stderr)
	}
	if err == nil || err.Error() != "2 ligne(s) refusée(s) sur 6" {
		t.Errorf("err = %v, want « 2 ligne(s) refusée(s) sur 6 »", err)
	}

	stdout, _, err = run("{\"id\":\"a\",\"n\":1}\n{\"id\":\"x\",\"n\":99}\n{\"id\":\"c\",\"n\":5}\n")
	if err == nil || err.Error() != "ligne 2 : panne" || stdout != `{"id":"a","twice":2}`+"\n" {
		t.Errorf("an error from answer: err = %v, output %q; want the run stopped at line 2", err, stdout)
	}

	_, _, err = run(strings.Repeat("x", 80<<10) + "\n")
	if err == nil || !errors.Is(err, bufio.ErrTooLong) || !strings.Contains(err.Error(), "entrée ligne 1") {
		t.Errorf("a line over the limit (the larger of maxLine and the 64 KiB buffer): err = %v, want it named as input line 1", err)
	}
}
