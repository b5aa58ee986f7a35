// Package reviews is the citizens' reviews domain: the review as a source or an API client gives it, its checks,
// and its import from Services Publics+ exports (JSON lines or CSV) into the store.
package reviews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/fielderr"
	"github.com/plume-services/plume/internal/fold"
	"github.com/plume-services/plume/internal/store"
)

// Drafts queues the drafting of new reviews within the transaction that stores them, so that a review is never
// stored without its drafting job; jobs.Runner implements it.
type Drafts interface {
	EnqueueDraftsTx(ctx context.Context, tx pgx.Tx, reviewIDs []int64) (int, error)
}

// SourceSPP is the source of reviews coming from Services Publics+, by export file or by the portal's API: both
// must use it, so that a review pulled after being imported is recognised.
const SourceSPP = "servicespublicsplus"

// Limits on a review's fields, beyond which the input is refused rather than truncated.
const (
	MaxTitle = 500
	MaxBody  = 30000
	MaxShort = 300 // feeling, organisation, structure, topic, pseudonym, identifiers
)

// Status is where a review stands; the store defines the workflow.
type Status = store.ReviewStatus

// ReviewInput is a review as a source or an API client gives it, before cleaning. Its JSON form is the body of
// POST /api/v1/reviews.
type ReviewInput struct {
	Source           string `json:"source"`            // default SourceSPP
	ExternalID       string `json:"external_id"`       // the review's id at its source (id_experience)
	Title            string `json:"title"`             // titre
	Body             string `json:"body"`              // description
	Feeling          string `json:"feeling"`           // ressenti_usager: Positif, Neutre, Négatif
	Organisation     string `json:"organisation"`      // intitule_typologie_1: CAF, CPAM, France Titres - ANTS…
	OrganisationSlug string `json:"organisation_slug"` // default: derived from Organisation
	Structure        string `json:"structure"`         // intitule_structure_1: the precise service
	Topic            string `json:"topic"`             // tags_metiers
	AuthorPseudonym  string `json:"author_pseudonym"`  // pseudonyme_usager
	WrittenAt        string `json:"written_at"`        // ecrit_le or date: AAAA-MM-JJ or ISO 8601
	PublishedAt      string `json:"published_at"`      // date_de_publication
	PublishedReply   string `json:"published_reply"`   // reponse_structure_1, when the organisation already replied
	// ReplyStatus is statut_reponse_structure_1; « En attente de réponse » means PublishedReply is the platform's
	// automatic notice, not the organisation's reply.
	ReplyStatus string          `json:"reply_status"`
	Raw         json.RawMessage `json:"-"` // the source record as received
}

// exportFields maps each ReviewInput field to the names it has in exports, Plume's own name first.
var exportFields = []struct {
	names []string
	field func(*ReviewInput) *string
}{
	{[]string{"external_id", "id_experience"}, func(r *ReviewInput) *string { return &r.ExternalID }},
	{[]string{"title", "titre"}, func(r *ReviewInput) *string { return &r.Title }},
	{[]string{"body", "description"}, func(r *ReviewInput) *string { return &r.Body }},
	{[]string{"feeling", "ressenti_usager"}, func(r *ReviewInput) *string { return &r.Feeling }},
	{[]string{"organisation", "intitule_typologie_1"}, func(r *ReviewInput) *string { return &r.Organisation }},
	{[]string{"organisation_slug"}, func(r *ReviewInput) *string { return &r.OrganisationSlug }},
	{[]string{"structure", "intitule_structure_1"}, func(r *ReviewInput) *string { return &r.Structure }},
	{[]string{"topic", "tags_metiers"}, func(r *ReviewInput) *string { return &r.Topic }},
	{[]string{"author_pseudonym", "pseudonyme_usager"}, func(r *ReviewInput) *string { return &r.AuthorPseudonym }},
	{[]string{"written_at", "ecrit_le", "date"}, func(r *ReviewInput) *string { return &r.WrittenAt }},
	{[]string{"published_at", "date_de_publication"}, func(r *ReviewInput) *string { return &r.PublishedAt }},
	{[]string{"published_reply", "reponse_structure_1"}, func(r *ReviewInput) *string { return &r.PublishedReply }},
	{[]string{"reply_status", "statut_reponse_structure_1"}, func(r *ReviewInput) *string { return &r.ReplyStatus }},
	{[]string{"source"}, func(r *ReviewInput) *string { return &r.Source }},
}

