// Package eval holds pure functions that score Plume's components against
// labelled sets kept under eval/.
package eval

import (
	"fmt"
	"math"
	"os"
	"strings"
)

// RetrievalItem is one labelled question: the citizen's query and the fiche
// ids that answer it.
type RetrievalItem struct {
	ID       string   `json:"id"`
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
	Audience string   `json:"audience"`
	Far      bool     `json:"far"`
}

// maxLineBytes bounds one JSONL line so a corrupt file cannot exhaust memory.
const maxLineBytes = 1 << 20

// LoadRetrievalSet reads a JSONL file of RetrievalItem, one object per line,
// and names the line of the first malformed entry.
func LoadRetrievalSet(path string) ([]RetrievalItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: jeu de questions : %w", err)
	}
	defer f.Close()
	return readItems(path, f, "aucune question", func(it *RetrievalItem) *string { return &it.ID }, func(it *RetrievalItem) string {
		it.Query = strings.TrimSpace(it.Query)
		if it.Query == "" {
			return "question vide"
		}
		rel := make([]string, 0, len(it.Relevant))
		for _, r := range it.Relevant {
			if r = strings.TrimSpace(r); r != "" {
				rel = append(rel, r)
			}
		}
		if len(rel) == 0 {
			return "aucune fiche pertinente"
		}
		it.Relevant = rel
		return ""
	})
}

// DedupDocs keeps the first occurrence of each id, since a chunk ranking
// names the same fiche several times and metrics are counted per fiche.
func DedupDocs(ranked []string) []string {
	seen := make(map[string]bool, len(ranked))
	out := make([]string, 0, len(ranked))
	for _, id := range ranked {
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

func relevantSet(relevant []string) map[string]bool {
	set := make(map[string]bool, len(relevant))
	for _, r := range relevant {
		set[r] = true
	}
	return set
}

func topK(ranked []string, k int) []string {
	if k < 0 {
		k = 0
	}
	if k < len(ranked) {
		return ranked[:k]
	}
	return ranked
}

// RecallAtK is the fraction of distinct relevant documents found in the first
// k entries of ranked (document-level recall; duplicates count once).
func RecallAtK(ranked []string, relevant []string, k int) float64 {
	rel := relevantSet(relevant)
	if len(rel) == 0 {
		return 0
	}
	found := 0
	for _, id := range DedupDocs(topK(ranked, k)) {
		if rel[id] {
			found++
		}
	}
	return float64(found) / float64(len(rel))
}

// HitAtK is 1 when at least one relevant document is among the first k
// entries of ranked, else 0.
func HitAtK(ranked []string, relevant []string, k int) float64 {
	rel := relevantSet(relevant)
	for _, id := range topK(ranked, k) {
		if rel[id] {
			return 1
		}
	}
	return 0
}

// ReciprocalRank is 1/rank of the first relevant document in ranked, 0 if
// none is present.
func ReciprocalRank(ranked []string, relevant []string) float64 {
	rel := relevantSet(relevant)
	for i, id := range ranked {
		if rel[id] {
			return 1 / float64(i+1)
		}
	}
	return 0
}

// NDCGAtK is the normalised discounted cumulative gain of the first k entries
// with binary relevance; a document repeated in ranked gains only once.
func NDCGAtK(ranked []string, relevant []string, k int) float64 {
	rel := relevantSet(relevant)
	if len(rel) == 0 || k <= 0 {
		return 0
	}
	var dcg float64
	credited := make(map[string]bool, len(rel))
	for i, id := range topK(ranked, k) {
		if rel[id] && !credited[id] {
			credited[id] = true
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	var ideal float64
	for i := 0; i < min(len(rel), k); i++ {
		ideal += 1 / math.Log2(float64(i+2))
	}
	return dcg / ideal
}

// RetrievalScores are the metrics of one question, or their means over a set.
//
// Recall1 and Recall5 are hit rates (HitAtK): the share of questions with at
// least one relevant fiche in the top k. Most questions have a single relevant
// fiche, where both definitions agree; for the few with several, a citizen is
// served by any one of them, so the hit rate is what "recall@k" reports.
// DocRecall5 keeps the strict document-level recall for reference.
type RetrievalScores struct {
	Recall1    float64 `json:"recall_at_1"`
	Recall5    float64 `json:"recall_at_5"`
	Recall10   float64 `json:"recall_at_10"`
	DocRecall5 float64 `json:"doc_recall_at_5"`
	MRR        float64 `json:"mrr"`
	NDCG10     float64 `json:"ndcg_at_10"`
}

// RetrievalItemResult is the score of one question with the ranking it got.
type RetrievalItemResult struct {
	ID     string          `json:"id"`
	Far    bool            `json:"far"`
	Ranked []string        `json:"ranked"`
	Scores RetrievalScores `json:"scores"`
}

// RetrievalReport aggregates scores over a labelled set, overall and split
// between lexically far and near questions.
type RetrievalReport struct {
	N        int                   `json:"n"`
	Missing  int                   `json:"missing"`
	Mean     RetrievalScores       `json:"mean"`
	NFar     int                   `json:"n_far"`
	MeanFar  RetrievalScores       `json:"mean_far"`
	NNear    int                   `json:"n_near"`
	MeanNear RetrievalScores       `json:"mean_near"`
	Items    []RetrievalItemResult `json:"items"`
}

// ScoreRanking computes every metric for one ranking, after folding repeated
// document ids (one per chunk) to their first occurrence.
func ScoreRanking(ranked []string, relevant []string) RetrievalScores {
	docs := DedupDocs(ranked)
	return RetrievalScores{
		Recall1:    HitAtK(docs, relevant, 1),
		Recall5:    HitAtK(docs, relevant, 5),
		Recall10:   HitAtK(docs, relevant, 10),
		DocRecall5: RecallAtK(docs, relevant, 5),
		MRR:        ReciprocalRank(docs, relevant),
		NDCG10:     NDCGAtK(docs, relevant, 10),
	}
}

// Summarise scores each item against rankings (keyed by item id, values are
// document ids best first, repeats allowed); an item without a ranking
// scores zero and is counted in Missing.
func Summarise(items []RetrievalItem, rankings map[string][]string) RetrievalReport {
	rep := RetrievalReport{N: len(items), Items: make([]RetrievalItemResult, 0, len(items))}
	var all, far, near []RetrievalScores
	for _, it := range items {
		ranked, ok := rankings[it.ID]
		if !ok {
			rep.Missing++
		}
		docs := DedupDocs(ranked)
		s := ScoreRanking(docs, it.Relevant)
		rep.Items = append(rep.Items, RetrievalItemResult{ID: it.ID, Far: it.Far, Ranked: docs, Scores: s})
		all = append(all, s)
		if it.Far {
			far = append(far, s)
		} else {
			near = append(near, s)
		}
	}
	rep.Mean, rep.NFar, rep.MeanFar, rep.NNear, rep.MeanNear = mean(all), len(far), mean(far), len(near), mean(near)
	return rep
}

func mean(ss []RetrievalScores) RetrievalScores {
	var m RetrievalScores
	if len(ss) == 0 {
		return m
	}
	for _, s := range ss {
		m.Recall1 += s.Recall1
		m.Recall5 += s.Recall5
		m.Recall10 += s.Recall10
		m.DocRecall5 += s.DocRecall5
		m.MRR += s.MRR
		m.NDCG10 += s.NDCG10
	}
	n := float64(len(ss))
	m.Recall1 /= n
	m.Recall5 /= n
	m.Recall10 /= n
	m.DocRecall5 /= n
	m.MRR /= n
	m.NDCG10 /= n
	return m
}
