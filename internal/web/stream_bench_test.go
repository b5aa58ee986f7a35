package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

// timestampModel is a fake OpenAI-compatible server whose streamed tokens are the nanosecond clock at the moment
// each is sent, so the client can tell how long every token took to reach it through Plume.
func timestampModel(tokens int, gap time.Duration) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		chunk := func(content, finish string) {
			f := any(nil)
			if finish != "" {
				f = finish
			}
			b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
				"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": content}, "finish_reason": f}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		}
		for range tokens {
			chunk(strconv.FormatInt(time.Now().UnixNano(), 10)+" ", "")
			time.Sleep(gap)
		}
		chunk("", "stop")
		fmt.Fprint(w, "data: [DONE]\n\n")
		fl.Flush()
	}))
}

// benchAgent adds a CAF agent to st and returns the accounts service and an API token that may edit drafts.
func benchAgent(b *testing.B, st *store.Store) (*auth.Service, string) {
	b.Helper()
	ctx := context.Background()
	as := auth.New(st, auth.Options{})
	u, err := as.AddUser(ctx, auth.NewUser{Email: "agent@caf.test", Name: "Agent", Password: "un mot de passe assez long", Role: auth.RoleAgent, OrganisationSlug: reviews.Slug("CAF")})
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := as.CreateToken(ctx, u.ID, "banc", []string{string(auth.ActEditDrafts)})
	if err != nil {
		b.Fatal(err)
	}
	return as, token
}

// BenchmarkStreamedTokenLatency measures how long a token takes from the model server sending it to the HTTP
// client of POST /api/v1/reviews/{id}/drafts?stream=true receiving it (target ≤ 10 ms), reported as p50/p95/max.
func BenchmarkStreamedTokenLatency(b *testing.B) {
	ctx := context.Background()
	st := storetest.NewDB(b)
	model := timestampModel(20, 2*time.Millisecond)
	defer model.Close()
	m, err := llm.New(llm.Options{BaseURL: model.URL + "/v1", Model: "m"})
	if err != nil {
		b.Fatal(err)
	}
	filter := pii.NewFilter(2 * time.Second)
	drafts, err := draft.New(draft.Options{Store: st, Model: m, Examples: -1, WriterOptions: ground.WriterOptions{Filter: filter}})
	if err != nil {
		b.Fatal(err)
	}
	id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "bench-1", Title: "Attente", Body: "Ma demande de prime d'activité attend depuis deux mois.", Organisation: "CAF"})
	if err != nil {
		b.Fatal(err)
	}
	as, token := benchAgent(b, st)
	cfg := testConfig(b)
	cfg.BodyLimit = 1 << 20
	cfg.DraftRatePerMin = 100000
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Auth: as, Filter: filter, Drafts: drafts, Model: m})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/reviews/%d/drafts?stream=true", hs.URL, id), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(res.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			now := time.Now()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "delta":
				var d struct{ Text string }
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
					b.Fatal(err)
				}
				for _, f := range strings.Fields(d.Text) {
					ns, err := strconv.ParseInt(f, 10, 64)
					if err == nil {
						lat = append(lat, now.Sub(time.Unix(0, ns)))
					}
				}
			case strings.HasPrefix(line, "data: ") && event == "error":
				b.Fatalf("stream error: %s", line)
			}
		}
		res.Body.Close()
	}
	b.StopTimer()
	if len(lat) == 0 {
		b.Fatal("no token received")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
