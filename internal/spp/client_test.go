package spp_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/spp/spptest"
)

func newClient(t *testing.T, base string, orgs ...string) *spp.Client {
	t.Helper()
	c, err := spp.New(spp.Options{BaseURL: base, Organisations: orgs, Timeout: 300 * time.Millisecond,
		Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxRetries: 8})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect pulls everything after from and returns the records and the last cursor.
func collect(t *testing.T, c *spp.Client, from spp.Cursor) ([]spp.Record, spp.Cursor) {
	t.Helper()
	var got []spp.Record
	last := from
	_, err := c.Pull(context.Background(), from, func(p spp.Page) error {
		got = append(got, p.Records...)
		last = p.Next
		return nil
	})
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	return got, last
}

func checkExactlyOnce(t *testing.T, got, want []spp.Record) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range got {
		seen[r.IDExperience]++
	}
	for _, r := range want {
		if seen[r.IDExperience] != 1 {
			t.Fatalf("record %s seen %d times, want once", r.IDExperience, seen[r.IDExperience])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].Cursor().Before(got[i].Cursor()) {
			t.Fatalf("records out of order at %d: %v then %v", i, got[i-1].Cursor(), got[i].Cursor())
		}
	}
}

func TestPullIncremental(t *testing.T) {
	gen := spptest.NewGenerator(1)
	first := gen.Next(250)
	srv := spptest.NewServer(t, first)
	c := newClient(t, srv.URL)

	got, cur := collect(t, c, spp.Cursor{})
	checkExactlyOnce(t, got, first)
	if cur != first[len(first)-1].Cursor() {
		t.Fatalf("cursor = %v, want %v", cur, first[len(first)-1].Cursor())
	}
	// Fields survive the trip, text untouched (cleaning is the reviews package's job).
	if got[0].Titre != first[0].Titre || got[0].Description != first[0].Description || got[0].IntituleTypologie1 != first[0].IntituleTypologie1 {
		t.Fatalf("record 0 = %+v, want %+v", got[0], first[0])
	}
	if len(got[0].Raw) == 0 || !strings.Contains(string(got[0].Raw), `"id_experience":`) {
		t.Fatalf("raw record missing: %s", got[0].Raw)
	}

	// Nothing new: nothing pulled, one call.
	calls := len(srv.Calls())
	again, cur2 := collect(t, c, cur)
	if len(again) != 0 || cur2 != cur || len(srv.Calls()) != calls+1 {
		t.Fatalf("second pull: %d records, cursor %v, %d calls", len(again), cur2, len(srv.Calls())-calls)
	}

	// Records sharing the cursor's date but a later id, and later dates, are picked up; nothing repeated.
	more := gen.Next(30)
	same := more[0]
	same.DateDePublication = cur.Date
	same.IDExperience = "999999"
	more[0] = same
	srv.Append(more...)
	newer, _ := collect(t, c, cur)
	checkExactlyOnce(t, newer, more)
}

func TestPullBeyondWindow(t *testing.T) {
	recs := spptest.NewGenerator(2).Next(spp.Window + 250)
	srv := spptest.NewServer(t, recs)
	c := newClient(t, srv.URL)
	got, _ := collect(t, c, spp.Cursor{})
	checkExactlyOnce(t, got, recs)
	restarts := 0
	for _, call := range srv.Calls() {
		if call.Status != http.StatusOK {
			t.Fatalf("call %d answered %d: %+v", call.N, call.Status, call)
		}
		if call.Offset+call.Limit > spp.Window {
			t.Fatalf("call %d beyond the window: %+v", call.N, call)
		}
		if call.Offset == 0 {
			restarts++
		}
	}
	if restarts != 2 {
		t.Fatalf("%d queries started at offset 0, want 2 (start, then one window move)", restarts)
	}
}

func TestPullScope(t *testing.T) {
	recs := spptest.NewGenerator(3).Next(600)
	srv := spptest.NewServer(t, recs)
	caf := spptest.Organisations[0].Typologie
	prefecture := "Préfecture du Rhône"
	c := newClient(t, srv.URL, caf, prefecture, caf)
	var want []spp.Record
	for _, r := range recs {
		if r.IntituleTypologie1 == caf || r.IntituleStructure1 == prefecture {
			want = append(want, r)
		}
	}
	if len(want) == 0 || len(want) == len(recs) {
		t.Fatalf("scope selects %d of %d records: a useless test", len(want), len(recs))
	}
	got, _ := collect(t, c, spp.Cursor{})
	checkExactlyOnce(t, got, want)
	if !strings.Contains(c.Source(), "Préfecture du Rhône") {
		t.Fatalf("source %q does not name the scope", c.Source())
	}
	// A quote in an organisation's name is escaped, not a syntax error.
	c2 := newClient(t, srv.URL, `Caf "test" \ n`)
	got2, _ := collect(t, c2, spp.Cursor{})
	if len(got2) != 0 {
		t.Fatalf("unknown organisation matched %d records", len(got2))
	}
}

