package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readItems reads a JSONL evaluation set: blank lines are skipped; each item is decoded, given to check (which
// trims it and says in French what is wrong), and ids must be unique. Every error names the file and the line.
// empty is the message for a set with no item ("aucun avis").
func readItems[T any](path string, r io.Reader, empty string, id func(*T) *string, check func(*T) string) ([]T, error) {
	var items []T
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLineBytes)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var it T
		// Unknown fields (theme, note…) are documentation for humans and are tolerated on purpose.
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, fmt.Errorf("eval: %s ligne %d : JSON invalide : %w", path, line, err)
		}
		ip := id(&it)
		*ip = strings.TrimSpace(*ip)
		if *ip == "" {
			return nil, fmt.Errorf("eval: %s ligne %d : champ \"id\" vide", path, line)
		}
		if msg := check(&it); msg != "" {
			return nil, fmt.Errorf("eval: %s ligne %d (%s) : %s", path, line, *ip, msg)
		}
		if prev, ok := seen[*ip]; ok {
			return nil, fmt.Errorf("eval: %s ligne %d : id %q déjà utilisé ligne %d", path, line, *ip, prev)
		}
		seen[*ip] = line
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("eval: %s ligne %d : ligne trop longue", path, line+1)
		}
		return nil, fmt.Errorf("eval: %s : %w", path, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("eval: %s : %s", path, empty)
	}
	return items, nil
}
