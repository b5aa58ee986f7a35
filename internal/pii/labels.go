package pii

// The labels of the classes the filter finds. They are part of the public interface (JSON output of the scan,
// evaluation sets): never rename one.
const (
	LabelPerson       = "PERSON"
	LabelNIR          = "NIR"
	LabelIBAN         = "IBAN"
	LabelCard         = "CARD"
	LabelTaxID        = "TAX_ID"
	LabelPhone        = "PHONE"
	LabelEmail        = "EMAIL"
	LabelAddress      = "ADDRESS"
	LabelPostcodeCity = "POSTCODE_CITY"
	LabelBirthdate    = "BIRTHDATE"
	LabelCaseID       = "CASE_ID"
	LabelPlate        = "PLATE"
	LabelIDDoc        = "ID_DOC"
)

// class describes one label: the French word of its placeholders, whether restoration gives the value back in
// clear, and its priority when two candidate spans overlap (the higher wins).
type class struct {
	label      string
	word       string
	restorable bool
	priority   int
}

var classes = []class{
	{LabelPerson, "PERSONNE", true, 40},
	{LabelNIR, "NIR", false, 92},
	{LabelIBAN, "IBAN", false, 95},
	{LabelCard, "CARTE", false, 93},
	{LabelTaxID, "NUM_FISCAL", false, 85},
	{LabelPhone, "TELEPHONE", true, 72},
	{LabelEmail, "EMAIL", true, 100},
	{LabelAddress, "ADRESSE", true, 88},
	{LabelPostcodeCity, "CP_VILLE", true, 50},
	{LabelBirthdate, "DATE_NAISSANCE", true, 65},
	{LabelCaseID, "DOSSIER", true, 70},
	{LabelPlate, "IMMATRICULATION", true, 60},
	{LabelIDDoc, "PIECE_IDENTITE", false, 80},
}

var (
	classByLabel = map[string]*class{}
	classByWord  = map[string]*class{}
)

func init() {
	for i := range classes {
		c := &classes[i]
		classByLabel[c.label] = c
		classByWord[c.word] = c
	}
}

// classIndex is the index of label's class in classes; a label of no class is a defect of the rules: it panics.
func classIndex(label string) uint8 {
	for i := range classes {
		if classes[i].label == label {
			return uint8(i)
		}
	}
	panic("pii: étiquette inconnue : " + label)
}

// Labels returns every label the filter can produce, in a stable order.
func Labels() []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.label
	}
	return out
}

// Restorable reports whether values of that label come back in clear when a draft is restored for the agent;
// the others (NIR, IBAN, CARD, TAX_ID, ID_DOC) only come back masked.
func Restorable(label string) bool {
	c, ok := classByLabel[label]
	return ok && c.restorable
}
