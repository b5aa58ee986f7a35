package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	plumeweb "github.com/plume-services/plume/web"
)

// assetVersions caches the content hash of each static file a page links to: computed once per file, since
// the files are embedded and cannot change while the process runs.
var assetVersions sync.Map

// assetURL is the address of a static file with its content hash in the query, so that browsers may keep it for
// a year: a new build that changes the file changes the address.
func assetURL(name string) string {
	if v, ok := assetVersions.Load(name); ok {
		return v.(string)
	}
	u := "/static/" + name
	if b, err := fs.ReadFile(plumeweb.Static(), name); err == nil {
		sum := sha256.Sum256(b)
		u += "?v=" + hex.EncodeToString(sum[:6])
	}
	assetVersions.Store(name, u)
	return u
}

// staticCache sets the caching headers of static files: a versioned address (assetURL) never changes content,
// so it is immutable for a year; files the CSS reaches by relative address (fonts, icons) are kept a week.
func staticCache() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			h := c.Response().Header()
			if c.QueryParam("v") != "" {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "public, max-age=604800")
			}
			return next(c)
		}
	}
}

// compress gzips text answers to GET requests (pages, CSS, scripts, JSON): the DSFR stylesheet alone shrinks
// from about 700 KB to 90 KB. Event streams (POST) and already compressed fonts and images are left alone.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: 1024,
		Skipper: func(c *echo.Context) bool {
			r := c.Request()
			if r.Method != http.MethodGet {
				return true
			}
			p := r.URL.Path
			return strings.HasSuffix(p, ".woff2") || strings.HasSuffix(p, ".woff") || strings.HasSuffix(p, ".png") ||
				p == "/metrics"
		},
	})
}

// showFavicon serves Plume's icon where browsers look for it without being told.
func (s *Server) showFavicon(c *echo.Context) error {
	b, err := fs.ReadFile(plumeweb.Static(), "img/favicon.svg")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=604800")
	return c.Blob(http.StatusOK, "image/svg+xml", b)
}
