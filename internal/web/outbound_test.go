package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

// TestSearchEmbedsOnlyFilteredText proves the embeddings path of a citizen's question: with a remote embeddings
// server, what reaches it holds placeholders, never the name, phone or email typed in the question.
func TestSearchEmbedsOnlyFilteredText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	fake := llmtest.New(t)
	emb, err := embed.NewOpenAI(embed.OpenAIOptions{BaseURL: fake.URL, Model: "bge-m3", Dim: fake.EmbedDim, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, src); err != nil {
		t.Fatal(err)
	}
	seen := len(fake.Requests()) // what the corpus load sent is official text; only the questions matter below
	as := auth.New(st, auth.Options{})
	org, err := st.EnsureOrganisation(ctx, "france-services-33", "France services Gironde", "france-services")
	if err != nil {
		t.Fatal(err)
	}
	u, err := as.AddUser(ctx, auth.NewUser{Email: "conseiller@fs.test", Name: "Conseiller", Password: "un mot de passe assez long", Role: auth.RoleAdviser, OrganisationSlug: org.Slug})
	if err != nil {
		t.Fatal(err)
	}
	se, err := as.NewSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: st, Auth: as, Filter: pii.NewFilter(2 * time.Second), Search: search.New(st, emb, search.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	q := "Je m'appelle Karima Benali, joignable au 06 12 34 56 78 ou karima.benali@free.fr : j'ai perdu ma carte Vitale, que faire ?"
	req := httptest.NewRequest("GET", "/api/v1/search?k=3&q="+url.QueryEscape(q), nil)
	req.AddCookie(&http.Cookie{Name: "plume_session", Value: se.Token})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"results"`) {
		t.Fatalf("GET /api/v1/search = %d %s", rec.Code, rec.Body.String())
	}
	reqs := fake.Requests()[seen:]
	if len(reqs) == 0 {
		t.Fatal("the question was never embedded")
	}
	for _, r := range reqs {
		for _, v := range []string{"Karima", "Benali", "06 12 34 56 78", "karima.benali@free.fr"} {
			if strings.Contains(r.Text(), v) {
				t.Errorf("the embeddings server received %q", v)
			}
		}
		if !strings.Contains(r.Text(), "[PERSONNE_1]") {
			t.Errorf("embedded text %q: want the filtered question, placeholders in", r.Text())
		}
	}
}
