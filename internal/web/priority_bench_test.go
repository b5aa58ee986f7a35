package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
	"github.com/plume-services/plume/prompts"
)

// backgroundDrafter is what `plume serve` gives the drafting jobs: automatic drafts marked as background work.
type backgroundDrafter struct{ d *draft.Service }

func (b backgroundDrafter) DraftReview(ctx context.Context, id int64) error {
	return b.d.AutoDraft(llm.Background(ctx), id)
}

// BenchmarkRegenerateBehindBackgroundDrafts measures what an agent waits for when asking for a new draft while 16
// automatic drafts are queued on a slow model (3 s per answer, LLM_CONCURRENCY 8 of which 2 interactive, 16
// workers), each draft asking the model to rewrite its retrieval query first, as `plume serve` does with a model:
// the first byte of the stream (target < 1 s), the moment the model receives the agent's first request (the
// query rewriting, which must take the interactive share too), and the agent's whole draft (two model calls).
func BenchmarkRegenerateBehindBackgroundDrafts(b *testing.B) {
	ctx := context.Background()
	st := storetest.NewDB(b)
	if err := jobs.Migrate(ctx, st.Pool); err != nil {
		b.Fatal(err)
	}
	model := llmtest.New(b)
	var agentAt atomic.Int64 // when the model received the agent's request, in ns
	model.Handle(func(r llmtest.Request) llmtest.Reply {
		if strings.Contains(r.Text(), "prime d'activité") {
			agentAt.CompareAndSwap(0, time.Now().UnixNano()) // the first of the agent's calls
		}
		return llmtest.Reply{Text: "Bonjour, votre demande est en cours de traitement [1].", HeaderDelay: 3 * time.Second}
	})
	m, err := llm.New(llm.Options{BaseURL: model.URL, Model: "lent", Concurrency: 8, Interactive: 2, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	filter := pii.NewFilter(2 * time.Second)
	emb := embed.NewLocal(128)
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, src); err != nil {
		b.Fatal(err)
	}
	searcher := search.New(st, emb, search.Options{Rewriter: &search.QueryRewriter{Model: m, Prompts: prompts.MustLoad(prompts.Current), Filter: filter}})
	drafts, err := draft.New(draft.Options{Store: st, Model: m, Searcher: searcher, Examples: -1, WriterOptions: ground.WriterOptions{Filter: filter}})
	if err != nil {
		b.Fatal(err)
	}
	runner, err := jobs.New(st, jobs.Options{Drafter: backgroundDrafter{drafts}, DraftConcurrency: 16,
		FetchPollInterval: 50 * time.Millisecond, AwaitingInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	agentReview, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "agent", Title: "Attente",
		Body: "Ma demande de prime d'activité attend depuis deux mois.", Organisation: "CAF"})
	if err != nil {
		b.Fatal(err)
	}
	// The agent's review already has a draft: no background job drafts it, only the agent's requests do.
	if _, err := st.AddDraft(ctx, store.Draft{ReviewID: agentReview, Kind: store.DraftOffline, Text: "Bonjour.", CreatedBy: "test"}); err != nil {
		b.Fatal(err)
	}
	as, token := benchAgent(b, st)
	cfg := testConfig(b)
	cfg.DraftRatePerMin = 100000
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Auth: as, Filter: filter, Drafts: drafts, Model: m, Jobs: runner})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	if err := runner.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = runner.Stop(sctx)
	}()

	var firstByte, modelStart, whole []time.Duration
	seq := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for range 16 {
			seq++
			if _, _, err := reviews.Save(ctx, st, runner, reviews.ReviewInput{ExternalID: fmt.Sprint("fond-", seq),
				Body: "Mon remboursement de soins n'arrive pas depuis trois mois.", Organisation: "CAF"}); err != nil {
				b.Fatal(err)
			}
		}
		before := len(model.Requests())
		deadline := time.Now().Add(30 * time.Second)
		for len(model.Requests())-before < 6 && time.Now().Before(deadline) { // the background share is full
			time.Sleep(10 * time.Millisecond)
		}
		agentAt.Store(0)
		b.StartTimer()
		start := time.Now()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/reviews/%d/drafts?stream=true", hs.URL, agentReview),
			strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		r := bufio.NewReader(res.Body)
		if _, err := r.ReadByte(); err != nil {
			b.Fatal(err)
		}
		firstByte = append(firstByte, time.Since(start))
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "event: error") {
				sc.Scan()
				b.Fatalf("stream error: %s", sc.Text())
			}
		}
		res.Body.Close()
		whole = append(whole, time.Since(start))
		if at := agentAt.Load(); at > 0 {
			modelStart = append(modelStart, time.Unix(0, at).Sub(start))
		}
		b.StopTimer()
		// Let the background drafts of this round finish before the next.
		deadline = time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) {
			if c, _ := st.CountJobs(ctx, jobs.DraftReviewArgs{}.Kind()); c["completed"] >= seq {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		b.StartTimer()
	}
	b.StopTimer()
	report := func(name string, ds []time.Duration) {
		if len(ds) == 0 {
			b.Fatalf("no %s measured", name)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, name+"-max-ms")
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, name+"-p50-ms")
	}
	report("first-byte", firstByte)
	report("model-start", modelStart)
	report("whole-draft", whole)
}
