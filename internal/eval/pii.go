package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/pii"
)

// PIIExample is one annotated review of eval/pii/*.jsonl, in the format of shared/PII-LABELS.md.
type PIIExample struct {
	ID    string        `json:"id"`
	Text  string        `json:"text"`
	Spans []PIIGoldSpan `json:"spans"`
	Traps []string      `json:"traps,omitempty"` // substrings that are not personal and must survive verbatim
}

// PIIGoldSpan is an annotated value: UTF-8 byte offsets into Text, its label and, when given, the value itself
// (Text[Start:End]).
type PIIGoldSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Value string `json:"value,omitempty"`
}

// LoadPIISet reads an annotated set, one JSON example per line, checking every span: in the text, a known
// label, and its value (when given) equal to the text it points to.
func LoadPIISet(r io.Reader) ([]PIIExample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	labels := map[string]bool{}
	for _, l := range pii.Labels() {
		labels[l] = true
	}
	var out []PIIExample
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex PIIExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			return nil, fmt.Errorf("ligne %d : JSON invalide : %w", line, err)
		}
		for i, s := range ex.Spans {
			if s.Start < 0 || s.End > len(ex.Text) || s.Start >= s.End || !labels[s.Label] {
				return nil, fmt.Errorf("ligne %d : segment %d invalide (%d-%d %q)", line, i+1, s.Start, s.End, s.Label)
			}
			if s.Value != "" && ex.Text[s.Start:s.End] != s.Value {
				return nil, fmt.Errorf("ligne %d : segment %d : la valeur %q n'est pas le texte %d-%d", line, i+1, s.Value, s.Start, s.End)
			}
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// PIIDataDir finds eval/pii from the working directory or one of its parents (the module root).
func PIIDataDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "eval", "pii")
		if _, err := os.Stat(filepath.Join(p, "README.md")); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dossier eval/pii introuvable depuis le répertoire courant (option --data)")
		}
		dir = parent
	}
}

