package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
)

// ErrConflict is returned when a conversation changed between reading it and writing to it (two questions
// asked at once in the same conversation).
var ErrConflict = errors.New("modifié entre-temps")

// Conversation is one row of conversations: an adviser's exchange with the assistant.
type Conversation struct {
	ID        int64        `db:"id"`
	UserID    int64        `db:"user_id"`
	Title     string       `db:"title"`
	Mapping   *pii.Mapping `db:"pii_mapping"` // placeholders → values: server-side only; decoded with its errors
	Turns     int          `db:"turns"`
	CreatedAt time.Time    `db:"created_at"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// ConversationMessage is one turn of a conversation, with the adviser's feedback when given.
type ConversationMessage struct {
	ID               int64            `db:"id"`
	ConversationID   int64            `db:"conversation_id"`
	Ord              int              `db:"ord"`
	Question         string           `db:"question"`
	QuestionRedacted string           `db:"question_redacted"`
	Answer           string           `db:"answer"`
	AnswerRedacted   string           `db:"answer_redacted"`
	Sources          []ground.Passage `db:"sources"` // as cited, without their text: the fiche is in the corpus
	Model            string           `db:"model"`
	Offline          bool             `db:"offline"`
	PromptVersion    string           `db:"prompt_version"`
	Checks           []ground.Check   `db:"checks"`
	Usage            json.RawMessage  `db:"usage"`
	LatencyMS        json.RawMessage  `db:"latency_ms"`
	CreatedAt        time.Time        `db:"created_at"`
	Feedback         *MessageFeedback
}

// MessageFeedback is an adviser's rating of one answer.
type MessageFeedback struct {
	MessageID int64
	Rating    int // 1 or -1
	Tags      []string
	Comment   string
	UpdatedAt time.Time
}

// ConversationTurn is what AddConversationTurn stores: a new conversation when ConversationID is 0.
type ConversationTurn struct {
	UserID         int64
	ConversationID int64
	// ExpectTurns is the number of turns the conversation had when the question was read; another count means
	// someone else wrote meanwhile, and the mapping would be overwritten: ErrConflict.
	ExpectTurns int
	Title       string // for a new conversation
	Mapping     *pii.Mapping
	Message     ConversationMessage
}

const conversationColumns = "id, user_id, title, pii_mapping, turns, created_at, updated_at"

const messageColumns = `m.id, m.conversation_id, m.ord, m.question, m.question_redacted, m.answer, m.answer_redacted,
	m.sources, m.model, m.offline, m.prompt_version, m.checks, m.usage, m.latency_ms, m.created_at`

// AddConversationTurn stores a question and its answer, creating the conversation if needed, and returns the
// message as stored. A conversation of another user is ErrNotFound.
func (s *Store) AddConversationTurn(ctx context.Context, t ConversationTurn) (ConversationMessage, error) {
	var out ConversationMessage
	mapping, err := encodeMapping(t.Mapping)
	if err != nil {
		return out, fmt.Errorf("store: add conversation turn: %w", err)
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		convID := t.ConversationID
		var turns int
		if convID == 0 {
			err := tx.QueryRow(ctx, `INSERT INTO conversations (user_id, title, pii_mapping) VALUES ($1, $2, $3) RETURNING id`,
				t.UserID, t.Title, string(mapping)).Scan(&convID)
			if err != nil {
				return err
			}
		} else {
			err := tx.QueryRow(ctx, "SELECT turns FROM conversations WHERE id = $1 AND user_id = $2 FOR UPDATE",
				convID, t.UserID).Scan(&turns)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if turns != t.ExpectTurns {
				return ErrConflict
			}
		}
		m := t.Message
		sources, err := json.Marshal(nonNilSlice(m.Sources))
		if err != nil {
			return err
		}
		var checks any
		if m.Checks != nil {
			b, err := json.Marshal(m.Checks)
			if err != nil {
				return err
			}
			checks = string(b)
		}
		rows, err := tx.Query(ctx, `INSERT INTO conversation_messages AS m (conversation_id, ord, question, question_redacted,
				answer, answer_redacted, sources, model, offline, prompt_version, checks, usage, latency_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+messageColumns,
			convID, turns+1, m.Question, m.QuestionRedacted, m.Answer, m.AnswerRedacted, string(sources), m.Model,
			m.Offline, m.PromptVersion, checks, jsonArg(m.Usage), jsonArg(m.LatencyMS))
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByNameLax[ConversationMessage])
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE conversations SET turns = $2, pii_mapping = $3, updated_at = now() WHERE id = $1",
			convID, turns+1, string(mapping))
		return err
	})
	if err != nil {
		return ConversationMessage{}, fmt.Errorf("store: add conversation turn: %w", err)
	}
	return out, nil
}

// Conversation returns one of the user's conversations; another user's is ErrNotFound.
func (s *Store) Conversation(ctx context.Context, userID, id int64) (Conversation, error) {
	return getOne[Conversation](ctx, s.Pool, fmt.Sprintf("conversation %d", id),
		"SELECT "+conversationColumns+" FROM conversations WHERE id = $1 AND user_id = $2", id, userID)
}

