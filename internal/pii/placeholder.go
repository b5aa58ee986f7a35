package pii

// Placeholders returns the well-formed placeholders of s ([PERSONNE_1], [DOSSIER_12]), in order, repeats
// included: what an output check lists when a text still holds some.
func Placeholders(s string) []string { return wellFormedRe.FindAllString(s, -1) }

// StripPlaceholders removes the placeholders of s, to see what else it says.
func StripPlaceholders(s string) string { return wellFormedRe.ReplaceAllLiteralString(s, "") }
