package web

import plumeweb "github.com/plume-services/plume/web"

// routes lists every route of the API and the UI, so that the whole surface reads on one screen.
func (s *Server) routes() {
	e := s.echo

	// Operations.
	e.GET("/healthz", s.showHealth)
	e.GET("/readyz", s.showReady)
	e.GET("/metrics", s.showMetrics)

	// Static assets: Plume's own, the DSFR and htmx, embedded in the binary.
	e.StaticFS("/static", plumeweb.Static())

	// Pages.
	e.GET("/", s.showHome)
}
