package main

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// pools are the names and places of one split; the two splits share none.
type pools struct {
	first, last, streets, streetTypes, communes []string
	domains                                     []string
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}

func (g *gen) letters(n int, from string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = from[g.rng.IntN(len(from))]
	}
	return string(b)
}

// group writes s in groups of the given sizes joined by sep.
func group(s, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		if n > len(s) {
			n = len(s)
		}
		parts = append(parts, s[:n])
		s = s[n:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}

// slot returns a value for a template slot and its label ("" for trap slots, which must not be masked).
func (g *gen) slot(name string) (string, string) {
	switch name {
	case "PERSON", "PERSON_FULL":
		return g.fullName(), "PERSON"
	case "FIRST":
		return g.pick(g.p.first), "PERSON"
	case "LAST":
		return g.lastName(), "PERSON"
	case "SAME":
		if len(g.person) > 0 {
			return g.person[0], "PERSON"
		}
		return g.fullName(), "PERSON"
	case "NIR":
		return g.nir(true), "NIR"
	case "NIR_BAD":
		return g.nir(false), "NIR"
	case "IBAN":
		return g.iban(), "IBAN"
	case "CARD":
		return g.card(), "CARD"
	case "TAX":
		return g.tax(), "TAX_ID"
	case "PHONE":
		return g.phone(), "PHONE"
	case "EMAIL":
		return g.email(), "EMAIL"
	case "ADDRESS":
		return g.address(true), "ADDRESS"
	case "STREET":
		return g.address(false), "ADDRESS"
	case "CPVILLE":
		return g.postcode() + " " + g.pick(g.p.communes), "POSTCODE_CITY"
	case "BIRTH":
		return g.date(true), "BIRTHDATE"
	case "ALLOC":
		return strconv.Itoa(1000000 + g.rng.IntN(8999999)), "CASE_ID"
	case "FT":
		return g.digits(7) + g.letters(1, "ABCDEFGHJKLMNPRSTUVWXYZ"), "CASE_ID"
	case "DOSSIER":
		return g.dossier(), "CASE_ID"
	case "ANTS":
		return g.letters(10, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ0123456789"), "CASE_ID"
	case "AVIS":
		return g.digits(2) + " " + g.digits(2) + " " + g.letters(1, "ABCDEFGH") + g.digits(6) + " " + g.digits(2), "CASE_ID"
	case "PLATE":
		return g.plate(), "PLATE"
	case "PASSPORT":
		return g.digits(2) + g.letters(2, "ABCDEFGHJKLMNPRSTUVWXYZ") + g.digits(5), "ID_DOC"
	case "CNI":
		if g.rng.IntN(2) == 0 {
			return g.digits(4) + g.digits(3) + g.digits(5), "ID_DOC"
		}
		return g.letters(1, "ABCDEFGHXYZ") + g.letters(7, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ") + g.digits(1), "ID_DOC"
	case "SEJOUR":
		return strconv.Itoa(1000000000 + g.rng.IntN(899999999)), "ID_DOC"
	// Traps: values that look like data but are not personal.
	case "AMOUNT":
		return g.pick([]string{"450 €", "1 250,50 €", "12 000 euros", "87,30 €", "2 340 €", "600 euros", "15 000 €", "1.200 €", "35€", "98 euros"}), ""
	case "SERVICE":
		return g.pick([]string{"3949", "39 49", "3646", "36 46", "3230", "32 30", "3939", "39 39", "0 800 97 15 15", "0 806 000 126"}), ""
	case "AGENCY":
		return g.pick([]string{"CAF de la Gironde", "CPAM du Rhône", "CAF du Nord", "France Travail de Nantes", "CPAM des Bouches-du-Rhône", "MSA Bourgogne", "préfecture de l'Isère", "CAF de Seine-Saint-Denis", "URSSAF d'Île-de-France", "CARSAT Bretagne", "mairie de Toulouse", "SIP de Lille"}), ""
	case "ARTICLE":
		return g.pick([]string{"article L. 262-2", "article R. 5411-1", "article L. 821-1", "article 6", "article L.114-3", "article D. 542-4"}), ""
	case "CERFA":
		return g.pick([]string{"Cerfa n° 12485*03", "Cerfa 15186*03", "cerfa n°10072*02", "formulaire Cerfa 13824*04"}), ""
	case "YEAR":
		return strconv.Itoa(2015 + g.rng.IntN(10)), ""
	case "PERCENT":
		return g.pick([]string{"20 %", "35%", "50 %", "12,5 %", "100 %"}), ""
	case "RDV":
		return g.date(false), ""
	case "TIME":
		return g.pick([]string{"14h30", "9h", "10 h 15", "16h45", "8h30"}), ""
	case "CITY":
		return g.pick([]string{"Marseille", "Lille", "Rennes", "Toulouse", "Nantes", "Strasbourg", "Clermont-Ferrand", "Saint-Étienne"}), ""
	}
	panic("slot inconnu : " + name)
}

func (g *gen) lastName() string {
	l := g.pick(g.p.last)
	if g.rng.IntN(4) == 0 {
		return strings.ToUpper(l)
	}
	return l
}

func (g *gen) fullName() string {
	f, l := g.pick(g.p.first), g.pick(g.p.last)
	var v string
	switch r := g.rng.IntN(10); {
	case r < 6:
		v = f + " " + l
	case r < 8:
		v = f + " " + strings.ToUpper(l)
	default:
		v = strings.ToUpper(l) + " " + f
	}
	g.person = append(g.person, v)
	return v
}

// nir builds a social security number; valid=false gives a wrong key.
func (g *gen) nir(valid bool) string {
	sex := strconv.Itoa(1 + g.rng.IntN(2))
	yy := fmt.Sprintf("%02d", g.rng.IntN(100))
	mm := fmt.Sprintf("%02d", 1+g.rng.IntN(12))
	dep := fmt.Sprintf("%02d", 1+g.rng.IntN(95))
	if g.rng.IntN(12) == 0 {
		dep = []string{"2A", "2B"}[g.rng.IntN(2)]
	}
	com, ord := g.digits(3), g.digits(3)
	body := sex + yy + mm + dep + com + ord
	n, _ := strconv.ParseInt(strings.NewReplacer("2A", "19", "2B", "18").Replace(body), 10, 64)
	key := 97 - n%97
	if !valid {
		key = (key + 1 + int64(g.rng.IntN(90))) % 98
		if key == 0 {
			key = 3
		}
	}
	k := fmt.Sprintf("%02d", key)
	switch g.rng.IntN(4) {
	case 0:
		return body + k
	case 1:
		return sex + " " + yy + " " + mm + " " + dep + " " + com + " " + ord + " " + k
	case 2:
		return sex + yy + mm + dep + com + ord + " " + k
	}
	return sex + "\u00a0" + yy + "\u00a0" + mm + "\u00a0" + dep + "\u00a0" + com + "\u00a0" + ord + "\u00a0" + k
}

func (g *gen) iban() string {
	bban := g.digits(5) + g.digits(5) + g.digits(11) + g.digits(2)
	num, _ := new(big.Int).SetString(bban+"152700", 10) // F=15 R=27, key 00
	mod := new(big.Int).Mod(num, big.NewInt(97)).Int64()
	iban := fmt.Sprintf("FR%02d%s", 98-mod, bban)
	if g.rng.IntN(3) == 0 {
		return iban
	}
	return group(iban, " ", 4, 4, 4, 4, 4, 4)
}

func luhnDigit(s string) byte {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func (g *gen) card() string {
	s := []string{"4", "51", "53", "55", "4970"}[g.rng.IntN(5)]
	s += g.digits(15 - len(s))
	s += string(luhnDigit(s))
	v := s
	if g.rng.IntN(3) > 0 {
		v = group(s, " ", 4, 4, 4, 4)
	}
	switch g.rng.IntN(3) {
	case 0:
		v += fmt.Sprintf(" exp %02d/%02d", 1+g.rng.IntN(12), 25+g.rng.IntN(6))
	case 1:
		v += fmt.Sprintf(" exp %02d/%02d cvv %s", 1+g.rng.IntN(12), 25+g.rng.IntN(6), g.digits(3))
	}
	return v
}

func (g *gen) tax() string {
	first := strconv.Itoa(g.rng.IntN(4)) + g.digits(9)
	n, _ := strconv.ParseInt(first, 10, 64)
	s := first + fmt.Sprintf("%03d", n%511)
	if g.rng.IntN(2) == 0 {
		return s
	}
	return group(s, " ", 2, 2, 3, 3, 3)
}

func (g *gen) phone() string {
	pre := []string{"06", "07", "06", "01", "02", "03", "04", "05", "09"}[g.rng.IntN(9)]
	s := pre + g.digits(8)
	switch g.rng.IntN(10) {
	case 0:
		return s
	case 1:
		return group(s, ".", 2, 2, 2, 2, 2)
	case 2:
		return group(s, "-", 2, 2, 2, 2, 2)
	case 3:
		return "+33 " + group(s[1:], " ", 1, 2, 2, 2, 2)
	case 4:
		return "+33 (0)" + group(s[1:], " ", 1, 2, 2, 2, 2)
	case 5:
		return group(s, "\u00a0", 2, 2, 2, 2, 2)
	case 6:
		return "+33" + s[1:]
	case 7:
		return []string{"+212 6 ", "+221 77 ", "+351 9"}[g.rng.IntN(3)] + group(g.digits(8), " ", 2, 3, 3)
	}
	return group(s, " ", 2, 2, 2, 2, 2)
}

func (g *gen) email() string {
	f := strings.ToLower(stripAccents(g.pick(g.p.first)))
	l := strings.ToLower(stripAccents(g.pick(g.p.last)))
	l = strings.NewReplacer(" ", "", "'", "").Replace(l)
	f = strings.ReplaceAll(f, " ", "")
	d := g.pick(g.p.domains)
	switch g.rng.IntN(4) {
	case 0:
		return f + "." + l + "@" + d
	case 1:
		return f[:1] + l + strconv.Itoa(g.rng.IntN(99)) + "@" + d
	case 2:
		return l + "_" + f + "@" + d
	}
	return f + l + strconv.Itoa(1950+g.rng.IntN(60)) + "@" + d
}

func (g *gen) postcode() string {
	dep := 1 + g.rng.IntN(95)
	if dep == 20 {
		dep = 21
	}
	return fmt.Sprintf("%02d%03d", dep, g.rng.IntN(1000)/10*10)
}

func (g *gen) address(withCity bool) string {
	num := strconv.Itoa(1 + g.rng.IntN(180))
	if g.rng.IntN(8) == 0 {
		num += []string{" bis", " ter", "B"}[g.rng.IntN(3)]
	}
	a := num + " " + g.pick(g.p.streetTypes) + " " + g.pick(g.p.streets)
	if withCity {
		sep := []string{", ", " ", "\n", ", "}[g.rng.IntN(4)]
		a += sep + g.postcode() + " " + g.pick(g.p.communes)
	}
	return a
}

var monthNames = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// date gives a date of birth (birth=true) or of an appointment.
func (g *gen) date(birth bool) string {
	d, m := 1+g.rng.IntN(28), 1+g.rng.IntN(12)
	y := 1940 + g.rng.IntN(70)
	if !birth {
		y = 2022 + g.rng.IntN(4)
	}
	switch g.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("%d %s %d", d, monthNames[m-1], y)
	case 1:
		return fmt.Sprintf("%02d-%02d-%d", d, m, y)
	case 2:
		if birth {
			return fmt.Sprintf("%02d.%02d.%02d", d, m, y%100)
		}
		return fmt.Sprintf("%d %s", d, monthNames[m-1])
	}
	return fmt.Sprintf("%02d/%02d/%d", d, m, y)
}

func (g *gen) dossier() string {
	switch g.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%d-%s-%s", 2020+g.rng.IntN(6), g.letters(3, "ABCDEFGHIJKLMNOPRSTUVZ"), g.digits(6))
	case 1:
		return g.digits(8)
	case 2:
		return g.letters(2, "ABCDEFGHJKLMNPRSTUVWXYZ") + g.digits(9)
	}
	return fmt.Sprintf("%d%s", 2020+g.rng.IntN(6), g.digits(6))
}

func (g *gen) plate() string {
	l := "ABCDEFGHJKLMNPQRSTVWXYZ"
	a, n, b := g.letters(2, l), g.digits(3), g.letters(2, l)
	switch g.rng.IntN(5) {
	case 0:
		return a + " " + n + " " + b
	case 1:
		return a + n + b
	case 2:
		return strconv.Itoa(100+g.rng.IntN(9800)) + " " + g.letters(2, l) + " " + fmt.Sprintf("%02d", 1+g.rng.IntN(95))
	}
	return a + "-" + n + "-" + b
}
