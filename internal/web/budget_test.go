package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/llm/llmtest"
)

// TestChatBudgets sends oversized chats to /v1/chat/completions: a question or an earlier turn over the turn
// budget is a 422, a history over its budget as a whole a 413, both in OpenAI's error shape with a French
// message, and the model receives none of them.
func TestChatBudgets(t *testing.T) {
	t.Parallel()
	e := newAssistantEnv(t, true)
	e.fake.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Text: "Réponse [1]."} })
	turn := func(role, content string) map[string]string {
		return map[string]string{"role": role, "content": content}
	}
	chat := func(msgs ...map[string]string) string {
		b, _ := json.Marshal(map[string]any{"model": AssistantModel, "messages": msgs})
		return string(b)
	}
	lim := budget.Default
	big := strings.Repeat("détail ", 100*1024/7) // 100 KB
	long := strings.Repeat("mot ", lim.Turn.MaxChars()/4-10)
	var history []map[string]string
	for range 6 {
		history = append(history, turn("user", long), turn("assistant", long))
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"question over the turn budget", chat(turn("user", strings.Repeat("a ", lim.Turn.Chars))), 422, "string_above_max_length"},
		{"earlier turn of 100 KB", chat(turn("user", big), turn("assistant", "ok"), turn("user", "et ensuite ?")), 422, "string_above_max_length"},
		{"history over its budget", chat(append(history, turn("user", "et ensuite ?"))...), 413, "context_length_exceeded"},
	}
	for _, tt := range tests {
		res, body := e.api(t, "POST", "/v1/chat/completions", e.alice.token, tt.body)
		var oe struct {
			Error struct{ Message, Type, Code string }
		}
		if err := json.Unmarshal([]byte(body), &oe); err != nil {
			t.Fatalf("%s: not JSON: %.200s", tt.name, body)
		}
		type refusal struct {
			Status      int
			Type, Code  string
			SaysTooLong bool // the French message says « trop long »
		}
		got := refusal{res.StatusCode, oe.Error.Type, oe.Error.Code, strings.Contains(oe.Error.Message, "trop long")}
		if diff := cmp.Diff(refusal{tt.status, "invalid_request_error", tt.code, true}, got); diff != "" {
			t.Errorf("%s: message %q (-want +got):\n%s", tt.name, oe.Error.Message, diff)
		}
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Fatalf("the model received %d oversized requests", n)
	}
	// Within budget, the chat goes through, and what the model receives stays within the budgets.
	res, body := e.api(t, "POST", "/v1/chat/completions", e.alice.token, chat(turn("user", long), turn("assistant", "ok"), turn("user", "Comment refaire une carte Vitale ?")))
	if res.StatusCode != 200 {
		t.Fatalf("chat within budget: %d %.300s", res.StatusCode, body)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, m := range reqs[0].Messages {
		for _, tag := range []string{"question", "question_precedente", "reponse_precedente"} {
			for _, block := range between(m.Content, "<"+tag+">", "</"+tag+">") {
				if !lim.Turn.Fits(block) {
					t.Errorf("a %s block of %d characters reached the model", tag, len([]rune(block)))
				}
			}
		}
	}
}

// between returns the texts between each open and close tag of s.
func between(s, open, close string) []string {
	var out []string
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return out
		}
		s = s[i+len(open):]
		j := strings.Index(s, close)
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(s[:j]))
		s = s[j+len(close):]
	}
}
