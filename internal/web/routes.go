package web

// routes lists every route of the API and the UI, so that the whole surface reads on one screen.
func (s *Server) routes() {
	e := s.echo

	// Operations.
	e.GET("/healthz", s.showHealth)
	e.GET("/readyz", s.showReady)
	e.GET("/metrics", s.showMetrics)

	// Pages.
	e.GET("/", s.showHome)
}
