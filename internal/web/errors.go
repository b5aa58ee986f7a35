package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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

// The web layer's own refusals. Their text is for the log; what a person reads is in errorTable.
var (
	errSignIn         = errors.New("web: sign-in required")
	errCSRF           = errors.New("web: form token missing or forged")
	errNoAPIToken     = errors.New("web: the OpenAI-compatible API needs an API token")
	errAssistantScope = errors.New("web: role or token may not use the assistant")
	errAssistantDown  = errors.New("web: assistant not configured")
	errFilterDown     = errors.New("web: personal-data filter unavailable for a caller without clear text")
	errRoleForbidden  = errors.New("web: the caller's role may not do this")
	errRateLimited    = errors.New("web: rate limit passed")
	// errAuthUnavailable is a session or token that could not be checked (database down or too slow): neither
	// the caller's fault nor a reason to sign them out.
	errAuthUnavailable = errors.New("web: identification unavailable")
	errOIDCState       = errors.New("web: OIDC state missing, expired or forged")
	errOIDCRefused     = errors.New("web: identity provider or Plume refused the sign-in")
	errNotJSON         = errors.New("web: JSON body expected")
	errNoEmbeddings    = errors.New("web: /v1/embeddings not served")
)

// scopeError is an API token used for an action its scopes do not allow.
type scopeError struct{ Action auth.Action }

func (e *scopeError) Error() string { return "web: token lacks scope " + string(e.Action) }

// badInput is satisfied by domain errors that describe a mistake in what the client sent; their message is
// French and safe to show.
type badInput interface {
	error
	BadInput() bool
}

// fieldErrors is satisfied by validation errors that name the fields at fault.
type fieldErrors interface {
	error
	FieldErrors() map[string]string
}

// badRequest is a client mistake whose French message is safe to show.
type badRequest struct{ msg string }

func (e badRequest) Error() string  { return e.msg }
func (e badRequest) BadInput() bool { return true }

// apiError is an error as Plume answers it: the JSON body of /api/v1/* errors, the data of the error page and of
// the error events of streams.
type apiError struct {
	Status    int               `json:"status"`
	Code      string            `json:"code"` // stable and machine-readable: clients branch on it, never on Message
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	Items     []string          `json:"items,omitempty"`  // each thing to fix, in order (publication guard)
	Detail    string            `json:"detail,omitempty"` // the technical cause, scrubbed, shown folded away
	RequestID string            `json:"request_id,omitempty"`
}

// errorRow is one row of the error table: the errors it matches, the answer's status and code, and the French
// message; fill completes the answer from the matched error when the row's message depends on it.
type errorRow struct {
	match   func(error) (error, bool)
	status  int
	code    string
	message string
	fill    func(matched error, ae *apiError)
}

// is matches a sentinel error anywhere in the chain.
func is(target error) func(error) (error, bool) {
	return func(err error) (error, bool) { return target, errors.Is(err, target) }
}

// as matches the first error of type T in the chain and hands it to the row's fill.
func as[T error]() func(error) (error, bool) {
	return func(err error) (error, bool) {
		var t T
		if errors.As(err, &t) {
			return t, true
		}
		return nil, false
	}
}

