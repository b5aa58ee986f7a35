package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/store"
)

// badInput is satisfied by domain errors that describe a mistake in what the client sent; their message is
// French and safe to show.
type badInput interface{ BadInput() bool }

// fieldErrors is satisfied by validation errors that name the fields at fault.
type fieldErrors interface{ FieldErrors() map[string]string }

// apiError is the JSON body of every error the API returns.
type apiError struct {
	Status    int               `json:"status"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	Items     []string          `json:"items,omitempty"` // each thing to fix, in order (publication guard)
	RequestID string            `json:"request_id,omitempty"`
}

// classify maps an error to the status and the French message a person may read; unknown errors are 500s
// whose details stay in the log.
func classify(err error) apiError {
	var fe fieldErrors
	var bi badInput
	var he *echo.HTTPError
	var blocked *guard.Blocked
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		return apiError{Status: http.StatusBadRequest, Message: "Paramètre « " + pe.Param + " » invalide : " + pe.Reason + ".",
			Fields: map[string]string{pe.Param: pe.Reason}}
	case errors.As(err, &blocked):
		return apiError{Status: http.StatusUnprocessableEntity, Message: blocked.Summary(), Items: blocked.Items()}
	case errors.Is(err, errAuthUnavailable):
		return apiError{Status: http.StatusServiceUnavailable,
			Message: "Identification momentanément impossible : le service est indisponible. Votre session est conservée, réessayez dans un instant."}
	case errors.Is(err, guard.ErrFilter):
		return apiError{Status: http.StatusServiceUnavailable, Message: guard.ErrFilter.Error()}
	case errors.As(err, new(*budget.TooLong)):
		return apiError{Status: tooLongStatus(err), Message: err.Error()}
	case errors.As(err, &fe):
		return apiError{Status: http.StatusUnprocessableEntity, Message: "Certains champs sont invalides.", Fields: fe.FieldErrors()}
	case errors.As(err, &bi) && bi.BadInput():
		return apiError{Status: http.StatusBadRequest, Message: err.Error()}
	case errors.Is(err, store.ErrNotFound):
		return apiError{Status: http.StatusNotFound, Message: "Ressource introuvable."}
	case errors.As(err, &he):
		return apiError{Status: he.Code, Message: frenchStatus(he.Code, he.Message)}
	}
	if sc := echo.StatusCode(err); sc != 0 {
		return apiError{Status: sc, Message: frenchStatus(sc, "")}
	}
	return apiError{Status: http.StatusInternalServerError, Message: frenchStatus(http.StatusInternalServerError, "")}
}

// tooLongStatus is 413 for a request too large as a whole (a chat history), 422 for one field over its budget.
func tooLongStatus(err error) int {
	var tl *budget.TooLong
	if errors.As(err, &tl) && tl.Whole {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// frenchStatus keeps a message written for people and replaces Echo's English defaults.
func frenchStatus(code int, msg string) string {
	if msg != "" && msg != http.StatusText(code) {
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
	return http.StatusText(code)
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

// handleError is the only place errors become responses: JSON for API clients, a French page for people.
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
		rerr = writeOpenAIErrorParam(c, ae.Status, openAIErrorType(ae.Status), openAICode(ae), ae.param(), ae.Message)
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

// param names the one field at fault, for OpenAI's error.param; "" when none or several are.
func (ae apiError) param() string {
	if len(ae.Fields) != 1 {
		return ""
	}
	for k := range ae.Fields {
		return k
	}
	return ""
}

// openAICode is the error.code OpenAI clients may test, for the errors the shared handler shapes.
func openAICode(ae apiError) string {
	switch {
	case ae.Status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnprocessableEntity:
		return "invalid_value"
	case ae.Status == http.StatusNotFound:
		return "not_found"
	}
	return ""
}
