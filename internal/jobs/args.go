package jobs

import (
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Queues, so that a flood of drafts never delays a pull or a publication.
const (
	QueuePull    = "pull"
	QueueDraft   = "draft"
	QueuePublish = "publish"
	QueueCorpus  = "corpus"
)

// PullReviewsArgs asks for one incremental pull of the configured review source.
type PullReviewsArgs struct{}

// Kind names the job in river_job.
func (PullReviewsArgs) Kind() string { return "pull_reviews" }

// InsertOpts puts pulls on their own queue; the periodic schedule adds uniqueness per period.
func (PullReviewsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePull, MaxAttempts: 5}
}

// DraftReviewArgs asks for the first draft of a review.
type DraftReviewArgs struct {
	ReviewID int64 `json:"review_id"`
}

// Kind names the job in river_job.
func (DraftReviewArgs) Kind() string { return "draft_review" }

// InsertOpts makes the job unique by review: two workers that see the same new review queue one draft.
// A discarded or cancelled job does not block a new request.
func (DraftReviewArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDraft, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReindexCorpusArgs asks for the corpus to be re-indexed.
type ReindexCorpusArgs struct{}

// Kind names the job in river_job.
func (ReindexCorpusArgs) Kind() string { return "reindex_corpus" }

// InsertOpts allows one re-indexing queued or running at a time, and a new one once it finished.
func (ReindexCorpusArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCorpus, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// PublishReplyArgs asks for an approved draft to be published as the review's reply.
type PublishReplyArgs struct {
	ReviewID int64 `json:"review_id"`
	DraftID  int64 `json:"draft_id"`
}

// Kind names the job in river_job.
func (PublishReplyArgs) Kind() string { return "publish_reply" }

// InsertOpts retries a publication for about two days (River's backoff is attempt⁴ seconds) and keeps one job per
// draft; an abandoned publication may be asked again.
func (PublishReplyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePublish, MaxAttempts: 15, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
