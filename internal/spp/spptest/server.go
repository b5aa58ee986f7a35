// Package spptest is a fake Services Publics+ Opendatasoft portal for tests: real HTTP, the records endpoint with
// the where/order_by/limit/offset subset Plume uses, the 10,000-record window, injected faults (500s, stalls, 429s),
// and a dataset that can change between calls.
package spptest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/testscope"
)

// Fault is a failure the portal can inject into a call.
type Fault int

// The faults a call can suffer.
const (
	NoFault     Fault = iota
	Fault500          // 500 with an Opendatasoft error body
	FaultStall        // no answer for Faults.Stall (longer than the client's timeout)
	Fault429          // 429 Too Many Requests with Retry-After
	FaultGarble       // 200 with a truncated body
)

// String is the fault's French name, the one the test harness's control API reads and writes.
func (f Fault) String() string {
	return [...]string{"aucune", "500", "blocage", "429", "réponse tronquée"}[f]
}

// Faults configures how the portal misbehaves: each records call fails with probability Rate, with one of
// Kinds; the calls numbered in Calls fail whatever the dice say; a positive RateLimit is a quota of calls per
// RateInterval, announced in X-RateLimit-* headers and answered 429 once spent.
type Faults struct {
	Rate         float64
	Kinds        []Fault
	Calls        map[int]Fault // the nth records call (counting from 1 since the server started) fails with this
	Stall        time.Duration // how long a stalled call hangs (until the client gives up), 5 s by default
	RetryAfter   time.Duration // the Retry-After of a 429, whole seconds on the wire ("0" means retry now), 0 by default
	Seed         uint64
	RateLimit    int
	RateInterval time.Duration
}

// Call is one records call as the portal received it.
type Call struct {
	N              int
	Where, OrderBy string
	Limit, Offset  int
	Status         int
	Fault          Fault
	Returned       int
}

// Server is the fake portal.
type Server struct {
	URL     string
	Dataset string

	srv     *httptest.Server
	mu      sync.Mutex
	records []spp.Record // kept in the export's order
	faults  Faults
	rng     *rand.Rand
	calls   []Call
	// The quota's current window: calls made in it and when it ends.
	rateUsed  int
	rateReset time.Time
}

// NewServer starts a portal serving records under spp.DefaultDataset, stopped when tb ends.
func NewServer(tb testscope.TB, records []spp.Record) *Server {
	tb.Helper()
	s := &Server{Dataset: spp.DefaultDataset, rng: rand.New(rand.NewPCG(1, 2))}
	s.Append(records...)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing stalled calls.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetFaults replaces the faults; the quota, if any, starts a new window.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Stall <= 0 {
		f.Stall = 5 * time.Second
	}
	s.faults = f
	s.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x5151))
	s.rateUsed, s.rateReset = 0, time.Now().Add(f.RateInterval)
}

// Append adds records to the dataset, as the portal does when citizens post; a record whose id_experience is
// already there replaces it, as when the organisation publishes its reply on Services Publics+.
func (s *Server) Append(recs ...spp.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		r.Raw = nil // the server writes records from their fields, which may change
		if i := slices.IndexFunc(s.records, func(old spp.Record) bool { return old.IDExperience == r.IDExperience }); i >= 0 {
			s.records[i] = r
			continue
		}
		s.records = append(s.records, r)
	}
	slices.SortStableFunc(s.records, func(a, b spp.Record) int {
		switch {
		case a.Cursor().Before(b.Cursor()):
			return -1
		case b.Cursor().Before(a.Cursor()):
			return 1
		}
		return 0
	})
}

// Calls returns every records call received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/api/explore/v2.1/catalog/datasets/"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	dataset, tail, _ := strings.Cut(rest, "/")
	if !ok || tail != "records" || r.Method != http.MethodGet {
		odsError(w, http.StatusNotFound, "NotFound", "unknown endpoint")
		return
	}
	if dataset != s.Dataset {
		odsError(w, http.StatusNotFound, "DatasetNotFound", fmt.Sprintf("dataset %q not found", dataset))
		return
	}
	q := r.URL.Query()
	call := Call{Where: q.Get("where"), OrderBy: q.Get("order_by")}
	call.Limit, _ = intParam(q.Get("limit"), 10)
	call.Offset, _ = intParam(q.Get("offset"), 0)

	s.mu.Lock()
	call.N = len(s.calls) + 1
	fault := s.faults.Calls[call.N]
	if fault == NoFault && s.faults.Rate > 0 && len(s.faults.Kinds) > 0 && s.rng.Float64() < s.faults.Rate {
		fault = s.faults.Kinds[s.rng.IntN(len(s.faults.Kinds))]
	}
	faults := s.faults
	limited := false
	if limit := s.faults.RateLimit; limit > 0 {
		now := time.Now()
		if now.After(s.rateReset) {
			s.rateUsed, s.rateReset = 0, now.Add(s.faults.RateInterval)
		}
		s.rateUsed++
		limited = s.rateUsed > limit
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-s.rateUsed, 0)))
		// Whole seconds, rounded up so that a client waiting until then finds the quota renewed.
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.rateReset.Add(time.Second-1).Unix(), 10))
	}
	call.Fault = fault
	s.calls = append(s.calls, call)
	idx := len(s.calls) - 1
	s.mu.Unlock()

	status := s.answer(w, r, call, fault, faults, limited)
	s.mu.Lock()
	s.calls[idx].Status = status.code
	s.calls[idx].Returned = status.n
	s.mu.Unlock()
}

