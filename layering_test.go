package plume_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/plume-services/plume/"

// importRules says which of the project's own packages may import a library that defines a layer: the web
// framework stays in the web layer, the model SDK behind internal/llm and internal/embed, the job queue in
// internal/jobs, the test helpers in tests and the test harness (cmd/plumetest).
var importRules = []struct {
	prefix  string
	allowed []string
}{
	{"github.com/labstack/echo", []string{"internal/web"}},
	{"github.com/openai/openai-go", []string{"internal/llm", "internal/embed"}},
	{"github.com/riverqueue/river", []string{"internal/jobs"}},
	{module + "internal/web", []string{"cmd/plume"}},
	{module + "cmd/", nil},
	// The fakes and the fresh databases serve tests and the test harness, never the production binary.
	{module + "internal/llm/llmtest", []string{"cmd/plumetest"}},
	{module + "internal/spp/spptest", []string{"cmd/plumetest"}},
	{module + "internal/auth/oidctest", []string{"cmd/plumetest"}},
	{module + "internal/search/searchtest", []string{"cmd/plumetest"}},
	{module + "internal/jobs/jobstest", []string{"cmd/plumetest"}},
	{module + "internal/store/storetest", []string{"cmd/plumetest", "internal/search/searchtest", "internal/jobs/jobstest"}},
	{module + "internal/testscope", []string{"cmd/plumetest", "internal/llm/llmtest", "internal/spp/spptest", "internal/auth/oidctest",
		"internal/store/storetest"}},
}

// sqlRE finds a statement in a string literal: SQL lives in internal/store only.
var sqlRE = regexp.MustCompile(`(?is)^\s*(SELECT\s.+\sFROM\s|SELECT\s+\w+\(|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX)\s|ALTER\s+TABLE\s|WITH\s+\w+\s+AS\s*\()`)

// TestLayering parses every production file of the module (tests may reach across layers to check them) and
// fails when a package imports a layer's library outside that layer, or writes SQL outside internal/store.
func TestLayering(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Other modules (eval/bm25peer), downloaded data and node packages are not this module's code.
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" || path == "eval/bm25peer") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		pkg := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, r := range importRules {
				if strings.HasPrefix(p, r.prefix) && !slices.ContainsFunc(r.allowed, func(a string) bool { return pkg == a || strings.HasPrefix(pkg, a+"/") }) {
					t.Errorf("%s imports %s: only %v may", path, p, r.allowed)
				}
			}
		}
		if pkg == "internal/store" || strings.HasPrefix(pkg, "internal/store/") {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && sqlRE.MatchString(s) {
					t.Errorf("%s: SQL outside internal/store: %.60q", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d files read: the walk missed the module", files)
	}
}

// TestLayeringSeesViolations runs the SQL pattern on statements and on French prose, so that the test above
// cannot pass by matching nothing.
func TestLayeringSeesViolations(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"SELECT pg_advisory_lock($1)":                    true,
		"\n\t\tSELECT id FROM reviews WHERE status = $1": true,
		"INSERT INTO reviews (body) VALUES ($1)":         true,
		"UPDATE reviews SET body = $2":                   true,
		"DELETE FROM drafts":                             true,
		"WITH t AS (SELECT 1) SELECT * FROM t":           true,
		"Sélectionnez un avis":                           false,
		"select a review to approve":                     false,
		"Mise à jour de l'avis":                          false,
	} {
		if got := sqlRE.MatchString(s); got != want {
			t.Errorf("sqlRE.MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}
