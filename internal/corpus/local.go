package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLocalFile bounds one Markdown or HTML page.
const maxLocalFile = 4 << 20

// OpenDir reads a folder of Markdown (.md) and HTML (.html) pages an administration wrote: headings make the
// section path; an optional front matter (--- title:, date:, url:, theme: ---) gives the metadata. name scopes the
// load: reloading the same name replaces the pages loaded under it, and only those.
func OpenDir(fsys fs.FS, name string) (*Source, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != "." {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && localFormat(p) != "" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("aucune page .md ou .html dans le dossier")
	}
	return &Source{Name: "local:" + name, Total: len(files), Documents: func(yield func(Document, error) bool) {
		for _, p := range files {
			b, err := fs.ReadFile(fsys, p)
			if err == nil && len(b) > maxLocalFile {
				err = fmt.Errorf("fichier trop gros (%d octets, maximum %d)", len(b), maxLocalFile)
			}
			var d Document
			if err == nil {
				d, err = ParsePage(p, b)
			}
			if err != nil {
				yield(Document{}, &FileError{File: p, Err: err})
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}}, nil
}

func localFormat(p string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".markdown":
		return "md"
	case ".html", ".htm":
		return "html"
	}
	return ""
}

// ErrNotUTF8 is returned for a page that is not valid UTF-8 (often Latin-1 exported by an old tool).
var ErrNotUTF8 = errors.New("le fichier n'est pas encodé en UTF-8")

// ParsePage reads one local page; name is its path in the folder, which makes its id (local/<path without extension>).
func ParsePage(name string, b []byte) (Document, error) {
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:firstInvalid(b)], []byte("\n"))
		return Document{}, fmt.Errorf("%w (premier octet invalide ligne %d) ; convertissez-le, par exemple : iconv -f latin1 -t utf-8", ErrNotUTF8, line)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	d := Document{
		ID:       "local/" + strings.TrimSuffix(name, path.Ext(name)),
		Kind:     "L",
		Type:     "Page locale",
		Audience: AudienceLocal,
	}
	text := string(b)
	switch localFormat(name) {
	case "md":
		var err error
		text, err = frontMatter(&d, text)
		if err != nil {
			return Document{}, err
		}
		parseMarkdown(&d, text)
	case "html":
		parseHTML(&d, text)
	default:
		return Document{}, fmt.Errorf("format inconnu (.md ou .html attendu)")
	}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(path.Base(name), path.Ext(name))
	}
	if len(d.Sections) == 0 {
		return Document{}, errors.New("page vide : aucun texte à indexer")
	}
	return d, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// frontMatter reads "key: value" lines between --- fences at the top of a Markdown page.
func frontMatter(d *Document, text string) (string, error) {
	if !strings.HasPrefix(text, "---\n") && !strings.HasPrefix(text, "---\r\n") {
		return text, nil
	}
	rest := text[strings.Index(text, "\n")+1:]
	end := strings.Index(rest, "\n---")
	if end < 0 {
		return "", errors.New("en-tête (front matter) ouvert par --- mais jamais fermé")
	}
	for i, line := range strings.Split(rest[:end], "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return "", fmt.Errorf("en-tête ligne %d : « clé: valeur » attendu", i+2)
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "title", "titre":
			d.Title = v
		case "description":
			d.Description = v
		case "date":
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return "", fmt.Errorf("en-tête ligne %d : date %q invalide (AAAA-MM-JJ attendu)", i+2, v)
			}
			d.Date = t
		case "url":
			d.URL = v
		case "theme", "thème":
			d.Theme = v
		}
	}
	body := rest[end+4:]
	if i := strings.Index(body, "\n"); i >= 0 {
		body = body[i+1:]
	} else {
		body = ""
	}
	return body, nil
}

var (
	mdHeading  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdListItem = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+(.*)$`)
	mdTableSep = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	mdLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdEmphasis = regexp.MustCompile("(\\*\\*|__|\\*|_|`)([^*_`]+)(\\*\\*|__|\\*|_|`)")
)

// mdInline removes Markdown inline markup, keeping link texts.
func mdInline(s string) string {
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdEmphasis.ReplaceAllString(s, "$2")
	return collapseSpace(s)
}

func parseMarkdown(d *Document, text string) {
	var path []string
	var levels []int
	var para []string
	var table [][]string
	flushPara := func() {
		if len(para) > 0 {
			d.addBlock(path, mdInline(strings.Join(para, " ")))
			para = nil
		}
	}
	flushTable := func() {
		if len(table) > 0 {
			d.addBlock(path, renderRows(table))
			table = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var list []string
	flushList := func() {
		if len(list) > 0 {
			d.addBlock(path, strings.Join(list, "\n"))
			list = nil
		}
	}
	flushAll := func() { flushPara(); flushTable(); flushList() }
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flushAll()
		case mdHeading.MatchString(trimmed):
			flushAll()
			m := mdHeading.FindStringSubmatch(trimmed)
			level, title := len(m[1]), mdInline(m[2])
			if level == 1 && d.Title == "" {
				d.Title = title
				continue
			}
			for len(levels) > 0 && levels[len(levels)-1] >= level {
				levels, path = levels[:len(levels)-1], path[:len(path)-1]
			}
			levels = append(levels, level)
			path = append(path[:len(path):len(path)], title)
		case strings.HasPrefix(trimmed, "|"):
			flushPara()
			flushList()
			if mdTableSep.MatchString(trimmed) {
				continue
			}
			cells := strings.Split(strings.Trim(trimmed, "|"), "|")
			for j := range cells {
				cells[j] = mdInline(cells[j])
			}
			table = append(table, cells)
		case mdListItem.MatchString(line):
			flushPara()
			flushTable()
			list = append(list, "- "+mdInline(mdListItem.FindStringSubmatch(line)[1]))
		default:
			flushTable()
			if len(list) > 0 && (strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "\t")) {
				list[len(list)-1] += " " + mdInline(trimmed)
				continue
			}
			flushList()
			para = append(para, strings.TrimPrefix(trimmed, "> "))
		}
	}
	flushAll()
}

