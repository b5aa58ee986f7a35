package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// sourceLine is one line of `plume reviews sources --jsonl`'s output.
type sourceLine struct {
	ID      string         `json:"id"`
	Results []sourceResult `json:"results"`
	Error   string         `json:"error,omitempty"`
	// Calibration signals, with --signals only.
	Signals *sourceSignals `json:"signals,omitempty"`
}

type sourceSignals struct {
	Cues, ServiceCues                                             int
	ProcedureSentences, ServiceSentences, MixedSentences, Conduct int
	Questions                                                     int
	Best, Similarity, BM25                                        float64
}

type sourceResult struct {
	DocID   string  `json:"doc_id"`
	ChunkID int64   `json:"chunk_id"`
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Score   float64 `json:"score"`
}

// reviewsSources writes, for each review read on stdin, the passages the drafting pipeline would give the model,
// in order: the same filter, query building, retrieval and abstention as a draft. A bad line gets {"id","error"}
// and the run goes on.
func reviewsSources(ctx context.Context, a *app, ro search.ReviewOptions, signals bool) error {
	filter := pii.NewFilter(a.cfg.PIITimeout)
	opt := search.Options{}
	if a.cfg.LLMBaseURL != "" && !ro.NoRewrite {
		// As a draft does: with a model configured, it rewrites each review's query first.
		m, err := llm.New(a.llmOptions(a.cfg.LLMBaseURL, a.cfg.LLMModel, a.cfg.LLMAPIKey, a.cfg.LLMConcurrency))
		if err != nil {
			return err
		}
		opt.Rewriter = queryRewriter(m, filter)
		fmt.Fprintf(a.stderr, "requêtes réécrites par le modèle %s\n", a.cfg.LLMModel)
	}
	st, s, err := openSearcherWith(ctx, a, opt)
	if err != nil {
		return err
	}
	defer st.Close()
	type review struct {
		ID           string `json:"id"`
		Organisation string `json:"organisation"`
		Title        string `json:"title"`
		Text         string `json:"text"`
	}
	var lat []time.Duration
	err = jsonLines(a, 4<<20, func(line int, in review) (any, string, error) {
		out := sourceLine{ID: in.ID, Results: []sourceResult{}}
		t0 := time.Now()
		src, err := reviewSources(ctx, s, filter, ro, in.Organisation, in.Title, in.Text)
		lat = append(lat, time.Since(t0))
		if err != nil {
			return nil, "", fmt.Errorf("ligne %d (id %q) : %w", line, in.ID, err)
		}
		for _, p := range src.Passages() {
			out.Results = append(out.Results, sourceResult{DocID: p.DocID, ChunkID: p.ChunkID, Title: p.Title, URL: p.URL, Score: p.Score})
		}
		if src.RewriteErr != nil {
			fmt.Fprintf(a.stderr, "ligne %d (id %q) : réécriture par le modèle impossible, requête par règles : %v\n", line, in.ID, src.RewriteErr)
		}
		if signals {
			out.Signals = &sourceSignals{Cues: src.Query.Cues, ServiceCues: src.Query.ServiceCues, Questions: src.Query.Questions, Best: src.Best,
				ProcedureSentences: src.Query.ProcedureSentences, ServiceSentences: src.Query.ServiceSentences,
				MixedSentences: src.Query.MixedSentences, Conduct: src.Query.Conduct,
				Similarity: src.BestSimilarity, BM25: src.BestBM25}
		}
		return out, "", nil
	}, func(line int, reason string) any {
		return sourceLine{ID: fmt.Sprintf("ligne %d", line), Results: []sourceResult{}, Error: reason}
	})
	if len(lat) > 0 {
		slices.Sort(lat)
		fmt.Fprintf(a.stderr, "%d avis, latence (filtre et recherche) p50 %s, p95 %s\n", len(lat),
			lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*95/100].Round(10*time.Microsecond))
	}
	return err
}

// reviewSources filters a review's title and text with one mapping, as a draft does, then retrieves its sources.
func reviewSources(ctx context.Context, s *search.Searcher, filter *pii.Filter, ro search.ReviewOptions, org, title, text string) (search.Sources, error) {
	m := pii.NewMapping()
	t, err := filter.RedactWith(ctx, m, title)
	if err != nil {
		return search.Sources{}, fmt.Errorf("filtre de données personnelles : %w", err)
	}
	b, err := filter.RedactWith(ctx, t.Mapping, text)
	if err != nil {
		return search.Sources{}, fmt.Errorf("filtre de données personnelles : %w", err)
	}
	return s.ReviewSources(ctx, search.Review{Organisation: org, Title: t.Text, Text: b.Text}, ro)
}