func TestPullFaults(t *testing.T) {
	recs := spptest.NewGenerator(4).Next(1500)
	tests := []struct {
		name   string
		faults spptest.Faults
	}{
		{"500", spptest.Faults{Rate: 0.3, Kinds: []spptest.Fault{spptest.Fault500}, Seed: 1}},
		{"stall", spptest.Faults{Rate: 0.2, Kinds: []spptest.Fault{spptest.FaultStall}, Stall: 2 * time.Second, Seed: 2}},
		{"429", spptest.Faults{Rate: 0.3, Kinds: []spptest.Fault{spptest.Fault429}, Seed: 3}},
		{"garbled", spptest.Faults{Rate: 0.3, Kinds: []spptest.Fault{spptest.FaultGarble}, Seed: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := spptest.NewServer(t, recs)
			f := tt.faults
			f.Calls = map[int]spptest.Fault{2: f.Kinds[0]} // at least one, whatever the dice say
			srv.SetFaults(f)
			c := newClient(t, srv.URL)
			got, _ := collect(t, c, spp.Cursor{})
			checkExactlyOnce(t, got, recs)
			failed := 0
			for _, call := range srv.Calls() {
				if call.Fault != spptest.NoFault {
					failed++
				}
			}
			if failed == 0 {
				t.Fatal("no fault was injected")
			}
		})
	}
}

func TestPullGivesUp(t *testing.T) {
	srv := spptest.NewServer(t, spptest.NewGenerator(5).Next(10))
	srv.SetFaults(spptest.Faults{Rate: 1, Kinds: []spptest.Fault{spptest.Fault500}})
	c, err := spp.New(spp.Options{BaseURL: srv.URL, Backoff: time.Millisecond, MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Pull(context.Background(), spp.Cursor{}, func(spp.Page) error { return nil })
	var e *spp.Error
	if !errors.As(err, &e) || e.Status != 500 || e.Attempts != 4 {
		t.Fatalf("err = %v, want a 500 after 4 attempts", err)
	}
	if n := len(srv.Calls()); n != 4 {
		t.Fatalf("%d calls, want 4", n)
	}
	if !strings.Contains(err.Error(), "500") {
		t.Fatalf("message %q does not name the status", err)
	}
}

func TestRetryAfterTooLong(t *testing.T) {
	srv := spptest.NewServer(t, spptest.NewGenerator(5).Next(10))
	srv.SetFaults(spptest.Faults{Rate: 1, Kinds: []spptest.Fault{spptest.Fault429}, RetryAfter: time.Hour})
	c, err := spp.New(spp.Options{BaseURL: srv.URL, MaxRetryAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Pull(context.Background(), spp.Cursor{}, func(spp.Page) error { return nil })
	var e *spp.Error
	if !errors.As(err, &e) || e.Status != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want the 429", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("waited %s for a Retry-After beyond the limit", time.Since(start))
	}
}

func TestRateLimitHeaders(t *testing.T) {
	recs := spptest.NewGenerator(6).Next(450)
	srv := spptest.NewServer(t, recs)
	srv.SetFaults(spptest.Faults{RateLimit: 3, RateInterval: time.Second})
	c := newClient(t, srv.URL)
	got, _ := collect(t, c, spp.Cursor{})
	checkExactlyOnce(t, got, recs)
	for _, call := range srv.Calls() {
		if call.Status == http.StatusTooManyRequests {
			t.Fatalf("call %d hit the quota: the client ignored X-RateLimit-Remaining", call.N)
		}
	}
}

func TestCallerCancels(t *testing.T) {
	srv := spptest.NewServer(t, spptest.NewGenerator(5).Next(10))
	srv.SetFaults(spptest.Faults{Rate: 1, Kinds: []spptest.Fault{spptest.FaultStall}, Stall: 10 * time.Second})
	c, err := spp.New(spp.Options{BaseURL: srv.URL, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Pull(ctx, spp.Cursor{}, func(spp.Page) error { return nil })
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %s, want a prompt failure", err, time.Since(start))
	}
}

func TestFakeRejectsUnknownSyntax(t *testing.T) {
	srv := spptest.NewServer(t, spptest.NewGenerator(5).Next(10))
	for _, where := range []string{
		"ressenti_inconnu = 1",
		"date_de_publication >> date'2023-01-01'",
		"id_experience > ",
		`intitule_typologie_1 in ("a", "b"`,
		"(id_experience > 3",
		"search(titre, 'x')",
	} {
		u := srv.URL + "/api/explore/v2.1/catalog/datasets/" + spp.DefaultDataset + "/records?where=" + url.QueryEscape(where)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("where %q: status %d, want 400", where, resp.StatusCode)
		}
	}
	for _, where := range []string{
		`intitule_typologie_1 in ("a", "b") and not (id_experience <= 3 or date_de_publication < date'2023-01-01')`,
		`reponse_structure_1 is not null`,
	} {
		u := srv.URL + "/api/explore/v2.1/catalog/datasets/" + spp.DefaultDataset + "/records?where=" + url.QueryEscape(where)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("where %q: status %d, want 200", where, resp.StatusCode)
		}
	}
}

func TestSince(t *testing.T) {
	recs := spptest.NewGenerator(7).Next(120) // 10 days of 12
	srv := spptest.NewServer(t, recs)
	c := newClient(t, srv.URL)
	var got []spp.Record
	if _, err := c.Since(context.Background(), "2023-01-10", func(p spp.Page) error {
		got = append(got, p.Records...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var want []spp.Record
	for _, r := range recs {
		if r.DateDePublication >= "2023-01-10" {
			want = append(want, r)
		}
	}
	checkExactlyOnce(t, got, want)
	if _, err := c.Since(context.Background(), "hier", func(spp.Page) error { return nil }); err == nil {
		t.Fatal("invalid date accepted")
	}
}
