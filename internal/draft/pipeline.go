package draft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/prompts"
)

// ErrFilter wraps a failure of the personal-data filter: the pipeline fails closed and nothing leaves the server.
var ErrFilter = errors.New("filtre de données personnelles en échec : rien n'a été envoyé au modèle")

// Options are the collaborators of the pipeline, built once at start-up.
type Options struct {
	Store    *store.Store     // nil for evaluation runs, which store nothing here
	Searcher *search.Searcher // nil: drafts without sources
	Model    llm.Client       // nil: the offline drafter
	Allow    ground.Allowlist // zero: ground.DefaultAllowlist
	// Examples is how many approved replies to similar reviews are shown to the model (reply memory), default 2.
	Examples int
	// WriterOptions are the personal-data filter (required), prompts, passages, limits, answer length (default
	// DefaultMaxTokens) and log the assistant shares.
	ground.WriterOptions
}

// DefaultMaxTokens is the default length of a drafted reply.
const DefaultMaxTokens = 700

// Service drafts replies; it is safe for concurrent use.
type Service struct {
	o Options
}

// New checks the options and fills in defaults.
func New(o Options) (*Service, error) {
	w, err := o.WriterOptions.WithDefaults(DefaultMaxTokens)
	if err != nil {
		return nil, fmt.Errorf("draft: %w", err)
	}
	o.WriterOptions = w
	if o.Allow.Hosts == nil && o.Allow.Phones == nil {
		o.Allow = ground.DefaultAllowlist
	}
	if o.Examples == 0 {
		o.Examples = 2
	}
	return &Service{o: o}, nil
}

// Input is one review to draft a reply for, in clear: Generate filters it first.
type Input struct {
	Organisation  string
	Signature     string   // the organisation's closing; empty: the charter's
	Tone          string   // the organisation's tone, as its supervisors wrote it
	Forbidden     []string // promises the organisation never makes
	Title, Text   string
	Feeling       string
	PromptVersion string // empty: the service's version
	K             int    // 0: the service's K
	// Instruction asks for a rewrite of Previous (an agent's current text): "plus court", "plus formel"…
	Instruction, Previous string
	// Examples are approved replies to similar reviews, in clear; Generate filters them with their own review's
	// mapping, then keeps only their style.
	Examples []ExampleText
	// Mapping continues the placeholders of earlier drafts of the same review; nil starts afresh.
	Mapping *pii.Mapping
	// Pseudonym is the name the citizen publishes under: masked like a known value wherever it appears (an agent's
	// text to rewrite greets them by it), so that it never reaches the model.
	Pseudonym string
}

// ExampleText is an approved reply to a similar review, before filtering, with that review's own mapping (its
// stored one completed with its texts and pseudonym): the values of that citizen, masked in any spelling.
type ExampleText struct {
	Reply   string
	Mapping *pii.Mapping
}

// Result is a generated draft with everything needed to audit it.
type Result struct {
	Text          string           `json:"text"`     // restored, for the agent
	Redacted      string           `json:"redacted"` // as the model wrote it, placeholders in
	Passages      []ground.Passage `json:"passages"`
	Checks        []ground.Check   `json:"checks"`
	Grounding     ground.Grounding `json:"grounding"`
	Citations     ground.Citations `json:"citations"`
	Model         string           `json:"model"`
	PromptVersion string           `json:"prompt_version"`
	Usage         llm.Usage        `json:"usage"`
	Timings       Timings          `json:"timings"`
	Offline       bool             `json:"offline"`
	Error         string           `json:"error,omitempty"` // why the model was not used, when it failed
	Prompt        pii.Redacted     `json:"-"`               // system and user messages as they left the server
	Mapping       *pii.Mapping     `json:"-"`
}

// Timings are the durations of the pipeline's stages, in milliseconds when encoded.
type Timings map[string]time.Duration

// MarshalJSON writes milliseconds, the unit agents and dashboards read.
func (t Timings) MarshalJSON() ([]byte, error) { return json.Marshal(t.Millis()) }

// Millis returns the durations in milliseconds, as stored with a draft.
func (t Timings) Millis() map[string]float64 {
	ms := make(map[string]float64, len(t))
	for k, v := range t {
		ms[k] = float64(v.Microseconds()) / 1000
	}
	return ms
}

// Overhead is the pipeline's own time, model excluded.
func (t Timings) Overhead() time.Duration {
	var d time.Duration
	for k, v := range t {
		if k != "generate" {
			d += v
		}
	}
	return d
}

// Generate runs the pipeline without storing anything: filter → retrieve → prompt → generate → check → restore.
// It is the code production and evaluation runs share.
func (s *Service) Generate(ctx context.Context, in Input) (Result, error) {
	return s.GenerateStream(ctx, in, nil)
}

