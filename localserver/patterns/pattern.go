package patterns

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dynamic is the text of a dynamic token in a template.
const Dynamic = "<*>"

// Pattern is one pattern of a Clusterer: a template and what its messages had in
// common. Its methods read the Clusterer's current state (a pattern keeps generalising
// as messages join it), so they must not run concurrently with Add.
type Pattern struct {
	key string // its group's key

	seps    []string
	words   []string // static text; for a dynamic token, the text it had when it became dynamic
	dyn     []bool
	classes []class    // the class of the values seen at each token
	enums   []*counter // dynamic tokens' values; nil for static ones

	anything bool // the overflow pattern: matches any message
	rest     bool // the last word is the rest of the message (Options.MaxTokens words)

	count   int64
	sev     int8
	samples []Sample
	maxSamp int
	maxEnum int

	tmpl   string // cached String; valid when tmplOK
	tmplOK bool
	id     string
	re     string
}

// Token is one token of a pattern's template, in the shape of the service's
// PatternToken. The Texts of a pattern's Tokens, concatenated, are its String: the
// separators between words (spaces, brackets, quotes, = ...) are static tokens too.
type Token struct {
	// Text is the static text, or "<*>" for a dynamic token.
	Text string
	// Dynamic reports whether the token varies among the pattern's messages.
	Dynamic bool
	// Position is, for a dynamic token, its 1-based index among the pattern's dynamic
	// tokens; 0 for a static token.
	Position int
	// Enumerations holds, for a dynamic token, its most frequent values (at most
	// Options.MaxEnumerations) and how many messages had each; nil for a static token.
	// A value longer than 256 bytes is counted under its first 256 bytes (cut on a
	// character boundary) followed by "…", so values alike that far count together.
	Enumerations map[string]int64
	// InferredName is, for a dynamic token whose values were all of one recognised
	// kind, that kind and the token's Position, as the service's inferredTokenName:
	// "Number-1", "IPAddress-2", "UUID-3", "Time-1" (dates, times, timestamps), "ID-2"
	// (identifiers mixing letters and digits). "" otherwise.
	InferredName string
}

// Sample is a message of a pattern and its timestamp (as given to Add).
type Sample struct {
	Timestamp int64
	Message   string
}

func (p *Pattern) changed() {
	p.tmplOK = false
	p.id, p.re = "", ""
}

// String answers the template: static tokens verbatim, each dynamic token as "<*>".
func (p *Pattern) String() string {
	if !p.tmplOK {
		if p.anything {
			p.tmpl = Dynamic
		} else {
			var b strings.Builder
			for i, w := range p.words {
				b.WriteString(p.seps[i])
				if p.dyn[i] {
					b.WriteString(Dynamic)
				} else {
					b.WriteString(w)
				}
			}
			b.WriteString(p.seps[len(p.words)])
			p.tmpl = b.String()
		}
		p.tmplOK = true
	}
	return p.tmpl
}

// ID answers 32 lowercase hex characters, a pure function of String (the first 16
// bytes of its SHA-256): the same template has the same ID in every Clusterer, across
// restarts. It changes when the template generalises. Two patterns of one Clusterer
// have different templates, hence IDs, unless a message's separators hold the text
// "<*>" itself ("a <*> b" and "a 5 b" both show as "a <*> b").
func (p *Pattern) ID() string {
	if p.id == "" {
		p.id = templateID(p.String())
	}
	return p.id
}

func templateID(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:16])
}

