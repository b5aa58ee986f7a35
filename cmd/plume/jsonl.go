package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
)

// jsonLines runs a JSON-lines tool: each non-blank line of standard input is decoded into an In and answered by
// one line on standard output. answer returns what to write and, when it refuses the line, why: the reason goes
// to standard error and is counted, the run goes on and fails at the end; an error from answer stops the run. A
// line that is not JSON is refused and answered with what invalid returns.
func jsonLines[In any](a *app, maxLine int, answer func(line int, in In) (out any, refused string, err error), invalid func(line int, reason string) any) error {
	sc := bufio.NewScanner(a.stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	line, failed := 0, 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var in In
		var out any
		var refused string
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			refused = "JSON invalide : " + err.Error()
			out = invalid(line, refused)
		} else if out, refused, err = answer(line, in); err != nil {
			return err
		}
		if refused != "" {
			failed++
			fmt.Fprintf(a.stderr, "ligne %d : %s\n", line, refused)
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("entrée ligne %d : %w", line+1, err)
	}
	if failed > 0 {
		return fmt.Errorf("%d ligne(s) refusée(s) sur %d", failed, line)
	}
	return nil
}
