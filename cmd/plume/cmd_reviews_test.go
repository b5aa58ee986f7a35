package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/store/storetest"
)

func TestReviewsCommands(t *testing.T) {
	t.Parallel()
	url := storetest.URL(storetest.NewDB(t))
	ctx := context.Background()
	e := env(map[string]string{"DATABASE_URL": url})
	plume := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, args, e, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	sample := filepath.Join("..", "..", "internal", "reviews", "testdata", "spp-experiences-sample.csv")

	code, out, errs := plume("reviews", "import", sample)
	if code != 0 || !strings.Contains(out, "43 avis lus : 43 ajoutés, 0 mis à jour, 0 inchangés, 0 rejetés") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if !strings.Contains(errs, "import : ") || !strings.Contains(errs, "(100 %)") || strings.Contains(errs, "\r") {
		t.Errorf("piped progress: %q", errs)
	}
	code, out, _ = plume("reviews", "import", sample, "--format", "csv")
	if code != 0 || !strings.Contains(out, "0 ajoutés, 0 mis à jour, 43 inchangés") {
		t.Fatalf("re-import: %d %q", code, out)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "avis.jsonl")
	data := `{"id_experience": "9001", "description": "Bon accueil.", "intitule_typologie_1": "CAF"}
{"id_experience": "9002", "description": 
{"id_experience": "9003", "description": "", "intitule_typologie_1": "CAF"}
{"id_experience": "9004", "description": "Attente trop longue.", "intitule_typologie_1": "CAF"}
`
	if err := os.WriteFile(bad, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = plume("reviews", "import", "--source", "test", bad)
	if code != 1 || !strings.Contains(out, "4 avis lus : 2 ajoutés, 0 mis à jour, 0 inchangés, 2 rejetés") {
		t.Fatalf("import with bad lines: %d %q %q", code, out, errs)
	}
	if !strings.Contains(errs, "ligne 2 : JSON invalide") || !strings.Contains(errs, "ligne 3 : description obligatoire") || !strings.Contains(errs, "2 ligne(s) rejetée(s)") {
		t.Errorf("stderr = %q", errs)
	}

	code, out, _ = plume("reviews", "list", "--status", "écarté")
	if code != 0 || !strings.Contains(out, "aucun avis") || !strings.Contains(out, "nouveau : ") {
		t.Errorf("list écarté: %d %q", code, out)
	}
	code, out, _ = plume("reviews", "list", "--org", "caf", "--limit", "1")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "page suivante : --after ") {
		t.Errorf("list caf: %d %q", code, out)
	}
	if code, _, errs = plume("reviews", "import", "avis.xlsx"); code != 2 || !strings.Contains(errs, "--format") {
		t.Errorf("unknown extension: %d %q", code, errs)
	}
	if code, _, errs = plume("reviews", "list", "--status", "archivé"); code != 2 || !strings.Contains(errs, "statut") {
		t.Errorf("bad status: %d %q", code, errs)
	}
	if code, _, _ = plume("reviews"); code != 2 {
		t.Errorf("no action: %d", code)
	}
}