// errorTable maps every domain error a request can meet to its answer, first match wins: the only place where
// errors get a status, a code and a French text. Unlisted errors are 500s whose details stay in the log.
var errorTable = []errorRow{
	// The citizen's data and the publication guard.
	{match: as[*guard.Blocked](), status: http.StatusUnprocessableEntity, code: "publication_blocked",
		fill: func(m error, ae *apiError) {
			b := m.(*guard.Blocked)
			ae.Message, ae.Items = b.Summary(), b.Items()
		}},
	{match: is(guard.ErrFilter), status: http.StatusServiceUnavailable, code: "pii_filter_failed",
		message: "La vérification des données personnelles n'a pas abouti : rien n'a été publié. Réessayez."},
	{match: is(draft.ErrFilter), status: http.StatusServiceUnavailable, code: "pii_filter_failed",
		message: "Le filtre de données personnelles n'a pas abouti : rien n'a été envoyé au modèle. Réessayez."},
	{match: is(assistant.ErrFilter), status: http.StatusServiceUnavailable, code: "pii_filter_failed",
		message: "Le filtre de données personnelles a échoué : votre question n'a pas été envoyée. Reformulez-la ou réessayez."},
	{match: is(errFilterDown), status: http.StatusServiceUnavailable, code: "pii_filter_failed",
		message: "Le filtre de données personnelles n'a pas abouti : le texte ne peut pas être affiché sans la portée cleartext:view. Réessayez."},
	{match: is(pii.ErrFilter), status: http.StatusServiceUnavailable, code: "pii_filter_failed",
		message: "Le filtre de données personnelles n'a pas abouti. Réessayez."},

	// The model, the corpus and the background jobs.
	{match: as[*draft.ModelError](), status: http.StatusServiceUnavailable, code: "model_unavailable",
		message: "Le modèle n'a pas répondu ; votre brouillon est conservé. Réessayez ou demandez un brouillon hors ligne.",
		fill:    func(m error, ae *apiError) { ae.Detail = scrubAddresses(m.(*draft.ModelError).Detail) }},
	{match: is(assistant.ErrModelUnavailable), status: http.StatusServiceUnavailable, code: "model_unavailable",
		message: "L'assistant est momentanément indisponible : le modèle de langue ne répond pas. Réessayez dans quelques minutes, ou consultez directement les fiches de service-public.fr."},
	{match: is(errAssistantDown), status: http.StatusServiceUnavailable, code: "assistant_unavailable",
		message: "L'assistant n'est pas configuré sur ce serveur."},
	{match: is(ground.ErrNoCorpus), status: http.StatusServiceUnavailable, code: "no_corpus",
		message: "Aucun corpus de fiches n'est chargé : la recherche est indisponible. Un administrateur doit lancer « plume corpus load »."},
	{match: is(reviews.ErrNoPublisher), status: http.StatusServiceUnavailable, code: "publisher_unavailable",
		message: "Publication impossible : ce serveur n'a pas de tâches de fond pour publier. Votre texte est enregistré ; réessayez quand le service de publication sera disponible."},

	// Conflicts with the state of a review or a conversation.
	{match: as[*reviews.KeptError](), status: http.StatusConflict, code: "review_kept",
		fill: func(m error, ae *apiError) { ae.Message = sentence(m.Error()) }},
	{match: as[*store.TransitionError](), status: http.StatusConflict, code: "bad_transition",
		fill: func(m error, ae *apiError) { ae.Message = sentence(m.Error()) }},
	{match: is(reviews.ErrStale), status: http.StatusConflict, code: "version_conflict",
		message: "Une version plus récente a été enregistrée entre-temps : comparez les deux textes avant de recommencer."},
	{match: is(reviews.ErrClosed), status: http.StatusConflict, code: "review_closed",
		message: "Cet avis est publié ou écarté : il ne peut plus être modifié."},
	{match: is(draft.ErrNotDraftable), status: http.StatusConflict, code: "not_draftable",
		message: "Cet avis est publié ou écarté : il ne reçoit plus de brouillon."},
	{match: is(draft.ErrNothingToRewrite), status: http.StatusConflict, code: "nothing_to_rewrite",
		message: "Aucun brouillon à réécrire : générez d'abord un brouillon."},
	{match: is(assistant.ErrConflict), status: http.StatusConflict, code: "conflict",
		message: "La conversation a changé entre-temps : rechargez la page et reposez votre question."},
	{match: is(store.ErrConflict), status: http.StatusConflict, code: "conflict",
		message: "Modifié entre-temps par quelqu'un d'autre : rechargez la page et recommencez."},

	// Who the caller is and what they may do.
	{match: is(errSignIn), status: http.StatusUnauthorized, code: "unauthenticated",
		message: "Authentification requise : connectez-vous ou fournissez un jeton d'API."},
	{match: is(auth.ErrNoToken), status: http.StatusUnauthorized, code: "invalid_api_key",
		message: "Jeton d'API inconnu ou révoqué."},
	{match: is(errNoAPIToken), status: http.StatusUnauthorized, code: "invalid_api_key",
		message: "Jeton d'API manquant : envoyez l'en-tête « Authorization: Bearer plm_… » avec un jeton Plume."},
	{match: is(auth.ErrBadCredentials), status: http.StatusUnauthorized, code: "bad_credentials",
		message: "Adresse électronique ou mot de passe incorrect."},
	{match: is(auth.ErrLocked), status: http.StatusTooManyRequests, code: "account_locked",
		message: "Compte temporairement verrouillé après trop d'échecs : réessayez plus tard."},
	{match: is(auth.ErrDisabled), status: http.StatusForbidden, code: "account_disabled",
		message: "Compte désactivé : contactez votre administrateur."},
	{match: is(auth.ErrNoRole), status: http.StatusForbidden, code: "no_role",
		message: "Identité reconnue, mais aucun rôle Plume ne lui correspond : contactez votre administrateur."},
	{match: is(auth.ErrUnknownOrganisation), status: http.StatusForbidden, code: "unknown_organisation",
		message: "Identité reconnue, mais son organisation est inconnue de Plume : contactez votre administrateur."},
	{match: is(errAssistantScope), status: http.StatusForbidden, code: "insufficient_permissions",
		message: "Ce jeton ou ce rôle ne permet pas d'utiliser l'assistant (portée « " + string(auth.ActUseAssistant) + " »)."},
	{match: is(errCSRF), status: http.StatusForbidden, code: "csrf",
		message: "Formulaire expiré ou falsifié : rechargez la page et recommencez."},
	{match: is(errRoleForbidden), status: http.StatusForbidden, code: "forbidden",
		message: "Votre rôle ne permet pas cette action."},
	{match: as[*scopeError](), status: http.StatusForbidden, code: "insufficient_scope",
		fill: func(m error, ae *apiError) {
			ae.Message = "Ce jeton d'API n'a pas la portée « " + string(m.(*scopeError).Action) + " »."
		}},
	{match: is(errRateLimited), status: http.StatusTooManyRequests, code: "rate_limit_exceeded",
		message: "Trop de requêtes : limite par minute atteinte, réessayez après le délai indiqué (en-tête Retry-After)."},
	{match: is(errAuthUnavailable), status: http.StatusServiceUnavailable, code: "auth_unavailable",
		message: "Identification momentanément impossible : le service est indisponible. Votre session est conservée, réessayez dans un instant."},
	{match: is(errOIDCState), status: http.StatusBadRequest, code: "oidc_state",
		message: "Connexion expirée ou falsifiée : recommencez."},
	{match: is(errOIDCRefused), status: http.StatusUnauthorized, code: "oidc_refused",
		message: "Le fournisseur d'identité ou Plume a refusé la connexion."},

	// What the client sent.
	{match: as[*paramError](), status: http.StatusBadRequest, code: "invalid_value",
		fill: func(m error, ae *apiError) {
			pe := m.(*paramError)
			ae.Message = "Paramètre « " + pe.Param + " » invalide : " + pe.Reason + "."
			ae.Fields = map[string]string{pe.Param: pe.Reason}
		}},
	{match: as[*budget.TooLong](), status: http.StatusUnprocessableEntity, code: "string_above_max_length",
		fill: func(m error, ae *apiError) {
			tl := m.(*budget.TooLong)
			ae.Message = tl.Error()
			if tl.Whole { // a chat history as a whole, not one of its values
				ae.Status, ae.Code = http.StatusRequestEntityTooLarge, "context_length_exceeded"
			}
		}},
	{match: as[*assistant.QuestionError](), status: http.StatusBadRequest, code: "invalid_value",
		fill: func(m error, ae *apiError) {
			ae.Message = "Question refusée : " + m.(*assistant.QuestionError).Message + "."
		}},
	{match: as[fieldErrors](), status: http.StatusUnprocessableEntity, code: "invalid_fields",
		message: "Certains champs sont invalides.", fill: func(m error, ae *apiError) { ae.Fields = m.(fieldErrors).FieldErrors() }},
	{match: is(errNotJSON), status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		message: "Corps JSON attendu (Content-Type: application/json)."},
	{match: as[*openAIBad](), fill: func(m error, ae *apiError) {
		b := m.(*openAIBad)
		ae.Status, ae.Code, ae.Message = b.status, b.code, b.msg
		if b.param != "" {
			ae.Fields = map[string]string{b.param: b.msg}
		}
	}},
	{match: is(errNoEmbeddings), status: http.StatusNotFound, code: "unsupported_endpoint",
		message: "/v1/embeddings n'est pas proposé : Plume n'est pas une passerelle de plongements (embeddings). Seuls /v1/models, /v1/chat/completions et /v1/responses sont servis."},
	{match: as[badInput](), status: http.StatusBadRequest, code: "invalid_value",
		fill: func(m error, ae *apiError) { ae.Message = m.Error() }},
	{match: is(store.ErrNotFound), status: http.StatusNotFound, code: "not_found",
		message: "Ressource introuvable."},

	// Echo's own refusals (no route, body too large…) and the rare handler refusal with a message of its own.
	{match: as[*echo.HTTPError](), fill: func(m error, ae *apiError) {
		he := m.(*echo.HTTPError)
		ae.Status, ae.Code, ae.Message = he.Code, statusCode(he.Code), frenchStatus(he.Code, he.Message)
	}},
}

