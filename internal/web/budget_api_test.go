package web_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestDraftInstructionBudget refuses a 110 KB rewrite instruction with a French 422 naming the field.
func TestDraftInstructionBudget(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	body, _ := json.Marshal(map[string]string{"instruction": strings.Repeat("plus court ", 110*1024/11)})
	res, out := e.do(request{method: "POST", path: "/api/v1/reviews/" + strconv.FormatInt(id, 10) + "/drafts", role: "agent", json: string(body)})
	if res.StatusCode != 422 || !strings.Contains(out, "instruction trop long") {
		t.Errorf("oversized instruction: %d %.300s", res.StatusCode, out)
	}
}
