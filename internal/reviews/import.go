package reviews

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/store"
)

// Format is the layout of an import file.
type Format string

// The import formats.
const (
	FormatJSONL Format = "jsonl" // one JSON object a line
	FormatCSV   Format = "csv"   // a header line then one row a review, separated by ; or , (detected)
)

// ParseFormat reads a format name as given on the command line.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "jsonl", "ndjson", "json":
		return FormatJSONL, nil
	case "csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("format %q inconnu : jsonl ou csv", s)
}

// DetectFormat guesses a file's format from its extension.
func DetectFormat(filename string) (Format, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL, nil
	case ".csv", ".txt":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("format de %q inconnu d'après son extension : précisez --format jsonl ou csv", filepath.Base(filename))
}

// LineError is a record that was not imported, with the line of the file it starts on.
type LineError struct {
	Line       int
	ExternalID string // when the record had one
	Reason     string // in French
}

func (e LineError) String() string { return fmt.Sprintf("ligne %d : %s", e.Line, e.Reason) }

// Summary counts what an import did with each record.
type Summary struct {
	Added, Updated, Unchanged, Rejected int
	Errors                              []LineError // the rejected records, in file order (the first 10,000)
}

// Read is the number of records read.
func (s Summary) Read() int { return s.Added + s.Updated + s.Unchanged + s.Rejected }

func (s Summary) String() string {
	return fmt.Sprintf("%d avis lus : %d ajoutés, %d mis à jour, %d inchangés, %d rejetés", s.Read(), s.Added, s.Updated, s.Unchanged, s.Rejected)
}

const maxLineErrors = 10000

// ImportOptions tune an import.
type ImportOptions struct {
	// Source overrides the source of every record (default: the record's own, else SourceSPP).
	Source string
	// Progress, if set, is called after each record with the number of records read so far.
	Progress func(records int)
	// Drafts, if set, queues the drafting of each new review in the transaction of its batch.
	Drafts Drafts
}

// record is one record read from a file, or the reason it could not be read.
type record struct {
	line   int
	fields map[string]string
	raw    json.RawMessage
	err    string
}

// Import reads reviews from r and stores each good one; a malformed record is counted, reported with its line
// number, and skipped. The error is for failures that stop the import (unreadable file, database down): the
// records stored before it stay stored.
func Import(ctx context.Context, st *store.Store, r io.Reader, format Format, opts ImportOptions) (Summary, error) {
	var sum Summary
	saver := NewSaver(st, nil)
	var batch []store.ReviewUpsert
	var lines []int
	read := 0
	// flush stores the pending batch in one transaction; its records count only once committed.
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var outs []store.UpsertOutcome
		err := st.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			if outs, err = st.UpsertReviewsTx(ctx, tx, batch); err != nil || opts.Drafts == nil {
				return err
			}
			var ids []int64
			for i, o := range outs {
				if o.Result == store.Inserted && batch[i].PublishedReply == "" {
					ids = append(ids, o.ID)
				}
			}
			_, err = opts.Drafts.EnqueueDraftsTx(ctx, tx, ids)
			return err
		})
		if err != nil {
			return fmt.Errorf("lignes %d à %d non enregistrées : %w", lines[0], lines[len(lines)-1], err)
		}
		for _, o := range outs {
			switch o.Result {
			case store.Inserted:
				sum.Added++
			case store.Updated:
				sum.Updated++
			default:
				sum.Unchanged++
			}
		}
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	handle := func(rec ExportRecord) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		read++
		if opts.Progress != nil {
			defer opts.Progress(read)
		}
		if rec.Err != "" {
			sum.reject(LineError{Line: rec.Line, Reason: rec.Err})
			return nil
		}
		in := rec.Review
		if opts.Source != "" {
			in.Source = opts.Source
		}
		up, err := saver.prepare(ctx, in)
		var fe FieldErrors
		switch {
		case errors.As(err, &fe):
			sum.reject(LineError{Line: rec.Line, ExternalID: in.ExternalID, Reason: importReason(fe)})
			return nil
		case err != nil:
			return fmt.Errorf("ligne %d : %w", rec.Line, err)
		}
		batch, lines = append(batch, up), append(lines, rec.Line)
		if len(batch) >= importBatch {
			return flush()
		}
		return nil
	}
	if err := ReadExport(r, format, handle); err != nil {
		return sum, err
	}
	return sum, flush()
}

// ExportRecord is one record of an export file: its line, and the review it carries (not yet cleaned: see
// ReviewInput.Clean) or why it could not be read.
type ExportRecord struct {
	Line   int
	Review ReviewInput
	Err    string // why the record could not be read, in French; Review is then empty
}

