package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook headers: the signature covers the body, which carries the timestamp too (sent_at), so a receiver that
// checks both refuses replays.
const (
	HeaderSignature = "X-Plume-Signature" // "sha256=" + hex(HMAC-SHA256(secret, body))
	HeaderTimestamp = "X-Plume-Timestamp" // Unix seconds, equal to the body's sent_at
	HeaderDelivery  = "X-Plume-Delivery"  // "<review_id>-<draft_id>": the same for every retry, to deduplicate
)

// WebhookOptions configures a WebhookPublisher.
type WebhookOptions struct {
	URL        string // PUBLISH_WEBHOOK_URL
	Secret     string // PUBLISH_WEBHOOK_SECRET, at least 32 characters
	HTTPClient *http.Client
	Timeout    time.Duration // per call, 15 s by default
	// Tries is how many calls one Publish makes before failing (River then retries the job later); 3 by default.
	Tries   int
	Backoff time.Duration // between those calls, doubled each time, 1 s by default
}

// WebhookPublisher POSTs each reply as signed JSON to a receiver, which acknowledges it with any 2xx.
type WebhookPublisher struct {
	opts WebhookOptions
	http *http.Client
}

// NewWebhookPublisher checks opts and returns a publisher.
func NewWebhookPublisher(opts WebhookOptions) (*WebhookPublisher, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("publication : PUBLISH_WEBHOOK_URL=%q invalide : URL http(s) absolue attendue", opts.URL)
	}
	if len(opts.Secret) < 32 {
		return nil, errors.New("publication : PUBLISH_WEBHOOK_SECRET doit compter au moins 32 caractères")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.Tries <= 0 {
		opts.Tries = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &WebhookPublisher{opts: opts, http: hc}, nil
}

// webhookBody is what the receiver gets.
type webhookBody struct {
	Event string `json:"event"` // "reply.approved"
	Reply
	SentAt int64 `json:"sent_at"`
}

// Sign returns the X-Plume-Signature value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Publish sends r until the receiver answers 2xx, at most Tries times.
func (p *WebhookPublisher) Publish(ctx context.Context, r Reply) (Ack, error) {
	var last error
	for try := 1; try <= p.opts.Tries; try++ {
		ack, err, retry := p.once(ctx, r)
		if err == nil {
			return ack, nil
		}
		last = err
		if !retry || try == p.opts.Tries {
			break
		}
		d := p.opts.Backoff << (try - 1)
		t := time.NewTimer(d/2 + rand.N(d/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return Ack{}, errors.Join(last, ctx.Err())
		case <-t.C:
		}
	}
	return Ack{}, last
}

func (p *WebhookPublisher) once(ctx context.Context, r Reply) (Ack, error, bool) {
	now := time.Now()
	body, err := json.Marshal(webhookBody{Event: "reply.approved", Reply: r, SentAt: now.Unix()})
	if err != nil {
		return Ack{}, fmt.Errorf("publication : %w", err), false
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.opts.URL, bytes.NewReader(body))
	if err != nil {
		return Ack{}, fmt.Errorf("publication : %w", err), false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "plume-webhook")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(p.opts.Secret, body))
	req.Header.Set(HeaderDelivery, fmt.Sprintf("%d-%d", r.ReviewID, r.DraftID))
	resp, err := p.http.Do(req)
	if err != nil {
		return Ack{}, fmt.Errorf("publication : destinataire injoignable : %w", err), true
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	text := strings.TrimSpace(string(b))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		return Ack{}, fmt.Errorf("publication : le destinataire a répondu %d : %s", resp.StatusCode, text), true
	}
	receipt := resp.Status
	var j struct {
		ID      string `json:"id"`
		Receipt string `json:"receipt"`
	}
	if json.Unmarshal(b, &j) == nil && (j.ID != "" || j.Receipt != "") {
		receipt = j.ID + j.Receipt
	}
	return Ack{Receipt: receipt, At: time.Now()}, nil, false
}
