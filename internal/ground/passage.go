// Package ground is Plume's retrieval-augmented core, shared by the review drafter (internal/draft) and the
// advisers' assistant (internal/assistant): the passages retrieved for a filtered query, numbered for citation
// and given to the model as prompt data, then the checks of what was written against them (citations, output
// rules, claim grounding), and the sentence picker of the offline writers. Each caller keeps only what differs:
// its prompt and the shape of its answer.
package ground

import (
	"encoding/json"
	"time"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/prompts"
)

// Passage is one chunk of an official fiche as search ranks it, the model reads it (numbered from 1 for
// citations), a draft or an answer stores it and agents, advisers and the API see it.
type Passage struct {
	N           int       `json:"n,omitempty"` // citation number, from 1; 0 before numbering
	ChunkID     int64     `json:"chunk_id"`
	DocID       string    `json:"doc_id"` // the fiche's id, e.g. F21742
	Title       string    `json:"title"`
	SectionPath string    `json:"section_path"`
	Audience    string    `json:"audience,omitempty"`
	URL         string    `json:"url"`
	Date        time.Time `json:"date,omitzero"`
	Text        string    `json:"text,omitempty"`
	Score       float64   `json:"score,omitempty"`
	// FTRank and VecRank are the passage's 1-based ranks in the full-text and vector legs, 0 when absent.
	FTRank  int `json:"ft_rank,omitempty"`
	VecRank int `json:"vec_rank,omitempty"`
	// BM25 and Similarity are its scores in each leg (0 when absent; with fiche-level search, the fiche's best),
	// which search reads to abstain; Theme and Breadcrumb place the fiche in service-public.fr's tree, for the
	// organisation boosts. Search's own signals: never stored nor shown.
	BM25       float64 `json:"-"`
	Similarity float64 `json:"-"`
	Theme      string  `json:"-"`
	Breadcrumb string  `json:"-"`
	Cited      bool    `json:"cited"` // cited by the text written from it
}

// UnmarshalJSON reads passages as stored by every version: drafts before the core wrote "used" for "cited".
func (p *Passage) UnmarshalJSON(b []byte) error {
	type plain Passage // without this method, so that the fields decode as usual
	var v struct {
		plain
		Used *bool `json:"used"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Passage(v.plain)
	if v.Used != nil && *v.Used {
		p.Cited = true
	}
	return nil
}

// Number gives the passages their citation numbers, 1 to len(ps), in place, and returns them.
func Number(ps []Passage) []Passage {
	for i := range ps {
		ps[i].N = i + 1
	}
	return ps
}

// Cite marks as cited the passages whose numbers are in used; numbers outside 1..len(ps) are ignored.
func Cite(ps []Passage, used []int) {
	for _, k := range used {
		if k >= 1 && k <= len(ps) {
			ps[k-1].Cited = true
		}
	}
}

// PromptSources is the passages as the prompt templates receive them. Fiches are official, published text:
// that is why they may be marked public here.
func PromptSources(ps []Passage) []prompts.Source {
	out := make([]prompts.Source, len(ps))
	for i, p := range ps {
		out[i] = prompts.Source{N: p.N, Title: pii.Public(p.Title), SectionPath: pii.Public(p.SectionPath),
			Date: p.Date, Text: pii.Public(p.Text)}
	}
	return out
}

// evidence is what a sentence may be checked against: the heading is part of the source, so a sentence naming
// the fiche is supported by it.
func (p Passage) evidence() string { return p.Title + "\n" + p.SectionPath + "\n" + p.Text }

// links returns the passages' URLs, which a text written from them may repeat.
func links(ps []Passage) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.URL
	}
	return out
}
