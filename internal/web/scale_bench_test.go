package web_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scaleSeedSQL writes n reviews ($2) in one organisation ($1), shaped like the Services Publics+ export: two years
// of reviews, 60 % negative, 20 topics, a kilobyte of text and a 3 KB source record each; the last month's still
// open, the older ones published (85 %, with a model draft, its publication and the reply) or set aside. replied_at
// is written with the review, as the trigger on publications would set it, so that it need not rewrite them.
const scaleSeedSQL = `
INSERT INTO reviews (organisation_id, source, external_id, title, body, feeling, organisation_label, topic,
	author_pseudonym, written_at, status, published_reply, rejected_reason, raw, created_at, updated_at, replied_at)
SELECT $1, 'bench', 'b' || g, t.title, t.body, t.feeling, 'CAF de la Gironde', t.topic, 'usager' || (g % 5000),
	t.written, t.status,
	CASE WHEN t.status = 'publie' THEN 'Bonjour, nous avons bien reçu votre message au sujet de ' || lower(t.topic) ||
		'. Votre dossier ' || g || ' a été examiné par nos services et la situation est maintenant régularisée. ' ||
		'Nous restons à votre disposition. Cordialement, le service relations usagers.' END,
	CASE WHEN t.status = 'ecarte' THEN (ARRAY['Doublon', 'Hors sujet', 'Autre : publicité'])[1 + g % 3] END,
	jsonb_build_object('id_experience', g, 'titre', t.title, 'description', t.body, 'ressenti_usager', t.feeling,
		'intitule_typologie_1', t.topic, 'trace', repeat(md5(g::text), 50)),
	t.written + interval '1 hour', CASE WHEN t.status IN ('publie', 'ecarte') THEN t.written + (1 + g % 9) * interval '1 day' ELSE t.written END,
	CASE WHEN t.status = 'publie' THEN t.written + (1 + g % 9) * interval '1 day' END
FROM generate_series(1, $2::int) g,
LATERAL (SELECT
	(ARRAY['Retard de paiement', 'Dossier perdu', 'Accueil au guichet', 'Rendez-vous impossible', 'Remboursement'])[1 + g % 5] || ' n° ' || g AS title,
	(ARRAY['Bonjour, j''attends depuis trois mois le versement de mon allocation.',
		'Personne ne répond au téléphone et les courriels restent sans réponse.',
		'J''ai envoyé deux fois les mêmes pièces justificatives, elles ont été perdues.',
		'L''agent à l''accueil a été très aimable et efficace, merci.',
		'Le site internet indique une erreur quand je veux déclarer mes ressources.'])[1 + g % 5] || ' ' ||
	(ARRAY['Mon dossier est complet depuis longtemps et je ne comprends pas le retard.',
		'Je dois payer mon loyer et je n''ai plus de ressources pour vivre.',
		'On me demande sans cesse de nouveaux documents que j''ai déjà fournis.',
		'Je souhaite simplement savoir où en est ma demande et quand elle sera traitée.'])[1 + (g / 5) % 4] || ' ' ||
	repeat('Je vous remercie par avance de bien vouloir examiner ma situation rapidement. ', 6) || md5(g::text) AS body,
	CASE WHEN g % 10 < 6 THEN 'Négatif' WHEN g % 10 < 8 THEN 'Neutre' ELSE 'Positif' END AS feeling,
	(ARRAY['Logement', 'Prestations familiales', 'Prime d''activité', 'RSA', 'Retraite', 'Santé', 'Handicap',
		'Impôts', 'Carte grise', 'Passeport', 'Emploi', 'Formation', 'Naissance', 'Décès', 'Mariage',
		'Justice', 'Énergie', 'Transports', 'Études', 'Étrangers'])[1 + (g * 7) % 20] AS topic,
	now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second' AS written,
	CASE WHEN g % 730 < 30 THEN (ARRAY['nouveau', 'nouveau', 'brouillon_pret', 'en_relecture'])[1 + g % 4]
		WHEN g % 20 < 17 THEN 'publie' ELSE 'ecarte' END AS status) t;

INSERT INTO drafts (review_id, version, kind, text, created_by, created_at)
SELECT r.id, 1, 'ia', 'Bonjour, nous avons bien reçu votre message au sujet de ' || lower(r.topic) ||
	'. Votre dossier est en cours d''examen par nos services. Nous restons à votre disposition. Cordialement.',
	'automatique', r.created_at
FROM reviews r WHERE r.organisation_id = $1 AND r.status <> 'nouveau';

INSERT INTO publications (review_id, draft_id, publisher, status, attempts, requested_at, published_at, updated_at)
SELECT r.id, d.id, 'banc', 'publie', 1, r.updated_at, r.updated_at, r.updated_at
FROM reviews r JOIN drafts d ON d.review_id = r.id WHERE r.organisation_id = $1 AND r.status = 'publie';
`