// ListConversations returns the user's conversations, most recently active first, at most limit (default 50).
func (s *Store) ListConversations(ctx context.Context, userID int64, limit int) ([]Conversation, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.Pool.Query(ctx, "SELECT "+conversationColumns+` FROM conversations WHERE user_id = $1
		ORDER BY updated_at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list conversations: %w", err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Conversation])
	if err != nil {
		return nil, fmt.Errorf("store: list conversations: %w", err)
	}
	return cs, nil
}

// ConversationMessages returns the turns of one of the user's conversations, in order, with their feedback;
// another user's conversation is ErrNotFound.
func (s *Store) ConversationMessages(ctx context.Context, userID, conversationID int64) ([]ConversationMessage, error) {
	if _, err := s.Conversation(ctx, userID, conversationID); err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, "SELECT "+messageColumns+`, f.rating, f.tags, f.comment, f.updated_at
		FROM conversation_messages m LEFT JOIN message_feedback f ON f.message_id = m.id
		WHERE m.conversation_id = $1 ORDER BY m.ord`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: conversation messages: %w", err)
	}
	ms, err := pgx.CollectRows(rows, scanMessageWithFeedback)
	if err != nil {
		return nil, fmt.Errorf("store: conversation messages: %w", err)
	}
	return ms, nil
}

func scanMessageWithFeedback(row pgx.CollectableRow) (ConversationMessage, error) {
	var m ConversationMessage
	var rating *int16
	var tags []string
	var comment *string
	var updated *time.Time
	err := row.Scan(&m.ID, &m.ConversationID, &m.Ord, &m.Question, &m.QuestionRedacted, &m.Answer, &m.AnswerRedacted,
		&m.Sources, &m.Model, &m.Offline, &m.PromptVersion, &m.Checks, &m.Usage, &m.LatencyMS, &m.CreatedAt,
		&rating, &tags, &comment, &updated)
	if err != nil {
		return m, err
	}
	if rating != nil {
		m.Feedback = &MessageFeedback{MessageID: m.ID, Rating: int(*rating), Tags: tags, UpdatedAt: *updated}
		if comment != nil {
			m.Feedback.Comment = *comment
		}
	}
	return m, nil
}

// DeleteConversation removes one of the user's conversations with its turns and feedback, for good; another
// user's conversation is ErrNotFound.
func (s *Store) DeleteConversation(ctx context.Context, userID, id int64) error {
	tag, err := s.Pool.Exec(ctx, "DELETE FROM conversations WHERE id = $1 AND user_id = $2", id, userID)
	if err != nil {
		return fmt.Errorf("store: delete conversation %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: delete conversation %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetMessageFeedback records (or replaces) the user's feedback on a message of one of their conversations;
// a message of another user's conversation is ErrNotFound.
func (s *Store) SetMessageFeedback(ctx context.Context, userID int64, f MessageFeedback) (MessageFeedback, error) {
	if f.Tags == nil {
		f.Tags = []string{}
	}
	var out MessageFeedback
	err := s.Pool.QueryRow(ctx, `INSERT INTO message_feedback (message_id, user_id, rating, tags, comment)
		SELECT m.id, c.user_id, $3, $4, $5 FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.id = $1 AND c.user_id = $2
		ON CONFLICT (message_id) DO UPDATE SET rating = EXCLUDED.rating, tags = EXCLUDED.tags, comment = EXCLUDED.comment,
			updated_at = now()
		RETURNING message_id, rating, tags, comment, updated_at`, f.MessageID, userID, f.Rating, f.Tags, f.Comment).
		Scan(&out.MessageID, &out.Rating, &out.Tags, &out.Comment, &out.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return MessageFeedback{}, fmt.Errorf("store: feedback on message %d: %w", f.MessageID, ErrNotFound)
	}
	if err != nil {
		return MessageFeedback{}, fmt.Errorf("store: feedback on message %d: %w", f.MessageID, err)
	}
	return out, nil
}

// ExportedTurn is a turn as exported for evaluation: redacted text only, the clear question never leaves.
type ExportedTurn struct {
	ConversationID   int64
	Ord              int
	QuestionRedacted string
	AnswerRedacted   string
	Sources          []ground.Passage
	Model            string
	Offline          bool
	PromptVersion    string
	CreatedAt        time.Time
	Mapping          *pii.Mapping // the conversation's, so a feedback comment can be filtered with its placeholders
	Feedback         *MessageFeedback
}

// ExportConversationTurns calls fn with every turn of the user's conversations (of every adviser when userID is
// 0), oldest first, reading only the redacted columns and the feedback.
func (s *Store) ExportConversationTurns(ctx context.Context, userID int64, fn func(ExportedTurn) error) error {
	rows, err := s.Pool.Query(ctx, `SELECT m.conversation_id, m.ord, m.question_redacted, m.answer_redacted, m.sources,
			m.model, m.offline, m.prompt_version, m.created_at, c.pii_mapping, f.rating, f.tags, f.comment, f.updated_at
		FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
		LEFT JOIN message_feedback f ON f.message_id = m.id
		WHERE $1 = 0 OR c.user_id = $1
		ORDER BY m.conversation_id, m.ord`, userID)
	if err != nil {
		return fmt.Errorf("store: export conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t ExportedTurn
		var rating *int16
		var tags []string
		var comment *string
		var updated *time.Time
		if err := rows.Scan(&t.ConversationID, &t.Ord, &t.QuestionRedacted, &t.AnswerRedacted, &t.Sources, &t.Model,
			&t.Offline, &t.PromptVersion, &t.CreatedAt, &t.Mapping, &rating, &tags, &comment, &updated); err != nil {
			return fmt.Errorf("store: export conversations: %w", err)
		}
		if rating != nil {
			t.Feedback = &MessageFeedback{Rating: int(*rating), Tags: tags, UpdatedAt: *updated}
			if comment != nil {
				t.Feedback.Comment = *comment
			}
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export conversations: %w", err)
	}
	return nil
}

// nonNilSlice stores an empty list as [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