// renderRows renders a table whose first row is its header as "Colonne : valeur" rows.
func renderRows(rows [][]string) string {
	if len(rows) == 1 {
		return "| " + strings.Join(rows[0], " | ") + " |"
	}
	header := rows[0]
	var lines []string
	for _, r := range rows[1:] {
		if len(r) != len(header) {
			lines = append(lines, "| "+strings.Join(r, " | ")+" |")
			continue
		}
		parts := make([]string, 0, len(r))
		for i, v := range r {
			if v != "" {
				parts = append(parts, header[i]+" : "+v)
			}
		}
		lines = append(lines, "- "+strings.Join(parts, " ; "))
	}
	return strings.Join(lines, "\n")
}

var (
	htmlDrop = regexp.MustCompile(`(?is)<(script|style|nav|header|footer|template|noscript)\b.*?</(script|style|nav|header|footer|template|noscript)\s*>|<!--.*?-->`)
	htmlTag  = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>`)
	htmlMeta = regexp.MustCompile(`(?is)<meta\s+[^>]*name=["']?(description|date|dc\.date)["']?[^>]*content=["']([^"']*)["']`)
)

// parseHTML reads headings h1–h6, paragraphs, list items and table rows of a page; other markup is dropped.
func parseHTML(d *Document, text string) {
	for _, m := range htmlMeta.FindAllStringSubmatch(text, -1) {
		v := html.UnescapeString(m[2])
		switch strings.ToLower(m[1]) {
		case "description":
			d.Description = v
		default:
			if t, err := time.Parse(time.DateOnly, v); err == nil {
				d.Date = t
			}
		}
	}
	text = htmlDrop.ReplaceAllString(text, " ")
	var path []string
	var levels []int
	var buf strings.Builder
	var row []string
	var rows [][]string
	var list []string
	heading := 0
	inTitle := false
	text1 := func() string {
		s := collapseSpace(html.UnescapeString(buf.String()))
		buf.Reset()
		return s
	}
	pos := 0
	for _, m := range htmlTag.FindAllStringSubmatchIndex(text, -1) {
		buf.WriteString(text[pos:m[0]])
		pos = m[1]
		closing := text[m[2]:m[3]] == "/"
		tag := strings.ToLower(text[m[4]:m[5]])
		switch tag {
		case "title":
			if closing && inTitle {
				if t := text1(); d.Title == "" {
					d.Title = t
				}
			} else {
				buf.Reset()
			}
			inTitle = !closing
		case "h1", "h2", "h3", "h4", "h5", "h6":
			if !closing {
				if t := text1(); t != "" {
					d.addBlock(path, t)
				}
				heading = int(tag[1] - '0')
				continue
			}
			t := text1()
			level := heading
			heading = 0
			if t == "" {
				continue
			}
			if level == 1 && (d.Title == "" || len(d.Sections) == 0 && len(path) == 0) {
				d.Title = t
				continue
			}
			for len(levels) > 0 && levels[len(levels)-1] >= level {
				levels, path = levels[:len(levels)-1], path[:len(path)-1]
			}
			levels = append(levels, level)
			path = append(path[:len(path):len(path)], t)
		case "li":
			if t := text1(); t != "" {
				if closing {
					list = append(list, "- "+t)
				} else if len(list) > 0 {
					list[len(list)-1] += " " + t
				} else {
					d.addBlock(path, t)
				}
			}
		case "ul", "ol":
			if t := text1(); t != "" {
				d.addBlock(path, t)
			}
			if closing && len(list) > 0 {
				d.addBlock(path, strings.Join(list, "\n"))
				list = nil
			}
		case "td", "th":
			if closing {
				row = append(row, text1())
			} else {
				buf.Reset()
			}
		case "tr":
			if closing && len(row) > 0 {
				rows = append(rows, row)
				row = nil
			}
		case "table":
			if closing && len(rows) > 0 {
				d.addBlock(path, renderRows(rows))
				rows = nil
			}
		case "p", "div", "section", "article", "main", "br", "blockquote", "dd", "dt", "body":
			if t := text1(); t != "" && len(list) == 0 {
				d.addBlock(path, t)
			} else if t != "" {
				list[len(list)-1] += " " + t
			}
		}
	}
	buf.WriteString(text[pos:])
	if t := text1(); t != "" {
		d.addBlock(path, t)
	}
}
