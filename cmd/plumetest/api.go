package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/auth/oidctest"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/spp/spptest"
)

// harness holds the open scenarios.
type harness struct {
	log       *slog.Logger
	mu        sync.Mutex
	n         int
	scenarios map[string]*scenario
}

func newHarness(log *slog.Logger) *harness {
	return &harness{log: log, scenarios: map[string]*scenario{}}
}

// routes lists the control API: each route is what a test does to its world (tests/browser/run.mjs).
func (h *harness) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /scenarios", h.openScenario)
	mux.HandleFunc("DELETE /scenarios/{id}", h.closeScenario)
	mux.HandleFunc("PUT /scenarios/{id}/model", h.with(setModel))
	mux.HandleFunc("POST /scenarios/{id}/model/replies", h.with(queueReplies))
	mux.HandleFunc("GET /scenarios/{id}/model/requests", h.with(modelRequests))
	mux.HandleFunc("POST /scenarios/{id}/portal/records", h.with(addRecords))
	mux.HandleFunc("PUT /scenarios/{id}/portal/faults", h.with(setFaults))
	mux.HandleFunc("GET /scenarios/{id}/portal/calls", h.with(portalCalls))
	mux.HandleFunc("POST /scenarios/{id}/oidc/logins", h.with(queueLogin))
	return mux
}

// scenarioJSON tells a test where its world is: the URLs and secrets to configure `plume serve` with.
type scenarioJSON struct {
	ID            string `json:"id"`
	DatabaseURL   string `json:"database_url"`
	ModelURL      string `json:"model_url"`
	PortalURL     string `json:"portal_url"`
	PortalDataset string `json:"portal_dataset"`
	OIDCIssuer    string `json:"oidc_issuer"`
	OIDCClientID  string `json:"oidc_client_id"`
	OIDCSecret    string `json:"oidc_client_secret"`
}

func (h *harness) openScenario(w http.ResponseWriter, r *http.Request) {
	var o scenarioOptions
	if !decode(w, r, &o) {
		return
	}
	h.mu.Lock()
	h.n++
	n := h.n
	h.mu.Unlock()
	sc := &scope{name: strconv.Itoa(n), log: h.log}
	start := time.Now()
	s, err := func() (s *scenario, err error) {
		defer func() {
			if v := recover(); v != nil {
				f, ok := v.(fatal)
				if !ok {
					panic(v)
				}
				err = f.err
			}
		}()
		return newScenario(sc, n, o), nil
	}()
	if err != nil {
		sc.close()
		writeError(w, http.StatusInternalServerError, "préparation du scénario : %v", err)
		return
	}
	h.mu.Lock()
	h.scenarios[s.id] = s
	h.mu.Unlock()
	h.log.Info("scénario ouvert", "scénario", s.id, "durée", time.Since(start).Round(time.Millisecond))
	reply(w, http.StatusCreated, scenarioJSON{ID: s.id, DatabaseURL: s.dbURL, ModelURL: s.model.URL,
		PortalURL: s.portal.URL, PortalDataset: s.portal.Dataset,
		OIDCIssuer: s.oidc.URL, OIDCClientID: s.oidc.ClientID, OIDCSecret: s.oidc.ClientSecret})
}

func (h *harness) closeScenario(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	s := h.scenarios[r.PathValue("id")]
	delete(h.scenarios, r.PathValue("id"))
	h.mu.Unlock()
	if s == nil {
		writeError(w, http.StatusNotFound, "scénario inconnu : %s", r.PathValue("id"))
		return
	}
	s.scope.close()
	reply(w, http.StatusNoContent, nil)
}

// closeAll closes the scenarios a test left open, so that no database outlives the harness.
func (h *harness) closeAll() {
	h.mu.Lock()
	open := h.scenarios
	h.scenarios = map[string]*scenario{}
	h.mu.Unlock()
	for _, s := range open {
		s.scope.close()
	}
}

// with finds the scenario a route names and hands it to f.
func (h *harness) with(f func(*scenario, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		s := h.scenarios[r.PathValue("id")]
		h.mu.Unlock()
		if s == nil {
			writeError(w, http.StatusNotFound, "scénario inconnu : %s", r.PathValue("id"))
			return
		}
		f(s, w, r)
	}
}

// replyJSON is a scripted answer of the model: a text streamed word by word, or an HTTP error.
type replyJSON struct {
	Text         string `json:"text"`
	Status       int    `json:"status"`         // an HTTP error status (503, 429…) instead of an answer
	RetryAfter   string `json:"retry_after"`    // with Status
	ChunkDelayMS int    `json:"chunk_delay_ms"` // the pause before each streamed word, so that a page shows it growing
}

func (r replyJSON) script() llmtest.Reply {
	return llmtest.Reply{Text: r.Text, Status: r.Status, RetryAfter: r.RetryAfter,
		ChunkDelay: time.Duration(r.ChunkDelayMS) * time.Millisecond}
}

