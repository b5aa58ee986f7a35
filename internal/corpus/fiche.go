package corpus

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ParseFiche turns a Publication tree (from DecodeJSON or DecodeXML) into a Document. audience may be empty: it
// is then read from the fiche's canonical URL or its Audience element.
func ParseFiche(pub *Node, audience string) (Document, error) {
	if pub == nil || pub.Name != "Publication" {
		return Document{}, fmt.Errorf("%w : élément Publication absent", ErrMalformed)
	}
	id := strings.TrimSpace(pub.Attrs["ID"])
	if id == "" {
		id = pub.Child("dc:identifier").InnerText()
	}
	if id == "" || !strings.ContainsAny(id[:1], "FNR") {
		return Document{}, fmt.Errorf("%w : identifiant %q invalide (F…, N… ou R… attendu)", ErrMalformed, id)
	}
	d := Document{
		ID:          id,
		Kind:        id[:1],
		Type:        pub.Attrs["type"],
		Title:       pub.Child("dc:title").InnerText(),
		Description: pub.Child("dc:description").InnerText(),
		Subject:     pub.Child("dc:subject").InnerText(),
		Theme:       pub.Child("Theme").Child("Titre").InnerText(),
		URL:         pub.Attrs["spUrl"],
	}
	if d.Title == "" {
		return Document{}, fmt.Errorf("%w : %s sans dc:title", ErrMalformed, id)
	}
	if audience == "" {
		audience = audienceOf(pub)
	}
	d.Audience = audience
	if d.URL == "" {
		d.URL = URLFor(audience, id)
	}
	d.Date = parseDCDate(pub.Child("dc:date").InnerText())
	if fil := pub.Child("FilDAriane"); fil != nil {
		var parts []string
		for i, n := range fil.ChildrenNamed("Niveau") {
			if i == 0 || n.Attrs["ID"] == id {
				continue // the home page and the fiche itself
			}
			parts = append(parts, n.InnerText())
		}
		d.Breadcrumb = strings.Join(parts, " > ")
	}
	w := walker{doc: &d}
	if d.Description != "" {
		d.addBlock(nil, d.Description)
	}
	for _, c := range pub.Children {
		switch c.Name {
		case "Avertissement":
			w.container(c, []string{"Avertissement : " + c.Child("Titre").InnerText()})
		case "Introduction", "Texte":
			w.container(c, nil)
		case "ListeSituations":
			for _, s := range c.ChildrenNamed("Situation") {
				w.container(s, []string{s.Child("Titre").InnerText()})
			}
		case "SousDossier", "Dossier":
			w.dossier(c)
		}
	}
	w.services(pub)
	return d, nil
}

// audienceOf reads the audience of a fiche from its canonical URL, then its Audience element.
func audienceOf(pub *Node) string {
	if u, err := url.Parse(pub.Attrs["spUrl"]); err == nil {
		switch {
		case strings.HasPrefix(u.Path, "/professionnels"):
			return AudienceProfessionnels
		case strings.HasPrefix(u.Path, "/associations"):
			return AudienceAssociations
		case strings.HasPrefix(u.Path, "/particuliers"):
			return AudienceParticuliers
		}
	}
	switch strings.ToLower(pub.Child("Audience").InnerText()) {
	case "professionnels":
		return AudienceProfessionnels
	case "associations":
		return AudienceAssociations
	}
	return AudienceParticuliers
}

