package eval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/plume-services/plume/internal/reviews"
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

// ConvertSPPCSV turns a Services Publics+ open-data CSV export into review items, read and cleaned exactly as
// the import stores them (reviews.ReadExport, ReviewInput.Clean): the organisation is the first typology (CAF,
// CPAM, France Titres…), the reference is the first structure's reply when ReviewInput.Answered says it is the
// organisation's own. A row without an id or a description is an error naming its line.
func ConvertSPPCSV(r io.Reader) ([]ReviewItem, error) {
	var items []ReviewItem
	err := reviews.ReadExport(r, reviews.FormatCSV, func(rec reviews.ExportRecord) error {
		if rec.Err != "" {
			return fmt.Errorf("eval: export Services Publics+ ligne %d : %s", rec.Line, rec.Err)
		}
		in := rec.Review.Clean()
		it := ReviewItem{ID: in.ExternalID, Organisation: in.Organisation, Title: in.Title, Text: in.Body,
			Feeling: in.Feeling, Pseudonym: in.AuthorPseudonym}
		if in.Answered() {
			it.Reference = in.PublishedReply
		}
		if it.ID == "" || it.Text == "" {
			return fmt.Errorf("eval: export Services Publics+ ligne %d : identifiant ou description manquant", rec.Line)
		}
		items = append(items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
