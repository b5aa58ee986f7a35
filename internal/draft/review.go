package draft

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Request asks for a draft of a stored review.
type Request struct {
	ReviewID    int64
	Actor       string // who asked: an agent's email, or "automatique" for the background job
	Instruction string // a rewrite request; empty for a new draft
	Previous    string // the text to rewrite with Instruction; empty: the latest draft
	OnDelta     func(string) error
	// OnlyFirst stores the draft only if the review still has none when it is ready (store.ErrHasDrafts otherwise).
	OnlyFirst bool
	// KeepOnModelFailure stores nothing when the model fails and returns a *ModelError instead of an offline
	// draft: an agent at the screen keeps their text and chooses what to do next.
	KeepOnModelFailure bool
	// Offline writes with the offline drafter even when a model is configured (the agent asked for it).
	Offline bool
}

// ModelError is returned, with KeepOnModelFailure, when the model did not answer; Detail is the technical cause.
type ModelError struct{ Detail string }

func (e *ModelError) Error() string { return "draft: le modèle n'a pas répondu : " + e.Detail }

// ActionDraftReady is the audited action of a review's move from nouveau to brouillon prêt by its first draft.
const ActionDraftReady = "review.draft_ready"

// ErrNotDraftable is returned for a review whose status forbids a new draft (published, or set aside).
var ErrNotDraftable = errors.New("cet avis est publié ou écarté : aucun nouveau brouillon")

// ErrNothingToRewrite is returned for a rewrite asked without a text, of a review that has no draft yet.
var ErrNothingToRewrite = errors.New("aucun brouillon à réécrire : générez d'abord un brouillon")

// DraftReview drafts a reply to a stored review, stores it as the review's next version with everything needed
// to audit it, and moves the review from nouveau to brouillon prêt. A failed model still yields an offline draft;
// a failed filter or search stores nothing and leaves the review as it was.
func (s *Service) DraftReview(ctx context.Context, r Request) (store.Draft, Result, error) {
	if s.o.Store == nil {
		return store.Draft{}, Result{}, errors.New("draft: pas de base de données")
	}
	rv, err := s.o.Store.GetReview(ctx, r.ReviewID)
	if err != nil {
		return store.Draft{}, Result{}, err
	}
	if rv.Status == store.StatusPublished || rv.Status == store.StatusRejected {
		return store.Draft{}, Result{}, ErrNotDraftable
	}
	ps, err := s.o.Store.OrganisationPromptSettings(ctx, rv.OrganisationID)
	if err != nil {
		return store.Draft{}, Result{}, err
	}
	in := Input{Organisation: rv.OrganisationName, Signature: ps.Signature, Tone: ps.Tone, Forbidden: ps.Forbidden,
		Title: rv.Title, Text: rv.Body, Feeling: rv.Feeling, Instruction: r.Instruction, Previous: r.Previous,
		Pseudonym: rv.AuthorPseudonym}
	if m, err := s.o.Store.PIIMapping(ctx, rv.ID); err == nil {
		in.Mapping = m
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Draft{}, Result{}, err // an unreadable mapping stops here: a fresh one would renumber people
	}
	if in.Instruction != "" && in.Previous == "" {
		last, err := s.o.Store.LatestDraft(ctx, rv.ID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Draft{}, Result{}, fmt.Errorf("draft: review %d: %w", rv.ID, ErrNothingToRewrite)
		}
		if err != nil {
			return store.Draft{}, Result{}, fmt.Errorf("draft: latest draft to rewrite: %w", err)
		}
		in.Previous = last.Text
	}
	if in.Instruction == "" && s.o.Examples > 0 {
		exs, err := s.o.Store.SimilarApprovedReplies(ctx, rv.OrganisationID, rv.ID, rv.Title+" "+rv.Body, s.o.Examples)
		if err != nil {
			return store.Draft{}, Result{}, err
		}
		for _, e := range exs {
			m, err := guard.ReviewMapping(ctx, s.o.Filter, e.Mapping, e.Title, e.Body)
			if err != nil {
				return store.Draft{}, Result{}, fmt.Errorf("%w (%v)", ErrFilter, err)
			}
			m.AddKnown(pii.LabelPerson, e.Pseudonym)
			in.Examples = append(in.Examples, ExampleText{Reply: e.Reply, Mapping: m})
		}
	}
	svc := s
	if r.Offline && s.o.Model != nil {
		without := *s
		without.o.Model = nil
		svc = &without
	}
	res, err := svc.GenerateStream(ctx, in, r.OnDelta)
	if err != nil {
		return store.Draft{}, res, err
	}
	if r.KeepOnModelFailure && res.Offline && res.Error != "" {
		return store.Draft{}, res, &ModelError{Detail: res.Error}
	}
	res.Text = greet(res.Text, rv.AuthorPseudonym)
	if err := s.o.Store.SavePIIMapping(ctx, rv.ID, res.Mapping); err != nil {
		return store.Draft{}, res, err
	}
	kind := store.DraftAI
	if res.Offline {
		kind = store.DraftOffline
	}
	d := store.Draft{ReviewID: rv.ID, Kind: kind, Text: res.Text, PromptVersion: res.PromptVersion, Model: res.Model,
		RedactedPrompt: res.Prompt.String(), Error: res.Error, CreatedBy: r.Actor}
	d.Sources, d.Checks, d.Grounding = nonNil(res.Passages), nonNil(res.Checks), &res.Grounding
	d.Usage, d.LatencyMS = &res.Usage, res.Timings.Millis()
	add := s.o.Store.AddDraftTx
	if r.OnlyFirst {
		add = s.o.Store.AddFirstDraftTx
	}
	// The version and the status it brings (nouveau → brouillon prêt) commit together: a crash in between
	// would leave a drafted review listed as new, drafted again by the awaiting job.
	var stored store.Draft
	err = s.o.Store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if stored, err = add(ctx, tx, d); err != nil {
			return err
		}
		if rv.Status != store.StatusNew {
			return nil
		}
		// The review was locked by the insert; an agent who moved it on meanwhile keeps their status.
		err = s.o.Store.SetReviewStatusTx(ctx, tx, rv.ID, store.StatusChange{To: store.StatusDraftReady})
		if errors.Is(err, store.ErrBadTransition) {
			return nil
		}
		if err != nil {
			return err
		}
		// Like every other transition, this one leaves its audit row in its own transaction, whoever caused it
		// (an agent's email, or "automatique" for the background job).
		_, err = s.o.Store.InsertAuditTx(ctx, tx, store.AuditEntry{At: time.Now(), Actor: r.Actor, Action: ActionDraftReady,
			ObjectType: "review", ObjectID: strconv.FormatInt(rv.ID, 10), OrganisationID: rv.OrganisationID,
			Details: map[string]any{"draft_id": stored.ID, "version": stored.Version, "kind": string(stored.Kind),
				"from": string(store.StatusNew), "to": string(store.StatusDraftReady)}})
		return err
	})
	if err != nil {
		return store.Draft{}, res, err
	}
	return stored, res, nil
}

