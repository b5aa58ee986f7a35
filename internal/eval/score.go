package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Drafter is the drafting pipeline an evaluation runs: *draft.Service, the code production uses.
type Drafter interface {
	Generate(ctx context.Context, in draft.Input) (draft.Result, error)
}

// ReviewScorer drafts a reply to one review and scores it.
type ReviewScorer struct {
	Drafter       Drafter
	Filter        *pii.Filter // the filter the pipeline uses: its scanner checks what left the server
	Judge         *Judge      // nil: no judge metrics
	PromptVersion string
	K             int
	Prices        Prices // draft model
	JudgePrices   Prices
}

// ReviewDetails is what a report shows of one drafted item besides its metrics.
type ReviewDetails struct {
	Model      string         `json:"model"`
	Offline    bool           `json:"offline"`
	ModelError string         `json:"model_error,omitempty"`
	Checks     []ground.Check `json:"checks,omitempty"`
	Sources    []string       `json:"sources,omitempty"` // "[n] DocID — title", the cited ones marked with *
	Unground   []string       `json:"unsupported,omitempty"`
	Leaks      []string       `json:"leaks,omitempty"` // labels of personal values found in the prompt, never the values
	HasRef     bool           `json:"has_reference"`
}

// Score runs the pipeline on it and returns the item to store. A pipeline failure is recorded in the item
// (Error) and is not returned: only the context ending stops a run.
func (s *ReviewScorer) Score(ctx context.Context, it ReviewItem) (store.EvalItem, error) {
	out := store.EvalItem{ItemID: it.ID, Metrics: map[string]float64{}}
	start := time.Now()
	res, err := s.Drafter.Generate(ctx, draft.Input{
		Organisation: it.Organisation, Title: it.Title, Text: it.Text, Feeling: it.Feeling,
		PromptVersion: s.PromptVersion, K: s.K, Pseudonym: it.Pseudonym,
	})
	latency := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out.Error = err.Error()
		out.LatencyMS = ms(latency)
		return out, nil
	}
	out.Output = res.Text
	m := out.Metrics
	det := ReviewDetails{Model: res.Model, Offline: res.Offline, ModelError: res.Error, HasRef: it.Reference != ""}

	// Citations: markers the pipeline kept point to a source; those it removed did not.
	if n := len(res.Citations.Used) + len(res.Citations.Unknown); n > 0 {
		m[MetricCitationValidity] = float64(len(res.Citations.Used)) / float64(n)
	}
	m[MetricCitations] = float64(len(res.Citations.Used))
	for _, c := range CheckCodes {
		m[metricCheckPrefix+c] = 0
	}
	failed := 0
	for _, c := range res.Checks {
		if c.Code == "offline" {
			continue
		}
		failed++
		m[metricCheckPrefix+c.Code]++
		det.Checks = append(det.Checks, c)
	}
	m[MetricChecksFailed] = float64(failed)
	m[MetricWords] = float64(len(strings.Fields(res.Text)))
	if n := len(pii.Placeholders(res.Redacted)); n > 0 {
		m[MetricPlaceholdersOK] = float64(n-int(m[metricCheckPrefix+"placeholder"])) / float64(n)
	}
	m[MetricGrounding] = res.Grounding.Share()
	for _, sent := range res.Grounding.Sentences {
		if sent.Claim && !sent.Supported {
			det.Unground = append(det.Unground, sent.Text)
		}
	}
	for _, p := range res.Passages {
		mark := ""
		if p.Cited {
			mark = " *"
		}
		det.Sources = append(det.Sources, fmt.Sprintf("[%d] %s — %s%s", p.N, p.DocID, p.Title, mark))
	}
	if res.Offline {
		m[MetricOffline] = 1
	} else {
		m[MetricOffline] = 0
	}

	// Personal data: the annotated values of the review (and its pseudonym) must not be in the prompt that left.
	// That is the metric; what the filter itself finds there is reported beside it, never as the oracle.
	leaks, err := s.leaks(ctx, it, res.Prompt)
	if err != nil {
		return out, err
	}
	det.Leaks = leaks.labels
	m[MetricPIIValuesLeaked] = float64(leaks.values)
	m[MetricPIIScannerHits] = float64(leaks.scanner)
	if leaks.annotated >= 0 {
		m[MetricPIILeaked] = float64(leaks.annotated)
	}

	if it.Reference != "" {
		m[MetricChrF] = ChrF(res.Text, it.Reference)
		m[MetricRougeL] = RougeL(res.Text, it.Reference)
	}

	out.PromptTokens, out.CompletionTokens = res.Usage.PromptTokens, res.Usage.CompletionTokens
	m[MetricTokens] = float64(res.Usage.TotalTokens)
	cost := s.Prices.Cost(res.Usage.PromptTokens, res.Usage.CompletionTokens)
	out.LatencyMS = ms(latency)
	m[MetricLatencyMS] = out.LatencyMS
	out.TimingsMS = map[string]float64{}
	for k, v := range res.Timings {
		out.TimingsMS[k] = ms(v)
	}

	if s.Judge != nil {
		in := JudgeInput{Review: strings.TrimSpace(it.Title + "\n\n" + it.Text), Draft: res.Redacted, Reference: it.Reference, Mapping: res.Mapping}
		in.Sources = res.Passages
		t0 := time.Now()
		verdicts, err := s.Judge.Score(ctx, in)
		if err != nil {
			return out, err
		}
		out.TimingsMS["judge"] = ms(time.Since(t0))
		for _, v := range verdicts {
			if v.Error == "" {
				m[metricJudgePrefix+v.Criterion] = float64(v.Score)
			}
			cost += s.JudgePrices.Cost(v.PromptTokens, v.OutputTokens)
		}
		if out.Judge, err = json.Marshal(verdicts); err != nil {
			return out, err
		}
	}
	out.Cost = cost
	m[MetricCost] = cost
	if out.Details, err = json.Marshal(det); err != nil {
		return out, err
	}
	return out, nil
}

