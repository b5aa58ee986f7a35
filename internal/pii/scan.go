package pii

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ScanItem is one text to filter, as read by « plume pii scan » and POST /api/v1/pii/scan: {"id","text"}.
type ScanItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ScanResult is the filtered item: {"id","redacted","spans":[{"start","end","label","placeholder"}]}, offsets
// being UTF-8 byte offsets into the item's text.
type ScanResult struct {
	ID       string `json:"id"`
	Redacted string `json:"redacted"`
	Spans    []Span `json:"spans"`
}

// Scan filters one item; its placeholders are numbered for this item alone. It fails closed like Redact.
func (f *Filter) Scan(ctx context.Context, it ScanItem) (ScanResult, error) {
	r, err := f.Redact(ctx, it.Text)
	if err != nil {
		return ScanResult{}, err
	}
	spans := r.Spans
	if spans == nil {
		spans = []Span{}
	}
	return ScanResult{ID: it.ID, Redacted: r.Text.String(), Spans: spans}, nil
}

// ParseScanItem decodes one JSON item. The id may be a string or a number (kept as written); text is required.
func ParseScanItem(data []byte) (ScanItem, error) {
	var raw struct {
		ID   json.RawMessage `json:"id"`
		Text *string         `json:"text"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return ScanItem{}, fmt.Errorf("JSON invalide : %w", err)
	}
	if dec.More() {
		return ScanItem{}, errors.New("JSON invalide : plusieurs valeurs sur une ligne")
	}
	if raw.Text == nil {
		return ScanItem{}, errors.New(`champ "text" manquant`)
	}
	it := ScanItem{Text: *raw.Text}
	id := bytes.TrimSpace(raw.ID)
	switch {
	case len(id) == 0 || string(id) == "null":
	case id[0] == '"':
		if err := json.Unmarshal(id, &it.ID); err != nil {
			return ScanItem{}, fmt.Errorf(`champ "id" invalide : %w`, err)
		}
	case id[0] == '-' || id[0] >= '0' && id[0] <= '9':
		it.ID = string(id)
	default:
		return ScanItem{}, errors.New(`champ "id" invalide : ni texte ni nombre`)
	}
	return it, nil
}

// LineError is a rejected input line.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return "ligne " + strconv.Itoa(e.Line) + " : " + e.Err.Error() }

func (e LineError) Unwrap() error { return e.Err }

// Stats counts what ScanJSONL did.
type Stats struct {
	Lines    int         // non-blank lines read
	Written  int         // results written
	Rejected int         // lines rejected (malformed, or the filter failed on them)
	Errors   []LineError // the first rejected lines (at most maxLineErrors)
}

const maxLineErrors = 1000

// MaxScanLine bounds one input line of ScanJSONL.
const MaxScanLine = 16 << 20

// ScanJSONL reads {"id","text"} lines from r and writes one result line per accepted item to w. A malformed
// line, or one the filter fails on, is skipped and recorded in Stats: nothing is written for it. The error is
// for failures of r or w, or the context ending.
func ScanJSONL(ctx context.Context, f *Filter, r io.Reader, w io.Writer) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	reject := func(line int, err error) {
		st.Rejected++
		if len(st.Errors) < maxLineErrors {
			st.Errors = append(st.Errors, LineError{Line: line, Err: err})
		}
	}
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			bw.Flush()
			return st, err
		}
		data, tooLong, err := readLine(br)
		if err == io.EOF && len(data) == 0 && !tooLong {
			break
		}
		if err != nil && err != io.EOF {
			bw.Flush()
			return st, fmt.Errorf("lecture ligne %d : %w", line, err)
		}
		if tooLong {
			st.Lines++
			reject(line, fmt.Errorf("ligne trop longue (plus de %d octets)", MaxScanLine))
			continue
		}
		if len(bytes.TrimSpace(data)) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		st.Lines++
		it, perr := ParseScanItem(data)
		if perr != nil {
			reject(line, perr)
		} else if res, ferr := f.Scan(ctx, it); ferr != nil {
			reject(line, ferr)
		} else if werr := enc.Encode(res); werr != nil {
			return st, fmt.Errorf("écriture : %w", werr)
		} else {
			st.Written++
		}
		if err == io.EOF {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("écriture : %w", err)
	}
	return st, nil
}

// readLine reads one line without its end; a line longer than MaxScanLine is drained and reported.
func readLine(br *bufio.Reader) ([]byte, bool, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return buf, false, err
		}
		if len(buf)+len(chunk) > MaxScanLine {
			for isPrefix {
				_, isPrefix, err = br.ReadLine()
				if err != nil {
					return nil, true, nil
				}
			}
			return nil, true, nil
		}
		buf = append(buf, chunk...)
		if !isPrefix {
			return buf, false, nil
		}
	}
}