// classify answers an error from the table: status, code and the French message a person may read.
func classify(err error) apiError {
	for _, row := range errorTable {
		m, ok := row.match(err)
		if !ok {
			continue
		}
		ae := apiError{Status: row.status, Code: row.code, Message: row.message}
		if row.fill != nil {
			row.fill(m, &ae)
		}
		return ae
	}
	if sc := echo.StatusCode(err); sc != 0 {
		return apiError{Status: sc, Code: statusCode(sc), Message: frenchStatus(sc, "")}
	}
	return apiError{Status: http.StatusInternalServerError, Code: statusCode(http.StatusInternalServerError),
		Message: frenchStatus(http.StatusInternalServerError, "")}
}

// classifyLogged is classify for an error that reaches no error handler (in a stream already started): an
// unexpected one is logged, as handleError would.
func (s *Server) classifyLogged(ctx context.Context, err error) apiError {
	ae := classify(err)
	if ae.Status == http.StatusInternalServerError {
		s.log.ErrorContext(ctx, "erreur interne", "err", err)
	}
	return ae
}

// statusCode is the code of an error that has no row of its own, after its HTTP status.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusUnprocessableEntity:
		return "invalid_fields"
	case http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusGatewayTimeout:
		return "timeout"
	}
	if status >= 500 {
		return "internal_error"
	}
	return "error"
}

