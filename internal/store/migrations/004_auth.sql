-- Accounts, sessions, API tokens and the audit log. Depends only on 001 (organisations).

-- A person who signs in to Plume: a local account (password_hash) or an OpenID Connect identity (issuer, subject).
CREATE TABLE users (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Only a platform administrator may belong to no organisation: everyone else is scoped to one.
  organisation_id  bigint REFERENCES organisations (id),
  email            text NOT NULL CHECK (email <> '' AND email = lower(email)),
  name             text NOT NULL,
  role             text NOT NULL CHECK (role IN ('agent', 'superviseur', 'conseiller', 'evaluateur', 'admin')),
  -- argon2id in PHC format; NULL for accounts that only sign in through OpenID Connect.
  password_hash    text,
  oidc_issuer      text,
  oidc_subject     text,
  failed_logins    integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until     timestamptz,
  disabled_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (organisation_id IS NOT NULL OR role = 'admin'),
  CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
  UNIQUE (oidc_issuer, oidc_subject)
);
-- The application stores emails in lower case; the index on lower() keeps a hand-written row from duplicating one.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_organisation_idx ON users (organisation_id);

-- A signed-in browser. Only the SHA-256 of the cookie value is kept: a leaked table opens no session.
CREATE TABLE sessions (
  token_hash    bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- A credential for integrations, shown once at creation and kept hashed; scopes narrow what the owner may do.
CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (name <> ''),
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  scopes        text[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Who viewed, edited, approved or exported what, and when.
-- No foreign keys: the log must outlive the users and organisations it names, and actor keeps who they were.
CREATE TABLE audit_log (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  user_id          bigint,
  actor            text NOT NULL,
  action           text NOT NULL CHECK (action <> ''),
  object_type      text NOT NULL DEFAULT '',
  object_id        text NOT NULL DEFAULT '',
  organisation_id  bigint,
  details          jsonb NOT NULL DEFAULT '{}',
  ip               text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);
CREATE INDEX audit_log_organisation_idx ON audit_log (organisation_id, id);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);

-- The log is append-only in the database itself, so no application bug (or hand-typed statement) can rewrite history.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log est en ajout seul : % interdit', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
