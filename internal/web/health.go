package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"
)

// showHealth answers as long as the process serves requests; it checks nothing else on purpose.
func (s *Server) showHealth(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// showReady answers 200 only when the database answers and carries every migration; a load balancer stops
// sending traffic otherwise, and the pool reconnects by itself when the database comes back.
func (s *Server) showReady(c *echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "indisponible", "raison": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "prêt"})
}
