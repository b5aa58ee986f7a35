package corpus

import (
	"encoding/xml"
	"io"
	"slices"
	"strings"
)

// This file is compiled only with the tests: the tests write fiches back as XML to check that the XML reader
// and the JSON reader of the same fiche agree; production never writes XML.

// WriteXML writes the tree rooted at n as DILA-style XML, declaring the dc: namespace on the root.
func WriteXML(w io.Writer, n *Node) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	return writeXML(w, n, true)
}

func writeXML(w io.Writer, n *Node, root bool) error {
	if n.IsText() {
		return xml.EscapeText(w, []byte(n.Text))
	}
	var b strings.Builder
	b.WriteString("<" + n.Name)
	if root {
		b.WriteString(` xmlns:dc="` + dcNS + `"`)
	}
	for _, k := range sortedKeys(n.Attrs) {
		if strings.HasPrefix(k, "xmlns") || strings.Contains(k, ":") {
			continue
		}
		b.WriteString(" " + k + `="`)
		_ = xml.EscapeText(&b, []byte(n.Attrs[k]))
		b.WriteString(`"`)
	}
	if len(n.Children) == 0 {
		b.WriteString("/>")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString(">")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, c := range n.Children {
		if err := writeXML(w, c, false); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "</"+n.Name+">")
	return err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
