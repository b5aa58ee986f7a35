package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Conversation is an adviser's conversation as listed.
type Conversation struct {
	ID        int64
	Title     string
	Turns     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Message is one stored turn as the adviser sees it again.
type Message struct {
	ID        int64
	Question  string
	Answer    string
	Sources   []ground.Passage
	Model     string
	Offline   bool
	CreatedAt time.Time
	Feedback  *Feedback
}

// Feedback is an adviser's opinion of one answer.
type Feedback struct {
	MessageID int64    `json:"-"`
	Rating    int      `json:"rating"` // 1 useful, -1 not useful
	Tags      []string `json:"tags"`
	Comment   string   `json:"comment,omitempty"`
}

// FeedbackTags are the tags an adviser may put on an answer, with their labels.
var FeedbackTags = []struct{ Value, Label string }{
	{"exact", "Exacte"},
	{"utile", "Utile au guichet"},
	{"incomplete", "Incomplète"},
	{"erronee", "Erronée"},
	{"hors-sujet", "Hors sujet"},
	{"sources-inadaptees", "Sources inadaptées"},
	{"trop-longue", "Trop longue"},
}

// MaxCommentRunes bounds a feedback comment.
const MaxCommentRunes = 2000

// FeedbackError is feedback the assistant refuses; Message is French.
type FeedbackError struct{ Message string }

func (e *FeedbackError) Error() string { return e.Message }

// BadInput marks the error as the client's mistake for the web layer.
func (e *FeedbackError) BadInput() bool { return true }

func (s *Service) needStore() error {
	if s.o.Store == nil {
		return errors.New("assistant: aucune base de données : les conversations ne sont pas conservées")
	}
	return nil
}

// Conversations lists the adviser's conversations, most recent first.
func (s *Service) Conversations(ctx context.Context, userID int64) ([]Conversation, error) {
	if err := s.needStore(); err != nil {
		return nil, err
	}
	cs, err := s.o.Store.ListConversations(ctx, userID, 100)
	if err != nil {
		return nil, err
	}
	out := make([]Conversation, len(cs))
	for i, c := range cs {
		out[i] = Conversation{ID: c.ID, Title: c.Title, Turns: c.Turns, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	}
	return out, nil
}

// Conversation returns one of the adviser's conversations with its turns; another adviser's is store.ErrNotFound.
func (s *Service) Conversation(ctx context.Context, userID, id int64) (Conversation, []Message, error) {
	if err := s.needStore(); err != nil {
		return Conversation{}, nil, err
	}
	c, err := s.o.Store.Conversation(ctx, userID, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	ms, err := s.o.Store.ConversationMessages(ctx, userID, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message{ID: m.ID, Question: m.Question, Answer: m.Answer, Model: m.Model, Offline: m.Offline, CreatedAt: m.CreatedAt,
			Sources: m.Sources}
		if f := m.Feedback; f != nil {
			out[i].Feedback = &Feedback{MessageID: m.ID, Rating: f.Rating, Tags: f.Tags, Comment: f.Comment}
		}
	}
	return Conversation{ID: c.ID, Title: c.Title, Turns: c.Turns, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}, out, nil
}

// DeleteConversation deletes one of the adviser's conversations for good, with its turns and feedback.
func (s *Service) DeleteConversation(ctx context.Context, userID, id int64) error {
	if err := s.needStore(); err != nil {
		return err
	}
	return s.o.Store.DeleteConversation(ctx, userID, id)
}

// SetFeedback records the adviser's opinion of one of their answers, replacing an earlier one.
func (s *Service) SetFeedback(ctx context.Context, userID int64, f Feedback) (Feedback, error) {
	if err := s.needStore(); err != nil {
		return Feedback{}, err
	}
	if f.Rating != 1 && f.Rating != -1 {
		return Feedback{}, &FeedbackError{Message: "avis invalide : choisissez « utile » ou « pas utile »"}
	}
	var tags []string
	for _, t := range f.Tags {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(tags, t) {
			continue
		}
		if !slices.ContainsFunc(FeedbackTags, func(ft struct{ Value, Label string }) bool { return ft.Value == t }) {
			return Feedback{}, &FeedbackError{Message: fmt.Sprintf("étiquette %q inconnue", t)}
		}
		tags = append(tags, t)
	}
	comment := strings.TrimSpace(f.Comment)
	if n := utf8.RuneCountInString(comment); n > MaxCommentRunes {
		return Feedback{}, &FeedbackError{Message: fmt.Sprintf("commentaire trop long (%d caractères, %d au plus)", n, MaxCommentRunes)}
	}
	got, err := s.o.Store.SetMessageFeedback(ctx, userID, store.MessageFeedback{MessageID: f.MessageID, Rating: f.Rating, Tags: tags, Comment: comment})
	if err != nil {
		return Feedback{}, err
	}
	return Feedback{MessageID: got.MessageID, Rating: got.Rating, Tags: got.Tags, Comment: got.Comment}, nil
}

// ExportLine is one line of the evaluation export: a turn, redacted, with its feedback.
type ExportLine struct {
	Conversation  int64            `json:"conversation"`
	Turn          int              `json:"turn"`
	Question      string           `json:"question"` // redacted
	Answer        string           `json:"answer"`   // redacted
	Sources       []ground.Passage `json:"sources"`
	Model         string           `json:"model"`
	Offline       bool             `json:"offline"`
	PromptVersion string           `json:"prompt_version"`
	CreatedAt     time.Time        `json:"created_at"`
	Feedback      *Feedback        `json:"feedback,omitempty"`
}

// Export writes the adviser's turns (every adviser's when userID is 0) as JSON lines for evaluation: questions
// and answers as redacted, comments filtered with their conversation's mapping; it returns the lines written.
// A comment the filter fails on is left out, not written in clear.
func (s *Service) Export(ctx context.Context, userID int64, w io.Writer) (int, error) {
	if err := s.needStore(); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err := s.o.Store.ExportConversationTurns(ctx, userID, func(t store.ExportedTurn) error {
		line := ExportLine{Conversation: t.ConversationID, Turn: t.Ord, Question: t.QuestionRedacted, Answer: t.AnswerRedacted,
			Sources: t.Sources, Model: t.Model, Offline: t.Offline, PromptVersion: t.PromptVersion, CreatedAt: t.CreatedAt}
		if f := t.Feedback; f != nil {
			line.Feedback = &Feedback{Rating: f.Rating, Tags: f.Tags}
			if f.Comment != "" {
				m := t.Mapping
				if m == nil {
					m = pii.NewMapping()
				}
				r, err := s.o.Filter.RedactWith(ctx, m, f.Comment)
				if err != nil {
					s.o.Log.Warn("assistant : export d'un commentaire impossible à filtrer, omis", "conversation", t.ConversationID, "tour", t.Ord)
				} else {
					line.Feedback.Comment = r.Text.String()
				}
			}
		}
		n++
		return enc.Encode(line)
	})
	return n, err
}
