// Package spp reads citizens' experiences from Services Publics+ through its Opendatasoft portal (Explore API v2.1):
// incremental pulls from a stored cursor, paging within the portal's 10,000-record window, bounded retries with
// backoff, and respect for the portal's rate limits.
package spp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/retryafter"
)

// DefaultDataset is the Services Publics+ experiences export on the portal.
const DefaultDataset = "export-expa-c-riences"

// MaxPageSize is the most records the records endpoint returns per call.
const MaxPageSize = 100

// Window is the Opendatasoft cap on offset+limit for one query: beyond it the query itself must move on.
const Window = 10000

// orderBy is the export's total order, which the cursor follows.
const orderBy = "date_de_publication,id_experience"

// Options configures a Client; only BaseURL is required.
type Options struct {
	BaseURL string // SPP_BASE_URL, the portal root, e.g. https://data.economie.gouv.fr
	Dataset string // SPP_DATASET, DefaultDataset when empty
	// Organisations scopes the pull (SPP_ORGANISATIONS): a record is kept when its intitule_typologie_1 or its
	// intitule_structure_1 is one of them. Empty means every organisation.
	Organisations []string
	PageSize      int           // records per call, at most MaxPageSize (the default)
	HTTPClient    *http.Client  // http.DefaultClient's transport when nil
	Timeout       time.Duration // per call, 30 s by default; a stalled portal counts as a failed attempt
	MaxRetries    int           // retries of one call after its first attempt, 6 by default
	Backoff       time.Duration // first retry delay, doubled each time, 500 ms by default
	MaxBackoff    time.Duration // 30 s by default
	// MaxRetryAfter is the longest wait a 429 or an exhausted rate limit may impose before the call fails: 2 min by default.
	MaxRetryAfter time.Duration
	UserAgent     string
	Log           *slog.Logger
}

// Client reads the export of one dataset for one scope; it is safe for concurrent use.
type Client struct {
	opts     Options
	base     *url.URL
	http     *http.Client
	log      *slog.Logger
	mu       sync.Mutex
	notUntil time.Time // the portal's rate limit is exhausted until then
}

// New checks opts and returns a Client.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("spp : adresse du portail invalide %q : URL http(s) absolue attendue", opts.BaseURL)
	}
	if opts.Dataset == "" {
		opts.Dataset = DefaultDataset
	}
	if opts.PageSize <= 0 || opts.PageSize > MaxPageSize {
		opts.PageSize = MaxPageSize
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	} else if opts.MaxRetries == 0 {
		opts.MaxRetries = 6
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 2 * time.Minute
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "plume (+https://github.com/plume-services/plume)"
	}
	var orgs []string
	for _, o := range opts.Organisations {
		if o = strings.TrimSpace(o); o != "" && !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	slices.Sort(orgs)
	opts.Organisations = orgs
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{opts: opts, base: u, http: hc, log: log}, nil
}

// Source names what the client reads (dataset and scope), so each scope keeps its own cursor.
func (c *Client) Source() string {
	s := "spp:" + c.opts.Dataset
	if len(c.opts.Organisations) > 0 {
		s += ":" + strings.Join(c.opts.Organisations, "|")
	}
	return s
}

// Page is one answer of the records endpoint.
type Page struct {
	Records []Record
	// Total is the number of records the query matched, from the cursor the current window started at.
	Total int
	// Next is the position after the page's last record: storing it lets a later pull resume right after.
	Next Cursor
}

// Pull walks every record after from, in the export's order, one page at a time, and calls fn with each page;
// it stops at the end of the export, on the first error of fn, or when the portal fails beyond its retries.
// It returns how many records it passed to fn.
func (c *Client) Pull(ctx context.Context, from Cursor, fn func(Page) error) (int, error) {
	return c.walk(ctx, from, "", fn)
}

// Since walks every record published on or after date (YYYY-MM-DD) like Pull does, to see again recent records
// that changed since they were pulled (a reply published, a record that arrived late).
func (c *Client) Since(ctx context.Context, date string, fn func(Page) error) (int, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return 0, fmt.Errorf("spp : date %q invalide : AAAA-MM-JJ attendu", date)
	}
	return c.walk(ctx, Cursor{}, "date_de_publication >= date'"+date+"'", fn)
}

func (c *Client) walk(ctx context.Context, from Cursor, extra string, fn func(Page) error) (int, error) {
	window, offset, seen := from, 0, 0
	last := from
	for {
		limit := c.opts.PageSize
		if offset+limit > Window {
			// The window is exhausted: restart the query from the last record instead of going further.
			window, offset = last, 0
		}
		res, err := c.fetch(ctx, c.where(window, extra), offset, limit)
		if err != nil {
			return seen, err
		}
		n := len(res.Results)
		// Records already passed (the dataset shifted under the offset) are dropped rather than given twice.
		recs := res.Results[:0]
		for _, r := range res.Results {
			if last.IsZero() || last.Before(r.Cursor()) {
				recs = append(recs, r)
			}
		}
		if len(recs) > 0 {
			last = recs[len(recs)-1].Cursor()
			if err := fn(Page{Records: recs, Total: res.TotalCount, Next: last}); err != nil {
				return seen, err
			}
			seen += len(recs)
		}
		if n < limit {
			return seen, nil
		}
		offset += n
	}
}

