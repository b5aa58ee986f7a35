package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestMain lets a test start this binary as the real plume command (PLUME_TEST_MAIN=1): a worker process that a
// test can kill.
func TestMain(m *testing.M) {
	if os.Getenv("PLUME_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// startPlume starts `plume args…` in a child process with env added to the test's environment.
func startPlume(t *testing.T, env map[string]string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PLUME_TEST_MAIN=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

// TestKilledWorkerDraftsRescued kills a real worker process (SIGKILL) while it drafts, then checks that another
// worker drafts every review, the stranded ones included, once each, rescued by Plume's rescuer (whose note
// the rescued jobs carry) rather than by River's hour-long one.
func TestKilledWorkerDraftsRescued(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewDB(t)
	dbURL := storetest.URL(st)
	if err := jobs.Migrate(ctx, st.Pool); err != nil {
		t.Fatal(err)
	}
	queue, err := jobs.New(st, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	for i := range n {
		if _, _, err := reviews.Save(ctx, st, queue, reviews.ReviewInput{ExternalID: fmt.Sprintf("kill-%d", i),
			Title: "Dossier", Body: fmt.Sprintf("Mon dossier de prime d'activité numéro %d est bloqué depuis deux mois.", i),
			Organisation: "CAF"}); err != nil {
			t.Fatal(err)
		}
	}

	// The model hangs until the first worker is killed, then answers at once.
	model := llmtest.New(t)
	var answering atomic.Bool
	model.Handle(func(llmtest.Request) llmtest.Reply {
		if !answering.Load() {
			return llmtest.Reply{HeaderDelay: time.Hour}
		}
		return llmtest.Reply{Text: "Bonjour, merci pour votre message. Votre dossier est en cours de traitement [1]."}
	})
	const rescueAfter = 4 * time.Second
	env := map[string]string{"DATABASE_URL": dbURL, "LLM_BASE_URL": model.URL, "LLM_MODEL": "lent",
		"PLUME_WORKERS": "4", "PLUME_DRAFT_TIMEOUT": "2s", "PLUME_DRAFT_RESCUE_AFTER": rescueAfter.String(),
		"PLUME_LOG_LEVEL": "warn"}

	first, out1 := startPlume(t, env, "worker")
	waitUntil(t, 60*time.Second, "4 drafts running in the first worker", func() bool {
		return jobsIn(t, st, "running") == 4 && len(model.Requests()) >= 4
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killed := time.Now()
	answering.Store(true)
	if got := drafted(t, st); got != 0 {
		t.Fatalf("%d reviews drafted before the kill, want 0 (worker output:\n%s)", got, out1)
	}

	env["PLUME_WORKERS"] = "8"
	second, out2 := startPlume(t, env, "worker")
	// River's own rescue of a stranded job waits an hour: a bound of a minute past the configured delay tells the
	// two apart however loaded the machine is, and the rescue note checked below proves which rescuer acted.
	waitUntil(t, rescueAfter+60*time.Second, "every review drafted", func() bool { return drafted(t, st) == n })
	t.Logf("every review drafted %s after the kill -9 (rescue delay %s)", time.Since(killed).Round(10*time.Millisecond), rescueAfter)
	_ = second.Process.Signal(syscall.SIGTERM)
	_ = second.Wait()
	var drafts, rescued int
	if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM drafts").Scan(&drafts); err != nil {
		t.Fatal(err)
	}
	if drafts != n {
		t.Errorf("%d drafts for %d reviews, want exactly one each", drafts, n)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'draft_review'
		AND EXISTS (SELECT 1 FROM unnest(errors) e WHERE e->>'error' LIKE 'tâche reprise%')`).Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	if rescued != 4 {
		t.Errorf("%d jobs carry the rescue note, want the 4 the killed worker held (worker output:\n%s)", rescued, out2)
	}
}

func jobsIn(t *testing.T, st *store.Store, state string) int {
	t.Helper()
	counts, err := st.CountJobs(context.Background(), jobs.DraftReviewArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	return counts[state]
}

func drafted(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), "SELECT count(DISTINCT review_id) FROM drafts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