// BenchmarkInboxAtScale measures the inbox, its filters, full-text search, the API filter and the statistics on
// one organisation holding PLUME_BENCH_REVIEWS reviews (100000, 1000000…; skipped when unset, so not part of
// make test): p50 and p95 of one caller, then pages per second with 8 at once. Targets on a 2-core machine:
// filtered inbox p95 ≤ 100 ms and ≥ 50 pages/s at c=8, statistics ≤ 200 ms.
func BenchmarkInboxAtScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("PLUME_BENCH_REVIEWS"))
	if n <= 0 {
		b.Skip("PLUME_BENCH_REVIEWS (number of reviews to seed, e.g. 100000) is not set")
	}
	// PLUME_BENCH_DATABASE_URL keeps the seeded reviews between runs: a million take minutes to write.
	e := newUIEnv(b, envOptions{noJobs: true, poolSize: 20, databaseURL: os.Getenv("PLUME_BENCH_DATABASE_URL")})
	ctx := context.Background()
	var have int
	if err := e.st.Pool.QueryRow(ctx, "SELECT count(*) FROM reviews WHERE organisation_id = $1", e.caf.ID).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have == 0 {
		seedScale(b, e, n)
	} else if have != n {
		b.Fatalf("the database of PLUME_BENCH_DATABASE_URL holds %d reviews of the bench organisation, not %d", have, n)
	}
	benchPages(b, e, n)
}

// seedScale writes n reviews in the CAF with scaleSeedSQL, in one transaction, and analyses the tables.
func seedScale(b *testing.B, e *uiEnv, n int) {
	ctx := context.Background()
	start := time.Now()
	tx, err := e.st.Pool.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for stmt := range strings.SplitSeq(strings.TrimSpace(scaleSeedSQL), ";\n") {
		args := []any{e.caf.ID}
		if strings.Contains(stmt, "$2") {
			args = append(args, n)
		}
		if _, err := tx.Exec(ctx, stmt, args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, "VACUUM ANALYZE reviews, drafts, publications"); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d reviews seeded and analysed in %s", n, time.Since(start).Round(time.Millisecond))
}

// benchPages measures each page at c=1 and c=8 on the CAF's n reviews.
func benchPages(b *testing.B, e *uiEnv, n int) {
	// The first statistics compute and store the period's edit ratios once; later ones read them.
	first := time.Now()
	if res, _ := e.do(request{method: "GET", path: "/statistiques", role: "superviseur"}); res.StatusCode != 200 {
		b.Fatalf("statistics: %d", res.StatusCode)
	}
	b.Logf("first statistics page (edit ratios computed and stored): %s", time.Since(first).Round(time.Millisecond))

	pages := []struct{ name, path, role string }{
		{"first_page", "/avis", "agent"},
		{"feeling_filter", "/avis?ressenti=negatif", "agent"},
		{"feeling_filter_status", "/avis?ressenti=negatif&statut=publie", "agent"},
		{"topic_filter", "/avis?theme=logement", "agent"},
		{"search_rare", "/avis?q=remboursement+perdues", "agent"}, // two frequent words never together
		{"search_common", "/avis?q=allocation", "agent"},
		{"api_feeling_filter", "/api/v1/reviews?ressenti=N%C3%A9gatif", "agent"},
		{"statistics", "/statistiques", "superviseur"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			get := func() time.Duration {
				t0 := time.Now()
				res, body := e.do(request{method: "GET", path: p.path, role: p.role})
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d %.200s", p.path, res.StatusCode, body)
				}
				return time.Since(t0)
			}
			get() // warm the caches
			// 40 pages, or fewer for a slow page at a million reviews: at least 10, and no more after 20 s.
			var lat []time.Duration
			for t0 := time.Now(); len(lat) < 40 && (len(lat) < 10 || time.Since(t0) < 20*time.Second); {
				lat = append(lat, get())
			}
			slices.Sort(lat)
			p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
			const c, each = 8, 15
			t0 := time.Now()
			var wg sync.WaitGroup
			var done atomic.Int64
			for range c {
				wg.Go(func() {
					for i := 0; i < each && (i < 2 || time.Since(t0) < 20*time.Second); i++ {
						get()
						done.Add(1)
					}
				})
			}
			wg.Wait()
			rate := float64(done.Load()) / time.Since(t0).Seconds()
			b.ReportMetric(ms(p50), "p50-ms")
			b.ReportMetric(ms(p95), "p95-ms")
			b.ReportMetric(rate, "pages/s-c8")
			b.Logf("%s at %d reviews: p50 %.1f ms, p95 %.1f ms (c=1); %.1f pages/s (c=8)", p.path, n, ms(p50), ms(p95), rate)
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
