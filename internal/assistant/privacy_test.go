package assistant_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/llm/llmtest"
)

// TestEchoChatFollowUpCarriesNoKnownValue plays a stateless chat client (as /v1/chat/completions has) against
// an echo model: the first answer, restored, carries the person's details back; the client sends it as history
// with a follow-up that respells them. Nothing of them reaches the model on the second turn.
func TestEchoChatFollowUpCarriesNoKnownValue(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, true)
	ctx := context.Background()
	e.fake.Handle(func(req llmtest.Request) llmtest.Reply {
		user := req.Messages[len(req.Messages)-1].Content
		q := regexp.MustCompile(`(?s)<question>\n(.*?)\n</question>`).FindStringSubmatch(user)
		if q == nil {
			return llmtest.Reply{Text: "Je ne sais pas."}
		}
		return llmtest.Reply{Text: "Vous demandez : " + q[1]}
	})
	q1 := "Mme Sophie Marchand, née le 12/03/1985, tél. 06 12 34 56 78, a perdu sa carte Vitale, que faire ?"
	a1, err := s.Ask(ctx, assistant.Question{Text: q1, Stateless: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a1.Text, "Sophie Marchand") {
		t.Fatalf("the echo answer was not restored, the test proves nothing: %q", a1.Text)
	}
	q2 := "Et si madame marchand (SOPHIE), née le 12.03.1985, joignable au 0612345678, est à l'étranger ?"
	if _, err := s.Ask(ctx, assistant.Question{Text: q2, Stateless: true, History: []assistant.Turn{{Question: q1, Answer: a1.Text}}}); err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	sent := strings.ToLower(reqs[1].Text())
	if !strings.Contains(sent, "<question_precedente>") {
		t.Fatal("the follow-up carried no history: the test proves nothing")
	}
	for _, v := range []string{"sophie", "marchand", "12/03/1985", "12.03.1985", "06 12 34 56 78", "0612345678"} {
		if strings.Contains(sent, v) {
			t.Errorf("the follow-up sent %q to the model", v)
		}
	}
}
