package embed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/plume-services/plume/internal/pii"
)

// OpenAIOptions configure an OpenAI-compatible embeddings endpoint.
type OpenAIOptions struct {
	BaseURL    string // e.g. https://albert.api.etalab.gouv.fr/v1 or http://127.0.0.1:8080/v1
	Model      string
	APIKey     string
	Dim        int           // expected dimension; answers of another size are an error
	BatchSize  int           // texts per request, default 64
	MaxRetries int           // retries on 408, 429 and 5xx with exponential backoff (honouring Retry-After), default 4
	Timeout    time.Duration // per request, default 60s
	HTTPClient *http.Client
}

// OpenAI embeds through an OpenAI-compatible /v1/embeddings endpoint.
type OpenAI struct {
	embeddings openai.EmbeddingService
	opt        OpenAIOptions
}

// NewOpenAI returns a client for the endpoint; it does not contact it.
func NewOpenAI(o OpenAIOptions) (*OpenAI, error) {
	if o.BaseURL == "" || o.Model == "" {
		return nil, errors.New("embed: URL de base et modèle obligatoires")
	}
	if o.Dim <= 0 {
		return nil, fmt.Errorf("embed: dimension %d invalide", o.Dim)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 64
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	opts := []option.RequestOption{
		option.WithBaseURL(o.BaseURL),
		option.WithMaxRetries(max(o.MaxRetries, 0)),
		option.WithRequestTimeout(o.Timeout),
		option.WithAPIKey(o.APIKey), // an empty key is fine for local servers; never read from OPENAI_API_KEY
	}
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	// The service is built without openai.NewClient, which would read OPENAI_API_KEY, OPENAI_ORG_ID,
	// OPENAI_PROJECT_ID… from the environment behind the configuration's back (as llm.New does).
	return &OpenAI{embeddings: openai.NewEmbeddingService(opts...), opt: o}, nil
}

// Name identifies the model and dimension: openai:<model>/<dim>.
func (e *OpenAI) Name() string { return fmt.Sprintf("openai:%s/%d", e.opt.Model, e.opt.Dim) }

// Dim is the configured dimension.
func (e *OpenAI) Dim() int { return e.opt.Dim }

// Embed sends texts in batches and checks every vector has the configured dimension.
func (e *OpenAI) Embed(ctx context.Context, texts []pii.Redacted) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.opt.BatchSize {
		end := min(start+e.opt.BatchSize, len(texts))
		in := make([]string, end-start)
		for i, t := range texts[start:end] {
			in[i] = t.String()
			if in[i] == "" {
				in[i] = " " // the API rejects empty strings
			}
		}
		resp, err := e.embeddings.New(ctx, openai.EmbeddingNewParams{
			Model:          openai.EmbeddingModel(e.opt.Model),
			Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: in},
			EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
		})
		if err != nil {
			return nil, fmt.Errorf("embed: %s: %w", e.opt.BaseURL, err)
		}
		if len(resp.Data) != len(in) {
			return nil, fmt.Errorf("embed: %d vecteurs reçus pour %d textes", len(resp.Data), len(in))
		}
		batch := make([][]float32, len(in))
		for _, d := range resp.Data {
			if d.Index < 0 || int(d.Index) >= len(in) || batch[d.Index] != nil {
				return nil, fmt.Errorf("embed: index de vecteur %d invalide", d.Index)
			}
			if len(d.Embedding) != e.opt.Dim {
				return nil, fmt.Errorf("embed: %w : %d reçue, %d attendue (EMBED_DIM)", ErrDimension, len(d.Embedding), e.opt.Dim)
			}
			v := make([]float32, len(d.Embedding))
			for i, x := range d.Embedding {
				v[i] = float32(x)
			}
			batch[d.Index] = v
		}
		out = append(out, batch...)
	}
	return out, nil
}
