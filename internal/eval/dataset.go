package eval

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"strings"
)

// Dataset kinds, as recorded with a run.
const (
	KindReviews   = "reviews"   // reviews with reference replies: drafts are generated and scored
	KindQuestions = "questions" // question → relevant fiches: retrieval is scored
)

// ReviewItem is one review of a reviews dataset: what the citizen wrote and, when known, the reply the
// administration published (the reference the draft is compared with).
type ReviewItem struct {
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
	Title        string `json:"title"`
	Text         string `json:"text"`
	Feeling      string `json:"feeling,omitempty"`
	Reference    string `json:"reference,omitempty"`
	// Pseudonym is the name the citizen published under; PII lists the personal values annotated in the title
	// and text (label and value, offsets unused). Both are what « données personnelles divulguées » looks for in
	// the prompt sent: annotations, not the filter's own detections.
	Pseudonym string        `json:"pseudonym,omitempty"`
	PII       []PIIGoldSpan `json:"pii,omitempty"`
	// The fields below are filled by exports of approved replies; a run ignores them.
	AIDraft      string   `json:"ai_draft,omitempty"`
	AIKind       string   `json:"ai_kind,omitempty"`
	Edits        int      `json:"edits,omitempty"`
	EditChrF     *float64 `json:"edit_chrf,omitempty"`
	ExportedFrom string   `json:"source,omitempty"`
}

// Dataset is a loaded JSONL file: either reviews or questions, never both.
type Dataset struct {
	Path      string
	Kind      string
	Digest    string // sha256 of the file, recorded with each run so a resumed run uses the same items
	Reviews   []ReviewItem
	Questions []RetrievalItem
}

// Len is the number of items.
func (d *Dataset) Len() int { return len(d.Reviews) + len(d.Questions) }

// IDs lists the item ids in file order.
func (d *Dataset) IDs() []string {
	ids := make([]string, 0, d.Len())
	for _, r := range d.Reviews {
		ids = append(ids, r.ID)
	}
	for _, q := range d.Questions {
		ids = append(ids, q.ID)
	}
	return ids
}

// LoadDataset reads a JSONL dataset and tells its kind from its first item: a "query" with "relevant" fiches
// makes a questions set, a "text" a reviews set. A malformed line is an error naming the line.
func LoadDataset(path string) (*Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: jeu de données : %w", err)
	}
	d := &Dataset{Path: path, Digest: digest(b)}
	first := firstLine(b)
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(first, &probe); err != nil {
		return nil, fmt.Errorf("eval: %s ligne 1 : JSON invalide : %w", path, err)
	}
	if _, ok := probe["query"]; ok {
		d.Kind = KindQuestions
		d.Questions, err = LoadRetrievalSet(path)
		return d, err
	}
	d.Kind = KindReviews
	d.Reviews, err = readReviews(path, bytes.NewReader(b))
	return d, err
}

func firstLine(b []byte) []byte {
	for _, l := range bytes.Split(b, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			return l
		}
	}
	return nil
}

// LoadReviewSet reads a JSONL file of ReviewItem and names the line of the first malformed entry.
func LoadReviewSet(path string) ([]ReviewItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: jeu d'avis : %w", err)
	}
	defer f.Close()
	return readReviews(path, f)
}

func readReviews(path string, r io.Reader) ([]ReviewItem, error) {
	return readItems(path, r, "aucun avis", func(it *ReviewItem) *string { return &it.ID }, func(it *ReviewItem) string {
		if strings.TrimSpace(it.Text) == "" {
			return "texte de l'avis vide"
		}
		return ""
	})
}

// WriteReviews writes items as JSONL, one object per line.
func WriteReviews(w io.Writer, items []ReviewItem) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return fmt.Errorf("eval: écriture de %s : %w", it.ID, err)
		}
	}
	return nil
}

// sppAnswered is the status of a reply actually written by the administration; the others carry the
// platform's automatic "not yet able to answer" message, which is no reference.
const sppAnswered = "Réponse apportée"

// ConvertSPPCSV turns a Services Publics+ open-data CSV export into review items: the organisation is the
// first typology (CAF, CPAM, France Titres…), the reference is the first structure's reply when it answered.
// A row without an id or a description is an error naming its line.
func ConvertSPPCSV(r io.Reader) ([]ReviewItem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("eval: export Services Publics+ : en-tête illisible : %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, need := range []string{"id_experience", "titre", "description"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("eval: export Services Publics+ : colonne %q absente", need)
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	var items []ReviewItem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("eval: export Services Publics+ ligne %d : %w", line, err)
		}
		it := ReviewItem{
			ID:           strings.TrimSpace(get(rec, "id_experience")),
			Organisation: CleanText(get(rec, "intitule_typologie_1")),
			Title:        CleanText(get(rec, "titre")),
			Text:         CleanText(get(rec, "description")),
			Feeling:      CleanText(get(rec, "ressenti_usager")),
			Pseudonym:    CleanText(get(rec, "pseudonyme_usager")),
		}
		if strings.TrimSpace(get(rec, "statut_reponse_structure_1")) == sppAnswered {
			it.Reference = CleanText(get(rec, "reponse_structure_1"))
		}
		if it.ID == "" || it.Text == "" {
			return nil, fmt.Errorf("eval: export Services Publics+ ligne %d : identifiant ou description manquant", line)
		}
		items = append(items, it)
	}
	return items, nil
}

var (
	tagRE        = regexp.MustCompile(`(?i)<br\s*/?>|</p>|<[a-z/][^>]*>`)
	spacesRE     = regexp.MustCompile(`[ \t\x{00a0}\x{202f}]+`)
	blankLinesRE = regexp.MustCompile(`\n{3,}`)
)

// CleanText undoes the export's HTML leftovers (&nbsp;, &gt;, tags), turns \r\n and \r into \n, collapses
// runs of spaces and trims every line.
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = tagRE.ReplaceAllStringFunc(s, func(t string) string {
		lt := strings.ToLower(t)
		if strings.HasPrefix(lt, "<br") || lt == "</p>" {
			return "\n"
		}
		return ""
	})
	s = html.UnescapeString(s)
	s = spacesRE.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankLinesRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
