package web

import (
	"github.com/plume-services/plume/internal/auth"
	plumeweb "github.com/plume-services/plume/web"
)

// routes lists every route of the API and the UI, so that the whole surface reads on one screen.
func (s *Server) routes() {
	e := s.echo

	// Operations.
	e.GET("/healthz", s.showHealth)
	e.GET("/readyz", s.showReady)
	e.GET("/metrics", s.showMetrics)

	// Static assets: Plume's own, the DSFR and htmx, embedded in the binary.
	e.StaticFS("/static", plumeweb.Static())

	// Sign-in.
	e.GET("/connexion", s.showLogin)
	e.POST("/connexion", s.login, s.loginLimiter())
	e.POST("/deconnexion", s.logout)
	e.GET("/auth/oidc", s.startOIDC)
	e.GET("/auth/callback", s.finishOIDC)

	// API v1 (session cookie or API token; roles checked by require, organisations where a resource is loaded).
	api := e.Group("/api/v1")
	api.GET("/reviews", s.listReviewsAPI, s.require(auth.ActReadReviews))
	api.POST("/reviews", s.createReviewAPI, s.require(auth.ActEditDrafts))
	api.GET("/reviews/:id", s.showReviewAPI, s.require(auth.ActReadReviews))
	api.POST("/reviews/:id/drafts", s.createDraftAPI, s.require(auth.ActEditDrafts), s.draftLimiter())
	api.GET("/drafts/:id", s.showDraftAPI, s.require(auth.ActReadReviews))
	api.POST("/pii/scan", s.scanPIIAPI, s.requireUser)
	api.GET("/search", s.searchAPI, s.requireUser)

	// Pages.
	e.GET("/", s.showHome)
	e.GET("/parametres", s.showSettings, s.require(auth.ActEditPrompts))
	e.POST("/parametres", s.saveSettings, s.require(auth.ActEditPrompts))
	s.assistantRoutes()
}
