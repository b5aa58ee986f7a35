package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/prompts"
)

// QueryRewriter asks a model what a review is about — quelle démarche, quel droit, quelle question ? — and its
// answer leads the review's retrieval query: a model names the procedure of a narrative in the fiches' own words
// (« échange de permis de conduire étranger ») where the rule-based query only has the citizen's.
type QueryRewriter struct {
	Model   llm.Client
	Prompts *prompts.Set
	// Filter goes over the organisation's label before it enters the prompt, and over the model's answer
	// before it enters the search (whose embeddings client accepts only filtered text).
	Filter *pii.Filter
	// MaxTokens bounds the answer, default 80: a few lines.
	MaxTokens int
}

// maxRewriteBytes bounds the part of the query the model's answer takes.
const maxRewriteBytes = 600

// noProcedure is the answer the prompt asks for when the review concerns no procedure.
const noProcedure = "aucune demarche"

// Rewrite returns the model's description of what the filtered review r asks, filtered in turn, or the zero
// value when the model finds no procedure in it.
func (w *QueryRewriter) Rewrite(ctx context.Context, r Review) (pii.Redacted, error) {
	org, err := w.Filter.Redact(ctx, r.Organisation)
	if err != nil {
		return pii.Redacted{}, fmt.Errorf("search: rewrite: %w", err)
	}
	p, err := w.Prompts.Query(prompts.QueryInput{Organisation: org.Text, Title: r.Title, Text: r.Text})
	if err != nil {
		return pii.Redacted{}, fmt.Errorf("search: rewrite: %w", err)
	}
	maxTokens := w.MaxTokens
	if maxTokens <= 0 {
		maxTokens = 80
	}
	resp, err := w.Model.Complete(ctx, llm.Request{MaxTokens: maxTokens, Temperature: 0, Messages: []llm.Message{
		{Role: llm.RoleSystem, Content: p.System}, {Role: llm.RoleUser, Content: p.User}}})
	if err != nil {
		return pii.Redacted{}, fmt.Errorf("search: rewrite: %w", err)
	}
	answer := strings.TrimSpace(resp.Text)
	if strings.Join(embed.Tokens(nil, answer), " ") == noProcedure {
		return pii.Redacted{}, nil
	}
	out, err := w.Filter.Redact(ctx, answer)
	if err != nil {
		return pii.Redacted{}, fmt.Errorf("search: rewrite: %w", err)
	}
	return out.Text.Truncate(maxRewriteBytes), nil
}
