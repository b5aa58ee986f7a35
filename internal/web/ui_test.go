package web_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/jobs/jobstest"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

// uiEnv is a server with accounts, drafting and jobs over a fresh database holding two organisations: the CAF,
// where every test user works, and the CPAM, whose reviews they must never reach (admin excepted).
type uiEnv struct {
	t        testing.TB
	st       *store.Store
	srv      http.Handler
	auth     *auth.Service
	drafts   *draft.Service
	runner   *jobs.Runner
	caf, cpm store.Organisation
	users    map[string]auth.User    // by role name
	sessions map[string]auth.Session // by role name; "" is anonymous
	seq      int
	// emailSuffix goes before the @ of every account's address (see envOptions.databaseURL).
	emailSuffix string
}

// roles is the order of the matrix columns.
var roles = []string{"anonyme", "agent", "superviseur", "conseiller", "evaluateur", "admin"}

type envOptions struct {
	noJobs    bool
	publisher jobs.Publisher
	poolSize  int        // connections of the store's pool; pgx's default (4 on this machine) when 0
	model     llm.Client // nil: the server is offline; the drafts stay offline either way
	// piiTimeout bounds the personal-data filter (5 s when 0). A test that scans a body near the size limit sets
	// more: under the race detector on a loaded machine the filter runs tens of times slower, and its speed is
	// measured by the benchmarks, not here.
	piiTimeout time.Duration
	// databaseURL, when set, is a database to migrate and keep (a benchmark's seeded one) instead of a fresh
	// database dropped at the end; the accounts then get addresses of their own, so that runs do not collide.
	databaseURL string
}