// FromExport builds a review from a record of the Services Publics+ export (field name → value, as in the CSV
// header or the JSON object), or from a record already using ReviewInput's JSON names. raw is kept as the source
// record. The result is not cleaned: Save cleans it.
func FromExport(fields map[string]string, raw json.RawMessage) ReviewInput {
	in := ReviewInput{Raw: raw}
	for _, f := range exportFields {
		for _, name := range f.names {
			if v := strings.TrimSpace(fields[name]); v != "" {
				*f.field(&in) = v
				break
			}
		}
	}
	return in
}

// FieldErrors maps a field's JSON name to what is wrong with it, in French.
type FieldErrors = fielderr.Errors

var (
	sourceRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]*$`)
	slugRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// MaxClockSkew is how far in the future a date of a review may be: the clocks of the source and of Plume may
// differ by a few minutes, not by more.
const MaxClockSkew = 10 * time.Minute

// Validate checks a review before it is stored and says, field by field, what is wrong; it returns nil or a
// FieldErrors. Text is checked as Save will store it: after cleaning.
func Validate(in ReviewInput) error {
	c := clean(in)
	fe := FieldErrors{}
	if c.Source != "" && (!sourceRE.MatchString(c.Source) || len(c.Source) > 50) {
		fe["source"] = "minuscules, chiffres et - _ . : seulement, 50 caractères au plus"
	}
	switch {
	case c.ExternalID == "":
		fe["external_id"] = "obligatoire : l'identifiant de l'avis à sa source"
	case utf8.RuneCountInString(c.ExternalID) > MaxShort || strings.ContainsAny(c.ExternalID, "\n\t"):
		fe["external_id"] = fmt.Sprintf("une seule ligne de %d caractères au plus", MaxShort)
	}
	switch n := utf8.RuneCountInString(c.Body); {
	case n == 0:
		fe["body"] = "obligatoire : le texte de l'avis est vide"
	case n > MaxBody:
		fe["body"] = fmt.Sprintf("trop long : %d caractères, %d au plus", n, MaxBody)
	}
	if n := utf8.RuneCountInString(c.Title); n > MaxTitle {
		fe["title"] = fmt.Sprintf("trop long : %d caractères, %d au plus", n, MaxTitle)
	}
	if c.Organisation == "" && c.OrganisationSlug == "" {
		fe["organisation"] = "obligatoire : le nom de l'administration concernée (intitule_typologie_1)"
	} else if c.OrganisationSlug != "" && (!slugRE.MatchString(c.OrganisationSlug) || len(c.OrganisationSlug) > 60) {
		fe["organisation_slug"] = "minuscules, chiffres et tirets seulement, 60 caractères au plus"
	} else if c.OrganisationSlug == "" && Slug(c.Organisation) == "" {
		fe["organisation"] = "doit contenir au moins une lettre ou un chiffre"
	}
	for name, v := range map[string]string{"feeling": c.Feeling, "organisation": c.Organisation, "structure": c.Structure, "topic": c.Topic, "author_pseudonym": c.AuthorPseudonym} {
		if utf8.RuneCountInString(v) > MaxShort && fe[name] == "" {
			fe[name] = fmt.Sprintf("trop long : %d caractères au plus", MaxShort)
		}
	}
	if utf8.RuneCountInString(c.PublishedReply) > MaxBody {
		fe["published_reply"] = fmt.Sprintf("trop long : %d caractères au plus", MaxBody)
	}
	for name, v := range map[string]string{"written_at": c.WrittenAt, "published_at": c.PublishedAt} {
		t, err := ParseDate(v)
		switch {
		case err != nil:
			fe[name] = err.Error()
		case t.After(time.Now().Add(MaxClockSkew)):
			fe[name] = "date dans le futur : " + t.In(paris).Format(time.RFC3339)
		}
	}
	if len(c.Raw) > 0 && !json.Valid(c.Raw) {
		fe["raw"] = "JSON invalide"
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// clean returns in with its text cleaned and its defaults filled.
func clean(in ReviewInput) ReviewInput {
	in.Source = strings.TrimSpace(in.Source)
	if in.Source == "" {
		in.Source = SourceSPP
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Title = oneLine(CleanText(in.Title))
	in.Body = CleanText(in.Body)
	in.Feeling = oneLine(CleanText(in.Feeling))
	in.Organisation = oneLine(CleanText(in.Organisation))
	in.OrganisationSlug = strings.TrimSpace(in.OrganisationSlug)
	in.Structure = oneLine(CleanText(in.Structure))
	in.Topic = oneLine(CleanText(in.Topic))
	in.AuthorPseudonym = oneLine(CleanText(in.AuthorPseudonym))
	in.PublishedReply = CleanText(in.PublishedReply)
	in.ReplyStatus = oneLine(CleanText(in.ReplyStatus))
	return in
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Clean returns the review as Plume stores it: texts cleaned by CleanText (the one-line fields on one line),
// defaults filled. The import, the portal's connector and the evaluation all read reviews through it.
func (in ReviewInput) Clean() ReviewInput { return clean(in) }

// Answered reports whether the review carries the organisation's own published reply: the one rule of « already
// answered », for the import and the connector (no draft for such a review) and the evaluation (its reference
// reply). Services Publics+ fills reponse_structure_1 with an automatic notice while the reply is awaited
// (« En attente de réponse »): that is no reply.
func (in ReviewInput) Answered() bool {
	c := clean(in)
	return c.PublishedReply != "" && !strings.Contains(fold.String(c.ReplyStatus), "en attente")
}

// Saver stores reviews, creating their organisations on first sight; it remembers the organisations it has seen,
// so reuse one for a batch. It is not safe for concurrent use.
type Saver struct {
	st     *store.Store
	drafts Drafts           // nil: no job queued (the periodic pass of the workers queues them)
	orgs   map[string]int64 // slug → id
}

// NewSaver returns a Saver on st; with drafts non-nil, each review it inserts gets its drafting job in the same
// transaction.
func NewSaver(st *store.Store, drafts Drafts) *Saver {
	return &Saver{st: st, drafts: drafts, orgs: map[string]int64{}}
}

// Save cleans and validates in, then stores it by (source, external id) without overwriting an agent's work,
// with its drafting job when it is new. Invalid input returns a FieldErrors and stores nothing.
func (s *Saver) Save(ctx context.Context, in ReviewInput) (int64, store.UpsertResult, error) {
	up, err := s.prepare(ctx, in)
	if err != nil {
		return 0, store.Unchanged, err
	}
	var id int64
	var res store.UpsertResult
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		id, res, err = s.SaveTx(ctx, tx, up)
		return err
	})
	return id, res, err
}

// Prepare validates and cleans in, and finds or creates its organisation, for SaveTx; invalid input returns a
// FieldErrors.
func (s *Saver) Prepare(ctx context.Context, in ReviewInput) (store.ReviewUpsert, error) {
	return s.prepare(ctx, in)
}

// SaveTx stores a prepared review within tx, with its drafting job when it is new and the Saver has Drafts.
func (s *Saver) SaveTx(ctx context.Context, tx pgx.Tx, up store.ReviewUpsert) (int64, store.UpsertResult, error) {
	id, res, err := s.st.UpsertReviewTx(ctx, tx, up)
	if err != nil {
		return 0, store.Unchanged, err
	}
	if res == store.Inserted && s.drafts != nil && up.PublishedReply == "" {
		if _, err := s.drafts.EnqueueDraftsTx(ctx, tx, []int64{id}); err != nil {
			return 0, store.Unchanged, err
		}
	}
	return id, res, nil
}

// prepare validates and cleans in, and finds or creates its organisation.
func (s *Saver) prepare(ctx context.Context, in ReviewInput) (store.ReviewUpsert, error) {
	if err := Validate(in); err != nil {
		return store.ReviewUpsert{}, err
	}
	c := clean(in)
	slug, name := c.OrganisationSlug, c.Organisation
	if slug == "" {
		slug = Slug(name)
	}
	if name == "" {
		name = slug
	}
	orgID, ok := s.orgs[slug]
	if !ok {
		o, err := s.st.EnsureOrganisation(ctx, slug, name, Kind(name))
		if err != nil {
			return store.ReviewUpsert{}, err
		}
		orgID = o.ID
		s.orgs[slug] = orgID
	}
	written, _ := ParseDate(c.WrittenAt)
	published, _ := ParseDate(c.PublishedAt)
	if written.IsZero() && !published.IsZero() {
		written = published
	}
	up := store.ReviewUpsert{
		OrganisationID:    orgID,
		Source:            c.Source,
		ExternalID:        c.ExternalID,
		Title:             c.Title,
		Body:              c.Body,
		Feeling:           c.Feeling,
		OrganisationLabel: c.Structure,
		Topic:             c.Topic,
		AuthorPseudonym:   c.AuthorPseudonym,
		WrittenAt:         written,
		Raw:               c.Raw,
	}
	if up.OrganisationLabel == "" || fold.String(up.OrganisationLabel) == "hors-structures" {
		up.OrganisationLabel = c.Organisation
	}
	if !published.IsZero() {
		up.PublishedAt = &published
	}
	if c.Answered() {
		up.PublishedReply = c.PublishedReply
	}
	return up, nil
}

// ErrKept is a known review sent again with another title or text that Plume did not apply, because an agent has
// already worked on it; see KeptError.
var ErrKept = errors.New("texte de l'avis conservé")

// KeptError says why a review sent again kept its stored title and text; its other fields were refreshed.
type KeptError struct {
	ReviewID int64
	Reason   string // French: what the agents did
}

func (e *KeptError) Error() string {
	return fmt.Sprintf("avis %d déjà traité (%s) : son titre et son texte ne sont pas remplacés ; les autres champs sont mis à jour", e.ReviewID, e.Reason)
}

// Is makes errors.Is(err, ErrKept) true.
func (e *KeptError) Is(target error) bool { return target == ErrKept }

// Save stores one review, as POST /api/v1/reviews does, with its drafting job when drafts is non-nil; see
// Saver.Save. A known review sent with another title or text is updated while no agent has worked on it;
// otherwise the text stays and Save returns the id, the result and a *KeptError saying why.
func Save(ctx context.Context, st *store.Store, drafts Drafts, in ReviewInput) (int64, store.UpsertResult, error) {
	id, res, err := NewSaver(st, drafts).Save(ctx, in)
	if err != nil || res == store.Inserted {
		return id, res, err
	}
	rv, err := st.GetReview(ctx, id)
	if err != nil {
		return id, res, err
	}
	if c := clean(in); rv.Title == c.Title && rv.Body == c.Body {
		return id, res, nil
	}
	reason := "un agent a enregistré ou régénéré un brouillon"
	switch rv.Status {
	case store.StatusInReview:
		reason = "en relecture"
	case store.StatusPublished:
		reason = "réponse publiée"
	case store.StatusRejected:
		reason = "avis écarté"
	}
	return id, res, &KeptError{ReviewID: id, Reason: reason}
}

// ParseStatus reads a status as stored (brouillon_pret) or as a person writes it (« brouillon prêt », Publié).
func ParseStatus(s string) (Status, error) {
	v := store.ReviewStatus(strings.ReplaceAll(fold.String(strings.TrimSpace(s)), " ", "_"))
	if !v.Valid() {
		labels := make([]string, len(store.ReviewStatuses))
		for i, st := range store.ReviewStatuses {
			labels[i] = string(st)
		}
		return "", fmt.Errorf("statut %q inconnu : %s", s, strings.Join(labels, ", "))
	}
	return v, nil
}
