package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
)

// TestClassify checks rows of the error table, each error wrapped the way the domain returns it: the status,
// the stable code and the French message (or, for errors carrying their own French text, that text).
func TestClassify(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("store: review 12 at 10.0.0.3:5432: %w", err) }
	tests := []struct {
		name string
		err  error
		want apiError
	}{
		{"not found", wrap(store.ErrNotFound), apiError{Status: 404, Code: "not_found", Message: "Ressource introuvable."}},
		{"bad transition", wrap(&store.TransitionError{ReviewID: 12, From: store.StatusRejected, To: store.StatusInReview}),
			apiError{Status: 409, Code: "bad_transition", Message: "L'avis 12 ne peut pas passer de « écarté » à « en relecture »."}},
		{"published is final", &store.TransitionError{ReviewID: 3, From: store.StatusPublished, To: store.StatusRejected},
			apiError{Status: 409, Code: "bad_transition", Message: "L'avis 3 est déjà publié : son statut ne peut plus changer."}},
		{"stale version", wrap(&reviews.StaleError{Posted: 2, Latest: store.Draft{ReviewID: 12, Version: 3}}), apiError{Status: 409,
			Code: "version_conflict", Message: "Une version plus récente a été enregistrée entre-temps : comparez les deux textes avant de recommencer."}},
		{"closed review", fmt.Errorf("reviews: review 12 is publie: %w", reviews.ErrClosed), apiError{Status: 409, Code: "review_closed",
			Message: "Cet avis est publié ou écarté : il ne peut plus être modifié."}},
		{"no publisher", reviews.ErrNoPublisher, apiError{Status: 503, Code: "publisher_unavailable",
			Message: "Publication impossible : ce serveur n'a pas de tâches de fond pour publier. Votre texte est enregistré ; réessayez quand le service de publication sera disponible."}},
		{"not draftable", wrap(draft.ErrNotDraftable), apiError{Status: 409, Code: "not_draftable",
			Message: "Cet avis est publié ou écarté : il ne reçoit plus de brouillon."}},
		{"nothing to rewrite", wrap(draft.ErrNothingToRewrite), apiError{Status: 409, Code: "nothing_to_rewrite",
			Message: "Aucun brouillon à réécrire : générez d'abord un brouillon."}},
		{"conversation changed", wrap(assistant.ErrConflict), apiError{Status: 409, Code: "conflict",
			Message: "La conversation a changé entre-temps : rechargez la page et reposez votre question."}},
		{"model down while drafting", &draft.ModelError{Detail: "dial tcp 10.1.2.3:8000: connection refused"},
			apiError{Status: 503, Code: "model_unavailable", Message: "Le modèle n'a pas répondu ; votre brouillon est conservé. Réessayez ou demandez un brouillon hors ligne.",
				Detail: scrubAddresses("dial tcp 10.1.2.3:8000: connection refused")}},
		{"filter down while drafting", wrap(draft.ErrFilter), apiError{Status: 503, Code: "pii_filter_failed",
			Message: "Le filtre de données personnelles n'a pas abouti : rien n'a été envoyé au modèle. Réessayez."}},
		{"filter down", fmt.Errorf("%w : %w", pii.ErrFilter, errors.New("panic in detector")), apiError{Status: 503, Code: "pii_filter_failed",
			Message: "Le filtre de données personnelles n'a pas abouti. Réessayez."}},
		{"guard filter down", guard.ErrFilter, apiError{Status: 503, Code: "pii_filter_failed",
			Message: "La vérification des données personnelles n'a pas abouti : rien n'a été publié. Réessayez."}},
		{"no corpus", wrap(ground.ErrNoCorpus), apiError{Status: 503, Code: "no_corpus",
			Message: "Aucun corpus de fiches n'est chargé : la recherche est indisponible. Un administrateur doit lancer « plume corpus load »."}},
		{"field too long", &budget.TooLong{Field: "instruction", Chars: 2000, Tokens: 500, Limit: budget.Limit{Chars: 1000, Tokens: 250}},
			apiError{Status: 422, Code: "string_above_max_length", Message: "instruction trop long : 2000 caractères (environ 500 jetons), 1000 caractères et 250 jetons au plus"}},
		{"history too long", &budget.TooLong{Field: "historique", Chars: 9, Tokens: 9, Limit: budget.Limit{Chars: 1, Tokens: 1}, Whole: true},
			apiError{Status: 413, Code: "context_length_exceeded", Message: "historique trop long : 9 caractères (environ 9 jetons), 1 caractères et 1 jetons au plus"}},
		{"question refused", wrap(&assistant.QuestionError{Message: "la question est vide"}),
			apiError{Status: 400, Code: "invalid_value", Message: "Question refusée : la question est vide."}},
		{"fields", wrap(reviews.FieldErrors{"titre": "obligatoire"}), apiError{Status: 422, Code: "invalid_fields",
			Message: "Certains champs sont invalides.", Fields: map[string]string{"titre": "obligatoire"}}},
		{"bad input keeps its own text", wrap(badRequest{"k : un entier entre 1 et 50"}),
			apiError{Status: 400, Code: "invalid_value", Message: "k : un entier entre 1 et 50"}},
		{"bad credentials", auth.ErrBadCredentials, apiError{Status: 401, Code: "bad_credentials", Message: "Adresse électronique ou mot de passe incorrect."}},
		{"locked", auth.ErrLocked, apiError{Status: 429, Code: "account_locked", Message: "Compte temporairement verrouillé après trop d'échecs : réessayez plus tard."}},
		{"token scope", &scopeError{Action: auth.ActEditDrafts}, apiError{Status: 403, Code: "insufficient_scope",
			Message: "Ce jeton d'API n'a pas la portée « " + string(auth.ActEditDrafts) + " »."}},
		{"echo not found", echo.ErrNotFound, apiError{Status: 404, Code: "not_found", Message: "Page ou ressource introuvable."}},
		{"echo too large", echo.ErrStatusRequestEntityTooLarge, apiError{Status: 413, Code: "request_too_large", Message: "Requête trop volumineuse."}},
		{"unknown error stays in the log", wrap(errors.New("pq: relation reviews does not exist")),
			apiError{Status: 500, Code: "internal_error", Message: "Erreur interne du serveur. L'incident a été enregistré."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, classify(tt.err)); diff != "" {
				t.Errorf("classify(%v) (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

// TestErrorTableSpeaksFrenchToPeople checks every row of the table: a status and a code, and a message that
// names neither an internal address nor a Go type, in any of the three shapes.
func TestErrorTableSpeaksFrenchToPeople(t *testing.T) {
	t.Parallel()
	leak := regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|localhost|\*[a-z]+\.[A-Z]|[a-z]+\.[A-Z][A-Za-z]+\b|web: |store: |draft: `)
	codeRE := regexp.MustCompile(`^[a-z_]+$`)
	for i, row := range errorTable {
		if row.fill == nil && (row.status == 0 || row.code == "" || row.message == "") {
			t.Errorf("row %d: status %d, code %q, message %q: all three are needed without fill", i, row.status, row.code, row.message)
		}
		if row.code != "" && !codeRE.MatchString(row.code) {
			t.Errorf("row %d: code %q is not snake_case", i, row.code)
		}
		if leak.MatchString(row.message) {
			t.Errorf("row %d: message %q names an address or a Go name", i, row.message)
		}
	}
	for _, status := range []int{400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504} {
		ae := classify(echo.NewHTTPError(status, ""))
		// A bare HTTP error still answers with its status, a code, and a French message of its own (not Go's
		// English status text) that names no address nor Go identifier.
		type answer struct {
			Status                         int
			HasCode, Leaks, EnglishMessage bool
		}
		got := answer{ae.Status, ae.Code != "", leak.MatchString(ae.Message), ae.Message == http.StatusText(status)}
		if diff := cmp.Diff(answer{Status: status, HasCode: true}, got); diff != "" {
			t.Errorf("HTTP %d answered %+v (-want +got):\n%s", status, ae, diff)
		}
		// The OpenAI shape carries the same code and message, and a type.
		o := ae.openAI().Error
		type openAI struct {
			Code, Message string
			HasType       bool
		}
		code := ""
		if o.Code != nil {
			code = *o.Code
		}
		if diff := cmp.Diff(openAI{ae.Code, ae.Message, true}, openAI{code, o.Message, o.Type != ""}); diff != "" {
			t.Errorf("HTTP %d in OpenAI's shape (-want +got):\n%s", status, diff)
		}
	}
}

// TestJSONMistakesNameNoGoType checks that a malformed JSON body is explained without the decoder's Go names.
func TestJSONMistakesNameNoGoType(t *testing.T) {
	t.Parallel()
	var v struct {
		Model string `json:"model"`
		N     int    `json:"n"`
	}
	tests := map[string]string{
		`{"model":`:      "JSON invalide : corps vide ou incomplet.",
		`{"model": 3}`:   "JSON invalide : le champ « model » doit être une chaîne.",
		`{"n": "trois"}`: "JSON invalide : le champ « n » doit être un nombre.",
		`{"model" 3}`:    "JSON invalide : erreur de syntaxe à l'octet 10.",
		`[1]`:            "JSON invalide : un objet attendu.",
	}
	for body, want := range tests {
		err := json.NewDecoder(strings.NewReader(body)).Decode(&v)
		if got := jsonMistake(err).msg; got != want {
			t.Errorf("%s: %q, want %q (from %v)", body, got, want, err)
		}
	}
}
