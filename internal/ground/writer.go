package ground

import (
	"errors"
	"log/slog"

	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/prompts"
)

// DefaultK is the number of passages a writer gives the model by default.
const DefaultK = 5

// WriterOptions are the settings the two writers of the core share, the review drafter (internal/draft) and the
// assistant (internal/assistant); each embeds them in its own Options and fills them with WithDefaults.
type WriterOptions struct {
	Filter  *pii.Filter  // required: every text bound for the model goes through it first
	Prompts *prompts.Set // nil: the current version
	K       int          // passages given to the model, default DefaultK
	// Limits bound what a prompt carries (the review or question, an instruction, a history); zero: budget.Default.
	Limits    budget.Limits
	MaxTokens int // the model's answer length; default: the writer's own
	Log       *slog.Logger
}

// ErrNoFilter refuses a writer built without a personal-data filter: nothing may reach a model unfiltered.
var ErrNoFilter = errors.New("un filtre de données personnelles est obligatoire")

// WithDefaults checks that o has a filter and fills its zero settings; maxTokens is the writer's default answer
// length.
func (o WriterOptions) WithDefaults(maxTokens int) (WriterOptions, error) {
	if o.Filter == nil {
		return o, ErrNoFilter
	}
	if o.Prompts == nil {
		p, err := prompts.Load(prompts.Current)
		if err != nil {
			return o, err
		}
		o.Prompts = p
	}
	if o.K <= 0 {
		o.K = DefaultK
	}
	if o.Limits == (budget.Limits{}) {
		o.Limits = budget.Default
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = maxTokens
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o, nil
}