// Regex answers an anchored RE2 regular expression (Go's regexp syntax) that matches
// every message of the pattern, with one capturing group per dynamic token, in order.
// Static text is quoted; a byte of invalid UTF-8 is matched as Go's regexp reads it,
// as U+FFFD. A dynamic token matches a word (a run of the characters words are made
// of; see the package documentation), not any text: so the regex matches only
// messages of the pattern's shape, and costs a few steps per byte to run however many
// dynamic tokens the template has (with "any text", each token's group stayed live
// across the message: matching took time proportional to the message's length times
// the number of tokens). The last token of a message cut at Options.MaxTokens words,
// which holds the rest of the message, matches any text.
func (p *Pattern) Regex() string {
	if p.re == "" {
		if p.anything {
			p.re = `(?s)^(.*)$`
		} else {
			var b strings.Builder
			b.WriteString(`(?s)^`)
			for i, w := range p.words {
				quoteTo(&b, p.seps[i])
				switch {
				case p.dyn[i] && p.rest && i == len(p.words)-1:
					b.WriteString(`(.+)`)
				case p.dyn[i]:
					b.WriteString(`(` + wordClass + `+)`)
				default:
					quoteTo(&b, w)
				}
			}
			quoteTo(&b, p.seps[len(p.words)])
			b.WriteString(`$`)
			p.re = b.String()
		}
	}
	return p.re
}

// quoteTo writes s quoted for a regular expression, each invalid UTF-8 byte as
// \x{FFFD} (regexp.QuoteMeta would keep it, and regexp refuses invalid UTF-8).
func quoteTo(b *strings.Builder, s string) {
	if utf8.ValidString(s) {
		b.WriteString(regexp.QuoteMeta(s))
		return
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\x{FFFD}`)
		} else {
			b.WriteString(regexp.QuoteMeta(s[i : i+n]))
		}
		i += n
	}
}

// Count answers how many messages joined the pattern.
func (p *Pattern) Count() int64 { return p.count }

// Severity answers the most severe level label found among the pattern's messages
// (SeverityError, SeverityWarn, SeverityInfo or SeverityDebug), "" if none had one. A
// message's level is the first of its first eight words that is a level word, in any
// case: error, err, fatal, crit, emerg, emergency (ERROR); warn, warning (WARN); info
// (INFO); debug (DEBUG). Level words that are also common English words count only in
// upper case, in brackets or after a word level, lvl, loglevel or severity: critical,
// panic, severe, alert (ERROR); information, notice (INFO); trace, verbose, fine,
// finer, finest (DEBUG).
func (p *Pattern) Severity() string { return severityLabels[p.sev] }

// Samples answers a copy of the pattern's samples: its oldest messages by timestamp
// (at most Options.MaxSamples), oldest first.
func (p *Pattern) Samples() []Sample {
	return append([]Sample(nil), p.samples...)
}

// Tokens answers the template's tokens, in order (a fresh slice and maps each call).
func (p *Pattern) Tokens() []Token {
	if p.anything {
		return []Token{{Text: Dynamic, Dynamic: true, Position: 1, Enumerations: p.enums[0].top(p.maxEnum), InferredName: inferred(p.classes[0], 1)}}
	}
	out := make([]Token, 0, 2*len(p.words)+1)
	pos := 0
	for i, w := range p.words {
		if s := p.seps[i]; s != "" {
			out = append(out, Token{Text: s})
		}
		if !p.dyn[i] {
			out = append(out, Token{Text: w})
			continue
		}
		pos++
		out = append(out, Token{Text: Dynamic, Dynamic: true, Position: pos,
			Enumerations: p.enums[i].top(p.maxEnum), InferredName: inferred(p.classes[i], pos)})
	}
	if s := p.seps[len(p.words)]; s != "" {
		out = append(out, Token{Text: s})
	}
	return out
}

func inferred(c class, pos int) string {
	if n := c.name(); n != "" {
		return n + "-" + strconv.Itoa(pos)
	}
	return ""
}

// addSample keeps the oldest maxSamp samples, oldest first (earlier added first among
// equal timestamps).
func (p *Pattern) addSample(s Sample) {
	n := len(p.samples)
	if n == p.maxSamp && s.Timestamp >= p.samples[n-1].Timestamp {
		return
	}
	i := n
	for i > 0 && p.samples[i-1].Timestamp > s.Timestamp {
		i--
	}
	s.Message = strings.Clone(s.Message)
	if n < p.maxSamp {
		p.samples = append(p.samples, Sample{})
	}
	copy(p.samples[i+1:], p.samples[i:])
	p.samples[i] = s
}
