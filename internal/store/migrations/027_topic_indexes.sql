-- « thème » as « ressenti » is served (migration 021): btree indexes that lead with the folded topic. A topic
-- filter first finds the organisation's topics that contain the words (a loose scan of these indexes, one descent
-- per distinct topic), then lists and counts the reviews of those topics in the inbox's order, reading no more
-- than the page and CountCap + 1 index entries per status. With the trigram index alone, every filter built a
-- bitmap of all its matches (50,000 at a million reviews) and walked the inbox in order, reading a review in
-- twenty: p95 408 ms. Depends on 021.

-- The agent's order (open first, oldest first), newest first, and per status (tabs and counts).
CREATE INDEX reviews_topic_open_idx ON reviews (organisation_id, topic_key, (status IN ('publie', 'ecarte')), written_at, id);
CREATE INDEX reviews_topic_newest_idx ON reviews (organisation_id, topic_key, written_at DESC, id DESC);
CREATE INDEX reviews_topic_status_idx ON reviews (organisation_id, topic_key, status, written_at DESC, id DESC);
