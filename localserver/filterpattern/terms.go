package filterpattern

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// term is one word or phrase of an unstructured-text pattern.
type term struct {
	text    string
	exclude bool // -term: the message must not contain text
}

// termGroup is a conjunction of terms; a term pattern is a disjunction of
// groups. "?" starts a new group: `?ERROR ?WARN` is ERROR || WARN, and
// `?ERROR Main ?WARN Deadlock` is (ERROR && Main) || (WARN && Deadlock), the
// form the AWS CDK renders for FilterPattern.anyTermGroup.
type termGroup []term

func (g termGroup) match(msg string) bool {
	for _, t := range g {
		if strings.Contains(msg, t.text) == t.exclude {
			return false
		}
	}
	return true
}

// parseTerms parses an unstructured-text pattern. It returns no groups when
// the pattern matches every event.
func parseTerms(s *scanner) ([]termGroup, error) {
	var groups []termGroup
	cur := -1 // index of the group being filled
	for {
		s.skipSpace()
		if s.eof() {
			break
		}
		start := s.pos
		or, exclude := false, false
		switch s.peek() {
		case '?':
			or = true
			s.pos++
		case '-':
			exclude = true
			s.pos++
		}
		if or || exclude {
			// AWS's own example writes `"ERROR" - "Exiting"`: allow spaces
			// between the prefix and its term.
			s.skipSpace()
			if s.eof() {
				return nil, errorf(start, "%q must be followed by a term", s.src[start])
			}
			if c := s.peek(); c == '?' || c == '-' {
				return nil, errorf(s.pos, "%q cannot follow %q: write ?term for OR and -term for exclusion", c, s.src[start])
			}
		}
		text, blank, err := termText(s)
		if err != nil {
			return nil, err
		}
		if blank {
			// `" "` (or `""`) matches every event and adds nothing.
			if or || exclude {
				return nil, errorf(start, "%q must be followed by a non-empty term", s.src[start])
			}
			continue
		}
		if or || cur < 0 {
			groups = append(groups, nil)
			cur = len(groups) - 1
		}
		groups[cur] = append(groups[cur], term{text: text, exclude: exclude})
	}
	return groups, nil
}

// termText scans one bare or quoted term. blank reports a quoted term with
// only whitespace in it.
func termText(s *scanner) (text string, blank bool, err error) {
	start := s.pos
	if s.peek() == '"' {
		text, err = s.quoted()
		if err != nil {
			return "", false, err
		}
		if !s.eof() && !isSpace(s.peek()) {
			return "", false, errorf(s.pos, "expected a space after the quoted term %s, found %s", quoteForMsg(text), s.describe())
		}
		return text, strings.TrimSpace(text) == "", nil
	}
	for s.pos < len(s.src) && !isSpace(s.src[s.pos]) {
		r, size := utf8.DecodeRuneInString(s.src[s.pos:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			end := s.pos
			for end < len(s.src) && !isSpace(s.src[end]) {
				end++
			}
			word := s.src[start:end]
			if size == 1 && r == utf8.RuneError {
				return "", false, errorf(s.pos, "term %s contains an invalid UTF-8 byte", quoteForMsg(word))
			}
			return "", false, errorf(s.pos, "term %s contains %q: terms with characters other than letters, digits and '_' must be enclosed in double quotes, e.g. %s", quoteForMsg(word), r, quoteForMsg(word))
		}
		s.pos += size
	}
	return s.src[start:s.pos], false, nil
}

// isBareTerm reports whether t can be written without quotes.
func isBareTerm(t string) bool {
	if t == "" {
		return false
	}
	for _, r := range t {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func appendTerm(b *strings.Builder, t term) {
	if t.exclude {
		b.WriteByte('-')
	}
	if isBareTerm(t.text) {
		b.WriteString(t.text)
	} else {
		appendQuoted(b, t.text)
	}
}

// termsString renders groups so that they parse back to the same groups.
// Later groups start with a positive term carrying the '?' (parseTerms
// guarantees each has one).
func termsString(groups []termGroup) string {
	var b strings.Builder
	for gi, g := range groups {
		if gi > 0 {
			b.WriteByte(' ')
		}
		if len(groups) == 1 || gi == 0 && len(groups) > 1 && g[0].exclude {
			// A lone group needs no '?'. A first group that starts with an
			// exclusion cannot carry '?' (there is no "?-term"); it is the
			// first group anyway.
			for i, t := range g {
				if i > 0 {
					b.WriteByte(' ')
				}
				appendTerm(&b, t)
			}
			continue
		}
		first := 0
		for first < len(g) && g[first].exclude {
			first++
		}
		b.WriteByte('?')
		appendTerm(&b, g[first])
		for i, t := range g {
			if i == first {
				continue
			}
			b.WriteByte(' ')
			appendTerm(&b, t)
		}
	}
	return b.String()
}

// termsLiterals returns the texts that every group requires.
func termsLiterals(groups []termGroup) []string {
	if len(groups) == 0 {
		return nil
	}
	var out []string
	for _, t := range groups[0] {
		if t.exclude || t.text == "" || slices.Contains(out, t.text) {
			continue
		}
		inAll := true
		for _, g := range groups[1:] {
			found := false
			for _, u := range g {
				if !u.exclude && u.text == t.text {
					found = true
					break
				}
			}
			if !found {
				inAll = false
				break
			}
		}
		if inAll {
			out = append(out, t.text)
		}
	}
	return out
}