// ReadExport reads a Services Publics+ export, JSON lines or CSV, record by record: the one reader of export
// files, for the import and the evaluation. A malformed record is passed with its Err; an error of fn stops the
// reading and is returned.
func ReadExport(r io.Reader, format Format, fn func(ExportRecord) error) error {
	handle := func(rec record) error {
		if rec.err != "" {
			return fn(ExportRecord{Line: rec.line, Err: rec.err})
		}
		return fn(ExportRecord{Line: rec.line, Review: FromExport(rec.fields, rec.raw)})
	}
	switch format {
	case FormatJSONL:
		return readJSONL(r, handle)
	case FormatCSV:
		return readCSV(r, handle)
	}
	return fmt.Errorf("format %q inconnu : jsonl ou csv", format)
}

// importBatch is how many reviews share a transaction: large enough to amortise the commit, small enough that a
// failure loses little work.
const importBatch = 200

func (s *Summary) reject(e LineError) {
	s.Rejected++
	if len(s.Errors) < maxLineErrors {
		s.Errors = append(s.Errors, e)
	}
}

// exportNames are the names a person importing an export knows the fields by.
var exportNames = map[string]string{
	"external_id":      "id_experience",
	"title":            "titre",
	"body":             "description",
	"feeling":          "ressenti_usager",
	"organisation":     "intitule_typologie_1",
	"structure":        "intitule_structure_1",
	"topic":            "tags_metiers",
	"author_pseudonym": "pseudonyme_usager",
	"written_at":       "ecrit_le",
	"published_at":     "date_de_publication",
	"published_reply":  "reponse_structure_1",
}

// importReason words field errors with the export's field names.
func importReason(fe FieldErrors) string {
	return fe.Format(func(field string) string {
		if e, ok := exportNames[field]; ok {
			return e
		}
		return field
	}, " ")
}

var bom = []byte("\ufeff")

func readJSONL(r io.Reader, handle func(record) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("lecture ligne %d : %w", line, err)
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, bom)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			if herr := handle(parseJSONLine(line, t)); herr != nil {
				return herr
			}
		}
		if err != nil {
			return nil
		}
	}
}

func parseJSONLine(line int, b []byte) record {
	rec := record{line: line}
	if b[0] == '[' && line == 1 {
		rec.err = "tableau JSON : le fichier doit contenir un objet JSON par ligne (JSON lines)"
		return rec
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		rec.err = "JSON invalide : " + jsonReason(err)
		return rec
	}
	rec.fields = make(map[string]string, len(m))
	for k, v := range m {
		rec.fields[strings.ToLower(strings.TrimSpace(k))] = scalar(v)
	}
	rec.raw = append(json.RawMessage(nil), b...)
	return rec
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("erreur de syntaxe à l'octet %d", se.Offset)
	case errors.As(err, &te):
		return "un objet { … } est attendu"
	}
	return err.Error()
}

// scalar reads a JSON value as text: strings as is, numbers as written, lists of scalars joined by commas
// (Opendatasoft sends multi-valued fields as lists), null and objects as nothing.
func scalar(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		_ = json.Unmarshal(v, &s)
		return s
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil {
			return ""
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			if s := scalar(it); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ",")
	case '{', 'n':
		return ""
	}
	return string(v) // number or boolean
}

func readCSV(r io.Reader, handle func(record) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(br.Size())
	if len(head) == 0 {
		return nil
	}
	cr := csv.NewReader(br)
	cr.Comma = separator(head)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("ligne 1 : en-tête CSV illisible : %w", err)
	}
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if !contains(header, "id_experience") && !contains(header, "external_id") {
		return fmt.Errorf("ligne 1 : l'en-tête n'a pas de colonne id_experience (ni external_id) : est-ce bien un export Services Publics+ ? (séparateur détecté %q)", cr.Comma)
	}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if herr := handle(record{line: pe.StartLine, err: "CSV mal formé : " + csvReason(pe)}); herr != nil {
				return herr
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("lecture CSV : %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) != len(header) {
			if herr := handle(record{line: line, err: fmt.Sprintf("%d colonnes au lieu de %d", len(row), len(header))}); herr != nil {
				return herr
			}
			continue
		}
		fields := make(map[string]string, len(header))
		for i, h := range header {
			if h != "" {
				fields[h] = row[i]
			}
		}
		raw, _ := json.Marshal(fields)
		if herr := handle(record{line: line, fields: fields, raw: raw}); herr != nil {
			return herr
		}
	}
}

func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return "guillemet non fermé ou en trop (colonne " + strconv.Itoa(pe.Column) + ")"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return "guillemet dans un champ non entre guillemets (colonne " + strconv.Itoa(pe.Column) + ")"
	}
	return pe.Err.Error()
}

// separator picks the delimiter used most in the header line, outside quotes: ; for French spreadsheets, , otherwise.
func separator(head []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ';' || c == ',' || c == '\t' {
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