// GenerateStream is Generate that passes the model's text to onDelta as it arrives (placeholders still in);
// the final, restored text is in the result.
func (s *Service) GenerateStream(ctx context.Context, in Input, onDelta func(string) error) (Result, error) {
	res := Result{Timings: Timings{}}
	set := s.o.Prompts
	if in.PromptVersion != "" && in.PromptVersion != set.Version() {
		var err error
		if set, err = prompts.Load(in.PromptVersion); err != nil {
			return res, err
		}
	}
	res.PromptVersion = set.Version()

	// 0. What an agent typed is refused over its budget; the review, stored whole, is condensed below.
	if err := s.o.Limits.Instruction.Check("instruction", in.Instruction); err != nil {
		return res, err
	}
	if err := s.o.Limits.Review.Check("texte à réécrire", in.Previous); err != nil {
		return res, err
	}

	// 1. Filter everything that came from a person, sharing one mapping so the same name keeps its placeholder.
	t0 := time.Now()
	f, err := s.filterInput(ctx, in)
	if err != nil {
		return res, err
	}
	res.Mapping = f.mapping
	res.Timings["filter"] = time.Since(t0)

	// 2. Retrieve the passages that apply.
	t0 = time.Now()
	passages, abstained, err := s.retrieveReview(ctx, in.Organisation, f, in.K)
	if err != nil {
		return res, err
	}
	if abstained {
		res.Checks = append(res.Checks, ground.Check{Code: "no_source", Message: "Aucune fiche ne correspond assez à cet avis (remerciement, accueil, ou démarche non couverte) : le brouillon n'en cite aucune."})
	}
	res.Passages = passages
	res.Timings["retrieve"] = time.Since(t0)

	// 3. Build the prompt.
	t0 = time.Now()
	pin := prompts.DraftInput{
		Organisation: prompts.Organisation{Name: f.organisation, Signature: f.signature, Tone: f.tone, Forbidden: f.forbidden},
		ReviewTitle:  f.title, ReviewText: f.text, Feeling: f.feeling,
		Instruction: f.instruction, Previous: f.previous, Examples: f.examples,
	}
	pin.Sources = ground.PromptSources(passages)
	rendered, err := set.Draft(pin)
	if err != nil {
		return res, err
	}
	res.Prompt = pii.Join([]pii.Redacted{rendered.System, rendered.User}, pii.Const("\n\n"))
	res.Timings["prompt"] = time.Since(t0)

	// 4. Generate, or write offline when there is no model or it failed.
	t0 = time.Now()
	var text string
	if s.o.Model != nil {
		req := llm.Request{Messages: []llm.Message{{Role: llm.RoleSystem, Content: rendered.System}, {Role: llm.RoleUser, Content: rendered.User}},
			MaxTokens: s.o.MaxTokens, Temperature: 0.2}
		var resp llm.Response
		if onDelta != nil {
			resp, err = s.o.Model.Stream(ctx, req, onDelta)
		} else {
			resp, err = s.o.Model.Complete(ctx, req)
		}
		res.Model, res.Usage = s.o.Model.Model(), resp.Usage
		switch {
		case err == nil && strings.TrimSpace(resp.Text) == "":
			err = fmt.Errorf("réponse vide du modèle")
			fallthrough
		case err != nil:
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Error = err.Error()
			s.o.Log.Warn("modèle en échec : brouillon hors ligne", "err", err)
		default:
			text = strings.TrimSpace(resp.Text)
		}
	}
	if text == "" {
		res.Offline, res.Model = true, OfflineModel
		text = offlineDraft(offlineInput{Organisation: in.Organisation, Signature: in.Signature, Title: f.title.String(),
			Text: f.text.String(), Feeling: in.Feeling, Passages: passages, Abstained: abstained})
		msg := "Brouillon rédigé sans modèle (rédacteur hors ligne) : à relire et compléter."
		if res.Error != "" {
			msg = "Le modèle n'a pas répondu (" + res.Error + ") : brouillon rédigé hors ligne, à relire et compléter."
		}
		res.Checks = append(res.Checks, ground.Check{Code: "offline", Message: msg})
		if onDelta != nil {
			if err := onDelta(text); err != nil {
				return res, err
			}
		}
	}
	res.Timings["generate"] = time.Since(t0)

	// 5. Check: citations, output rules and claim grounding, on the text as the model wrote it.
	t0 = time.Now()
	text, res.Citations = ground.CheckCitations(text, len(passages))
	rules := ground.DraftRules
	rules.Allow = s.o.Allow
	v := ground.Verify(text, res.Passages, res.Citations, rules)
	res.Checks = append(res.Checks, v.Checks...)
	res.Grounding = v.Grounding
	res.Redacted = text
	res.Timings["check"] = time.Since(t0)

	// 6. Restore the placeholders for the agent; those the model invented or altered are flagged, not restored.
	t0 = time.Now()
	restored := f.mapping.Restore(text)
	res.Text = restored.Text
	for _, fl := range restored.Flags {
		res.Checks = append(res.Checks, ground.Check{Code: "placeholder", Message: "Marqueur inventé ou altéré par le modèle : non restitué, à corriger.", Excerpt: fl.Placeholder})
	}
	res.Timings["restore"] = time.Since(t0)
	return res, nil
}