// PIISplits lists the annotated sets of dir (the *.jsonl files, by name without extension), in a stable order:
// the test splits first, then the other blind sets, then the rest.
func PIISplits(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".jsonl"))
	}
	rank := func(s string) int {
		switch {
		case PIITestSplit(s):
			return 0
		case strings.Contains(s, "blind") || strings.HasPrefix(s, "real"):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out, nil
}

// SplitTestBlind5 to SplitTestBlind10 were written by people who never read the filter's code; -5 to -8 are
// held-out test splits, read in aggregate only (-5 and -6 from session 4, -7 and -8 from session 5); -9 and -10
// (session 6) are tuning sets since session 7. Each keeps a floor in TestPIITargets.
const (
	SplitTestBlind5 = "test-blind-5"
	SplitTestBlind6 = "test-blind-6"
	SplitTestBlind7 = "test-blind-7"
	SplitTestBlind8 = "test-blind-8"
	// SplitTestBlind9 holds citizen reviews and SplitTestBlind10 other texts (replies, advisers' questions and
	// notes, transcripts, letters), written blind in session 6.
	SplitTestBlind9  = "test-blind-9"
	SplitTestBlind10 = "test-blind-10"
)

// piiTuningBlindSplits are the blind sets that served as test splits before newer blind sets arrived: their
// details have been read since, so they are tuning sets now (eval/pii/README.md). test-blind-3 and -4 were
// measured twice in aggregate (2026-12-03) and became tuning sets when test-blind-5 and -6 were commissioned.
// dev-blind-4 (citizen reviews of the 5th session) was written blind as a tuning set from the start.
// test-blind-9 and -10, measured twice in aggregate (session 6), became tuning sets when test-blind-11 and -12
// were commissioned (session 7): they are the two weakest sets, and their misses are what the filter must learn.
var piiTuningBlindSplits = map[string]bool{
	"test-blind": true, "test-blind-2": true, "dev-blind": true, "test-blind-3": true, "test-blind-4": true,
	"dev-blind-4": true, SplitTestBlind9: true, SplitTestBlind10: true,
}

// PIITestSplit reports whether a split is a held-out test split: any test-blind* set that is not one of the
// former test splits now used for tuning, so a new blind set is hidden from the day it lands.
func PIITestSplit(split string) bool {
	return strings.HasPrefix(split, "test-blind") && !piiTuningBlindSplits[split]
}

// PIIMeasurementSplit reports whether a split is only ever read in aggregate (the test splits, the real
// experiences): listing its misses would let the filter be tuned on it.
func PIIMeasurementSplit(split string) bool {
	return PIITestSplit(split) || strings.HasPrefix(split, "real")
}

// LoadPIISplit reads dir/<split>.jsonl.
func LoadPIISplit(dir, split string) ([]PIIExample, error) {
	if split == "" || strings.ContainsAny(split, `/\.`) {
		return nil, fmt.Errorf("jeu %q invalide : un nom de fichier de eval/pii sans .jsonl", split)
	}
	f, err := os.Open(filepath.Join(dir, split+".jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := LoadPIISet(f)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", f.Name(), err)
	}
	return ex, nil
}

// PIIClassScore holds the span-level figures of one class (or of all, under Label "ALL").
type PIIClassScore struct {
	Label     string  `json:"label"`
	Gold      int     `json:"gold"`
	Predicted int     `json:"predicted"`
	Matched   int     `json:"matched"` // predictions matching a gold span of the same label at IoU ≥ 0.5
	Found     int     `json:"found"`   // gold spans matched
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F2        float64 `json:"f2"`
}

// PIILeak is an annotated value still found in the filtered text (or a predicted span matching nothing).
type PIILeak struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// PIIReport is the result of EvalPII.
type PIIReport struct {
	Reviews           int             `json:"reviews"`
	TrapReviews       int             `json:"trap_reviews"` // reviews with no personal data
	Traps             int             `json:"traps"`        // annotated trap strings
	Classes           []PIIClassScore `json:"classes"`
	Overall           PIIClassScore   `json:"overall"`
	ZeroLeakShare     float64         `json:"zero_leak_share"`
	LeakedValues      int             `json:"leaked_values"`
	TrapMasked        float64         `json:"trap_masked_rate"`         // share of trap strings not kept verbatim
	TrapReviewsMasked float64         `json:"trap_reviews_masked_rate"` // share of reviews without personal data where anything was masked
	Leaks             []PIILeak       `json:"leaks"`
	FalsePos          []PIILeak       `json:"false_positives"` // predicted spans matching nothing (first ones)
	Missed            []PIILeak       `json:"missed"`          // annotated values no prediction matched (first ones)
	TrapsLost         []PIILeak       `json:"traps_lost"`      // trap strings not kept verbatim (first ones)
}

// EvalPII runs the filter on every example and scores it against the annotations, never against the filter's
// own detections: per-class precision, recall and F2 with a span match at IoU ≥ 0.5 and the same label; the
// share of reviews without any leaked value (see piiLeaked); the share of annotated traps that did not survive
// verbatim (or, for sets without traps, of reviews without personal data where anything was masked).
func EvalPII(ctx context.Context, f *pii.Filter, set []PIIExample) (PIIReport, error) {
	rep := PIIReport{Reviews: len(set)}
	per := map[string]*PIIClassScore{}
	for _, l := range pii.Labels() {
		per[l] = &PIIClassScore{Label: l}
	}
	zeroLeak, trapReviewsMasked, trapsMasked := 0, 0, 0
	for _, ex := range set {
		res, err := f.Redact(ctx, ex.Text)
		if err != nil {
			return PIIReport{}, fmt.Errorf("%s : %w", ex.ID, err)
		}
		pred, out := res.Spans, res.Text.String()
		for _, g := range ex.Spans {
			per[g.Label].Gold++
		}
		usedGold := make([]bool, len(ex.Spans))
		for _, p := range pred {
			per[p.Label].Predicted++
			best, bestIoU := -1, 0.0
			for gi, g := range ex.Spans {
				if usedGold[gi] || g.Label != p.Label {
					continue
				}
				if v := piiIoU(p.Start, p.End, g.Start, g.End); v >= 0.5 && v > bestIoU {
					best, bestIoU = gi, v
				}
			}
			if best >= 0 {
				usedGold[best] = true
				per[p.Label].Matched++
				per[p.Label].Found++
			} else if len(rep.FalsePos) < 500 {
				rep.FalsePos = append(rep.FalsePos, PIILeak{ID: ex.ID, Label: p.Label, Value: ex.Text[p.Start:p.End]})
			}
		}
		for gi, g := range ex.Spans {
			if !usedGold[gi] && len(rep.Missed) < 500 {
				rep.Missed = append(rep.Missed, PIILeak{ID: ex.ID, Label: g.Label, Value: ex.Text[g.Start:g.End]})
			}
		}
		runs := digitRuns(out)
		leaked := false
		for _, g := range ex.Spans {
			if piiLeaked(out, runs, g.Label, ex.Text[g.Start:g.End]) {
				leaked = true
				rep.LeakedValues++
				if len(rep.Leaks) < 500 {
					rep.Leaks = append(rep.Leaks, PIILeak{ID: ex.ID, Label: g.Label, Value: ex.Text[g.Start:g.End]})
				}
			}
		}
		if !leaked {
			zeroLeak++
		}
		if len(ex.Spans) == 0 {
			rep.TrapReviews++
			if len(pred) > 0 {
				trapReviewsMasked++
			}
		}
		for _, t := range ex.Traps {
			if strings.TrimSpace(t) == "" {
				continue
			}
			rep.Traps++
			if !strings.Contains(out, t) {
				trapsMasked++
				if len(rep.TrapsLost) < 500 {
					rep.TrapsLost = append(rep.TrapsLost, PIILeak{ID: ex.ID, Value: t})
				}
			}
		}
	}
	all := PIIClassScore{Label: "ALL"}
	for _, l := range pii.Labels() {
		c := per[l]
		piiScore(c)
		rep.Classes = append(rep.Classes, *c)
		all.Gold += c.Gold
		all.Predicted += c.Predicted
		all.Matched += c.Matched
		all.Found += c.Found
	}
	piiScore(&all)
	rep.Overall = all
	if rep.Reviews > 0 {
		rep.ZeroLeakShare = float64(zeroLeak) / float64(rep.Reviews)
	}
	if rep.TrapReviews > 0 {
		rep.TrapReviewsMasked = float64(trapReviewsMasked) / float64(rep.TrapReviews)
	}
	if rep.Traps > 0 {
		rep.TrapMasked = float64(trapsMasked) / float64(rep.Traps)
	} else {
		rep.TrapMasked = rep.TrapReviewsMasked
	}
	return rep, nil
}

// piiLeaked reports whether an annotated value can still be found in the filtered text out, as the label guide
// defines a leak: the value itself as a word; for a number of 6 digits or more, its digits inside a number of
// out whatever the separators; for a person, any of its words of three letters or more but the particles, so
// that « Jean [PERSONNE_1] » leaks « Jean Dupont ».
func piiLeaked(out string, runs []string, label, value string) bool {
	value = strings.TrimSpace(value)
	if value == "" {
		return false
	}
	if containsWord(out, value) {
		return true
	}
	if d := onlyDigits(value); len(d) >= 6 {
		for _, r := range runs {
			if strings.Contains(r, d) {
				return true
			}
		}
	}
	if label == pii.LabelPerson {
		for _, w := range strings.FieldsFunc(value, func(r rune) bool { return !unicode.IsLetter(r) }) {
			lw := strings.ToLower(w)
			if utf8.RuneCountInString(w) >= 3 && !nameParticle[lw] && !nameTitle[lw] && containsWord(out, w) {
				return true
			}
		}
	}
	return false
}

// pseudonymLeaked reports whether the citizen's public pseudonym is in the prompt, by its distinctive words (« Dupont »
// of « Jean Dupont ») or, when it holds digits (« lodie75 »), whole, in any case. A pseudonym is a chosen handle,
// not an annotated name: when it is made of everyday words (« service public français », « Une française »,
// « Merci »), finding those words in a prompt proves nothing, as any reply may hold them.
func pseudonymLeaked(out, pseudonym string) bool {
	pseudonym = strings.TrimSpace(pseudonym)
	if pseudonym == "" {
		return false
	}
	lower := strings.ToLower(out)
	if strings.ContainsFunc(pseudonym, unicode.IsDigit) && containsWord(lower, strings.ToLower(pseudonym)) {
		return true
	}
	for _, w := range strings.FieldsFunc(pseudonym, func(r rune) bool { return !unicode.IsLetter(r) }) {
		lw := strings.ToLower(w)
		if utf8.RuneCountInString(w) >= 3 && !nameParticle[lw] && !handleWord[lw] && containsWord(lower, lw) {
			return true
		}
	}
	return false
}

// handleWord are the everyday words citizens begin a pseudonym with, capitalised as a first word is.
var handleWord = map[string]bool{"une": true, "un": true, "les": true, "merci": true, "bonjour": true,
	"anonyme": true, "usager": true, "usagère": true, "citoyen": true, "citoyenne": true, "maman": true, "papa": true,
	"madame": true, "monsieur": true, "mme": true, "service": true, "public": true, "français": true,
	"française": true, "retraité": true, "retraitée": true, "contribuable": true, "allocataire": true,
	"assuré": true, "assurée": true, "étudiant": true, "étudiante": true, "mécontent": true, "mécontente": true}

// nameTitle are the titles and civil-status words some writers put inside a person's span (« Mme Giraud »,
// « Leïla Bensalem née Hamdani ») although the label guide keeps titles outside it: they name nobody, so a
// « Mme » left before a placeholder is not a leak of the name.
var nameTitle = map[string]bool{"mme": true, "madame": true, "mlle": true, "mademoiselle": true, "monsieur": true,
	"maître": true, "maitre": true, "docteur": true, "professeur": true, "née": true, "épouse": true, "veuve": true}

// nameParticle are the short words inside names that are also everyday words.
var nameParticle = map[string]bool{"de": true, "du": true, "des": true, "van": true, "von": true, "der": true,
	"ben": true, "bin": true, "el": true, "al": true, "la": true, "le": true, "les": true, "dos": true, "das": true,
	"da": true, "di": true, "del": true, "della": true, "ter": true}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// digitRuns returns the digits of each number of s, a number being digits joined by any separator people type
// inside one (spaces of every width, dots, dashes, slashes, parentheses).
func digitRuns(s string) []string {
	var out []string
	var cur strings.Builder
	pendingSep := false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
		pendingSep = false
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
			pendingSep = false
		case cur.Len() > 0 && !pendingSep && (unicode.IsSpace(r) || strings.ContainsRune(".-/()‑–", r)):
			pendingSep = true
		default:
			flush()
		}
	}
	flush()
	return out
}

