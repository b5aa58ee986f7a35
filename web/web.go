// Package web holds the page templates and static assets, embedded in the binary.
package web

import (
	"embed"
	"fmt"
	"html/template"
)

//go:embed templates
var templates embed.FS

// ParseTemplates parses every page and partial; a missing or broken template is an error at start-up.
func ParseTemplates() (*template.Template, error) {
	t, err := template.New("").ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	for _, name := range []string{"layout", "error.html", "home.html"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("web: template %q manquant", name)
		}
	}
	return t, nil
}
