// Package pii finds personal and confidential data in French text and replaces it with typed, numbered
// placeholders before anything leaves the server; it restores what is safe for the agent afterwards.
//
// It imports nothing of the rest of Plume.
package pii
