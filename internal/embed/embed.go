// Package embed turns redacted text into vectors: an OpenAI-compatible /v1/embeddings client for real models
// (bge-m3 on Albert, TEI, vLLM, Ollama) and a built-in local embedder that needs no model, the offline default.
package embed

import (
	"context"
	"errors"
	"fmt"

	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/pii"
)

// Embedder maps texts to vectors of Dim() floats, one per text, in order.
type Embedder interface {
	// Name identifies the model and its version: vectors from embedders with different names are not comparable.
	Name() string
	Dim() int
	Embed(ctx context.Context, texts []pii.Redacted) ([][]float32, error)
}

// ErrDimension is returned when a model answers with vectors of another dimension than configured.
var ErrDimension = errors.New("dimension des vecteurs inattendue")

// FromConfig builds the embedder the configuration asks for: the OpenAI-compatible client when EMBED_BASE_URL
// is set, the local embedder otherwise.
func FromConfig(cfg config.Config) (Embedder, error) {
	if cfg.EmbedDim <= 0 {
		return nil, fmt.Errorf("embed: EMBED_DIM=%d invalide", cfg.EmbedDim)
	}
	if cfg.EmbedBaseURL == "" {
		return NewLocal(cfg.EmbedDim), nil
	}
	return NewOpenAI(OpenAIOptions{
		BaseURL: cfg.EmbedBaseURL,
		Model:   cfg.EmbedModel,
		APIKey:  cfg.EmbedAPIKey,
		Dim:     cfg.EmbedDim,
	})
}
