package eval

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/pii"
)

func runPIISplit(t *testing.T, split string) PIIReport {
	t.Helper()
	dir, err := PIIDataDir()
	if err != nil {
		t.Fatal(err)
	}
	set, err := LoadPIISplit(dir, split)
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < 150 {
		t.Fatalf("%s split has %d reviews, want at least 150", split, len(set))
	}
	rep, err := EvalPII(context.Background(), pii.NewFilter(5*time.Second), set)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b, os.Getenv("PII_EVAL_DETAILS") != "")
	t.Logf("%s split:\n%s", split, b.String())
	return rep
}

// TestPIITargets is the regression gate of the personal-data filter: the held-out test split must meet the
// targets of issue 4.
func TestPIITargets(t *testing.T) {
	rep := runPIISplit(t, "test")
	for _, m := range rep.Check(DefaultPIITargets) {
		t.Error(m)
	}
}

func TestPIIDevSplit(t *testing.T) {
	rep := runPIISplit(t, "dev")
	for _, m := range rep.Check(DefaultPIITargets) {
		t.Error(m)
	}
}

func TestEvalPIIScoring(t *testing.T) {
	set := []PIIExample{
		{ID: "a", Text: "Mme Fatou Diallo, tel 06 12 34 56 78.", Spans: []PIIGoldSpan{{4, 16, pii.LabelPerson}, {22, 36, pii.LabelPhone}}},
		// The gold span is wider than what the filter finds: IoU < 0.5 and a leak.
		{ID: "b", Text: "Appelez le 06 12 34 56 78 demain", Spans: []PIIGoldSpan{{0, 32, pii.LabelPhone}}},
		{ID: "c", Text: "Rien à signaler, 3949.", Spans: nil},
	}
	rep, err := EvalPII(context.Background(), pii.NewFilter(time.Second), set)
	if err != nil {
		t.Fatal(err)
	}
	var phone PIIClassScore
	for _, c := range rep.Classes {
		if c.Label == pii.LabelPhone {
			phone = c
		}
	}
	if phone.Gold != 2 || phone.Predicted != 2 || phone.Matched != 1 || phone.Recall != 0.5 || phone.Precision != 0.5 {
		t.Errorf("phone scores %+v", phone)
	}
	if rep.ZeroLeakShare < 0.66 || rep.ZeroLeakShare > 0.67 || rep.TrapReviews != 1 || rep.TrapMasked != 0 {
		t.Errorf("leak share %.3f, traps %d masked %.2f", rep.ZeroLeakShare, rep.TrapReviews, rep.TrapMasked)
	}
	if len(rep.Leaks) != 1 || rep.Leaks[0].ID != "b" {
		t.Errorf("leaks %+v", rep.Leaks)
	}
}

func TestLoadPIISetRejectsBadSpans(t *testing.T) {
	_, err := LoadPIISet(strings.NewReader(`{"id":"x","text":"abc","spans":[]}` + "\n" + `{"id":"y","text":"abc","spans":[{"start":1,"end":9,"label":"PERSON"}]}`))
	if err == nil || !strings.Contains(err.Error(), "ligne 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
}