// frenchStatus keeps a message written for people and replaces Echo's English defaults.
func frenchStatus(code int, msg string) string {
	if msg != "" && msg != http.StatusText(code) && !strings.EqualFold(msg, http.StatusText(code)) {
		return msg
	}
	switch code {
	case http.StatusBadRequest:
		return "Requête invalide."
	case http.StatusUnauthorized:
		return "Authentification requise."
	case http.StatusForbidden:
		return "Accès refusé."
	case http.StatusNotFound:
		return "Page ou ressource introuvable."
	case http.StatusMethodNotAllowed:
		return "Méthode non autorisée pour cette adresse."
	case http.StatusConflict:
		return "Conflit avec l'état actuel : rechargez la page et recommencez."
	case http.StatusRequestEntityTooLarge:
		return "Requête trop volumineuse."
	case http.StatusUnsupportedMediaType:
		return "Type de contenu non pris en charge."
	case http.StatusTooManyRequests:
		return "Trop de requêtes : réessayez dans un instant."
	case http.StatusServiceUnavailable:
		return "Service momentanément indisponible."
	case http.StatusGatewayTimeout:
		return "Le service a mis trop de temps à répondre."
	}
	if code >= 500 {
		return "Erreur interne du serveur. L'incident a été enregistré."
	}
	return "Requête refusée."
}

