package pii

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// publicCallers are the only directories (relative to the module root, with their subdirectories) whose
// non-test Go files may call pii.Public: they hold official published text or build prompts from it. Citizen,
// agent and adviser text must go through the filter.
var publicCallers = []string{
	"internal/pii",
	"internal/corpus",
	"internal/search",
	"internal/draft",
	"internal/prompts",
	"prompts",
	"internal/assistant",
	"internal/eval",
	"internal/embed",
}

const piiImport = "github.com/plume-services/plume/internal/pii"

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

func allowedCaller(rel string) bool {
	for _, p := range publicCallers {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

// TestPublicCallers walks every Go file of the module and fails on any call of pii.Public outside the allowed
// packages, naming the file and line.
func TestPublicCallers(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, pos := range publicCalls(f, rel == "internal/pii") {
			if !allowedCaller(rel) {
				p := fset.Position(pos)
				relFile, _ := filepath.Rel(root, p.Filename)
				t.Errorf("%s:%d: pii.Public called outside the allowed packages (%s): citizen text must go through the filter",
					filepath.ToSlash(relFile), p.Line, strings.Join(publicCallers, ", "))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("only %d Go files walked from %s: the walk is broken", files, root)
	}
}

// publicCalls returns the positions of every reference to pii.Public in f (a call or a function value).
func publicCalls(f *ast.File, inPackage bool) []token.Pos {
	names := map[string]bool{}
	dot := false
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != piiImport {
			continue
		}
		switch {
		case imp.Name == nil:
			names["pii"] = true
		case imp.Name.Name == ".":
			dot = true
		case imp.Name.Name != "_":
			names[imp.Name.Name] = true
		}
	}
	var out []token.Pos
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && names[id.Name] && x.Sel.Name == "Public" {
				out = append(out, x.Pos())
			}
		case *ast.Ident:
			if (inPackage || dot) && x.Name == "Public" {
				out = append(out, x.Pos())
			}
		}
		return true
	})
	return out
}

// TestPublicCallsDetector makes sure the walk above would see the calls it must forbid.
func TestPublicCallsDetector(t *testing.T) {
	src := `package x
import (
	p "github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/pii"
)
var f = p.Public
func g(s string) { _ = pii.Public(s) }`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(publicCalls(f, false)); got != 2 {
		t.Errorf("found %d references to Public, want 2", got)
	}
	if allowedCaller("internal/web") || !allowedCaller("internal/draft/sub") || allowedCaller("internal/drafts") {
		t.Error("allowedCaller is wrong")
	}
}
