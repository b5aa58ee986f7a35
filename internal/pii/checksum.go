package pii

// The checksums below take normalised identifiers: ASCII upper-case letters and digits, no separator.

// nirKeyOK reports whether s, 15 characters, is a NIR whose two last digits are its key: 97 − (n mod 97), n being
// the 13 first characters read as a number, with Corsica's 2A and 2B read as 19 and 18.
func nirKeyOK(s string) bool {
	if len(s) != 15 {
		return false
	}
	n, ok := nirNumber(s[:13])
	if !ok {
		return false
	}
	key, ok := atoiASCII(s[13:])
	return ok && key == 97-n%97
}

// nirNumber reads the 13 first characters of a NIR as a number.
func nirNumber(s string) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
		case i == 6 && s[5] == '2' && (c == 'A' || c == 'B'):
			// 2A → 19, 2B → 18: the department digit already read was the 2.
			v := int64(19)
			if c == 'B' {
				v = 18
			}
			n = n/10*100 + v
		default:
			return 0, false
		}
	}
	return n, true
}

func atoiASCII(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// ibanOK checks an IBAN's mod-97 checksum (ISO 13616).
func ibanOK(s string) bool {
	if len(s) < 15 || len(s) > 34 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	r := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case isUpper(c):
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		default:
			return false
		}
		return true
	}
	for i := 4; i < len(s); i++ {
		if !add(s[i]) {
			return false
		}
	}
	for i := 0; i < 4; i++ {
		add(s[i])
	}
	return r == 1
}

// ribOK checks a French RIB of 23 characters: bank (5 digits), branch (5), account (11 alphanumerics) and key.
func ribOK(s string) bool {
	if len(s) != 23 {
		return false
	}
	conv := func(c byte) (int, bool) {
		switch {
		case isDigit(c):
			return int(c - '0'), true
		case c >= 'A' && c <= 'I':
			return int(c-'A') + 1, true
		case c >= 'J' && c <= 'R':
			return int(c-'J') + 1, true
		case c >= 'S' && c <= 'Z':
			return int(c-'S') + 2, true
		}
		return 0, false
	}
	mod := func(part string) (int, bool) {
		r := 0
		for i := 0; i < len(part); i++ {
			v, ok := conv(part[i])
			if !ok {
				return 0, false
			}
			r = (r*10 + v) % 97
		}
		return r, true
	}
	for i := 0; i < 10; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	b, _ := mod(s[:5])
	g, _ := mod(s[5:10])
	c, ok := mod(s[10:21])
	if !ok {
		return false
	}
	key, ok := atoiASCII(s[21:])
	return ok && int(key) == 97-(89*b+15*g+3*c)%97
}

// luhnOK checks the Luhn checksum of a string of digits (bank cards, SIREN, SIRET).
func luhnOK(s string) bool {
	if len(s) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// taxIDOK checks a numéro fiscal (SPI): 13 digits starting with 0 to 3, the three last being the first ten
// modulo 511.
func taxIDOK(s string) bool {
	if len(s) != 13 || s[0] > '3' || !allDigits(s) {
		return false
	}
	n, _ := atoiASCII(s[:10])
	k, _ := atoiASCII(s[10:])
	return n%511 == k
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// ibanLengths are the IBAN lengths of the countries whose accounts French public services pay into most.
var ibanLengths = map[string]int{"FR": 27, "MC": 27, "BE": 16, "CH": 21, "LU": 20, "DE": 22, "ES": 24, "IT": 27,
	"PT": 25, "NL": 18, "GB": 22, "IE": 22, "AT": 20, "PL": 28, "RO": 24, "MA": 28, "TN": 24, "DZ": 26, "SN": 28}

// ibanLayout reports a string shaped as an IBAN of its country: two letters, two digits, the country's length.
func ibanLayout(s string) bool {
	if len(s) < 15 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	n, ok := ibanLengths[s[:2]]
	return ok && n == len(s)
}
