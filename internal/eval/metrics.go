package eval

import "sort"

// Metric names, as stored in eval_items.metrics. A metric that does not apply to an item (no reference reply,
// no judge, no citation) is absent rather than zero, so means are over the items it applies to.
const (
	MetricCitationValidity = "citation_validity"     // share of citation markers that point to a source given
	MetricCitations        = "citations"             // distinct sources cited
	MetricChecksFailed     = "checks_failed"         // output checks failed, the offline notice excluded
	MetricWords            = "words"                 // length of the draft
	MetricPlaceholdersOK   = "placeholders_restored" // share of the draft's placeholders restored
	MetricPIILeaked        = "pii_leaked"            // annotated personal values (and the pseudonym) found in the prompt sent: must be 0
	MetricPIIScannerHits   = "pii_scanner_hits"      // spans the filter's scanner finds in the prompt sent
	MetricPIIValuesLeaked  = "pii_values_leaked"     // values the filter detects in the review found in the prompt sent (diagnostic)
	MetricGrounding        = "grounding"             // share of claims supported by the cited passages
	MetricChrF             = "chrf"                  // similarity to the reference reply, 0–100
	MetricRougeL           = "rouge_l"               // similarity to the reference reply, 0–1
	MetricOffline          = "offline"               // 1 when the offline drafter wrote the draft
	MetricLatencyMS        = "latency_ms"            // whole item, judge excluded
	MetricCost             = "cost"                  // draft and judge tokens at the configured prices
	MetricTokens           = "tokens"                // draft tokens, prompt and completion
	MetricRecall1          = "recall_at_1"           // questions: hit rate in the first fiche
	MetricRecall5          = "recall_at_5"           // questions: hit rate in the first 5 fiches
	MetricRecall10         = "recall_at_10"          // questions: hit rate in the first 10 fiches
	MetricMRR              = "mrr"                   // questions: reciprocal rank of the first relevant fiche
	MetricNDCG10           = "ndcg_at_10"            // questions: binary nDCG@10
	metricCheckPrefix      = "check_"                // check_<code>: failures of one output check
	metricJudgePrefix      = "judge_"                // judge_<criterion>: score 1–5
)

// CheckCodes are the output checks counted one by one (draft.Check codes).
var CheckCodes = []string{"url", "phone", "email", "placeholder", "promise", "length", "citation", "encoding"}

// MetricInfo says how to read a metric: its French label, whether higher is better, and its scale.
type MetricInfo struct {
	Name         string  `json:"name"`
	Label        string  `json:"label"`
	HigherBetter bool    `json:"higher_better"`
	Max          float64 `json:"max,omitempty"` // upper bound of the scale for charts; 0 when unbounded
	Digits       int     `json:"digits"`
}

var metricInfos = map[string]MetricInfo{
	MetricCitationValidity: {Label: "citations valides", HigherBetter: true, Max: 1, Digits: 3},
	MetricCitations:        {Label: "sources citées", HigherBetter: true, Digits: 2},
	MetricChecksFailed:     {Label: "contrôles en échec", Digits: 2},
	MetricWords:            {Label: "longueur (mots)", HigherBetter: true, Digits: 0},
	MetricPlaceholdersOK:   {Label: "marqueurs restitués", HigherBetter: true, Max: 1, Digits: 3},
	MetricPIILeaked:        {Label: "données personnelles divulguées", Digits: 0},
	MetricPIIScannerHits:   {Label: "détections dans le prompt envoyé", Digits: 0},
	MetricPIIValuesLeaked:  {Label: "valeurs détectées par le filtre dans le prompt envoyé", Digits: 0},
	MetricGrounding:        {Label: "ancrage (phrases appuyées)", HigherBetter: true, Max: 1, Digits: 3},
	MetricChrF:             {Label: "chrF (réponse de référence)", HigherBetter: true, Max: 100, Digits: 1},
	MetricRougeL:           {Label: "ROUGE-L (réponse de référence)", HigherBetter: true, Max: 1, Digits: 3},
	MetricOffline:          {Label: "rédigé hors ligne", Max: 1, Digits: 2},
	MetricLatencyMS:        {Label: "latence (ms)", Digits: 1},
	MetricCost:             {Label: "coût", Digits: 5},
	MetricTokens:           {Label: "jetons", Digits: 0},
	MetricRecall1:          {Label: "recall@1", HigherBetter: true, Max: 1, Digits: 3},
	MetricRecall5:          {Label: "recall@5", HigherBetter: true, Max: 1, Digits: 3},
	MetricRecall10:         {Label: "recall@10", HigherBetter: true, Max: 1, Digits: 3},
	MetricMRR:              {Label: "MRR", HigherBetter: true, Max: 1, Digits: 3},
	MetricNDCG10:           {Label: "nDCG@10", HigherBetter: true, Max: 1, Digits: 3},
}

// Info describes a metric; unknown names (future metrics, other judge criteria) get a neutral description.
func Info(name string) MetricInfo {
	if mi, ok := metricInfos[name]; ok {
		mi.Name = name
		return mi
	}
	switch {
	case len(name) > len(metricCheckPrefix) && name[:len(metricCheckPrefix)] == metricCheckPrefix:
		return MetricInfo{Name: name, Label: "contrôle « " + name[len(metricCheckPrefix):] + " »", Digits: 2}
	case len(name) > len(metricJudgePrefix) && name[:len(metricJudgePrefix)] == metricJudgePrefix:
		c := name[len(metricJudgePrefix):]
		label := c
		if jc, ok := criterionByName[c]; ok {
			label = jc.Label
		}
		return MetricInfo{Name: name, Label: "juge : " + label, HigherBetter: true, Max: 5, Digits: 2}
	}
	return MetricInfo{Name: name, Label: name, HigherBetter: true, Digits: 3}
}

// metricOrder sorts metric names the way reports list them: quality first, then checks, then cost.
func metricOrder(names []string) []string {
	rank := map[string]int{}
	for i, n := range []string{MetricRecall1, MetricRecall5, MetricRecall10, MetricMRR, MetricNDCG10,
		MetricPIILeaked, MetricCitationValidity, MetricGrounding, MetricChrF, MetricRougeL} {
		rank[n] = i + 1
	}
	group := func(n string) int {
		switch {
		case rank[n] > 0:
			return 0
		case len(n) > 6 && n[:6] == metricJudgePrefix:
			return 1
		case n == MetricLatencyMS || n == MetricCost || n == MetricTokens:
			return 4
		case len(n) > 6 && n[:6] == metricCheckPrefix:
			return 3
		}
		return 2
	}
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool {
		gi, gj := group(out[i]), group(out[j])
		if gi != gj {
			return gi < gj
		}
		if gi == 0 {
			return rank[out[i]] < rank[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}
