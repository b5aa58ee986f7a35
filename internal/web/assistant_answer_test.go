package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAnswerHTML links the citations the core reads (ground.SplitCitations) when they point to a source shown,
// leaves the others as text, and escapes everything the answer says.
func TestAnswerHTML(t *testing.T) {
	t.Parallel()
	got := string(answerHTML("Payée <b>[1]</b> [2, 3].\n- étape [9]", "src-7", 2))
	want := `<p>Payée &lt;b&gt;<a href="#src-7-1" class="plume-cite" aria-label="source 1">[1]</a>&lt;/b&gt; ` +
		`[<a href="#src-7-2" class="plume-cite" aria-label="source 2">2</a>, 3].</p><ul><li>étape [9]</li></ul>`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answerHTML (-want +got):\n%s", diff)
	}
}