// where is the query's filter: the scope, the extra condition, and strictly after the cursor.
func (c *Client) where(after Cursor, extra string) string {
	var parts []string
	if len(c.opts.Organisations) > 0 {
		var or []string
		for _, f := range []string{"intitule_typologie_1", "intitule_structure_1"} {
			for _, o := range c.opts.Organisations {
				or = append(or, f+" = "+quote(o))
			}
		}
		parts = append(parts, "("+strings.Join(or, " or ")+")")
	}
	if extra != "" {
		parts = append(parts, "("+extra+")")
	}
	if !after.IsZero() {
		d := "date'" + strings.ReplaceAll(after.Date, "'", "") + "'"
		id := quote(after.ID)
		if _, err := strconv.ParseInt(after.ID, 10, 64); err == nil {
			id = after.ID
		}
		parts = append(parts, fmt.Sprintf("(date_de_publication > %s or (date_de_publication = %s and id_experience > %s))", d, d, id))
	}
	return strings.Join(parts, " and ")
}

// quote writes an ODSQL string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

type recordsAnswer struct {
	TotalCount int      `json:"total_count"`
	Results    []Record `json:"results"`
}

// Error is a failed call to the portal.
type Error struct {
	Status     int    // HTTP status, 0 when the portal could not be reached
	Code       string // Opendatasoft error_code, when it gave one
	Message    string
	Attempts   int
	retryable  bool
	retryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("spp : ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "le portail a répondu %d", e.Status)
		if e.Code != "" {
			b.WriteString(" (" + e.Code + ")")
		}
		if e.Message != "" {
			b.WriteString(" : " + e.Message)
		}
	} else {
		b.WriteString("portail injoignable : " + e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (après %d tentatives)", e.Attempts)
	}
	return b.String()
}

// fetch runs one records query with retries.
func (c *Client) fetch(ctx context.Context, where string, offset, limit int) (recordsAnswer, error) {
	q := url.Values{}
	if where != "" {
		q.Set("where", where)
	}
	q.Set("order_by", orderBy)
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(offset))
	u := c.base.JoinPath("api/explore/v2.1/catalog/datasets", c.opts.Dataset, "records")
	u.RawQuery = q.Encode()
	for attempt := 1; ; attempt++ {
		if err := c.waitRateLimit(ctx); err != nil {
			return recordsAnswer{}, err
		}
		ans, err := c.once(ctx, u.String())
		if err == nil {
			return ans, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return recordsAnswer{}, err
		}
		e.Attempts = attempt
		if !e.retryable || attempt > c.opts.MaxRetries {
			return recordsAnswer{}, e
		}
		wait := c.backoff(attempt)
		if e.retryAfter > 0 {
			if e.retryAfter > c.opts.MaxRetryAfter {
				e.Message += fmt.Sprintf(" ; le portail demande d'attendre %s", e.retryAfter.Round(time.Second))
				return recordsAnswer{}, e
			}
			wait = e.retryAfter + rand.N(e.retryAfter/10+1)
		}
		c.log.Warn("spp : nouvelle tentative", "tentative", attempt+1, "attente", wait.Round(time.Millisecond), "erreur", e.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return recordsAnswer{}, ctx.Err()
		case <-t.C:
		}
	}
}

// backoff is exponential with jitter, so clients failing together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.Backoff << (attempt - 1)
	if d <= 0 || d > c.opts.MaxBackoff {
		d = c.opts.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) once(ctx context.Context, u string) (recordsAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return recordsAnswer{}, fmt.Errorf("spp : %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return recordsAnswer{}, c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	c.noteRateLimit(resp.Header, time.Now())
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return recordsAnswer{}, c.transportError(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		var ods struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		}
		if json.Unmarshal(body, &ods) == nil {
			e.Code, e.Message = ods.ErrorCode, ods.Message
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			e.retryable = true
			e.retryAfter = retryafter.Parse(resp.Header, time.Now())
			if e.retryAfter == 0 {
				e.retryAfter = c.opts.Backoff
			}
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
			e.retryable = true
		}
		return recordsAnswer{}, e
	}
	var ans recordsAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		// A truncated or garbled body is a transient fault of the portal or the network.
		return recordsAnswer{}, &Error{Status: resp.StatusCode, Message: "réponse illisible : " + err.Error(), retryable: true}
	}
	return ans, nil
}

// transportError classifies a failure to reach the portal: retried, unless the caller itself gave up.
func (c *Client) transportError(ctx context.Context, err error) error {
	if parent := context.Cause(ctx); parent != nil && !errors.Is(parent, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("pas de réponse en %s", c.opts.Timeout)
	}
	return &Error{Message: msg, retryable: true}
}

// noteRateLimit reads X-RateLimit-Remaining and X-RateLimit-Reset: an exhausted quota holds every call until reset.
func (c *Client) noteRateLimit(h http.Header, now time.Time) {
	rem := strings.TrimSpace(h.Get("X-RateLimit-Remaining"))
	if rem == "" {
		return
	}
	n, err := strconv.Atoi(rem)
	if err != nil || n > 0 {
		return
	}
	reset := resetTime(h.Get("X-RateLimit-Reset"), now)
	if reset.IsZero() {
		return
	}
	if reset.Sub(now) > c.opts.MaxRetryAfter {
		reset = now.Add(c.opts.MaxRetryAfter)
	}
	c.mu.Lock()
	if reset.After(c.notUntil) {
		c.notUntil = reset
	}
	c.mu.Unlock()
}

func (c *Client) waitRateLimit(ctx context.Context) error {
	c.mu.Lock()
	until := c.notUntil
	c.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	c.log.Info("spp : quota du portail épuisé, attente", "attente", d.Round(time.Millisecond))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// resetTime reads a rate-limit reset given as a Unix time, a number of seconds from now, or an HTTP date.
func resetTime(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s > 1e9 {
			return time.Unix(0, int64(s*float64(time.Second)))
		}
		return now.Add(time.Duration(s * float64(time.Second)))
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	return time.Time{}
}
