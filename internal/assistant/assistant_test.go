package assistant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/search/searchtest"
	"github.com/plume-services/plume/internal/store/storetest"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

const dim = 128

// env is a database with the sample corpus loaded, two advisers and a fake model.
type env struct {
	st       *store.Store
	searcher *search.Searcher
	filter   *pii.Filter
	fake     *llmtest.Server
	alice    int64
	bob      int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.NewDB(t, searchtest.SampleCorpus(dim))
	ctx := context.Background()
	if _, err := st.EnsureOrganisation(ctx, "fs-gironde", "France services Gironde", "france-services"); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, searcher: search.New(st, embed.NewLocal(dim), search.Options{}), filter: pii.NewFilter(2 * time.Second), fake: llmtest.New(t)}
	for i, name := range []string{"alice", "bob"} {
		u, err := st.InsertUser(ctx, store.NewUser{OrganisationSlug: "fs-gironde", Email: name + "@fs.example.fr", Name: name, Role: "conseiller"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.alice = u.ID
		} else {
			e.bob = u.ID
		}
	}
	return e
}

func (e *env) service(t *testing.T, withModel bool) *assistant.Service {
	t.Helper()
	o := assistant.Options{Store: e.st, Searcher: e.searcher, WriterOptions: ground.WriterOptions{Filter: e.filter}}
	if withModel {
		m, err := llm.New(llm.Options{BaseURL: e.fake.URL, Model: "fake", MaxRetries: -1, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		o.Model = m
	}
	s, err := assistant.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestQuestionWithPersonalDataNeverReachesTheModel(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, true)
	ctx := context.Background()
	e.fake.Push(llmtest.Reply{Text: "Mme [PERSONNE_1] doit déclarer la perte en ligne [1]. Elle recevra une nouvelle carte [9]."})
	q := "Mme Sophie Marchand (06 12 34 56 78) a perdu sa carte Vitale, que doit-elle faire ?"
	var streamed strings.Builder
	ans, err := s.Ask(ctx, assistant.Question{UserID: e.alice, Text: q, OnDelta: func(d string) error { streamed.WriteString(d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("model got %d requests, want 1", len(reqs))
	}
	sent := reqs[0].Text()
	for _, leak := range []string{"Marchand", "Sophie", "06 12 34 56 78", "0612345678"} {
		if strings.Contains(sent, leak) {
			t.Errorf("the model request contains %q", leak)
		}
	}
	if !strings.Contains(sent, "[PERSONNE_1]") || !strings.Contains(sent, "<question>") {
		t.Errorf("the model request lacks the placeholder or the question block:\n%s", sent)
	}
	// The adviser reads the name again; the unknown citation [9] is gone, [1] stays and points to a source.
	if !strings.Contains(ans.Text, "Sophie Marchand") || strings.Contains(ans.Text, "[9]") || !strings.Contains(ans.Text, "[1]") {
		t.Errorf("answer text = %q", ans.Text)
	}
	if streamed.String() != ans.Text {
		t.Errorf("streamed %q, final %q", streamed.String(), ans.Text)
	}
	type citations struct {
		Cited, Unknown []int
		FirstMarked    bool
	}
	if diff := cmp.Diff(citations{[]int{1}, []int{9}, true}, citations{ans.Cited, ans.Unknown, ans.Sources[0].Cited}); diff != "" {
		t.Errorf("citations (-want +got):\n%s", diff)
	}
	// Stored: the clear question for the adviser, the redacted one for everything else.
	_, msgs, err := s.Conversation(ctx, e.alice, ans.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	type turn struct{ Question, Answer string }
	var stored []turn
	for _, m := range msgs {
		stored = append(stored, turn{m.Question, m.Answer})
	}
	if diff := cmp.Diff([]turn{{q, ans.Text}}, stored); diff != "" {
		t.Fatalf("stored turns (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if n, err := s.Export(ctx, e.alice, &buf); err != nil || n != 1 {
		t.Fatalf("export: %d lines, %v", n, err)
	}
	if strings.Contains(buf.String(), "Marchand") || !strings.Contains(buf.String(), "[PERSONNE_1]") {
		t.Errorf("export is not redacted: %s", buf.String())
	}

	// A follow-up keeps the same placeholder for the same person, and the history goes to the model filtered.
	e.fake.Push(llmtest.Reply{Text: "Oui, [PERSONNE_1] peut la commander en ligne [2]."})
	ans2, err := s.Ask(ctx, assistant.Question{UserID: e.alice, ConversationID: ans.ConversationID, Text: "Et si Sophie Marchand est à l'étranger ?"})
	if err != nil {
		t.Fatal(err)
	}
	sent = e.fake.Requests()[1].Text()
	if strings.Contains(sent, "Marchand") || strings.Count(sent, "[PERSONNE_1]") < 2 || !strings.Contains(sent, "<question_precedente>") {
		t.Errorf("follow-up request:\n%s", sent)
	}
	if !strings.Contains(ans2.Text, "Sophie Marchand") || ans2.ConversationID != ans.ConversationID {
		t.Errorf("follow-up answer %q in conversation %d", ans2.Text, ans2.ConversationID)
	}
}

var citationRE = regexp.MustCompile(`\[(\d+)\]`)

func TestCitationsMapToTheSourcesGiven(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, true)
	// The fake model cites every source it was given, plus one that does not exist.
	e.fake.Handle(func(r llmtest.Request) llmtest.Reply {
		n := len(regexp.MustCompile(`(?m)^\[(\d+)\] `).FindAllString(r.Text(), -1))
		var b strings.Builder
		for k := 1; k <= n; k++ {
			fmt.Fprintf(&b, "Point %d de la démarche [%d]. ", k, k)
		}
		fmt.Fprintf(&b, "Autre point [%d].", n+3)
		return llmtest.Reply{Text: b.String()}
	})
	ans, err := s.Ask(context.Background(), assistant.Question{UserID: e.alice, Text: "comment demander l'aide au logement APL pour un appartement ?", Stateless: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Sources) < 3 {
		t.Fatalf("%d sources, want several", len(ans.Sources))
	}
	found := false
	for i, src := range ans.Sources {
		if src.N != i+1 || src.URL == "" || src.Title == "" {
			t.Errorf("source %d = %+v", i, src)
		}
		found = found || src.DocID == "F12006"
	}
	if !found {
		t.Errorf("the APL fiche F12006 is not among the sources")
	}
	for _, m := range citationRE.FindAllStringSubmatch(ans.Text, -1) {
		var k int
		fmt.Sscan(m[1], &k)
		if k < 1 || k > len(ans.Sources) || !ans.Sources[k-1].Cited {
			t.Errorf("answer cites [%d] which is no source given (%d sources)", k, len(ans.Sources))
		}
	}
	if strings.Contains(ans.Text, fmt.Sprintf("[%d]", len(ans.Sources)+3)) || len(ans.Unknown) != 1 {
		t.Errorf("unknown citation kept: %q (unknown %v)", ans.Text, ans.Unknown)
	}
	if !strings.Contains(ans.Text, "Autre point.") {
		t.Errorf("removing the marker left a space before the full stop: %q", ans.Text)
	}
	if ans.ConversationID != 0 {
		t.Errorf("a stateless question was stored as conversation %d", ans.ConversationID)
	}
}

func TestOfflineAnswerQuotesTheSources(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, false)
	ctx := context.Background()
	tests := []struct {
		question   string
		wantDoc    string
		wantUnsure bool
	}{
		{"Une personne a perdu sa carte Vitale, que faire ?", "F265", false},
		{"Comment renouveler une carte d'identité ?", "F21089", false},
		{"Quel temps fera-t-il demain à Brest pour la régate ?", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			ans, err := s.Ask(ctx, assistant.Question{UserID: e.alice, Text: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("answer:\n%s", ans.Text)
			if !ans.Offline || ans.Model != assistant.OfflineModel || !strings.HasPrefix(ans.Text, "Réponse hors ligne") {
				t.Errorf("not labelled offline: %q", ans.Text)
			}
			if len(e.fake.Requests()) != 0 {
				t.Fatal("the offline assistant called a model")
			}
			unsure := strings.Contains(ans.Text, "Je ne sais pas")
			if unsure != tt.wantUnsure {
				t.Errorf("« Je ne sais pas » = %v, want %v: %q", unsure, tt.wantUnsure, ans.Text)
			}
			if !strings.Contains(ans.Text, "orientez") && tt.wantUnsure {
				t.Errorf("no contact given with « je ne sais pas »: %q", ans.Text)
			}
			if tt.wantDoc != "" {
				cited := false
				for _, src := range ans.Sources {
					if src.Cited && src.DocID == tt.wantDoc {
						cited = true
					}
				}
				if !cited {
					t.Errorf("fiche %s not cited: %q", tt.wantDoc, ans.Text)
				}
			}
			// Every quoted sentence is a sentence of the source it cites.
			for _, para := range strings.Split(ans.Text, "\n\n") {
				m := regexp.MustCompile(`^D'après la fiche « .* »(?: \(.*\))? : (.*) \[(\d+)\]$`).FindStringSubmatch(para)
				if m == nil {
					continue
				}
				var k int
				fmt.Sscan(m[2], &k)
				src := strings.Join(strings.Fields(ans.Sources[k-1].Text), " ")
				for _, sent := range regexp.MustCompile(`[^.!?]+[.!?]`).FindAllString(m[1], -1) {
					if !strings.Contains(src, strings.TrimSpace(sent)) {
						t.Errorf("quoted %q is not in source %d", strings.TrimSpace(sent), k)
					}
				}
			}
		})
	}
}

func TestModelDownIsACleanErrorAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, true)
	e.fake.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: 503} })
	_, err := s.Ask(context.Background(), assistant.Question{UserID: e.alice, Text: "Comment refaire une carte grise perdue ?"})
	if !errors.Is(err, assistant.ErrModelUnavailable) || !strings.Contains(err.Error(), "indisponible") {
		t.Fatalf("err = %v, want ErrModelUnavailable", err)
	}
	cs, err := s.Conversations(context.Background(), e.alice)
	if err != nil || len(cs) != 0 {
		t.Errorf("conversations after a failure: %v, %v", cs, err)
	}
}

func TestFeedbackDeletionAndOwnership(t *testing.T) {
	e := newEnv(t)
	s := e.service(t, false)
	ctx := context.Background()
	ans, err := s.Ask(ctx, assistant.Question{UserID: e.alice, Text: "Comment demander l'APL ?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetFeedback(ctx, e.alice, assistant.Feedback{MessageID: ans.MessageID, Rating: -1, Tags: []string{"incomplete", "incomplete"}, Comment: "Il manque le cas de M. Jean Dupont."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetFeedback(ctx, e.alice, assistant.Feedback{MessageID: ans.MessageID, Rating: 2}); err == nil {
		t.Error("rating 2 accepted")
	}
	if _, err := s.SetFeedback(ctx, e.alice, assistant.Feedback{MessageID: ans.MessageID, Rating: 1, Tags: []string{"génial"}}); err == nil {
		t.Error("unknown tag accepted")
	}
	_, msgs, err := s.Conversation(ctx, e.alice, ans.ConversationID)
	if err != nil || len(msgs) != 1 || msgs[0].Feedback == nil {
		t.Fatalf("stored feedback: %+v %v; want one message with feedback", msgs, err)
	}
	type feedback struct{ Rating, Tags int }
	if diff := cmp.Diff(feedback{-1, 1}, feedback{msgs[0].Feedback.Rating, len(msgs[0].Feedback.Tags)}); diff != "" {
		t.Fatalf("stored feedback (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, 0, &buf); err != nil {
		t.Fatal(err)
	}
	var line assistant.ExportLine
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line.Feedback == nil {
		t.Fatal("exported line has no feedback")
	}
	// The comment is exported filtered: the name replaced by its placeholder.
	type comment struct{ Name, Placeholder bool }
	c := line.Feedback.Comment
	if diff := cmp.Diff(comment{Placeholder: true}, comment{strings.Contains(c, "Dupont"), strings.Contains(c, "[PERSONNE_")}); diff != "" {
		t.Errorf("exported feedback comment %q (-want +got):\n%s", c, diff)
	}

	// Bob sees, rates and deletes nothing of Alice's.
	if _, _, err := s.Conversation(ctx, e.bob, ans.ConversationID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob reads alice's conversation: %v", err)
	}
	if _, err := s.SetFeedback(ctx, e.bob, assistant.Feedback{MessageID: ans.MessageID, Rating: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob rates alice's answer: %v", err)
	}
	if err := s.DeleteConversation(ctx, e.bob, ans.ConversationID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob deletes alice's conversation: %v", err)
	}
	if _, err := s.Ask(ctx, assistant.Question{UserID: e.bob, ConversationID: ans.ConversationID, Text: "Et ensuite ?"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob continues alice's conversation: %v", err)
	}
	if err := s.DeleteConversation(ctx, e.alice, ans.ConversationID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Conversation(ctx, e.alice, ans.ConversationID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted conversation still readable: %v", err)
	}
	var left int
	if err := e.st.Pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM conversation_messages) + (SELECT count(*) FROM message_feedback)").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d rows left after a hard delete (%v)", left, err)
	}
}

// BenchmarkOfflineAnswer measures an offline answer end to end (filter, retrieval, writing), nothing stored.
func BenchmarkOfflineAnswer(b *testing.B) {
	e := newEnvB(b)
	s, err := assistant.New(assistant.Options{Searcher: e.searcher, WriterOptions: ground.WriterOptions{Filter: e.filter}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Ask(ctx, assistant.Question{Text: "Une personne a perdu sa carte Vitale, que faire ?", Stateless: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamFirstDelta measures the time to the first delta against the fake model (local HTTP).
func BenchmarkStreamFirstDelta(b *testing.B) {
	e := newEnvB(b)
	fake := llmtest.New(b)
	m, err := llm.New(llm.Options{BaseURL: fake.URL, Model: "fake", MaxRetries: -1})
	if err != nil {
		b.Fatal(err)
	}
	s, err := assistant.New(assistant.Options{Searcher: e.searcher, Model: m, WriterOptions: ground.WriterOptions{Filter: e.filter}})
	if err != nil {
		b.Fatal(err)
	}
	fake.Handle(func(llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Text: "Déclarez la perte sur votre compte ameli [1]. Une nouvelle carte est envoyée [1]."}
	})
	ctx := context.Background()
	var total time.Duration
	for b.Loop() {
		ans, err := s.Ask(ctx, assistant.Question{Text: "Une personne a perdu sa carte Vitale, que faire ?", Stateless: true})
		if err != nil {
			b.Fatal(err)
		}
		total += ans.FirstDelta
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-first-delta")
}

func newEnvB(b *testing.B) *env {
	st := storetest.NewDB(b, searchtest.SampleCorpus(dim))
	return &env{st: st, searcher: search.New(st, embed.NewLocal(dim), search.Options{}), filter: pii.NewFilter(2 * time.Second)}
}

// TestFollowUpRetrievesForItsOwnTopic asks, in one conversation, about a lost carte Vitale, then about housing
// benefit, then « et s'il est étudiant ? ». A question naming its own topic gets the sources it gets when asked
// alone; one that only continues the previous question searches with it.
func TestFollowUpRetrievesForItsOwnTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.service(t, false)
	ctx := context.Background()
	docs := func(a assistant.Answer) []string {
		var out []string
		for _, p := range a.Sources {
			out = append(out, p.DocID+" "+p.SectionPath)
		}
		return out
	}
	ask := func(conv int64, q string) assistant.Answer {
		t.Helper()
		a, err := s.Ask(ctx, assistant.Question{UserID: e.alice, ConversationID: conv, Text: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return a
	}
	first := ask(0, "J'ai perdu ma carte Vitale, que dois-je faire ?")
	const housing = "Comment obtenir l'aide personnalisée au logement ?"
	second := ask(first.ConversationID, housing)
	alone := ask(0, housing)
	if diff := cmp.Diff(docs(alone), docs(second)); diff != "" {
		t.Errorf("a new topic in a conversation retrieves other sources than asked alone (-alone +in conversation):\n%s", diff)
	}
	for _, p := range second.Sources {
		if p.DocID == first.Sources[0].DocID {
			t.Errorf("the housing question inherited the carte Vitale fiche %s: %v", p.DocID, docs(second))
		}
	}
	const followUp = "Et s'il est étudiant ?"
	third := ask(first.ConversationID, followUp)
	if !slices.ContainsFunc(third.Sources, func(p ground.Passage) bool { return p.DocID == second.Sources[0].DocID }) {
		t.Errorf("the follow-up %q lost its topic: %v, want the fiche %s among them", followUp, docs(third), second.Sources[0].DocID)
	}
}
