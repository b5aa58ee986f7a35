package search

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
)

// Reranker reorders the best fused passages with a cross-encoder behind a /rerank endpoint: TEI's
// ({"query","texts"} → [{"index","score"}]) or the OpenAI-compatible one of vLLM and Albert
// ({"model","query","documents"} → {"results":[{"index","relevance_score"}]}, or Albert's
// {"data":[{"index","score"}]}).
type Reranker struct {
	BaseURL string // e.g. http://127.0.0.1:8081 (TEI) or https://albert.api.etalab.gouv.fr/v1
	Model   string // empty selects TEI's request format
	APIKey  string
	TopN    int // passages sent, default 30
	Client  *http.Client
}

// NewReranker returns a reranker for the endpoint, or nil when baseURL is empty (reranking off).
func NewReranker(baseURL, model, apiKey string) *Reranker {
	if baseURL == "" {
		return nil
	}
	return &Reranker{BaseURL: strings.TrimRight(baseURL, "/"), Model: model, APIKey: apiKey, TopN: 30,
		Client: &http.Client{Timeout: 30 * time.Second}}
}

type rerankScore struct {
	Index          int      `json:"index"`
	Score          *float64 `json:"score"`
	RelevanceScore *float64 `json:"relevance_score"`
}

// Rerank scores the first TopN results against the query and returns them best first, the rest after.
func (r *Reranker) Rerank(ctx context.Context, query pii.Redacted, rs []ground.Passage) ([]ground.Passage, error) {
	n := min(len(rs), max(r.TopN, 1))
	docs := make([]string, n)
	for i := range n {
		docs[i] = rs[i].Title + " — " + rs[i].SectionPath + "\n" + rs[i].Text
	}
	var body any
	if r.Model == "" {
		body = map[string]any{"query": query.String(), "texts": docs, "truncate": true}
	} else {
		body = map[string]any{"model": r.Model, "query": query.String(), "documents": docs}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.BaseURL+"/rerank", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.APIKey)
	}
	client := r.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rerank: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("rerank: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rerank: %s : statut %d", r.BaseURL, resp.StatusCode)
	}
	var scores []rerankScore
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		err = json.Unmarshal(raw, &scores)
	} else {
		// OpenAI-compatible servers answer {"results":[…]}; Albert (OpenGateLLM) sends both "results" and, in
		// its older versions, only {"object":"list","data":[{"object":"rerank","score","index"}]}.
		var wrapped struct {
			Results []rerankScore `json:"results"`
			Data    []rerankScore `json:"data"`
		}
		err = json.Unmarshal(raw, &wrapped)
		scores = wrapped.Results
		if len(scores) == 0 {
			scores = wrapped.Data
		}
	}
	if err != nil {
		return nil, fmt.Errorf("rerank: réponse illisible : %w", err)
	}
	score := make([]float64, n)
	got := make([]bool, n)
	for _, s := range scores {
		if s.Index < 0 || s.Index >= n {
			return nil, fmt.Errorf("rerank: index %d hors limites", s.Index)
		}
		switch {
		case s.Score != nil:
			score[s.Index] = *s.Score
		case s.RelevanceScore != nil:
			score[s.Index] = *s.RelevanceScore
		default:
			return nil, fmt.Errorf("rerank: score manquant pour l'index %d", s.Index)
		}
		got[s.Index] = true
	}
	for i, ok := range got {
		if !ok {
			return nil, fmt.Errorf("rerank: pas de score pour le passage %d", i)
		}
	}
	head := make([]ground.Passage, n)
	copy(head, rs[:n])
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	out := make([]ground.Passage, 0, len(rs))
	for _, i := range idx {
		h := head[i]
		h.Score = score[i]
		out = append(out, h)
	}
	return append(out, rs[n:]...), nil
}
