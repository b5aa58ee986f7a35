package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestSyncCursor(t *testing.T) {
	st := storetest.NewDB(t)
	ctx := context.Background()
	c, err := st.SyncCursor(ctx, "spp:test")
	if err != nil || c.Date != "" || c.ID != "" || c.Pulled != 0 {
		t.Fatalf("new cursor %+v, %v", c, err)
	}
	advance := func(fromD, fromID, toD, toID string, n int) error {
		return pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
			return st.AdvanceSyncCursorTx(ctx, tx, "spp:test", fromD, fromID, toD, toID, n)
		})
	}
	if err := advance("", "", "2024-01-02", "10", 100); err != nil {
		t.Fatal(err)
	}
	if err := advance("2024-01-02", "10", "2024-01-03", "20", 50); err != nil {
		t.Fatal(err)
	}
	// A pull that started from an older position must not move the cursor back.
	if err := advance("2024-01-02", "10", "2024-01-02", "99", 1); !errors.Is(err, store.ErrCursorMoved) {
		t.Fatalf("stale advance: %v, want ErrCursorMoved", err)
	}
	if err := st.NoteSyncError(ctx, "spp:test", "portail injoignable"); err != nil {
		t.Fatal(err)
	}
	c, _ = st.SyncCursor(ctx, "spp:test")
	if c.Date != "2024-01-03" || c.ID != "20" || c.Pulled != 150 || c.LastError != "portail injoignable" {
		t.Fatalf("cursor %+v", c)
	}
}
