// Package web holds the page templates and static assets, embedded in the binary.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
)

//go:embed all:templates
var templates embed.FS

//go:embed static
var static embed.FS

// Static is the tree served under /static/: Plume's own CSS and scripts, and the vendored DSFR and htmx.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time: it cannot be missing
	}
	return sub
}

// ParseTemplates parses every page and partial with funcs; a missing or broken template is an error at start-up.
func ParseTemplates(funcs template.FuncMap) (*template.Template, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	for _, name := range []string{"layout-start", "layout-end", "error.html", "home.html"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("web: template %q manquant", name)
		}
	}
	return t, nil
}

// OpenAPI is the OpenAPI 3.1 description of /api/v1 and /v1, served at /openapi.json and rendered at /docs.
//
//go:embed openapi.json
var OpenAPI []byte
