package pii

import "testing"

// TestBirthdatesByAgeAndCorrection: a birthday with its year, and the date a birth date is corrected to or from,
// are dates of birth; the same words around a length of time are not (invented examples).
func TestBirthdatesByAgeAndCorrection(t *testing.T) {
	runKinds(t, []kindCase{
		{"age since a date", "mon fils Noé, 16 ans depuis le 02/09/2008, attend sa carte", "02/09/2008", LabelBirthdate},
		{"had an age on a date", "ma mère a eu 90 ans le 14 juillet 2023 et", "14 juillet 2023", LabelBirthdate},
		{"corrected to a day and month", "date de naissance : 11/04/1966 au lieu du 04/11 sur la carte", "04/11", LabelBirthdate},
		{"et non", "née le 8 juin 1990 et non le 6 août 1990, je l'ai écrit", "6 août 1990", LabelBirthdate},
	})
	keptAll(t, [][2]string{
		{"j'attends depuis 2 ans depuis le 12/03/2022 une réponse", "12/03/2022"},
		{"il y a 3 ans le 12 mars 2021 j'ai déposé le dossier", "12 mars 2021"},
		{"il a eu 18 ans le 3 mai, sans rien", "3 mai"},
		{"dossier déposé le 05/07/2024 au lieu du 07/05 prévu", "07/05"},
	})
}
