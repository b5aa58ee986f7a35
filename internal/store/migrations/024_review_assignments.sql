-- Who is answering a review: an agent takes it with « me l'attribuer » and finds it under « mes avis »; releasing
-- deletes the row. The primary key makes the first taker win when two agents click at once. Depends on 003, 004.
CREATE TABLE review_assignments (
  review_id   bigint PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assigned_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_assignments_user_idx ON review_assignments (user_id, review_id);
