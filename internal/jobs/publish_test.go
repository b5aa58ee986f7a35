package jobs_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
)

const secret = "0123456789abcdef0123456789abcdef-secret"

// approvedReview stores a review in review with an agent's draft, ready to publish.
func approvedReview(t *testing.T, st *store.Store, ext string) (store.Review, store.Draft) {
	t.Helper()
	ctx := context.Background()
	id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: ext, Body: "Mon allocation n'est pas versée.", Organisation: "CAF"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, Text: "Bonjour, votre allocation sera versée le 5.", CreatedBy: "agent@caf.fr"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []store.ReviewStatus{store.StatusDraftReady, store.StatusInReview} {
		if _, err := st.SetReviewStatus(ctx, id, store.StatusChange{To: s}); err != nil {
			t.Fatal(err)
		}
	}
	rv, err := st.GetReview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return rv, d
}

func TestWebhookPublish(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	ctx := context.Background()
	rv, d := approvedReview(t, st, "9001")

	var mu sync.Mutex
	calls := 0
	var bodies [][]byte
	release := make(chan struct{})
	acking := make(chan struct{}, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if r.Header.Get("X-Plume-Signature") != want {
			t.Errorf("signature %q, want %q", r.Header.Get("X-Plume-Signature"), want)
		}
		var got struct {
			ReviewID   int64  `json:"review_id"`
			ExternalID string `json:"external_id"`
			Text       string `json:"text"`
			ApprovedBy string `json:"approved_by"`
			SentAt     int64  `json:"sent_at"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body: %v", err)
		}
		if strconv.FormatInt(got.SentAt, 10) != r.Header.Get("X-Plume-Timestamp") {
			t.Errorf("timestamp header %q, body %d", r.Header.Get("X-Plume-Timestamp"), got.SentAt)
		}
		mu.Lock()
		calls++
		n := calls
		bodies = append(bodies, body)
		mu.Unlock()
		if n <= 2 {
			http.Error(w, "indisponible", http.StatusInternalServerError)
			return
		}
		acking <- struct{}{}
		<-release // the review must not be publie before this answer
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"ack-` + got.ExternalID + `"}`))
	}))
	defer recv.Close()

	pub, err := jobs.NewWebhookPublisher(jobs.WebhookOptions{URL: recv.URL, Secret: secret, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, st, jobs.Options{Publisher: pub})
	if err := r.EnqueuePublish(ctx, rv.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r)
	select {
	case <-acking:
	case <-time.After(15 * time.Second):
		t.Fatal("the receiver never got a third call")
	}
	now, _ := st.GetReview(ctx, rv.ID)
	if now.Status == store.StatusPublished {
		t.Fatal("review publie before the acknowledgement")
	}
	open, err := st.ListOpenPublications(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	type pending struct {
		Status  store.PublicationStatus
		Says500 bool
	}
	var got []pending
	for _, p := range open {
		got = append(got, pending{p.Status, strings.Contains(p.LastError, "500")})
	}
	if diff := cmp.Diff([]pending{{store.PublicationFailed, true}}, got); diff != "" {
		t.Fatalf("open publications before ack, the receiver's 500 in the error (-want +got):\n%s", diff)
	}
	close(release)
	waitFor(t, 10*time.Second, "publication", func() (bool, error) {
		p, err := st.PublicationFor(ctx, rv.ID, d.ID)
		return p.Status == store.PublicationDone, err
	})
	now, _ = st.GetReview(ctx, rv.ID)
	if now.Status != store.StatusPublished || now.PublishedReply != d.Text {
		t.Fatalf("review %s with reply %q, want publie with the draft's text", now.Status, now.PublishedReply)
	}
	p, _ := st.PublicationFor(ctx, rv.ID, d.ID)
	if p.Ack != "ack-9001" || p.Attempts != 3 {
		t.Fatalf("publication %+v", p)
	}
	atts, _ := st.PublicationAttempts(ctx, rv.ID)
	if len(atts) != 3 || atts[0].Status != store.PublicationFailed || atts[2].Status != store.PublicationDone {
		t.Fatalf("attempts %+v", atts)
	}
	if open, _ := st.ListOpenPublications(ctx, 0); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
	// A receiver checks the signature with the standard HMAC-SHA256 of the body, whatever language it is written in.
	verify := func(key string, body []byte, signature string) bool {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(body)
		return hmac.Equal([]byte("sha256="+hex.EncodeToString(m.Sum(nil))), []byte(signature))
	}
	signed := jobs.Sign(secret, bodies[0])
	if diff := cmp.Diff([2]bool{true, false}, [2]bool{verify(secret, bodies[0], signed), verify("another secret of 32 characters!!", bodies[0], signed)}); diff != "" {
		t.Fatalf("a receiver's HMAC check of Sign, with the right secret then another (-want +got):\n%s", diff)
	}
}

func TestWebhookOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []jobs.WebhookOptions{
		{URL: "ftp://x", Secret: secret},
		{URL: "http://x", Secret: "court"},
	} {
		if _, err := jobs.NewWebhookPublisher(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestExportPublisher(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "exports", "reponses.jsonl")
	p, err := jobs.NewExportPublisher(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	replies := []jobs.Reply{
		{ReviewID: 1, DraftID: 10, ExternalID: "100", Source: "servicespublicsplus", Organisation: "CAF", Text: "Bonjour,\nréponse « une ».", ApprovedBy: "a", ApprovedAt: time.Now()},
		{ReviewID: 2, DraftID: 20, ExternalID: "200", Text: "Réponse deux"},
		{ReviewID: 1, DraftID: 11, ExternalID: "100", Text: "Doublon : le même avis"},
	}
	for _, r := range replies {
		if _, err := p.Publish(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// A line torn by a crash is closed before the next one.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(`{"review_id":3,"te`)
	f.Close()
	ack, err := p.Publish(ctx, jobs.Reply{ReviewID: 4, DraftID: 40, Text: "quatre"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(ack.Receipt, ":4") {
		t.Fatalf("receipt %q, want line 4", ack.Receipt)
	}
	f, _ = os.Open(path)
	defer f.Close()
	var ids []int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l struct {
			ReviewID int64  `json:"review_id"`
			Text     string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			if strings.HasPrefix(sc.Text(), `{"review_id":3`) {
				continue
			}
			t.Fatalf("invalid line %q: %v", sc.Text(), err)
		}
		ids = append(ids, l.ReviewID)
	}
	if diff := cmp.Diff([]int64{1, 2, 4}, ids); diff != "" {
		t.Fatalf("review ids in the file (-want +got):\n%s", diff)
	}
}

// TestExportPublishJob goes through the job: the export file gets the reply once and the review becomes publie.
func TestExportPublishJob(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	ctx := context.Background()
	rv, d := approvedReview(t, st, "77")
	path := filepath.Join(t.TempDir(), "reponses.jsonl")
	pub, err := jobs.NewExportPublisher(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, st, jobs.Options{Publisher: pub})
	for range 2 {
		if err := r.EnqueuePublish(ctx, rv.ID, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r)
	waitFor(t, 10*time.Second, "publication", func() (bool, error) {
		p, err := st.PublicationFor(ctx, rv.ID, d.ID)
		return p.Status == store.PublicationDone, err
	})
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != 1 || !strings.Contains(string(b), `"external_id":"77"`) {
		t.Fatalf("export file:\n%s", b)
	}
	now, _ := st.GetReview(ctx, rv.ID)
	if now.Status != store.StatusPublished {
		t.Fatalf("status %s", now.Status)
	}
}