type outcome struct{ code, n int }

func (s *Server) answer(w http.ResponseWriter, r *http.Request, call Call, fault Fault, faults Faults, limited bool) outcome {
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(int(faults.RetryAfter/time.Second)))
		odsError(w, http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded")
		return outcome{code: http.StatusTooManyRequests}
	}
	switch fault {
	case Fault500:
		odsError(w, http.StatusInternalServerError, "InternalServerError", "internal error")
		return outcome{code: http.StatusInternalServerError}
	case Fault429:
		w.Header().Set("Retry-After", strconv.Itoa(int(faults.RetryAfter/time.Second)))
		odsError(w, http.StatusTooManyRequests, "TooManyRequests", "too many requests, retry later")
		return outcome{code: http.StatusTooManyRequests}
	case FaultStall:
		t := time.NewTimer(faults.Stall)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		odsError(w, http.StatusGatewayTimeout, "Timeout", "stalled")
		return outcome{code: http.StatusGatewayTimeout}
	}

	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 10)
	if err != nil || limit < 0 || limit > spp.MaxPageSize {
		odsError(w, http.StatusBadRequest, "InvalidRESTParameterError", fmt.Sprintf("Invalid value for limit: must be between 0 and %d", spp.MaxPageSize))
		return outcome{code: http.StatusBadRequest}
	}
	offset, err := intParam(q.Get("offset"), 0)
	if err != nil || offset < 0 {
		odsError(w, http.StatusBadRequest, "InvalidRESTParameterError", "Invalid value for offset")
		return outcome{code: http.StatusBadRequest}
	}
	if offset+limit > spp.Window {
		odsError(w, http.StatusBadRequest, "InvalidRESTParameterError",
			fmt.Sprintf("Invalid value for limit and offset: the sum must be lower or equal to %d", spp.Window))
		return outcome{code: http.StatusBadRequest}
	}
	desc, err := parseOrder(call.OrderBy)
	if err != nil {
		odsError(w, http.StatusBadRequest, "ODSQLError", err.Error())
		return outcome{code: http.StatusBadRequest}
	}
	pred, err := parseWhere(call.Where)
	if err != nil {
		odsError(w, http.StatusBadRequest, "ODSQLError", "where : "+err.Error())
		return outcome{code: http.StatusBadRequest}
	}

	s.mu.Lock()
	var match []int
	for i := range s.records {
		if pred(&s.records[i]) {
			match = append(match, i)
		}
	}
	if desc {
		slices.Reverse(match)
	}
	total := len(match)
	page := make([]map[string]any, 0, limit)
	for _, i := range match[min(offset, total):min(offset+limit, total)] {
		page = append(page, wire(&s.records[i]))
	}
	s.mu.Unlock()
	body, _ := json.Marshal(map[string]any{"total_count": total, "results": page})
	if fault == FaultGarble {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
	return outcome{code: http.StatusOK, n: len(page)}
}

// wire writes a record as the portal does: id_experience an integer, missing values null.
func wire(r *spp.Record) map[string]any {
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	id, err := strconv.ParseInt(r.IDExperience, 10, 64)
	var idv any = r.IDExperience
	if err == nil {
		idv = id
	}
	return map[string]any{
		"id_experience":              idv,
		"titre":                      nullable(r.Titre),
		"description":                nullable(r.Description),
		"ressenti_usager":            nullable(r.RessentiUsager),
		"intitule_structure_1":       nullable(r.IntituleStructure1),
		"intitule_structure_2":       nullable(r.IntituleStructure2),
		"intitule_structure_3":       nullable(r.IntituleStructure3),
		"intitule_typologie_1":       nullable(r.IntituleTypologie1),
		"intitule_typologie_2":       nullable(r.IntituleTypologie2),
		"intitule_typologie_3":       nullable(r.IntituleTypologie3),
		"date_de_publication":        nullable(r.DateDePublication),
		"ecrit_le":                   nullable(r.EcritLe),
		"pseudonyme_usager":          nullable(r.PseudonymeUsager),
		"reponse_structure_1":        nullable(r.ReponseStructure1),
		"statut_reponse_structure_1": nullable(r.StatutReponseStructure1),
	}
}

// parseOrder accepts the export's order, ascending or descending: the only one Plume asks for.
func parseOrder(s string) (desc bool, err error) {
	if s == "" {
		return false, nil
	}
	var dirs []string
	for i, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		want := []string{"date_de_publication", "id_experience"}
		if i >= len(want) || len(f) == 0 || len(f) > 2 || f[0] != want[i] {
			return false, fmt.Errorf("order_by non pris en charge : %q", s)
		}
		dir := "asc"
		if len(f) == 2 {
			dir = strings.ToLower(f[1])
			if dir != "asc" && dir != "desc" {
				return false, fmt.Errorf("order_by : sens inconnu %q", f[1])
			}
		}
		dirs = append(dirs, dir)
	}
	for _, d := range dirs[1:] {
		if d != dirs[0] {
			return false, fmt.Errorf("order_by : sens mélangés non pris en charge")
		}
	}
	return dirs[0] == "desc", nil
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

func odsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error_code": code, "message": msg})
}
