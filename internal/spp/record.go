package spp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Record is one experience of the Services Publics+ export, with the fields Plume reads and the record as received.
// Text fields are as the portal sends them (&nbsp;, non-breaking spaces, \r included): the reviews package cleans them.
type Record struct {
	IDExperience            string
	Titre                   string
	Description             string
	RessentiUsager          string
	IntituleStructure1      string
	IntituleStructure2      string
	IntituleStructure3      string
	IntituleTypologie1      string
	IntituleTypologie2      string
	IntituleTypologie3      string
	DateDePublication       string
	EcritLe                 string
	PseudonymeUsager        string
	ReponseStructure1       string
	StatutReponseStructure1 string
	// Raw is the record's JSON object exactly as the portal sent it.
	Raw json.RawMessage
}

// fields maps the export's field names to the Record fields they fill.
func (r *Record) fields() map[string]*string {
	return map[string]*string{
		"id_experience":              &r.IDExperience,
		"titre":                      &r.Titre,
		"description":                &r.Description,
		"ressenti_usager":            &r.RessentiUsager,
		"intitule_structure_1":       &r.IntituleStructure1,
		"intitule_structure_2":       &r.IntituleStructure2,
		"intitule_structure_3":       &r.IntituleStructure3,
		"intitule_typologie_1":       &r.IntituleTypologie1,
		"intitule_typologie_2":       &r.IntituleTypologie2,
		"intitule_typologie_3":       &r.IntituleTypologie3,
		"date_de_publication":        &r.DateDePublication,
		"ecrit_le":                   &r.EcritLe,
		"pseudonyme_usager":          &r.PseudonymeUsager,
		"reponse_structure_1":        &r.ReponseStructure1,
		"statut_reponse_structure_1": &r.StatutReponseStructure1,
	}
}

// UnmarshalJSON reads an export record whatever the portal's field types: Opendatasoft sends integer fields as
// numbers, text as strings and missing values as null.
func (r *Record) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*r = Record{Raw: append(json.RawMessage(nil), b...)}
	for name, dst := range r.fields() {
		v, ok := m[name]
		if !ok {
			continue
		}
		s, err := scalar(v)
		if err != nil {
			return fmt.Errorf("champ %s : %w", name, err)
		}
		*dst = s
	}
	if r.IDExperience == "" {
		return fmt.Errorf("champ id_experience absent")
	}
	return nil
}

// MarshalJSON writes the record back in the export's shape: its raw object when it has one.
func (r Record) MarshalJSON() ([]byte, error) {
	if len(r.Raw) > 0 {
		return r.Raw, nil
	}
	m := map[string]any{}
	for name, v := range r.fields() {
		if *v == "" {
			m[name] = nil
			continue
		}
		m[name] = *v
	}
	return json.Marshal(m)
}

// Fields returns the record's fields by export name, the form reviews.FromExport reads.
func (r Record) Fields() map[string]string {
	m := map[string]string{}
	for name, v := range r.fields() {
		if *v != "" {
			m[name] = *v
		}
	}
	return m
}

// Cursor is the position just after this record in the portal's order.
func (r Record) Cursor() Cursor { return Cursor{Date: r.DateDePublication, ID: r.IDExperience} }

func scalar(v json.RawMessage) (string, error) {
	var x any
	d := json.NewDecoder(strings.NewReader(string(v)))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return "", err
	}
	switch t := x.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return strconv.FormatBool(t), nil
	default:
		return "", fmt.Errorf("valeur scalaire attendue, reçu %s", v)
	}
}

// Cursor is a position in the export's order (date_de_publication, then id_experience); the zero Cursor is the start.
type Cursor struct {
	Date string // date_de_publication as the portal writes it (ISO 8601, so it sorts as text)
	ID   string // id_experience
}

// IsZero reports whether c is the start of the export.
func (c Cursor) IsZero() bool { return c.Date == "" && c.ID == "" }

// String shows the cursor in logs and command output.
func (c Cursor) String() string {
	if c.IsZero() {
		return "début"
	}
	return c.Date + "/" + c.ID
}

// Before reports whether c comes strictly before d in the export's order.
func (c Cursor) Before(d Cursor) bool {
	if c.Date != d.Date {
		return c.Date < d.Date
	}
	return compareIDs(c.ID, d.ID) < 0
}

// compareIDs orders identifiers numerically when both are integers, as the portal does for an integer field.
func compareIDs(a, b string) int {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	if aerr == nil && berr == nil {
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}