func setModel(s *scenario, w http.ResponseWriter, r *http.Request) {
	var rep replyJSON
	if !decode(w, r, &rep) {
		return
	}
	s.setModel(rep.script())
	reply(w, http.StatusNoContent, nil)
}

func queueReplies(s *scenario, w http.ResponseWriter, r *http.Request) {
	var reps []replyJSON
	if !decode(w, r, &reps) {
		return
	}
	for _, rep := range reps {
		s.model.Push(rep.script())
	}
	reply(w, http.StatusNoContent, nil)
}

// requestJSON is one request the model received: Text is every message and input, what left Plume.
type requestJSON struct {
	Path   string `json:"path"`
	Model  string `json:"model"`
	Stream bool   `json:"stream"`
	Text   string `json:"text"`
}

func modelRequests(s *scenario, w http.ResponseWriter, r *http.Request) {
	out := []requestJSON{}
	for _, q := range s.model.Requests() {
		out = append(out, requestJSON{Path: q.Path, Model: q.Model, Stream: q.Stream, Text: q.Text()})
	}
	reply(w, http.StatusOK, out)
}

// recordsJSON adds records to the portal: Generate more from the scenario's generator, and Records as given
// (the export's field names).
type recordsJSON struct {
	Generate int          `json:"generate"`
	Records  []spp.Record `json:"records"`
}

func addRecords(s *scenario, w http.ResponseWriter, r *http.Request) {
	var in recordsJSON
	if !decode(w, r, &in) {
		return
	}
	recs := append(s.gen.Next(in.Generate), in.Records...)
	s.portal.Append(recs...)
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.IDExperience
	}
	reply(w, http.StatusCreated, map[string][]string{"ids": ids})
}

// faultsJSON is how the portal misbehaves; faults are named as spptest.Fault.String names them ("500",
// "blocage", "429", "réponse tronquée").
type faultsJSON struct {
	Rate  float64           `json:"rate"`
	Kinds []string          `json:"kinds"`
	Calls map[string]string `json:"calls"` // records call number, from 1 → fault
	Seed  uint64            `json:"seed"`
}

func setFaults(s *scenario, w http.ResponseWriter, r *http.Request) {
	var in faultsJSON
	if !decode(w, r, &in) {
		return
	}
	f := spptest.Faults{Rate: in.Rate, Seed: in.Seed, Calls: map[int]spptest.Fault{}}
	for _, k := range in.Kinds {
		kind, err := parseFault(k)
		if err != nil {
			writeError(w, http.StatusBadRequest, "%v", err)
			return
		}
		f.Kinds = append(f.Kinds, kind)
	}
	for n, k := range in.Calls {
		call, err := strconv.Atoi(n)
		if err != nil || call < 1 {
			writeError(w, http.StatusBadRequest, "numéro d'appel invalide : %q", n)
			return
		}
		if f.Calls[call], err = parseFault(k); err != nil {
			writeError(w, http.StatusBadRequest, "%v", err)
			return
		}
	}
	s.portal.SetFaults(f)
	reply(w, http.StatusNoContent, nil)
}

func parseFault(name string) (spptest.Fault, error) {
	for f := spptest.NoFault; f <= spptest.FaultGarble; f++ {
		if f.String() == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("panne inconnue : %q", name)
}

// callJSON is one records call the portal received.
type callJSON struct {
	N        int    `json:"n"`
	Where    string `json:"where"`
	OrderBy  string `json:"order_by"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
	Status   int    `json:"status"`
	Fault    string `json:"fault"`
	Returned int    `json:"returned"`
}

func portalCalls(s *scenario, w http.ResponseWriter, r *http.Request) {
	out := []callJSON{}
	for _, c := range s.portal.Calls() {
		out = append(out, callJSON{N: c.N, Where: c.Where, OrderBy: c.OrderBy, Limit: c.Limit, Offset: c.Offset,
			Status: c.Status, Fault: c.Fault.String(), Returned: c.Returned})
	}
	reply(w, http.StatusOK, out)
}

// loginJSON is the identity the next browser sent to the provider signs in as.
type loginJSON struct {
	Subject string         `json:"subject"`
	Claims  map[string]any `json:"claims"` // email, name, the organisation and role claims…
}

func queueLogin(s *scenario, w http.ResponseWriter, r *http.Request) {
	var in loginJSON
	if !decode(w, r, &in) {
		return
	}
	if in.Subject == "" {
		writeError(w, http.StatusBadRequest, "subject manquant")
		return
	}
	s.oidc.SignInAs(oidctest.Grant{Subject: in.Subject, Claims: in.Claims})
	reply(w, http.StatusNoContent, nil)
}

// decode reads a JSON body into v, answering 400 when it cannot; an empty body leaves v as it is.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "corps JSON invalide : %v", err)
		return false
	}
	return true
}

// reply answers every control request: status, and v in JSON unless it is nil.
func reply(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	reply(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}
