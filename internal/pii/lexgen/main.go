// Command lexgen builds the compact word lists the personal-data filter embeds (internal/pii/data/*.txt.gz)
// from the sources scripts/pii-lexicons.sh fetches: one word a line in, folded keys out (lower-case, no
// accents, as the filter looks them up), sorted, unique, gzip-compressed.
//
//	go run ./internal/pii/lexgen -in list.txt -out internal/pii/data/humannames.txt.gz
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/plume-services/plume/internal/pii"
)

func main() {
	in := flag.String("in", "", "source list, one word a line (UTF-8)")
	out := flag.String("out", "", "gzip file written")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "lexgen : -in et -out sont requis")
		os.Exit(2)
	}
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "lexgen :", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		k := pii.LexiconKey(w)
		if len(k) < 2 || strings.ContainsAny(k, " \t") {
			continue
		}
		seen[k] = true
	}
	if err := sc.Err(); err != nil {
		return err
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(o, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	for _, k := range keys {
		bw.WriteString(k)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	fmt.Printf("%s : %d mots\n", out, len(keys))
	return nil
}