// sentence makes a domain error's French text a sentence: a capital first letter and a final full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?…") {
		s += "."
	}
	return s
}

// jsonMistake says in French what is wrong with a JSON body, without the decoder's Go type names.
func jsonMistake(err error) badRequest {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest{fmt.Sprintf("JSON invalide : erreur de syntaxe à l'octet %d.", syn.Offset)}
	case errors.As(err, &typ) && typ.Field != "":
		return badRequest{fmt.Sprintf("JSON invalide : le champ « %s » doit être %s.", typ.Field, jsonKind(typ.Type))}
	case errors.As(err, &typ):
		return badRequest{fmt.Sprintf("JSON invalide : %s attendu.", jsonKind(typ.Type))}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest{"JSON invalide : corps vide ou incomplet."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest{"JSON invalide : champ " + strings.TrimPrefix(err.Error(), "json: unknown field ") + " inconnu."}
	}
	return badRequest{"JSON invalide."}
}

// jsonKind names in French the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "une autre valeur"
	}
	switch t.Kind() {
	case reflect.String:
		return "une chaîne"
	case reflect.Bool:
		return "un booléen"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "un nombre"
	case reflect.Slice, reflect.Array:
		return "une liste"
	case reflect.Map, reflect.Struct:
		return "un objet"
	}
	return "une autre valeur"
}

// statusClientClosed is nginx's 499: the client went away before the answer, which is not the server's fault.
const statusClientClosed = 499

// clientGone reports whether err comes from the client leaving: its request's context was cancelled.
func clientGone(c *echo.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(c.Request().Context().Err(), context.Canceled)
}

// errorStatus is the status err answers with, as handleError writes it and the metrics count it.
func errorStatus(c *echo.Context, err error) int {
	if clientGone(c, err) {
		return statusClientClosed
	}
	return classify(err).Status
}

// handleError is the only place errors become responses: a French page for people, Plume's JSON for
// /api/v1/*, OpenAI's error shape for /v1/*; the status is the table's in all three.
func (s *Server) handleError(c *echo.Context, err error) {
	if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
		return
	}
	if clientGone(c, err) {
		// Nobody reads the answer; the status is for the request log and the metrics.
		_ = c.NoContent(statusClientClosed)
		return
	}
	ae := classify(err)
	ae.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if ae.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "erreur interne", "err", err, "path", c.Request().URL.Path, "request_id", ae.RequestID)
	}
	var rerr error
	switch {
	case ae.Status == http.StatusUnauthorized && !wantsJSON(c.Request()) && c.Request().Method == http.MethodGet:
		rerr = c.Redirect(http.StatusSeeOther, "/connexion?suite="+url.QueryEscape(c.Request().URL.RequestURI()))
	case c.Request().Method == http.MethodHead:
		rerr = c.NoContent(ae.Status)
	case strings.HasPrefix(c.Request().URL.Path, "/v1/"):
		// The OpenAI-compatible API answers in OpenAI's error shape, which its client libraries parse.
		rerr = c.JSON(ae.Status, ae.openAI())
	case wantsJSON(c.Request()):
		rerr = c.JSON(ae.Status, ae)
	default:
		rerr = s.render(c, ae.Status, "error.html", pageData{Title: "Erreur", Data: ae})
	}
	if rerr != nil {
		s.log.Warn("réponse d'erreur non envoyée", "err", rerr)
	}
}

func wantsJSON(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/v1/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// openAIError is the error body OpenAI clients parse: {"error":{"message","type","param","code"}}.
type openAIError struct {
	Error openAIErrorBody `json:"error"`
}

type openAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// openAI is the error in OpenAI's shape; param names the field at fault when there is exactly one.
func (ae apiError) openAI() openAIError {
	code := ae.Code
	body := openAIErrorBody{Message: ae.Message, Type: openAIErrorType(ae.Status), Code: &code}
	if len(ae.Fields) == 1 {
		p := slices.Collect(maps.Keys(ae.Fields))[0]
		body.Param = &p
	}
	return openAIError{Error: body}
}

// openAIErrorType names an HTTP status the way OpenAI's API does in error.type.
func openAIErrorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}
