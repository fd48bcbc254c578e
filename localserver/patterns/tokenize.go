package patterns

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// class is the kind of value a word holds, for pre-classification and inferred token
// names. classText (zero) is plain text, or a mix of classes.
type class uint8

const (
	classText class = iota
	classNumber
	classIP
	classUUID
	classTime
	classID
)

// name is the string part of an inferred token name ("" for plain text), as the
// service's PatternToken.inferredTokenName and the pattern analysis guide show them
// ("IPAddress-3", "<Time-1>", "<ID-2>").
func (c class) name() string {
	switch c {
	case classNumber:
		return "Number"
	case classIP:
		return "IPAddress"
	case classUUID:
		return "UUID"
	case classTime:
		return "Time"
	case classID:
		return "ID"
	}
	return ""
}

// meet is the class of a token that has held values of classes c and d.
func (c class) meet(d class) class {
	if c == d {
		return c
	}
	return classText
}

// message is a message split into words and the separators around them:
// seps[0] words[0] seps[1] ... words[n-1] seps[n], so len(seps) == len(words)+1.
type message struct {
	seps    []string
	words   []string
	classes []class
}

// isWordByte reports whether b, a byte below utf8.RuneSelf, may be part of a word.
// From utf8.RuneSelf on, wordAt decides by character.
func isWordByte(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	switch b {
	case '_', '-', '.', ':', '/', '@', '+', '%':
		return true
	}
	return false
}

// isSepRune reports whether r, a character from U+0080 on, separates words: spaces
// (U+00A0, U+3000 ...) and punctuation (、。：「」（）“” ...). Other characters, U+FFFD
// for a byte of invalid UTF-8 among them, are letters of words.
func isSepRune(r rune) bool {
	return r == 0x85 || unicode.Is(unicode.Z, r) || unicode.IsPunct(r)
}

// wordAt reports whether the character at s[i] may be part of a word, and its width
// in bytes (1 for a byte of invalid UTF-8, as Go's regexp reads it).
func wordAt(s string, i int) (bool, int) {
	if b := s[i]; b < utf8.RuneSelf {
		return isWordByte(b), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return !isSepRune(r), n
}

// wordClass is a regexp that matches one character words are made of, as wordAt
// decides (a byte of invalid UTF-8 is U+FFFD to Go's regexp).
const wordClass = `(?:[0-9A-Za-z_\-.:/@+%]|[^\x00-\x7F\x{85}\p{Z}\p{P}])`

// isCoreByte reports whether b makes a run of word bytes a word (a run of only
// punctuation, such as "-" or "...", is a separator).
func isCoreByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// split splits s into at most maxWords words (the last then holding the rest of s),
// reusing m's slices.
func (m *message) split(s string, maxWords int) {
	m.seps, m.words, m.classes = m.seps[:0], m.words[:0], m.classes[:0]
	sepStart, i := 0, 0
	for i < len(s) {
		for i < len(s) {
			w, n := wordAt(s, i)
			if w {
				break
			}
			i += n
		}
		start := i
		for i < len(s) {
			w, n := wordAt(s, i)
			if !w {
				break
			}
			i += n
		}
		if start+1 < i && s[start] == ':' && s[start+1] != ':' {
			start++ // `"ms":12` (but not "::1")
		}
		end := i
		for end > start && (s[end-1] == '.' || s[end-1] == ':') {
			end--
		}
		core := false
		for j := start; j < end; j++ {
			if isCoreByte(s[j]) {
				core = true
				break
			}
		}
		if !core {
			continue
		}
		m.seps = append(m.seps, s[sepStart:start])
		if len(m.words) == maxWords-1 {
			m.words = append(m.words, s[start:])
			m.classes = append(m.classes, classify(s[start:]))
			sepStart = len(s)
			break
		}
		m.words = append(m.words, s[start:end])
		m.classes = append(m.classes, classify(s[start:end]))
		sepStart = end
	}
	m.seps = append(m.seps, s[sepStart:])
}

var (
	reDate    = regexp.MustCompile(`^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T_]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)
	reClock   = regexp.MustCompile(`^\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?$`)
	reCLFTime = regexp.MustCompile(`^\d{1,2}/[A-Za-z]{3}/\d{4}(?::\d{2}:\d{2}:\d{2})?$`)
)

// classify pre-classifies a word: any class but classText makes it dynamic at once.
func classify(w string) class {
	if len(w) == 0 {
		return classText
	}
	if isUUID(w) {
		return classUUID
	}
	c0 := w[0]
	digitFirst := c0 >= '0' && c0 <= '9'
	if digitFirst && strings.ContainsAny(w, ":-/") &&
		(reDate.MatchString(w) || reClock.MatchString(w) || reCLFTime.MatchString(w)) {
		return classTime
	}
	if (digitFirst || isHexLetter(c0) || c0 == ':') && strings.ContainsAny(w, ".:") && isIP(w) {
		return classIP
	}
	if isNumber(w) {
		return classNumber
	}
	if isID(w) {
		return classID
	}
	return classText
}

func isHexLetter(b byte) bool { return b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' }

func isHex(b byte) bool { return b >= '0' && b <= '9' || isHexLetter(b) }

func isIP(w string) bool {
	if _, err := netip.ParseAddr(w); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(w)
	return err == nil
}

func isUUID(w string) bool {
	if len(w) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if w[i] != '-' {
				return false
			}
		default:
			if !isHex(w[i]) {
				return false
			}
		}
	}
	return true
}

// isNumber: an optional sign, digits, an optional fraction and exponent, and a unit of
// at most three letters or a %: "12", "-3.5", "1e9", "250ms", "99%"; or a 0x hex number.
func isNumber(w string) bool {
	i := 0
	if w[0] == '-' || w[0] == '+' {
		i++
	}
	if len(w) > i+2 && w[i] == '0' && (w[i+1] == 'x' || w[i+1] == 'X') {
		for j := i + 2; j < len(w); j++ {
			if !isHex(w[j]) {
				return false
			}
		}
		return true
	}
	digits := func() int {
		n := 0
		for i < len(w) && w[i] >= '0' && w[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(w) && w[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i+1 < len(w) && (w[i] == 'e' || w[i] == 'E') && (w[i+1] >= '0' && w[i+1] <= '9' || w[i+1] == '-' || w[i+1] == '+') {
		i++
		if w[i] == '-' || w[i] == '+' {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	rest := w[i:]
	if rest == "%" {
		return true
	}
	if len(rest) > 3 {
		return false
	}
	for j := 0; j < len(rest); j++ {
		if !(rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
			return false
		}
	}
	return true
}

// isID: at least 8 bytes of letters, digits, - and _, with at least two digits and a
// letter (request IDs, hashes, "12342342k124-12345").
func isID(w string) bool {
	if len(w) < 8 {
		return false
	}
	digits, letters := 0, 0
	for i := 0; i < len(w); i++ {
		b := w[i]
		switch {
		case b >= '0' && b <= '9':
			digits++
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
			letters++
		case b == '-' || b == '_':
		default:
			return false
		}
	}
	return digits >= 2 && (letters > 0 || strings.ContainsAny(w, "-_"))
}
