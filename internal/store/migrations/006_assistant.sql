-- The advisers' assistant: conversations, their turns with the sources given, and the advisers' feedback.
-- Depends on 004 (users). Everything belongs to one adviser and goes when they delete the conversation.

-- One conversation of an adviser with the assistant. pii_mapping links the placeholders of every turn to the
-- values they replaced: it never leaves the server, and it keeps one placeholder per person across the turns.
CREATE TABLE conversations (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title        text NOT NULL DEFAULT '',
  pii_mapping  jsonb NOT NULL DEFAULT '{}',
  turns        integer NOT NULL DEFAULT 0 CHECK (turns >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user_idx ON conversations (user_id, updated_at DESC);

-- One question and its answer. The clear question is kept for the adviser's own history only; what left the
-- server is question_redacted, and evaluation exports read only the redacted columns.
CREATE TABLE conversation_messages (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id    bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  ord                integer NOT NULL CHECK (ord >= 1),
  question           text NOT NULL,
  question_redacted  text NOT NULL,
  answer             text NOT NULL,
  answer_redacted    text NOT NULL,
  -- [{n, chunk_id, doc_id, title, section_path, url, date, cited}]: the sources given, and which were cited.
  sources            jsonb NOT NULL DEFAULT '[]',
  model              text NOT NULL DEFAULT '',
  offline            boolean NOT NULL DEFAULT false,
  prompt_version     text NOT NULL DEFAULT '',
  checks             jsonb,
  usage              jsonb,
  latency_ms         jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (conversation_id, ord)
);

-- An adviser's opinion of one answer: thumbs up (1) or down (-1), tags from a fixed list, a free comment.
CREATE TABLE message_feedback (
  message_id  bigint PRIMARY KEY REFERENCES conversation_messages (id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating      smallint NOT NULL CHECK (rating IN (-1, 1)),
  tags        text[] NOT NULL DEFAULT '{}',
  comment     text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
