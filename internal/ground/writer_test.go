package ground

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/prompts"
)

func TestWriterOptionsWithDefaults(t *testing.T) {
	t.Parallel()
	current, err := prompts.Load(prompts.Current)
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Version   string
		K         int
		Limits    budget.Limits
		MaxTokens int
		HasLog    bool
	}
	see := func(o WriterOptions) view {
		return view{Version: o.Prompts.Version(), K: o.K, Limits: o.Limits, MaxTokens: o.MaxTokens, HasLog: o.Log != nil}
	}

	if _, err := (WriterOptions{}).WithDefaults(600); !errors.Is(err, ErrNoFilter) {
		t.Errorf("options without a filter: err = %v, want ErrNoFilter", err)
	}
	filter := pii.NewFilter(time.Second)
	got, err := WriterOptions{Filter: filter}.WithDefaults(600)
	if err != nil {
		t.Fatal(err)
	}
	want := view{Version: current.Version(), K: DefaultK, Limits: budget.Default, MaxTokens: 600, HasLog: true}
	if d := cmp.Diff(want, see(got)); d != "" {
		t.Errorf("zero options filled (-want +got):\n%s", d)
	}

	own := budget.Limits{Review: budget.Limit{Chars: 1, Tokens: 1}, Turn: budget.Limit{Chars: 2, Tokens: 2}}
	set := WriterOptions{Filter: filter, Prompts: current, K: 9, Limits: own, MaxTokens: 42, Log: slog.Default()}
	got, err = set.WithDefaults(600)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(see(set), see(got)); d != "" {
		t.Errorf("settings given were overwritten (-want +got):\n%s", d)
	}
}
