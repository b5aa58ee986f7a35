package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestSyncCursor(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	ctx := context.Background()
	// The update time is the database's clock: only the position, the count and the error are compared.
	ignoreTime := cmpopts.IgnoreFields(store.SyncCursor{}, "UpdatedAt")
	c, err := st.SyncCursor(ctx, "spp:test")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(store.SyncCursor{Source: "spp:test"}, c, ignoreTime); diff != "" {
		t.Fatalf("new cursor (-want +got):\n%s", diff)
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
	c, err = st.SyncCursor(ctx, "spp:test")
	if err != nil {
		t.Fatal(err)
	}
	want := store.SyncCursor{Source: "spp:test", Date: "2024-01-03", ID: "20", Pulled: 150, LastError: "portail injoignable"}
	if diff := cmp.Diff(want, c, ignoreTime); diff != "" {
		t.Fatalf("cursor (-want +got):\n%s", diff)
	}
}
