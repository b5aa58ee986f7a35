// Package draft turns a review into a grounded, cited draft reply: filter, retrieve, prompt, generate, check,
// restore, store. It also holds the offline drafter used when no model is configured or the model fails.
package draft

import "time"

// Passage is one retrieved source as given to the model, numbered from 1 for citations, and as shown to agents.
type Passage struct {
	N           int       `json:"n"`
	ChunkID     int64     `json:"chunk_id"`
	DocID       string    `json:"doc_id"`
	Title       string    `json:"title"`
	SectionPath string    `json:"section_path"`
	URL         string    `json:"url"`
	Date        time.Time `json:"date"`
	Text        string    `json:"text"`
	Score       float64   `json:"score"`
	Used        bool      `json:"used"` // cited by the draft
}
