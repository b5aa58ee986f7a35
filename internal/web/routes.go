package web

import (
	"github.com/plume-services/plume/internal/auth"
	plumeweb "github.com/plume-services/plume/web"
)

// routes lists every route of the API and the UI, so that the whole surface reads on one screen. Roles are
// checked by require; organisations where a resource is loaded (reviewFor), so another organisation's review
// is a 404.
func (s *Server) routes() {
	e := s.echo

	// Operations.
	e.GET("/healthz", s.showHealth)
	e.GET("/readyz", s.showReady)
	e.GET("/metrics", s.showMetrics)

	// Static assets: Plume's own, the DSFR and htmx, embedded in the binary.
	e.StaticFS("/static", plumeweb.Static(), staticCache())
	e.GET("/favicon.ico", s.showFavicon)

	// What every State service must publish: accessibility statement, legal notice, personal data.
	e.GET("/accessibilite", s.showAccessibility)
	e.GET("/mentions-legales", s.showLegalNotice)
	e.GET("/donnees-personnelles", s.showPrivacyNotice)

	// Sign-in.
	e.GET("/connexion", s.showLogin)
	e.POST("/connexion", s.login, s.loginLimiter())
	e.POST("/deconnexion", s.logout)
	e.GET("/auth/oidc", s.startOIDC)
	e.GET("/auth/callback", s.finishOIDC)

	// The API's description: OpenAPI 3.1 for tools, a French page for people.
	e.GET("/openapi.json", s.showOpenAPI)
	e.GET("/docs", s.showDocs)

	// API v1 (session cookie or API token).
	api := e.Group("/api/v1")
	api.GET("/reviews", s.listReviewsAPI, s.require(auth.ActReadReviews))
	api.POST("/reviews", s.createReviewAPI, s.require(auth.ActEditDrafts))
	api.GET("/reviews/:id", s.showReviewAPI, s.require(auth.ActReadReviews))
	api.POST("/reviews/:id/drafts", s.createDraftAPI, s.require(auth.ActEditDrafts), s.draftLimiter())
	api.GET("/drafts/:id", s.showDraftAPI, s.require(auth.ActReadReviews))
	api.POST("/pii/scan", s.scanPIIAPI, s.requireUser)
	api.GET("/search", s.searchAPI, s.requireUser)

	// Agents' and supervisors' screens.
	e.GET("/", s.showHome)
	e.GET("/avis", s.showInbox, s.require(auth.ActReadReviews))
	e.GET("/avis/:id", s.showReview, s.require(auth.ActReadReviews), s.require(auth.ActViewClearText))
	e.GET("/avis/:id/historique", s.showHistory, s.require(auth.ActReadReviews), s.require(auth.ActViewClearText))
	e.POST("/avis/:id/enregistrer", s.saveReview, s.require(auth.ActEditDrafts))
	e.POST("/avis/:id/regenerer", s.regenerateReview, s.require(auth.ActEditDrafts), s.draftLimiter())
	e.POST("/avis/:id/publier", s.approveReview, s.require(auth.ActApprove))
	e.POST("/avis/:id/verification", s.verifyReview, s.require(auth.ActApprove))
	e.POST("/avis/:id/relecture", s.relecture, s.require(auth.ActReadReviews))
	e.POST("/avis/:id/ecarter", s.rejectReview, s.require(auth.ActEditDrafts))
	e.POST("/avis/:id/rouvrir", s.reopenReview, s.require(auth.ActEditDrafts))
	e.POST("/avis/:id/attribution", s.assignReview, s.require(auth.ActEditDrafts))
	e.POST("/avis/:id/liberation", s.releaseReview, s.require(auth.ActEditDrafts))
	e.POST("/avis/:id/brouillons/:draft/retour", s.saveFeedback, s.require(auth.ActEditDrafts))
	e.GET("/statistiques", s.showStats, s.require(auth.ActViewStats))
	e.GET("/parametres", s.showSettings, s.require(auth.ActEditPrompts))
	e.POST("/parametres", s.saveSettings, s.require(auth.ActEditPrompts))
	e.POST("/parametres/reponses-types", s.addStandardReply, s.require(auth.ActEditPrompts))
	e.POST("/parametres/reponses-types/:reply/suppression", s.deleteStandardReply, s.require(auth.ActEditPrompts))

	// Advisers' assistant.
	a, use := s.assistant, s.require(auth.ActUseAssistant)
	e.GET("/assistant", a.showPage, use)
	e.GET("/assistant/conversations/:id", a.showPage, use)
	e.POST("/assistant/questions", a.ask, use, s.draftLimiter())
	e.POST("/assistant/messages/:id/avis", a.feedback, use)
	e.POST("/assistant/conversations/:id/suppression", a.deleteConversation, use)
	e.GET("/assistant/export.jsonl", a.export, use)

	// OpenAI-compatible API: authentication and errors are checked in the handlers, so that every answer,
	// errors included, is shaped as OpenAI clients expect.
	e.GET("/v1/models", a.listModels)
	e.GET("/v1/models/:id", a.showModel)
	e.POST("/v1/chat/completions", a.chatCompletions, s.draftLimiter())
	e.POST("/v1/responses", a.createResponse, s.draftLimiter())
	e.POST("/v1/embeddings", a.noEmbeddings)
}