func newUIEnv(t testing.TB, o envOptions) *uiEnv {
	t.Helper()
	ctx := context.Background()
	var st *store.Store
	url, suffix := o.databaseURL, ""
	switch {
	case url == "" && o.noJobs:
		st = storetest.NewDB(t)
		url = storetest.URL(st)
	case url == "":
		st = storetest.NewDB(t, jobstest.River)
		url = storetest.URL(st)
	default:
		if _, err := store.Migrate(ctx, url); err != nil {
			t.Fatal(err)
		}
		suffix = "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		o.poolSize = max(o.poolSize, 4)
	}
	if o.poolSize > 0 {
		var err error
		if st, err = store.OpenPool(ctx, url, store.PoolOptions{MaxConns: o.poolSize}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
	}
	e := &uiEnv{t: t, st: st, users: map[string]auth.User{}, sessions: map[string]auth.Session{}, emailSuffix: suffix}
	var err error
	if e.caf, err = st.EnsureOrganisation(ctx, "caf-gironde", "CAF de la Gironde", "caf"); err != nil {
		t.Fatal(err)
	}
	if e.cpm, err = st.EnsureOrganisation(ctx, "cpam-rhone", "CPAM du Rhône", "cpam"); err != nil {
		t.Fatal(err)
	}
	e.auth = auth.New(st, auth.Options{Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}})
	for _, r := range roles[1:] {
		e.addUser(r, r+"@caf.test", "Test "+r, auth.Role(r), "caf-gironde")
	}
	e.addUser("agent-cpam", "agent@cpam.test", "Agent CPAM", auth.RoleAgent, "cpam-rhone")
	filter := pii.NewFilter(cmp.Or(o.piiTimeout, 5*time.Second))
	if e.drafts, err = draft.New(draft.Options{Store: st, WriterOptions: ground.WriterOptions{Filter: filter}}); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.BodyLimit = 1 << 20
	cfg.DraftRatePerMin = 100000
	deps := web.Deps{Config: cfg, Store: st, Auth: e.auth, Filter: filter, Drafts: e.drafts, Model: o.model, Log: slog.New(slog.DiscardHandler)}
	if !o.noJobs {
		if o.databaseURL != "" {
			if err := jobs.Migrate(ctx, st.Pool); err != nil {
				t.Fatal(err)
			}
		}
		e.runner, err = jobs.New(st, jobs.Options{Publisher: o.publisher, FetchPollInterval: 20 * time.Millisecond, PollInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		deps.Jobs = e.runner
	}
	srv, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

// addUser creates an account signed in under key, for e.do's role.
func (e *uiEnv) addUser(key, email, name string, role auth.Role, org string) {
	e.t.Helper()
	ctx := context.Background()
	if local, domain, ok := strings.Cut(email, "@"); ok {
		email = local + e.emailSuffix + "@" + domain
	}
	u, err := e.auth.AddUser(ctx, auth.NewUser{Email: email, Name: name, Password: "mot-de-passe-solide", Role: role, OrganisationSlug: org})
	if err != nil {
		e.t.Fatal(err)
	}
	se, err := e.auth.NewSession(ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.users[key], e.sessions[key] = u, se
}

// review stores a new review in org and, with withDraft, its first (offline) draft.
func (e *uiEnv) review(org store.Organisation, title, body string, withDraft bool) (int64, int64) {
	e.t.Helper()
	ctx := context.Background()
	e.seq++
	id, _, err := e.st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: org.ID, Source: "test", ExternalID: fmt.Sprintf("r%d-%d", e.seq, time.Now().UnixNano()),
		Title: title, Body: body, Feeling: "Négatif", Topic: "Prestations familiales", AuthorPseudonym: "Camille",
		WrittenAt: time.Now().Add(-time.Duration(e.seq) * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	if !withDraft {
		return id, 0
	}
	d, _, err := e.drafts.DraftReview(ctx, draft.Request{ReviewID: id, Actor: "automatique"})
	if err != nil {
		e.t.Fatal(err)
	}
	return id, d.ID
}

// request sends a request as role ("" or "anonyme": no session); form values are sent url-encoded, with the
// session's CSRF token unless noCSRF.
type request struct {
	method, path, role string
	form               url.Values
	json               string
	noCSRF             bool
	header             map[string]string
}

func (e *uiEnv) do(r request) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	se, signedIn := e.sessions[r.role]
	switch {
	case r.json != "":
		body = strings.NewReader(r.json)
	case r.method == http.MethodPost:
		f := url.Values{}
		for k, v := range r.form {
			f[k] = v
		}
		if signedIn && !r.noCSRF {
			f.Set("csrf", se.CSRF)
		}
		body = strings.NewReader(f.Encode())
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.json != "" {
		req.Header.Set("Content-Type", "application/json")
		if signedIn && !r.noCSRF {
			req.Header.Set("X-CSRF-Token", se.CSRF)
		}
	} else if r.method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if signedIn {
		req.AddCookie(&http.Cookie{Name: "plume_session", Value: se.Token})
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (e *uiEnv) status(id int64) store.ReviewStatus {
	e.t.Helper()
	rv, err := e.st.GetReview(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return rv.Status
}

// TestAuthorisationMatrix checks every UI and API route for every role against a review of the user's own
// organisation and one of another. The table is the specification: another organisation's review is a 404 (its
// id reveals nothing), a role without the right is a 403, an anonymous person is sent to sign in (303) by pages
// and gets a 401 from the API and from forms.
func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	// prepare makes the review the route expects (a set-aside review to reopen); nil keeps a drafted one.
	rejectFirst := func(id int64) {
		if _, err := e.st.SetReviewStatus(context.Background(), id, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon"}); err != nil {
			t.Fatal(err)
		}
	}
	//                                                anonyme agent sup  cons eval admin
	tests := []struct {
		name, method, path string // {id} and {draft} are replaced
		form               url.Values
		json               string
		prepare            func(int64)
		own, other         [6]int
	}{
		{"boîte de réception", "GET", "/avis", nil, "", nil,
			[6]int{303, 200, 200, 403, 403, 200}, [6]int{303, 200, 200, 403, 403, 200}},
		{"avis", "GET", "/avis/{id}", nil, "", nil,
			[6]int{303, 200, 200, 403, 403, 200}, [6]int{303, 404, 404, 403, 403, 200}},
		{"historique", "GET", "/avis/{id}/historique", nil, "", nil,
			[6]int{303, 200, 200, 403, 403, 200}, [6]int{303, 404, 404, 403, 403, 200}},
		{"statistiques", "GET", "/statistiques", nil, "", nil,
			[6]int{303, 403, 200, 403, 403, 200}, [6]int{303, 403, 200, 403, 403, 200}},
		{"enregistrer", "POST", "/avis/{id}/enregistrer", url.Values{"texte": {"Bonjour, voici notre réponse modifiée."}}, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"régénérer", "POST", "/avis/{id}/regenerer", nil, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"réécrire", "POST", "/avis/{id}/regenerer", url.Values{"consigne": {"plus_court"}, "texte": {"Bonjour, un texte à raccourcir."}}, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"approuver et publier", "POST", "/avis/{id}/publier", url.Values{"texte": {"Bonjour, voici la réponse approuvée."}}, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"écarter", "POST", "/avis/{id}/ecarter", url.Values{"motif": {"Doublon"}}, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"rouvrir", "POST", "/avis/{id}/rouvrir", nil, "", rejectFirst,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"me l'attribuer", "POST", "/avis/{id}/attribution", nil, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"libérer", "POST", "/avis/{id}/liberation", nil, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"avis sur un brouillon", "POST", "/avis/{id}/brouillons/{draft}/retour", url.Values{"pouce": {"-1"}, "etiquettes": {"trop_long"}}, "", nil,
			[6]int{401, 303, 303, 403, 403, 303}, [6]int{401, 404, 404, 403, 403, 303}},
		{"API liste", "GET", "/api/v1/reviews", nil, "", nil,
			[6]int{401, 200, 200, 403, 403, 200}, [6]int{401, 200, 200, 403, 403, 200}},
		{"API avis", "GET", "/api/v1/reviews/{id}", nil, "", nil,
			[6]int{401, 200, 200, 403, 403, 200}, [6]int{401, 404, 404, 403, 403, 200}},
		{"API brouillon", "GET", "/api/v1/drafts/{draft}", nil, "", nil,
			[6]int{401, 200, 200, 403, 403, 200}, [6]int{401, 404, 404, 403, 403, 200}},
		{"API rédaction", "POST", "/api/v1/reviews/{id}/drafts", nil, `{}`, nil,
			[6]int{401, 201, 201, 403, 403, 201}, [6]int{401, 404, 404, 403, 403, 201}},
		{"API rédaction en flux", "POST", "/api/v1/reviews/{id}/drafts?stream=true", nil, `{"instruction":"Plus court."}`, nil,
			[6]int{401, 200, 200, 403, 403, 200}, [6]int{401, 404, 404, 403, 403, 200}},
	}
	for _, tt := range tests {
		for _, side := range []string{"own", "other"} {
			want, org := tt.own, e.caf
			if side == "other" {
				want, org = tt.other, e.cpm
			}
			for i, role := range roles {
				id, did := e.review(org, "Avis "+tt.name, "Je n'ai pas reçu mon allocation logement depuis deux mois.", true)
				if tt.prepare != nil {
					tt.prepare(id)
				}
				path := strings.NewReplacer("{id}", strconv.FormatInt(id, 10), "{draft}", strconv.FormatInt(did, 10)).Replace(tt.path)
				res, body := e.do(request{method: tt.method, path: path, role: role, form: tt.form, json: tt.json})
				if res.StatusCode != want[i] {
					t.Errorf("%s (%s %s) as %s, %s organisation: %d, want %d\n%.300s", tt.name, tt.method, path, role, side, res.StatusCode, want[i], body)
				}
			}
		}
	}
}

// TestNoLeakAcrossOrganisations checks lists, search, paging and statistics: a CAF user never sees a CPAM
// review, whatever the filters.
func TestNoLeakAcrossOrganisations(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	for i := range 3 {
		e.review(e.caf, fmt.Sprintf("Allocation CAF %d", i), "Mon allocation familiale est en retard, dossier caf-visible.", false)
		e.review(e.cpm, fmt.Sprintf("Remboursement CPAM %d", i), "Mon remboursement de soins est en retard, dossier cpam-secret.", false)
	}
	// One review of each organisation published and one set aside, for the statistics.
	for _, org := range []store.Organisation{e.caf, e.cpm} {
		marker := map[string]string{"caf-gironde": "caf-visible", "cpam-rhone": "cpam-secret"}[org.Slug]
		id, did := e.review(org, "Publié "+marker, "Question réglée, dossier "+marker+".", true)
		publish(t, e.st, id, did)
		rid, _ := e.review(org, "Écarté "+marker, "Hors sujet.", false)
		if _, err := e.st.SetReviewStatus(ctx, rid, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon : " + org.Slug}); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{"/avis", "/avis?q=retard", "/avis?q=cpam-secret", "/avis?theme=prestations", "/avis?tri=recents",
		"/avis?statut=nouveau", "/avis?limite=1", "/api/v1/reviews", "/api/v1/reviews?q=remboursement", "/api/v1/reviews?organisation=" + strconv.FormatInt(e.cpm.ID, 10)}
	for _, role := range []string{"agent", "superviseur"} {
		for _, p := range paths {
			res, body := e.do(request{method: "GET", path: p, role: role})
			if res.StatusCode != 200 {
				t.Errorf("GET %s as %s: %d", p, role, res.StatusCode)
			}
			if strings.Contains(body, "Remboursement CPAM") || strings.Contains(body, "dossier cpam-secret") || strings.Contains(body, "Publié cpam-secret") {
				t.Errorf("GET %s as %s shows another organisation's review:\n%.500s", p, role, body)
			}
		}
		// Following every « next page » link never reaches the CPAM's reviews either.
		next, pages := "/avis?limite=1", 0
		for next != "" && pages < 20 {
			_, body := e.do(request{method: "GET", path: next, role: role})
			if strings.Contains(body, "dossier cpam-secret") || strings.Contains(body, "CPAM") {
				t.Errorf("page %s shows a CPAM review", next)
			}
			next = nextLink(body)
			pages++
		}
		if pages != 5 {
			t.Errorf("%s: %d inbox pages of one review, want 5 (the CAF's 5 reviews)", role, pages)
		}
	}
	res, body := e.do(request{method: "GET", path: "/statistiques", role: "superviseur"})
	if res.StatusCode != 200 {
		t.Fatalf("statistics: %d", res.StatusCode)
	}
	if !strings.Contains(body, "1 / 1") || strings.Contains(body, "cpam-rhone") || strings.Contains(body, "2 / 2") {
		t.Errorf("statistics of the CAF supervisor count other organisations' reviews:\n%s", tileText(body))
	}
	res, body = e.do(request{method: "GET", path: "/statistiques", role: "admin"})
	if res.StatusCode != 200 || !strings.Contains(body, "2 / 2") {
		t.Errorf("statistics of the administrator: %d, want both organisations (2 / 2):\n%s", res.StatusCode, tileText(body))
	}
}

var nextRE = regexp.MustCompile(`href="(/avis\?[^"]*apres=[^"]*)">Avis suivants`)

func nextLink(body string) string {
	m := nextRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func tileText(body string) string {
	var out []string
	for _, m := range regexp.MustCompile(`fr-tile__title">([^<]*)<`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " | ")
}

// publish walks a review through the workflow to publie as an acknowledged publication does.
func publish(t *testing.T, st *store.Store, id, draftID int64) {
	t.Helper()
	ctx := context.Background()
	rv, err := st.GetReview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Status == store.StatusNew {
		if _, err := st.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusDraftReady}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusInReview}); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RequestPublicationTx(ctx, tx, id, draftID, "agent@caf.test"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := st.GetDraft(ctx, draftID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPublicationSuccess(ctx, id, draftID, 1, "test", d.Text, "ok"); err != nil {
		t.Fatal(err)
	}
}

// TestPostsWithoutCSRFAreRefused checks that every form and API write of a cookie session needs its token.
func TestPostsWithoutCSRFAreRefused(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, did := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	for _, p := range []string{"/avis/%d/enregistrer", "/avis/%d/regenerer", "/avis/%d/publier", "/avis/%d/ecarter", "/avis/%d/rouvrir", "/avis/%d/attribution", "/avis/%d/liberation",
		"/avis/%d/brouillons/" + strconv.FormatInt(did, 10) + "/retour", "/api/v1/reviews/%d/drafts", "/deconnexion"} {
		path := strings.ReplaceAll(p, "%d", strconv.FormatInt(id, 10))
		r := request{method: "POST", path: path, role: "agent", noCSRF: true, form: url.Values{"texte": {"x"}, "motif": {"Doublon"}, "pouce": {"1"}}}
		if strings.HasPrefix(path, "/api/") {
			r.json, r.form = "{}", nil
		}
		res, body := e.do(r)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Formulaire expiré") {
			t.Errorf("POST %s without CSRF token: %d %.200s, want 403", path, res.StatusCode, body)
		}
	}
	if n, _ := e.st.ListDrafts(context.Background(), id); len(n) != 1 {
		t.Errorf("refused posts changed the drafts: %d versions, want 1", len(n))
	}
	if st := e.status(id); st != store.StatusDraftReady {
		t.Errorf("refused posts changed the status to %s", st)
	}
}

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }
