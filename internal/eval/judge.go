package eval

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"text/template"
	"time"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
)

//go:embed judge/*.tmpl
var judgeFiles embed.FS

// DefaultJudgeVersion is the judge prompt version runs use unless their configuration names another.
const DefaultJudgeVersion = "judge-v1"

// Criterion is one aspect the judge scores from 1 to 5, with its own prompt template.
type Criterion struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

// Criteria are the judge's criteria, in report order.
var Criteria = []Criterion{
	{Name: "fidelite", Label: "fidélité aux sources"},
	{Name: "completude", Label: "complétude"},
	{Name: "ton", Label: "ton"},
	{Name: "charte", Label: "respect de la charte"},
}

var criterionByName = func() map[string]Criterion {
	m := map[string]Criterion{}
	for _, c := range Criteria {
		m[c.Name] = c
	}
	return m
}()

// Judge scores drafts with a model behind any OpenAI-compatible endpoint.
type Judge struct {
	client  llm.Client
	filter  *pii.Filter
	version string
	t       *template.Template
}

// NewJudge loads the judge prompts of version. Every prompt goes through filter before it leaves the server:
// the review, the reference reply and the draft are people's words.
func NewJudge(client llm.Client, filter *pii.Filter, version string) (*Judge, error) {
	if client == nil || filter == nil {
		return nil, errors.New("eval: juge : client et filtre obligatoires")
	}
	if version == "" {
		version = DefaultJudgeVersion
	}
	t, err := template.ParseFS(judgeFiles, "judge/"+version+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("eval: juge : version %q : %w", version, err)
	}
	for _, name := range append([]string{"system"}, criterionNames()...) {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("eval: juge : version %q : gabarit %q manquant", version, name)
		}
	}
	return &Judge{client: client, filter: filter, version: version, t: t}, nil
}

func criterionNames() []string {
	out := make([]string, len(Criteria))
	for i, c := range Criteria {
		out[i] = c.Name
	}
	return out
}

// JudgeInput is what the judge reads, in clear: Score filters it.
type JudgeInput struct {
	Review    string
	Sources   []ground.Passage // the passages given to the draft, numbered as it cites them
	Draft     string           // the draft as the model wrote it, placeholders in
	Reference string           // the reply the administration published; may be empty
	// Mapping is the review's placeholder mapping, so the judge sees the draft's placeholders for the same
	// people; nil starts a new one.
	Mapping *pii.Mapping
}

// Verdict is the judge's score on one criterion, with its rationale, or the error that prevented it.
type Verdict struct {
	Criterion     string  `json:"criterion"`
	Score         int     `json:"score,omitempty"` // 1–5; 0 when Error is set
	Justification string  `json:"justification,omitempty"`
	Raw           string  `json:"raw,omitempty"` // the answer, kept when it could not be parsed
	Error         string  `json:"error,omitempty"`
	Version       string  `json:"version"`
	Model         string  `json:"model"`
	LatencyMS     float64 `json:"latency_ms"`
	PromptTokens  int     `json:"prompt_tokens"`
	OutputTokens  int     `json:"completion_tokens"`
}

// Score asks the judge every criterion. A criterion whose call or answer fails gets a Verdict with Error: one
// bad answer never stops a run. Only the context ending returns an error.
func (j *Judge) Score(ctx context.Context, in JudgeInput) ([]Verdict, error) {
	sys, user, err := j.prompts(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make([]Verdict, 0, len(Criteria))
	for i, c := range Criteria {
		v := Verdict{Criterion: c.Name, Version: j.version, Model: j.client.Model()}
		start := time.Now()
		resp, err := j.client.Complete(ctx, llm.Request{
			Messages:    []llm.Message{{Role: llm.RoleSystem, Content: sys}, {Role: llm.RoleUser, Content: user[i]}},
			MaxTokens:   300,
			Temperature: 0,
		})
		v.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
		v.PromptTokens, v.OutputTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			v.Error = "appel du juge : " + err.Error()
			out = append(out, v)
			continue
		}
		score, why, err := ParseJudgeAnswer(resp.Text)
		if err != nil {
			v.Error, v.Raw = err.Error(), truncate(resp.Text, 500)
		} else {
			v.Score, v.Justification = score, why
		}
		out = append(out, v)
	}
	return out, nil
}

// prompts renders the system prompt and one user prompt per criterion, each through the filter.
func (j *Judge) prompts(ctx context.Context, in JudgeInput) (pii.Redacted, []pii.Redacted, error) {
	m := in.Mapping
	if m == nil {
		m = pii.NewMapping()
	}
	redact := func(s string) (pii.Redacted, error) {
		r, err := j.filter.RedactWith(ctx, m, s)
		if err != nil {
			return pii.Redacted{}, fmt.Errorf("eval: juge : %w", err)
		}
		return r.Text, nil
	}
	var b bytes.Buffer
	if err := j.t.ExecuteTemplate(&b, "system", nil); err != nil {
		return pii.Redacted{}, nil, fmt.Errorf("eval: juge : %w", err)
	}
	sys, err := redact(strings.TrimSpace(b.String()))
	if err != nil {
		return pii.Redacted{}, nil, err
	}
	data := struct {
		Review, Draft, Reference string
		Sources                  []ground.Passage
	}{Review: neutralise(in.Review), Draft: neutralise(in.Draft), Reference: neutralise(in.Reference)}
	for _, s := range in.Sources {
		data.Sources = append(data.Sources, ground.Passage{N: s.N, Title: neutralise(s.Title), Text: neutralise(s.Text)})
	}
	users := make([]pii.Redacted, len(Criteria))
	for i, c := range Criteria {
		b.Reset()
		if err := j.t.ExecuteTemplate(&b, c.Name, data); err != nil {
			return pii.Redacted{}, nil, fmt.Errorf("eval: juge : %w", err)
		}
		if users[i], err = redact(strings.TrimSpace(b.String())); err != nil {
			return pii.Redacted{}, nil, err
		}
	}
	return sys, users, nil
}

// neutralise keeps data from closing its block: a "</brouillon>" inside a review cannot end the data.
func neutralise(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›").Replace(strings.TrimSpace(s))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ParseJudgeAnswer reads {"score": n, "justification": "…"} from a judge's answer: the whole answer, or the first
// JSON object with a score inside prose or a code fence. The score must be a whole number from 1 to 5.
func ParseJudgeAnswer(text string) (int, string, error) {
	type answer struct {
		Score         *float64 `json:"score"`
		Justification string   `json:"justification"`
	}
	check := func(a answer) (int, string, error) {
		if a.Score == nil {
			return 0, "", errors.New("réponse du juge sans champ \"score\"")
		}
		s := *a.Score
		if s != math.Trunc(s) || s < 1 || s > 5 {
			return 0, "", fmt.Errorf("note du juge hors échelle : %v (attendu un entier de 1 à 5)", s)
		}
		return int(s), strings.TrimSpace(a.Justification), nil
	}
	var a answer
	if err := json.Unmarshal([]byte(strings.TrimSpace(text)), &a); err == nil {
		return check(a)
	}
	for _, obj := range jsonObjects(text) {
		var a answer
		if err := json.Unmarshal([]byte(obj), &a); err == nil && a.Score != nil {
			return check(a)
		}
	}
	return 0, "", errors.New("réponse du juge illisible : aucun objet JSON {\"score\", \"justification\"}")
}

// jsonObjects returns the balanced {…} spans of text, outermost first, skipping braces inside strings.
func jsonObjects(text string) []string {
	var out []string
	for start := strings.IndexByte(text, '{'); start >= 0; {
		depth, inStr, esc, end := 0, false, false, -1
		for i := start; i < len(text) && end < 0; i++ {
			c := text[i]
			switch {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '{':
				depth++
			case c == '}':
				depth--
				if depth == 0 {
					end = i + 1
				}
			}
		}
		if end < 0 {
			break
		}
		out = append(out, text[start:end])
		next := strings.IndexByte(text[end:], '{')
		if next < 0 {
			break
		}
		start = end + next
	}
	return out
}