func piiScore(c *PIIClassScore) {
	c.Precision, c.Recall = 1, 1
	if c.Predicted > 0 {
		c.Precision = float64(c.Matched) / float64(c.Predicted)
	}
	if c.Gold > 0 {
		c.Recall = float64(c.Found) / float64(c.Gold)
	}
	if p, r := c.Precision, c.Recall; p+r > 0 {
		c.F2 = 5 * p * r / (4*p + r)
	}
}

func piiIoU(a0, a1, b0, b1 int) float64 {
	inter := min(a1, b1) - max(a0, b0)
	if inter <= 0 {
		return 0
	}
	return float64(inter) / float64(max(a1, b1)-min(a0, b0))
}

// PIITargets are the figures the filter must reach on a split.
type PIITargets struct {
	Recall        map[string]float64 // per class, checked when the split holds values of that class
	OverallRecall float64
	Precision     float64 // overall
	ZeroLeakShare float64
	TrapMaskedMax float64
}

// IssueTargets are the goals of issue 17 for the blind test split.
var IssueTargets = PIITargets{
	Recall:        map[string]float64{pii.LabelPerson: 0.95},
	OverallRecall: 0.97,
	Precision:     0.92,
	ZeroLeakShare: 0.97,
	TrapMaskedMax: 0.02,
}

