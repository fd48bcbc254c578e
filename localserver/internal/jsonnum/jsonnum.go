// Package jsonnum scans numbers by the JSON grammar (RFC 8259, section 6). The Logs
// Insights engine's JSON flattener and the transformer's parsers of AWS vended logs share
// it, and so does the filter patterns' JSON matcher.
package jsonnum

// Scan scans a JSON number, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, starting at
// s[i], and returns the index just past it, or -1 when no number starts there. The longest
// match is taken and what follows is not looked at: Scan("01", 0) is 1 and Scan("1.", 0)
// is -1 (a fraction needs a digit).
func Scan(s string, i int) int {
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return -1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}

// Is reports whether s is exactly one JSON number, with nothing before or after it.
func Is(s string) bool { return Scan(s, 0) == len(s) }
