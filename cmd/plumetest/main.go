// Command plumetest is the test harness the out-of-process tests start (the agent's journey in Chromium,
// tests/browser): it serves Plume's Go fakes — the OpenAI-compatible model with its request recorder (llmtest),
// the Services Publics+ portal and its generator of records (spptest), the OpenID Connect provider (oidctest) —
// and prepares a fresh database per scenario (storetest: Plume's and River's schemas and the sample corpus, copied
// from a template built once), behind a small JSON control API. It is a test tool, never shipped: the Dockerfile
// builds ./cmd/plume only.
//
// Usage: plumetest [-addr 127.0.0.1:0]. Once ready it prints « plumetest écoute sur http://HÔTE:PORT »; it needs
// PostgreSQL at PLUME_TEST_DATABASE_URL or DATABASE_URL. SIGTERM or SIGINT closes every scenario (databases
// dropped, fakes stopped) before it exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "adresse de l'API de contrôle")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(*addr, log); err != nil {
		fmt.Fprintln(os.Stderr, "plumetest :", err)
		os.Exit(1)
	}
}

func run(addr string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	h := newHarness(log)
	srv := &http.Server{Handler: h.routes(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Out-of-process tests wait for this line before they call the API.
	fmt.Printf("plumetest écoute sur http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		h.closeAll()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	h.closeAll()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