// filtered is the pipeline's input once through the filter.
type filtered struct {
	mapping                                     *pii.Mapping
	title, text, feeling, instruction, previous pii.Redacted
	organisation, signature, tone               pii.Redacted
	forbidden                                   []pii.Redacted
	examples                                    []prompts.Example
}

func (s *Service) filterInput(ctx context.Context, in Input) (filtered, error) {
	var f filtered
	m := in.Mapping
	if m == nil {
		m = pii.NewMapping()
	}
	m.AddKnown(pii.LabelPerson, in.Pseudonym)
	redact := func(text string) (pii.Redacted, error) {
		if strings.TrimSpace(text) == "" {
			return pii.Redacted{}, nil
		}
		r, err := s.o.Filter.RedactWith(ctx, m, text)
		if err != nil {
			return pii.Redacted{}, fmt.Errorf("%w (%v)", ErrFilter, err)
		}
		return r.Text, nil
	}
	var err error
	if f.title, err = redact(in.Title); err != nil {
		return f, err
	}
	if f.text, err = redact(in.Text); err != nil {
		return f, err
	}
	// A long review stays whole in the database; the prompt gets it condensed to the budget, whole sentences,
	// the ones that matter first.
	f.text = f.text.Condense(max(s.o.Limits.Review.MaxChars()-utf8.RuneCountInString(f.title.String()), 200))
	if f.feeling, err = redact(feelingLabel(in.Feeling)); err != nil {
		return f, err
	}
	if f.previous, err = redact(in.Previous); err != nil {
		return f, err
	}
	if f.instruction, err = redact(in.Instruction); err != nil {
		return f, err
	}
	// The organisation's name and settings are written by administrators and supervisors, who may sign with
	// their own name: filtered too, and printed inside data blocks.
	if f.organisation, err = redact(in.Organisation); err != nil {
		return f, err
	}
	if f.signature, err = redact(in.Signature); err != nil {
		return f, err
	}
	if f.tone, err = redact(in.Tone); err != nil {
		return f, err
	}
	for _, fb := range in.Forbidden {
		r, err := redact(fb)
		if err != nil {
			return f, err
		}
		if !r.IsZero() {
			f.forbidden = append(f.forbidden, r)
		}
	}
	f.mapping = m
	for _, ex := range in.Examples {
		// An example is another citizen's case: only the agent's reply is shown, filtered with that review's own
		// mapping (its values in any spelling) plus detection, then reduced to its style, so that a value the
		// filter missed there (a name in lower case, a reference without a cue) cannot reach this prompt.
		em := ex.Mapping
		if em == nil {
			em = pii.NewMapping()
		}
		rp, err := s.o.Filter.RedactWith(ctx, em, ex.Reply)
		if err != nil {
			return f, fmt.Errorf("%w (%v)", ErrFilter, err)
		}
		if r := rp.Text.StyleOnly().Condense(s.o.Limits.Turn.MaxChars()); strings.TrimSpace(strings.ReplaceAll(r.String(), "[…]", "")) != "" {
			f.examples = append(f.examples, prompts.Example{Reply: r})
		}
	}
	return f, nil
}

// retrieveReview retrieves the fiches a reply to the review is grounded in (search.ReviewSources: a query built
// from the review, the organisation's fiches favoured, k distinct fiches with their best passages, or none when
// no fiche is relevant enough) and numbers their passages.
func (s *Service) retrieveReview(ctx context.Context, org string, f filtered, k int) ([]ground.Passage, bool, error) {
	if s.o.Searcher == nil {
		return nil, false, nil
	}
	abstained := false
	ps, err := ground.Retrieve(ctx, "draft", s.o.Log, func(ctx context.Context) ([]ground.Passage, error) {
		src, err := s.o.Searcher.ReviewSources(ctx, search.Review{Organisation: org, Title: f.title, Text: f.text}, search.ReviewOptions{Fiches: k})
		if src.RewriteErr != nil {
			// Not fatal: the rule-based query retrieved the sources.
			s.o.Log.Warn("draft: réécriture de la requête par le modèle impossible", "err", src.RewriteErr)
		}
		abstained = src.Abstained
		return src.Passages(), err
	})
	return ps, abstained, err
}

func feelingLabel(f string) string {
	f = strings.TrimSpace(f)
	if len(f) > 40 {
		return ""
	}
	return f
}