// AutoDraft is the background job's entry: it drafts a review once, and does nothing for a review that already
// has a draft or is no longer new, so a job retried after a crash never drafts twice.
func (s *Service) AutoDraft(ctx context.Context, reviewID int64) error {
	rv, err := s.o.Store.GetReview(ctx, reviewID)
	if err != nil {
		return err
	}
	if rv.Status != store.StatusNew || rv.DraftCount > 0 {
		return nil
	}
	_, _, err = s.DraftReview(ctx, Request{ReviewID: reviewID, Actor: "automatique", OnlyFirst: true})
	if errors.Is(err, store.ErrHasDrafts) || errors.Is(err, ErrNotDraftable) {
		return nil // an agent got there first
	}
	return err
}

// greet puts the citizen's public pseudonym in the greeting, after generation: it never reaches the model. A
// pseudonym that does not read as a name (« Merci », « Une française », « lodie75 ») keeps « Bonjour, ».
func greet(text, pseudonym string) string {
	pseudonym = strings.TrimSpace(pseudonym)
	if !looksLikeName(pseudonym) || !strings.HasPrefix(text, "Bonjour,") {
		return text
	}
	return "Bonjour " + pseudonym + "," + strings.TrimPrefix(text, "Bonjour,")
}

// nonNil stores an empty list as [], which says "none", rather than null, which says "unknown".
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// notNames are words citizens choose as pseudonyms that a greeting must not read as a name.
var notNames = map[string]bool{"merci": true, "anonyme": true, "usager": true, "usagère": true, "utilisateur": true,
	"utilisatrice": true, "citoyen": true, "citoyenne": true, "client": true, "cliente": true, "bonjour": true,
	"un": true, "une": true, "le": true, "la": true, "les": true, "des": true, "mécontent": true, "mécontente": true,
	"français": true, "française": true, "francais": true, "francaise": true, "retraité": true, "retraitée": true,
	"maman": true, "papa": true, "madame": true, "monsieur": true, "m": true, "mme": true, "mr": true, "inconnu": true,
	"inconnue": true, "personne": true, "particulier": true, "contribuable": true, "assuré": true, "assurée": true,
	"allocataire": true, "demandeur": true, "demandeuse": true, "étudiant": true, "étudiante": true, "salarié": true}

// looksLikeName says whether a pseudonym reads as a person's name: one to three words, each capitalised and
// made of letters (hyphens and apostrophes allowed), none of them a common word or a title. A capital inside a
// word (« FrancaisExpatrié ») glues words into a description, and a word all in capitals (« SAB », « JMH ») is
// initials or shouting: neither is greeted.
func looksLikeName(p string) bool {
	words := strings.Fields(p)
	if len(words) == 0 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		r := []rune(w)
		if len(r) < 2 || !unicode.IsUpper(r[0]) || notNames[strings.ToLower(w)] {
			return false
		}
		lower := false
		for i, c := range r {
			switch {
			case c == '-' || c == '\'' || c == '’':
			case !unicode.IsLetter(c):
				return false
			case unicode.IsLower(c):
				lower = true
			case i > 0 && unicode.IsLower(r[i-1]):
				return false // a capital right after a small letter: two words glued
			}
		}
		if !lower {
			return false
		}
	}
	return true
}