// parseDCDate reads "modified 2020-04-23" (and bare dates).
func parseDCDate(s string) time.Time {
	f := strings.Fields(s)
	if len(f) == 0 {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", f[len(f)-1])
	if err != nil {
		return time.Time{}
	}
	return t
}

// walker renders the body of a fiche into sections of readable blocks.
type walker struct {
	doc *Document
}

// container walks the children of a structural element under path.
func (w walker) container(n *Node, path []string) {
	for _, c := range n.Children {
		w.element(c, path)
	}
}

func (w walker) element(c *Node, path []string) {
	switch c.Name {
	case "":
		w.doc.addBlock(path, collapseSpace(c.Text))
	case "Titre":
		// a heading already taken into the path by its parent
	case "Chapitre", "SousChapitre", "Cas", "Situation":
		title := headingText(c)
		p := path
		if title != "" {
			p = append(path[:len(path):len(path)], title)
		}
		w.container(c, p)
	case "BlocCas", "Texte", "Introduction", "Complement", "FragmentConditionne", "Branche", "SiSelectionne":
		w.container(c, path)
	case "Paragraphe", "Citation":
		w.doc.addBlock(path, c.InnerText())
	case "Liste":
		w.doc.addBlock(path, renderList(c, ""))
	case "Tableau":
		w.doc.addBlock(path, renderTable(c))
	case "ASavoir", "ANoter", "Attention", "Rappel":
		w.doc.addBlock(path, renderNote(c))
	case "ServiceEnLigne":
		if t := c.Child("Titre").InnerText(); t != "" {
			w.doc.addBlock(path, serviceLabel(c)+" : "+t)
		}
	case "OuSAdresser":
		if t := c.Child("Titre").InnerText(); t != "" {
			w.doc.addBlock(path, "Où s'adresser : "+t)
		}
	case "Definition", "Abreviation", "Reference", "PourEnSavoirPlus", "Source", "PivotLocal", "RessourceWeb",
		"Colonne", "Condition", "Variable", "estVrai", "affecteVrai", "estIndefini", "ou", "Commentaire", "Aide", "Indice":
		// glossary, references and logic of guided searches: no citizen-readable prose
	default:
		if len(c.Children) > 0 {
			w.container(c, path)
		}
	}
}

// headingText is the text of an element's Titre child.
func headingText(n *Node) string { return n.Child("Titre").InnerText() }

func serviceLabel(n *Node) string {
	switch t := n.Attrs["type"]; t {
	case "":
		return "Service en ligne"
	default:
		return t
	}
}

// renderList writes one "- item" line per item (numbered for ordered lists), nested lists indented.
func renderList(n *Node, indent string) string {
	var lines []string
	ordered := n.Attrs["type"] == "numero"
	i := 0
	for _, it := range n.ChildrenNamed("Item") {
		i++
		var text []string
		var nested []string
		for _, c := range it.Children {
			if c.Name == "Liste" {
				nested = append(nested, renderList(c, indent+"  "))
				continue
			}
			if t := c.InnerText(); t != "" {
				text = append(text, t)
			}
		}
		bullet := "- "
		if ordered {
			bullet = fmt.Sprintf("%d. ", i)
		}
		lines = append(lines, indent+bullet+strings.Join(text, " "))
		lines = append(lines, nested...)
	}
	return strings.Join(lines, "\n")
}

// renderTable writes each row as "Colonne : valeur ; …" when the table has a header row, else as "a | b | c".
func renderTable(n *Node) string {
	var lines []string
	if t := n.Child("Titre").InnerText(); t != "" {
		lines = append(lines, "Tableau : "+t)
	}
	var header []string
	for _, row := range n.ChildrenNamed("Rangée") {
		var cells []string
		for _, c := range row.ChildrenNamed("Cellule") {
			cells = append(cells, cellText(c))
		}
		if row.Attrs["type"] == "header" && header == nil {
			header = cells
			continue
		}
		if header != nil && len(header) == len(cells) {
			parts := make([]string, 0, len(cells))
			for i, v := range cells {
				if v == "" {
					continue
				}
				if header[i] == "" {
					parts = append(parts, v)
				} else {
					parts = append(parts, header[i]+" : "+v)
				}
			}
			lines = append(lines, "- "+strings.Join(parts, " ; "))
			continue
		}
		lines = append(lines, "| "+strings.Join(cells, " | ")+" |")
	}
	return strings.Join(lines, "\n")
}

// renderNote writes an "À savoir" box as one block, its title as a prefix.
func renderNote(n *Node) string {
	title := n.Child("Titre").InnerText()
	var parts []string
	for _, c := range n.Children {
		switch c.Name {
		case "Titre":
		case "Liste":
			parts = append(parts, "\n"+renderList(c, ""))
		case "Tableau":
			parts = append(parts, "\n"+renderTable(c))
		case "ServiceEnLigne":
			parts = append(parts, serviceLabel(c)+" : "+c.Child("Titre").InnerText()+".")
		case "OuSAdresser":
			parts = append(parts, "Où s'adresser : "+c.Child("Titre").InnerText()+".")
		case "Definition", "Abreviation", "Reference", "Source", "PivotLocal", "RessourceWeb":
		default:
			if t := c.InnerText(); t != "" {
				parts = append(parts, t)
			}
		}
	}
	body := strings.TrimSpace(strings.Join(parts, " "))
	if title == "" {
		return body
	}
	return title + " : " + body
}

// dossier lists the fiches of a dossier (N…) so that its page remains findable by the subjects it gathers.
func (w walker) dossier(n *Node) {
	title := n.Child("Titre").InnerText()
	var lines []string
	for _, f := range n.ChildrenNamed("Fiche") {
		if t := f.InnerText(); t != "" {
			lines = append(lines, "- "+t)
		}
	}
	if len(lines) > 0 {
		w.doc.addBlock([]string{title}, strings.Join(lines, "\n"))
	}
}

// services lists the online services and offices of the fiche, which citizens often ask for by name.
func (w walker) services(pub *Node) {
	var lines []string
	seen := map[string]bool{}
	for _, c := range pub.Children {
		var line string
		switch c.Name {
		case "ServiceEnLigne":
			if t := c.Child("Titre").InnerText(); t != "" {
				line = "- " + serviceLabel(c) + " : " + t
			}
		case "OuSAdresser":
			if t := c.Child("Titre").InnerText(); t != "" {
				line = "- Où s'adresser : " + t
			}
		}
		if line != "" && !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	if len(lines) > 0 {
		w.doc.addBlock([]string{"Services en ligne et contacts"}, strings.Join(lines, "\n"))
	}
}

// cellText joins the paragraphs and list items of a table cell with commas, so "Passeport" and "Justificatif de
// domicile" stay two items.
func cellText(n *Node) string {
	var parts []string
	for _, c := range n.Children {
		switch c.Name {
		case "Liste":
			for _, it := range c.ChildrenNamed("Item") {
				if t := it.InnerText(); t != "" {
					parts = append(parts, t)
				}
			}
		default:
			if t := c.InnerText(); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, ", ")
}