// Check returns, in French, every target the report misses.
func (r PIIReport) Check(t PIITargets) []string {
	var miss []string
	for _, c := range r.Classes {
		if want, ok := t.Recall[c.Label]; ok && c.Gold > 0 && c.Recall < want {
			miss = append(miss, fmt.Sprintf("rappel %s %.3f < %.3f", c.Label, c.Recall, want))
		}
	}
	if r.Overall.Recall < t.OverallRecall {
		miss = append(miss, fmt.Sprintf("rappel global %.3f < %.3f", r.Overall.Recall, t.OverallRecall))
	}
	if r.Overall.Precision < t.Precision {
		miss = append(miss, fmt.Sprintf("précision globale %.3f < %.3f", r.Overall.Precision, t.Precision))
	}
	if r.ZeroLeakShare < t.ZeroLeakShare {
		miss = append(miss, fmt.Sprintf("avis sans fuite %.3f < %.3f", r.ZeroLeakShare, t.ZeroLeakShare))
	}
	if r.TrapMasked > t.TrapMaskedMax {
		miss = append(miss, fmt.Sprintf("pièges masqués %.3f > %.3f", r.TrapMasked, t.TrapMaskedMax))
	}
	return miss
}

// WriteText prints the report as a table, in French.
func (r PIIReport) WriteText(w io.Writer, details bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d avis, dont %d sans donnée personnelle ; %d pièges annotés\n\n", r.Reviews, r.TrapReviews, r.Traps)
	fmt.Fprintf(&b, "%-14s %6s %6s %9s %7s %6s\n", "classe", "réf.", "préd.", "précision", "rappel", "F2")
	for _, c := range append(append([]PIIClassScore{}, r.Classes...), r.Overall) {
		if c.Gold == 0 && c.Predicted == 0 {
			continue
		}
		fmt.Fprintf(&b, "%-14s %6d %6d %9.3f %7.3f %6.3f\n", c.Label, c.Gold, c.Predicted, c.Precision, c.Recall, c.F2)
	}
	fmt.Fprintf(&b, "\navis sans aucune fuite : %.1f %% (%d valeurs divulguées)\n", 100*r.ZeroLeakShare, r.LeakedValues)
	if r.Traps > 0 {
		fmt.Fprintf(&b, "pièges masqués à tort : %.1f %% des pièges\n", 100*r.TrapMasked)
	}
	if r.TrapReviews > 0 {
		fmt.Fprintf(&b, "avis sans donnée personnelle où quelque chose est masqué : %.1f %%\n", 100*r.TrapReviewsMasked)
	}
	if details {
		for _, l := range r.Leaks {
			fmt.Fprintf(&b, "fuite     %s %s %q\n", l.ID, l.Label, l.Value)
		}
		for _, l := range r.FalsePos {
			fmt.Fprintf(&b, "en trop   %s %s %q\n", l.ID, l.Label, l.Value)
		}
		for _, l := range r.Missed {
			fmt.Fprintf(&b, "manqué    %s %s %q\n", l.ID, l.Label, l.Value)
		}
		for _, l := range r.TrapsLost {
			fmt.Fprintf(&b, "piège     %s %q\n", l.ID, l.Value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
