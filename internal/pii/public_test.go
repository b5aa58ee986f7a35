package pii

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// publicCallers are the only functions (package directory relative to the module root, then the function as
// Go writes it) whose non-test code may refer to pii.Public, each with the reason it only ever marks vetted
// official text. Adding a caller fails TestPublicCallers until it is reviewed and listed here.
var publicCallers = map[string]string{
	"prompts.(*Set).render":               "marks a rendered template (draft, assistant, query rewriting): Plume's own text plus typed inputs whose every text field is a Redacted",
	"internal/ground.PromptSources":       "marks the passages search returned: service-public.fr fiches read from the corpus tables",
	"internal/search.lexiconSuffix":       "marks the words Plume's embedded lexicon appended to an already redacted query",
	"internal/search.(*Indexer).embedAll": "marks corpus passages (official fiches) sent to the embeddings server when indexing",
	"internal/search.newTitleIndex":       "marks the titles, breadcrumbs and descriptions of the stored fiches, embedded once for the questions' title leg",
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

// reference is one place that names pii.Public, or imports unsafe (which could forge a Redacted by a cast, or
// reach pii's unexported functions through go:linkname).
type reference struct {
	file   string
	line   int
	caller string // package directory + "." + function, or + ".<package level>"
	unsafe bool
}

// scanModule returns every reference to pii.Public and every import of unsafe in the non-test Go files under
// dir (root is the module root, to name packages).
func scanModule(t *testing.T, root, dir string, skipTestdata bool) []reference {
	t.Helper()
	fset := token.NewFileSet()
	var out []reference
	files := 0
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || (skipTestdata && name == "testdata") || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		files++
		relFile, _ := filepath.Rel(root, path)
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "unsafe" {
				out = append(out, reference{file: filepath.ToSlash(relFile), line: fset.Position(imp.Pos()).Line, caller: rel, unsafe: true})
			}
		}
		for _, c := range publicRefs(f, rel == "internal/pii") {
			out = append(out, reference{file: filepath.ToSlash(relFile), line: fset.Position(c.pos).Line, caller: rel + "." + c.fn})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no Go file walked under %s: the walk is broken", dir)
	}
	return out
}

// TestPublicCallers walks every Go file of the module and fails on any reference to pii.Public outside the
// listed functions, and on any import of unsafe, naming the file and line. It also fails on a listed function
// that no longer calls Public, so the list never grows stale.
func TestPublicCallers(t *testing.T) {
	root := moduleRoot(t)
	seen := map[string]bool{}
	for _, r := range scanModule(t, root, root, true) {
		switch {
		case r.unsafe:
			t.Errorf("%s:%d: imports unsafe, which can forge a pii.Redacted or reach pii's internals", r.file, r.line)
		case r.caller == "internal/pii.Public" || strings.HasPrefix(r.caller, "internal/pii."):
			// The package itself: Public's own declaration and its tests' helpers.
		case publicCallers[r.caller] == "":
			t.Errorf("%s:%d: pii.Public referred to in %s, which is not in publicCallers: citizen, agent and supervisor text must go through the filter",
				r.file, r.line, r.caller)
		default:
			seen[r.caller] = true
		}
	}
	for fn := range publicCallers {
		if !seen[fn] {
			t.Errorf("publicCallers lists %s, which no longer calls pii.Public: remove it", fn)
		}
	}
}

type publicRef struct {
	pos token.Pos
	fn  string
}

// publicRefs returns every reference to pii.Public in f (a call or a function value) with the function that
// holds it: "F", "(*T).M", "(T).M", or "<package level>" for a variable's initialiser.
func publicRefs(f *ast.File, inPackage bool) []publicRef {
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
	var out []publicRef
	for _, d := range f.Decls {
		fn := "<package level>"
		if fd, ok := d.(*ast.FuncDecl); ok {
			fn = funcName(fd)
		}
		ast.Inspect(d, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && names[id.Name] && x.Sel.Name == "Public" {
					out = append(out, publicRef{x.Pos(), fn})
				}
				return false
			case *ast.Ident:
				if (inPackage || dot) && x.Name == "Public" {
					out = append(out, publicRef{x.Pos(), fn})
				}
			}
			return true
		})
	}
	return out
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	star := ""
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = "*", s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if ix, ok := t.(*ast.IndexListExpr); ok {
		t = ix.X
	}
	id, _ := t.(*ast.Ident)
	name := "?"
	if id != nil {
		name = id.Name
	}
	return "(" + star + name + ")." + fd.Name.Name
}

// TestPublicRefsDetector makes sure the walk above sees the references it must forbid, with their function.
func TestPublicRefsDetector(t *testing.T) {
	src := `package x
import (
	p "github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/pii"
)
var f = p.Public
type T struct{}
func (t *T) M(s string) { _ = pii.Public(s) }
func g(s string) { h := func() { _ = pii.Public(s) }; h() }`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range publicRefs(f, false) {
		got = append(got, r.fn)
	}
	want := []string{"<package level>", "(*T).M", "g"}
	if !slices.Equal(got, want) {
		t.Errorf("references found in %v, want %v", got, want)
	}
}
