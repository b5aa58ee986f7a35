// Package draft turns a review into a grounded, cited draft reply: filter, retrieve, prompt, generate, check,
// restore, store. It also holds the offline drafter used when no model is configured or the model fails. The
// retrieval, the citation and grounding checks and the offline sentence picker are the core's (internal/ground);
// this package keeps what is a reply's own: its prompt and its shape.
package draft
