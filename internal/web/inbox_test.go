package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/store"
)

var rowTitleRE = regexp.MustCompile(`<a class="fr-link plume-inbox-link" href="/avis/\d+">([^<]*)</a>`)

func inboxTitles(body string) []string {
	var out []string
	for _, m := range rowTitleRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestInboxOrderFiltersAndPaging checks the inbox's default order (oldest unanswered first, then the answered
// ones), its filters and its keyset paging across the unanswered/answered boundary.
func TestInboxOrderFiltersAndPaging(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	add := func(title, body, topic, feeling string, written time.Time, to ...store.StatusChange) {
		e.seq++
		id, _, err := e.st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: e.caf.ID, Source: "test", ExternalID: title,
			Title: title, Body: body, Feeling: feeling, Topic: topic, WrittenAt: written})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range to {
			if _, err := e.st.SetReviewStatus(ctx, id, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	add("A publié ancien", "Mon remboursement de frais.", "Santé", "Positif", day(1),
		store.StatusChange{To: store.StatusDraftReady}, store.StatusChange{To: store.StatusInReview}, store.StatusChange{To: store.StatusPublished, PublishedReply: "Réponse."})
	add("B nouveau ancien", "Mon allocation logement n'arrive pas.", "Aide au logement", "Négatif", day(2))
	add("C brouillon", "Question sur la prime d'activité.", "Prime d'activité", "Neutre", day(3), store.StatusChange{To: store.StatusDraftReady})
	add("D écarté récent", "Message hors sujet.", "Autre", "Négatif", day(4), store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon"})
	add("E nouveau récent", "Démarche de logement en ligne impossible.", "Aide au logement", "Négatif", day(5))

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"B nouveau ancien", "C brouillon", "E nouveau récent", "A publié ancien", "D écarté récent"}},
		{"?tri=recents", []string{"E nouveau récent", "D écarté récent", "C brouillon", "B nouveau ancien", "A publié ancien"}},
		{"?statut=nouveau", []string{"B nouveau ancien", "E nouveau récent"}},
		{"?theme=logement", []string{"B nouveau ancien", "E nouveau récent"}},
		{"?ressenti=negatif", []string{"B nouveau ancien", "E nouveau récent", "D écarté récent"}},
		{"?q=logement", []string{"B nouveau ancien", "E nouveau récent"}},
		{"?depuis=2026-03-02&jusqu_au=2026-03-04", []string{"B nouveau ancien", "C brouillon", "D écarté récent"}},
	}
	for _, tt := range tests {
		res, body := e.do(request{method: "GET", path: "/avis" + tt.query, role: "agent"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /avis%s: %d", tt.query, res.StatusCode)
		}
		if got := inboxTitles(body); !slices.Equal(got, tt.want) {
			t.Errorf("GET /avis%s = %q, want %q", tt.query, got, tt.want)
		}
	}
	// One review per page: the cursor carries the boundary between unanswered and answered reviews.
	var got []string
	next := "/avis?limite=1"
	for next != "" && len(got) < 10 {
		_, body := e.do(request{method: "GET", path: next, role: "agent"})
		got = append(got, inboxTitles(body)...)
		next = nextLink(body)
	}
	if want := tests[0].want; !slices.Equal(got, want) {
		t.Errorf("paged one by one: %q, want %q", got, want)
	}
	// Counts per status, whatever the status filter.
	_, body := e.do(request{method: "GET", path: "/avis?statut=publie", role: "agent"})
	for _, want := range []string{`Tous <span class="plume-count">5</span>`, `nouveau <span class="plume-count">2</span>`, `publié <span class="plume-count">1</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("counts: page lacks %q", want)
		}
	}
	// An htmx request for the results gets them alone.
	res, body := e.do(request{method: "GET", path: "/avis?statut=nouveau", role: "agent", header: map[string]string{"HX-Request": "true", "HX-Target": "resultats"}})
	if res.StatusCode != 200 || strings.Contains(body, "<html") || !strings.HasPrefix(strings.TrimSpace(body), `<div id="resultats">`) {
		t.Errorf("htmx results: %d %.100q", res.StatusCode, body)
	}
	for _, bad := range []string{"?tri=hasard", "?jusqu_au=hier", "?apres=zzz"} {
		if res, _ := e.do(request{method: "GET", path: "/avis" + bad, role: "agent"}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /avis%s: %d, want 400", bad, res.StatusCode)
		}
	}
	// A value outside a list is a 422 that lists the values.
	if res, body := e.do(request{method: "GET", path: "/avis?statut=inconnu", role: "agent"}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "brouillon_pret") {
		t.Errorf("GET /avis?statut=inconnu: %d, want 422 listing the statuses", res.StatusCode)
	}
}

// BenchmarkInbox renders the inbox of an organisation holding 100,000 reviews (and another holding 20,000) and
// reports the server-side p95 per page: the default order, a full-text search, a status filter, and a page deep
// in the inbox reached by its cursor.
func BenchmarkInbox(b *testing.B) {
	e := newUIEnv(b, envOptions{noJobs: true})
	ctx := context.Background()
	insert := `INSERT INTO reviews (organisation_id, source, external_id, title, body, feeling, topic, written_at, status,
			published_reply, rejected_reason)
		SELECT $1, 'bench', $2 || g, 'Avis ' || g,
			'Bonjour, je n''ai pas reçu mon allocation logement ce mois-ci, dossier ' || g || '. Merci de votre aide.',
			(ARRAY['Positif', 'Neutre', 'Négatif'])[1 + g % 3], (ARRAY['Logement', 'Famille', 'Santé', 'Retraite'])[1 + g % 4],
			now() - make_interval(mins => g * 5),
			s, CASE WHEN s = 'publie' THEN 'Réponse.' END, CASE WHEN s = 'ecarte' THEN 'Doublon' END
		FROM generate_series(1, $3) g,
			LATERAL (SELECT (ARRAY['publie', 'publie', 'publie', 'publie', 'publie', 'ecarte', 'nouveau', 'brouillon_pret', 'en_relecture', 'publie'])[1 + g % 10] AS s) st`
	if _, err := e.st.Pool.Exec(ctx, insert, e.caf.ID, "caf-", 100000); err != nil {
		b.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, insert, e.cpm.ID, "cpam-", 20000); err != nil {
		b.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, "VACUUM ANALYZE reviews"); err != nil {
		b.Fatal(err)
	}
	// A cursor deep in the inbox: the 60,000th review in the default order.
	var deep store.ReviewCursor
	if err := e.st.Pool.QueryRow(ctx, `SELECT status IN ('publie', 'ecarte'), written_at, id FROM reviews r WHERE organisation_id = $1
		ORDER BY (r.status IN ('publie', 'ecarte')), r.written_at, r.id OFFSET 60000 LIMIT 1`, e.caf.ID).Scan(&deep.Closed, &deep.WrittenAt, &deep.ID); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path string }{
		{"defaut", "/avis"},
		{"recherche", "/avis?q=allocation+logement+dossier+4242"},
		{"statut", "/avis?statut=en_relecture&tri=recents"},
		{"page-profonde", "/avis?apres=" + deep.String()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				start := time.Now()
				res, body := e.do(request{method: "GET", path: bc.path, role: "agent"})
				ds = append(ds, time.Since(start))
				if res.StatusCode != 200 || !strings.Contains(body, "Avis ") {
					b.Fatalf("GET %s: %d", bc.path, res.StatusCode)
				}
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