type leakReport struct {
	annotated       int // annotated values found in the prompt; -1 when the item has no annotation
	values, scanner int
	labels          []string
}

// leaks counts the review's personal values present in the prompt and the spans the scanner finds in the
// parts of the prompt that came from people (the official sources are left out: they name ministers,
// addresses of public offices and phone numbers on purpose).
func (s *ReviewScorer) leaks(ctx context.Context, it ReviewItem, prompt pii.Redacted) (leakReport, error) {
	var rep leakReport
	p := prompt.String()
	rep.annotated = -1
	if it.PII != nil || it.Pseudonym != "" {
		// The prompt's own part, official sources left out: a fiche may name a Martin on purpose.
		own := withoutSources(p)
		runs := digitRuns(own)
		rep.annotated = 0
		for _, v := range it.PII {
			if piiLeaked(own, runs, v.Label, v.Value) {
				rep.annotated++
				rep.labels = append(rep.labels, "annoté:"+v.Label)
			}
		}
		if pseudonymLeaked(own, it.Pseudonym) {
			rep.annotated++
			rep.labels = append(rep.labels, "pseudonyme")
		}
	}
	for _, text := range []string{it.Title, it.Text} {
		spans, err := s.Filter.Find(ctx, text)
		if err != nil {
			return rep, fmt.Errorf("eval: %s : filtre : %w", it.ID, err)
		}
		for _, sp := range spans {
			v := strings.TrimSpace(text[sp.Start:sp.End])
			if v != "" && containsWord(p, v) {
				rep.values++
				rep.labels = append(rep.labels, sp.Label)
			}
		}
	}
	spans, err := s.Filter.Find(ctx, withoutSources(p))
	if err != nil {
		return rep, fmt.Errorf("eval: %s : filtre : %w", it.ID, err)
	}
	for _, sp := range spans {
		rep.scanner++
		rep.labels = append(rep.labels, "scanner:"+sp.Label)
	}
	return rep, nil
}

var sourceBlockRE = regexp.MustCompile(`(?s)<source>.*?</source>`)

func withoutSources(prompt string) string {
	return sourceBlockRE.ReplaceAllString(prompt, "<source></source>")
}

// containsWord reports whether v occurs in s not glued to other letters or digits, so that the first name
// "Marie" is not found in "Mairie" nor "12" in "2012".
func containsWord(s, v string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], v)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(v)
		if !isWordByteBefore(s, a) && !isWordByteAfter(s, b) {
			return true
		}
		i = a + 1
	}
}

func isWordByteBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWordRune(r)
}

func isWordByteAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
