package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v5"

	plumeweb "github.com/plume-services/plume/web"
)

// openAPIDoc is the part of the OpenAPI document the docs page shows and the route test reads.
type openAPIDoc struct {
	Info struct {
		Title, Version, Description string
	}
	Tags []struct {
		Name, Description string
	}
	Paths map[string]map[string]openAPIOperation
}

// openAPIOperation is one method of one path.
type openAPIOperation struct {
	Tags        []string
	OperationID string `json:"operationId"`
	Summary     string
	Description string
	Parameters  []struct {
		Name, In, Description string
		Required              bool
		Schema                map[string]any
	}
	RequestBody *struct {
		Content map[string]struct {
			Schema  map[string]any
			Example any
		}
	} `json:"requestBody"`
	Responses map[string]struct {
		Description string
		Content     map[string]struct {
			Schema  map[string]any
			Example any
		}
	}
}

// parseOpenAPI reads the embedded document; it is checked at start-up, so a broken file fails the boot.
func parseOpenAPI() (openAPIDoc, error) {
	var d openAPIDoc
	if err := json.Unmarshal(plumeweb.OpenAPI, &d); err != nil {
		return d, fmt.Errorf("web: openapi.json: %w", err)
	}
	return d, nil
}

// docsOperation is one operation as the docs page lists it.
type docsOperation struct {
	Anchor, Method, Path, Summary string
	Description                   template.HTML
	Params                        []docsParam
	RequestSchema                 string
	RequestExample                string
	Responses                     []docsResponse
}

type docsParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docsResponse struct {
	Status, Schema, Example string
	Description             template.HTML
}

// docsSection is one tag of the document with its operations.
type docsSection struct {
	Name, ID   string
	Intro      template.HTML
	Operations []docsOperation
}

// docsData is what docs.html shows.
type docsData struct {
	Title, Version string
	Intro          template.HTML
	Sections       []docsSection
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// docText renders the document's prose: escaped, with `code` spans and paragraphs.
func docText(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		esc := template.HTMLEscapeString(para)
		b.WriteString("<p>" + inlineCode.ReplaceAllString(esc, "<code>$1</code>") + "</p>")
	}
	return template.HTML(b.String())
}

// schemaName names a schema: its component, or its type.
func schemaName(s map[string]any) string {
	if ref, ok := s["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#/components/schemas/")
	}
	if t, ok := s["type"].(string); ok {
		if e, ok := s["enum"].([]any); ok {
			vals := make([]string, len(e))
			for i, v := range e {
				vals[i] = fmt.Sprint(v)
			}
			return t + " : " + strings.Join(vals, ", ")
		}
		return t
	}
	return ""
}

func pretty(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// docsPage turns the document into the docs page's sections, operations in path order.
func docsPage(d openAPIDoc) docsData {
	out := docsData{Title: d.Info.Title, Version: d.Info.Version, Intro: docText(d.Info.Description)}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, tag := range d.Tags {
		sec := docsSection{Name: tag.Name, ID: "tag-" + strings.ToLower(tag.Name), Intro: docText(tag.Description)}
		for _, p := range paths {
			for _, m := range []string{"get", "post", "put", "patch", "delete"} {
				op, ok := d.Paths[p][m]
				if !ok || len(op.Tags) == 0 || op.Tags[0] != tag.Name {
					continue
				}
				o := docsOperation{Anchor: op.OperationID, Method: strings.ToUpper(m), Path: p, Summary: op.Summary, Description: docText(op.Description)}
				for _, pa := range op.Parameters {
					o.Params = append(o.Params, docsParam{Name: pa.Name, In: map[string]string{"query": "requête", "path": "chemin"}[pa.In],
						Type: schemaName(pa.Schema), Description: pa.Description, Required: pa.Required})
				}
				if op.RequestBody != nil {
					if c, ok := op.RequestBody.Content["application/json"]; ok {
						o.RequestSchema, o.RequestExample = schemaName(c.Schema), pretty(c.Example)
					}
				}
				codes := make([]string, 0, len(op.Responses))
				for code := range op.Responses {
					codes = append(codes, code)
				}
				sort.Strings(codes)
				for _, code := range codes {
					r := op.Responses[code]
					dr := docsResponse{Status: code, Description: docText(r.Description)}
					if c, ok := r.Content["application/json"]; ok {
						dr.Schema, dr.Example = schemaName(c.Schema), pretty(c.Example)
					}
					o.Responses = append(o.Responses, dr)
				}
				sec.Operations = append(sec.Operations, o)
			}
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}

// showOpenAPI serves the OpenAPI document, public like the API's own error messages.
func (s *Server) showOpenAPI(c *echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSONBlob(http.StatusOK, plumeweb.OpenAPI)
}

// showDocs renders the OpenAPI document as a readable French page, on the server: no viewer script, no CDN.
func (s *Server) showDocs(c *echo.Context) error {
	return s.render(c, http.StatusOK, "docs.html", pageData{Title: "Documentation de l'API", Data: s.docs})
}
