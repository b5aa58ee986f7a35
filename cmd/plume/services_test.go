package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestCorpusReindexerReloadsTheConfiguredFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	dir := t.TempDir()
	page := "# Accueil de la mairie\n\nLa mairie est ouverte du lundi au vendredi. Les demandes de passeport se font sur rendez-vous.\n"
	if err := os.WriteFile(filepath.Join(dir, "accueil.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	r := corpusReindexer{st: st, emb: embed.NewLocal(384), format: "dir", path: dir, log: slog.New(slog.DiscardHandler)}
	if err := r.Reindex(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM corpus_chunks").Scan(&n); err != nil || n == 0 {
		t.Fatalf("%d chunks after re-indexing (%v), want some", n, err)
	}
	// A source that cannot be read fails the job and leaves the corpus as it was.
	bad := corpusReindexer{st: st, emb: embed.NewLocal(384), format: "vdd", path: filepath.Join(dir, "absent"), log: r.log}
	if err := bad.Reindex(ctx); err == nil {
		t.Error("re-indexing a missing folder succeeded")
	}
	var after int
	if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM corpus_chunks").Scan(&after); err != nil || after != n {
		t.Errorf("%d chunks after a failed re-indexing, want %d", after, n)
	}
}
