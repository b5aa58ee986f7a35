package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// RunConfig is what an evaluation run varies: prompt, model, retrieval and judge. It is stored with the run;
// API keys never are (they come from the environment).
type RunConfig struct {
	PromptVersion string `json:"prompt_version"`
	Model         string `json:"model"` // empty: the offline drafter
	LLMBaseURL    string `json:"llm_base_url,omitempty"`
	Embedder      string `json:"embedder,omitempty"` // recorded; must be the embedder the corpus was loaded with
	K             int    `json:"k"`
	Reranker      string `json:"reranker,omitempty"`    // empty: no reranking
	SearchMode    string `json:"search_mode,omitempty"` // questions datasets: hybrid (default), fulltext or vector
	JudgeModel    string `json:"judge_model,omitempty"` // empty: no judge metrics
	JudgeBaseURL  string `json:"judge_base_url,omitempty"`
	JudgeVersion  string `json:"judge_version,omitempty"` // default DefaultJudgeVersion
	Prices        Prices `json:"prices,omitzero"`
	JudgePrices   Prices `json:"judge_prices,omitzero"`
}

// Prices convert tokens into money, per thousand tokens, in the currency the evaluator uses (euros by default).
type Prices struct {
	PromptPer1K     float64 `json:"prompt_per_1k"`
	CompletionPer1K float64 `json:"completion_per_1k"`
}

// Cost is the price of a call that used these tokens.
func (p Prices) Cost(prompt, completion int) float64 {
	return float64(prompt)*p.PromptPer1K/1000 + float64(completion)*p.CompletionPer1K/1000
}

// LoadRunConfig reads a JSON configuration, refusing unknown fields so a typo does not silently change a run.
func LoadRunConfig(path string) (RunConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RunConfig{}, fmt.Errorf("eval: configuration : %w", err)
	}
	return ParseRunConfig(b)
}

// ParseRunConfig decodes and checks a configuration, filling in defaults.
func ParseRunConfig(b []byte) (RunConfig, error) {
	var c RunConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return RunConfig{}, fmt.Errorf("eval: configuration invalide : %w", err)
	}
	if c.K < 0 || c.K > 50 {
		return RunConfig{}, fmt.Errorf("eval: configuration : k=%d hors de [1, 50]", c.K)
	}
	if c.K == 0 {
		c.K = 5
	}
	if c.Model != "" && c.LLMBaseURL == "" {
		return RunConfig{}, fmt.Errorf("eval: configuration : le modèle %q n'a pas d'adresse (llm_base_url)", c.Model)
	}
	if c.JudgeModel != "" && c.JudgeBaseURL == "" {
		c.JudgeBaseURL = c.LLMBaseURL
		if c.JudgeBaseURL == "" {
			return RunConfig{}, fmt.Errorf("eval: configuration : le juge %q n'a pas d'adresse (judge_base_url)", c.JudgeModel)
		}
	}
	if c.JudgeVersion == "" {
		c.JudgeVersion = DefaultJudgeVersion
	}
	switch strings.ToLower(c.SearchMode) {
	case "", "hybrid", "fulltext", "vector":
	default:
		return RunConfig{}, fmt.Errorf("eval: configuration : search_mode %q inconnu (hybrid, fulltext ou vector)", c.SearchMode)
	}
	for _, p := range []float64{c.Prices.PromptPer1K, c.Prices.CompletionPer1K, c.JudgePrices.PromptPer1K, c.JudgePrices.CompletionPer1K} {
		if p < 0 {
			return RunConfig{}, fmt.Errorf("eval: configuration : prix négatif")
		}
	}
	return c, nil
}
