package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v5"
)

// paramError is a request parameter Plume cannot store or compare: bytes that are not UTF-8, or a NUL, which
// PostgreSQL refuses in text. Param names it as the client sent it (a query key, a form field, a JSON path).
type paramError struct {
	Param, Reason string
}

func (e *paramError) Error() string { return e.Param + " : " + e.Reason }

// BadInput marks the error as the client's mistake (400).
func (e *paramError) BadInput() bool { return true }

const (
	reasonNotUTF8 = "octets invalides : le texte doit être encodé en UTF-8"
	reasonNUL     = "caractère nul (U+0000) interdit"
)

// textProblem says what is wrong with s as text PostgreSQL can hold, or "" when nothing is.
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return reasonNotUTF8
	case strings.IndexByte(s, 0) >= 0:
		return reasonNUL
	}
	return ""
}

// checkInput rejects, before any handler or query, the text PostgreSQL would refuse with an error (and the
// client would see as a 500): invalid UTF-8 or NUL bytes in the path, the query string, a form field or a JSON
// string. Each is a 400 naming the parameter; the error handler shapes it for the API, the OpenAI API or a page.
func checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		if p := textProblem(r.URL.Path); p != "" {
			return &paramError{Param: "chemin", Reason: p}
		}
		if err := checkQuery(r.URL.RawQuery); err != nil {
			return err
		}
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		form := mt == "application/x-www-form-urlencoded"
		if !form && !isJSONType(mt) {
			return next(c)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return echo.ErrStatusRequestEntityTooLarge
			}
			return badRequest{"Corps de requête illisible."}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form {
			err = checkQuery(string(body))
		} else {
			err = checkJSON(body)
		}
		if err != nil {
			return err
		}
		return next(c)
	}
}

// jsonContentType reports whether a Content-Type header announces JSON; media types are case-insensitive
// (RFC 9110 §8.3.1), so « Application/JSON; charset=UTF-8 » is JSON too.
func jsonContentType(header string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && isJSONType(mt)
}

// isJSONType reports whether a media type (already lower-cased by mime.ParseMediaType) is JSON.
func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// checkQuery checks every key and value of a query string or urlencoded form; a malformed escape (%zz) is
// reported too, since the handler would otherwise read the parameter as empty.
func checkQuery(raw string) error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rk, rv, _ := strings.Cut(pair, "=")
		k, kerr := url.QueryUnescape(rk)
		v, verr := url.QueryUnescape(rv)
		name := k
		if kerr != nil || textProblem(k) != "" {
			name = strings.ToValidUTF8(strings.ReplaceAll(rk, "\x00", ""), "\uFFFD")
		}
		switch {
		case kerr != nil || verr != nil:
			return &paramError{Param: name, Reason: "encodage %XX invalide dans l'adresse"}
		case textProblem(k) != "":
			return &paramError{Param: name, Reason: textProblem(k)}
		case textProblem(v) != "":
			return &paramError{Param: name, Reason: textProblem(v)}
		}
	}
	return nil
}

// jsonFrame is one open container while checkJSON walks a body.
type jsonFrame struct {
	array bool
	name  string // the path of this container ("" for the body itself)
	key   string // in an object: the key whose value comes next, "" while a key is expected
	index int    // in an array: the index of the next value
}

// at names the value about to be read in f.
func (f *jsonFrame) at() string {
	if f.array {
		return fmt.Sprintf("%s[%d]", f.name, f.index)
	}
	if f.name == "" {
		return f.key
	}
	return f.name + "." + f.key
}

// done moves f past one value.
func (f *jsonFrame) done() {
	if f.array {
		f.index++
	} else {
		f.key = ""
	}
}

// checkJSON walks a JSON body and checks each key and string as the client wrote it (before the decoder turns
// invalid bytes into U+FFFD) and as decoded (a \u0000 escape is a NUL). A body that is not JSON is left to the
// handler, which names the syntax error.
func checkJSON(body []byte) error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) && bytes.IndexByte(body, 0) < 0 {
		return nil // the common case: nothing to find
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	top := func() *jsonFrame {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or not JSON: the handler's decoder names the syntax error
		}
		raw := body[start:dec.InputOffset()]
		f := top()
		name := "corps"
		if f != nil {
			name = f.at()
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if f == nil {
					name = ""
				}
				stack = append(stack, &jsonFrame{array: t == '[', name: name})
			default:
				stack = stack[:len(stack)-1]
				if f := top(); f != nil {
					f.done()
				}
			}
			continue
		case string:
			key := f != nil && !f.array && f.key == ""
			if key {
				name = strings.TrimPrefix(f.name+"."+t, ".")
			}
			if !utf8.Valid(raw) {
				return &paramError{Param: strings.ToValidUTF8(name, "\uFFFD"), Reason: reasonNotUTF8}
			}
			if strings.IndexByte(t, 0) >= 0 || bytes.IndexByte(raw, 0) >= 0 {
				return &paramError{Param: strings.ReplaceAll(name, "\x00", ""), Reason: reasonNUL}
			}
			if key {
				f.key = t
				if t == "" {
					f.key = `""`
				}
				continue
			}
		}
		if f != nil {
			f.done()
		}
	}
}
