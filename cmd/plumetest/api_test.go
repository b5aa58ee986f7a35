package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestControlAPI drives the harness as the browser test does: a scenario opens with its database and fakes, each
// control route changes or reads them, and closing it drops the database.
func TestControlAPI(t *testing.T) {
	h := newHarness(slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h.routes())
	t.Cleanup(func() { srv.Close(); h.closeAll() })
	call := func(method, path string, body any, want int) []byte {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, out, want)
		}
		return out
	}

	var sc scenarioJSON
	if err := json.Unmarshal(call("POST", "/scenarios", scenarioOptions{PortalSeed: 3, PortalRecords: 2}, http.StatusCreated), &sc); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, sc.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	var fiches int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM corpus_documents").Scan(&fiches)
	conn.Close(ctx)
	if err != nil || fiches != 62 {
		t.Errorf("the scenario's database holds %d fiches (%v), want the sample corpus's 62", fiches, err)
	}
	at := "/scenarios/" + sc.ID

	// The model: the default answer, a queued one first, and the requests recorded with the text that left.
	call("PUT", at+"/model", replyJSON{Text: "Réponse par défaut."}, http.StatusNoContent)
	call("POST", at+"/model/replies", []replyJSON{{Text: "Réponse en file."}}, http.StatusNoContent)
	var answers []string
	for _, q := range []string{"première question", "seconde question"} {
		res, err := http.Post(sc.ModelURL+"/chat/completions", "application/json",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"`+q+`"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Choices []struct{ Message struct{ Content string } }
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if len(out.Choices) == 1 {
			answers = append(answers, out.Choices[0].Message.Content)
		}
	}
	if diff := cmp.Diff([]string{"Réponse en file.", "Réponse par défaut."}, answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	var reqs []requestJSON
	_ = json.Unmarshal(call("GET", at+"/model/requests", nil, http.StatusOK), &reqs)
	want := []requestJSON{{Path: "/v1/chat/completions", Model: "m", Text: "première question\n"}, {Path: "/v1/chat/completions", Model: "m", Text: "seconde question\n"}}
	if diff := cmp.Diff(want, reqs); diff != "" {
		t.Errorf("recorded requests (-want +got):\n%s", diff)
	}

	// The portal: records added, the first call failed as asked, the calls listed.
	var added struct{ IDs []string }
	_ = json.Unmarshal(call("POST", at+"/portal/records", recordsJSON{Generate: 1}, http.StatusCreated), &added)
	if len(added.IDs) != 1 {
		t.Errorf("added %v, want one generated record", added.IDs)
	}
	call("PUT", at+"/portal/faults", faultsJSON{Kinds: []string{"panne"}}, http.StatusBadRequest)
	call("PUT", at+"/portal/faults", faultsJSON{Calls: map[string]string{"1": "500"}}, http.StatusNoContent)
	records := sc.PortalURL + "/api/explore/v2.1/catalog/datasets/" + sc.PortalDataset + "/records?limit=10"
	var statuses []int
	for range 2 {
		res, err := http.Get(records)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
	}
	var calls []callJSON
	_ = json.Unmarshal(call("GET", at+"/portal/calls", nil, http.StatusOK), &calls)
	wantCalls := []callJSON{{N: 1, Limit: 10, Status: 500, Fault: "500"}, {N: 2, Limit: 10, Status: 200, Fault: "aucune", Returned: 3}}
	if diff := cmp.Diff(wantCalls, calls); diff != "" || statuses[0] != 500 || statuses[1] != 200 {
		t.Errorf("statuses %v; portal calls (-want +got):\n%s", statuses, diff)
	}

	// The provider: a queued identity signs the next browser in, with a code for the client's redirect.
	call("POST", at+"/oidc/logins", loginJSON{Subject: "agent-1", Claims: map[string]any{"email": "a@caf.test"}}, http.StatusNoContent)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, wantParam := range []string{"code", "error"} { // the second finds nothing queued: access_denied
		res, err := noRedirect.Get(sc.OIDCIssuer + "/authorize?response_type=code&client_id=" + sc.OIDCClientID +
			"&redirect_uri=" + url.QueryEscape("http://plume.test/auth/callback") + "&state=s&nonce=n")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || loc.Query().Get(wantParam) == "" || loc.Query().Get("state") != "s" {
			t.Errorf("authorize = %d to %q, want a redirect with %s and the state", res.StatusCode, loc, wantParam)
		}
	}

	call("DELETE", at, nil, http.StatusNoContent)
	call("PUT", at+"/model", replyJSON{}, http.StatusNotFound)
	if conn, err := pgx.Connect(ctx, sc.DatabaseURL); err == nil {
		conn.Close(ctx)
		t.Error("the scenario's database outlived it")
	}
}
