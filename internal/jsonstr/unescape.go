package jsonstr

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnescaped appends the text of the JSON string literal whose content (between the
// quotes) is s, which must be valid JSON (json.Valid has checked it): each escape is
// decoded, and a surrogate pair's two \u escapes make one rune. An unpaired surrogate
// becomes U+FFFD, as encoding/json makes it; an escape that does not complete a pair
// stands alone. Other bytes, invalid UTF-8 included, are copied as they are.
func AppendUnescaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(s[i+2:])); r2 != utf8.RuneError {
						dst = utf8.AppendRune(dst, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
	}
	return dst
}

// hex4 reads the four hexadecimal digits at the start of s.
func hex4(s string) rune {
	var r rune
	for _, c := range []byte(s[:4]) {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}
