package web

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v5"
)

// pageData is what every page template receives: the layout reads Title, the page reads Data.
type pageData struct {
	Title string
	Data  any
}

// render executes a page template into a buffer first, so a template error never sends half a page.
func (s *Server) render(c *echo.Context, status int, name string, data pageData) error {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) showHome(c *echo.Context) error {
	return s.render(c, http.StatusOK, "home.html", pageData{Title: "Accueil"})
}
