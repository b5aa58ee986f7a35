package retention_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/retention"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestPurgeLeavesNoAnnotatedValue plants a citizen's values everywhere Plume writes text about a review — the
// review, an AI draft and its stored prompt, an agent's version respelling them, the checks and grounding that
// quote it, an assistant conversation, an evaluation output — ages them past their retention, purges, and then
// scans every text, text array and JSON column of every table for any of the values.
func TestPurgeLeavesNoAnnotatedValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	f := pii.NewFilter(2 * time.Second)
	body := "Je suis Marie Lefebvre, née le 04/05/1978, joignable au 06 11 22 33 44. Ma prime est suspendue."
	id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "scan-1", Title: "Prime de Marie Lefebvre", Body: body,
		Organisation: "CAF", AuthorPseudonym: "Lune42", PublishedReply: "Bonjour Lune42, Madame Lefebvre, nous avons traité votre demande.",
		WrittenAt: "2024-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	red, err := f.Redact(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SavePIIMapping(ctx, id, red.Mapping); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: "Bonjour Lune42, Madame Marie Lefebvre, votre prime…",
		RedactedPrompt: "<avis>\n[PERSONNE_1] née le 04.05.1978, rappeler marie lefebvre au 0611223344\n</avis>",
		Checks:         []ground.Check{{Code: "phone", Message: "Numéro", Excerpt: "06 11 22 33 44"}},
		Grounding:      &ground.Grounding{Sentences: []ground.Sentence{{Text: "Madame LEFEBVRE, rappel au 06.11.22.33.44"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, Text: "Bonjour lune42, madame lefebvre (née le 04/05/1978), nous vous rappelons au +33 6 11 22 33 44."}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE reviews SET updated_at = now() - interval '400 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	// An adviser's old conversation about the same person, and an old evaluation output.
	u, err := st.InsertUser(ctx, store.NewUser{OrganisationSlug: "caf", Email: "conseil@fs.test", Name: "Conseil", Role: "conseiller"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddConversationTurn(ctx, store.ConversationTurn{UserID: u.ID, Title: "Marie Lefebvre", Mapping: red.Mapping,
		Message: store.ConversationMessage{Question: "Marie Lefebvre (06 11 22 33 44) a perdu sa carte", QuestionRedacted: "[PERSONNE_1] a perdu sa carte",
			Answer: "Mme Lefebvre doit déclarer la perte.", AnswerRedacted: "Mme [PERSONNE_1] doit déclarer la perte.", Sources: []ground.Passage{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE conversations SET updated_at = now() - interval '100 days'`); err != nil {
		t.Fatal(err)
	}
	var runID int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO eval_runs (kind, dataset, created_at) VALUES ('reviews', 'jeu', now() - interval '400 days') RETURNING id`).Scan(&runID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO eval_items (run_id, item_id, output) VALUES ($1, 'i1', 'Bonjour Marie Lefebvre, nous vous rappelons au 06 11 22 33 44.')`, runID); err != nil {
		t.Fatal(err)
	}

	values := []string{"Lefebvre", "Lune42", "04/05/1978", "04.05.1978", "06 11 22 33 44", "0611223344", "06.11.22.33.44", "6 11 22 33 44"}
	if found := scanDatabase(t, st, values); len(found) == 0 {
		t.Fatal("the values are nowhere before the purge: the scan proves nothing")
	}
	if _, err := retention.New(st, f, 365*24*time.Hour, 90*24*time.Hour).Purge(ctx); err != nil {
		t.Fatal(err)
	}
	for _, where := range scanDatabase(t, st, values) {
		t.Errorf("after the purge: %s", where)
	}
}

// scanDatabase returns "table.column: value" for every value found (case-insensitively) in any text, text
// array, json or jsonb column of the public schema.
func scanDatabase(t *testing.T, st *store.Store, values []string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Pool.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = 'public' AND (data_type IN ('text', 'character varying', 'json', 'jsonb') OR udt_name = '_text')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ Table, Column string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[col])
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) < 20 {
		t.Fatalf("only %d text columns found: the scan is broken", len(cols))
	}
	var found []string
	for _, c := range cols {
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s::text ILIKE '%%' || $1 || '%%'`,
			pgx.Identifier{c.Table}.Sanitize(), pgx.Identifier{c.Column}.Sanitize())
		for _, v := range values {
			var n int
			if err := st.Pool.QueryRow(ctx, q, v).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				found = append(found, c.Table+"."+c.Column+": "+v)
			}
		}
	}
	return found
}
