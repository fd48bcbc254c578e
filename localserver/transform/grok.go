package transform

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// grok: match is a grok expression of %{PATTERN} and %{PATTERN:field} references among
// regular expression text, applied to source (default @message); each named reference
// becomes a string field of the event ("The grok processor … uses pattern matching to
// parse and structure unstructured data", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-grok;
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Grok.html:
// match 1–512 characters). Only one grok processor per transformer (Parse).
//
// The user guide lists AWS's supported patterns; this server knows the subset in
// grokPatterns (the common Logstash-style patterns, written for Go's RE2), and refuses a
// reference to any other by name. A field name may use dot notation for a nested field.
// The match is unanchored (it may match part of the text, as Logstash grok does; our
// reading: the docs do not say), and text it does not match is an error of the event.
// A %{PATTERN:field:type} suffix is refused: the docs do not describe one.
var grokPatterns = map[string]string{
	"USERNAME":          `[a-zA-Z0-9._-]+`,
	"USER":              `%{USERNAME}`,
	"EMAILLOCALPART":    `[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+)*`,
	"EMAILADDRESS":      `%{EMAILLOCALPART}@%{HOSTNAME}`,
	"INT":               `[+-]?[0-9]+`,
	"BASE10NUM":         `[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)`,
	"NUMBER":            `%{BASE10NUM}`,
	"BASE16NUM":         `[+-]?(?:0x)?[0-9A-Fa-f]+`,
	"POSINT":            `[1-9][0-9]*`,
	"NONNEGINT":         `[0-9]+`,
	"WORD":              `\b\w+\b`,
	"NOTSPACE":          `\S+`,
	"SPACE":             `\s*`,
	"DATA":              `.*?`,
	"GREEDYDATA":        `.*`,
	"QUOTEDSTRING":      `(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`(?:[^`\\\\]|\\\\.)*`)",
	"QS":                `%{QUOTEDSTRING}`,
	"UUID":              `[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}`,
	"MAC":               `(?:[A-Fa-f0-9]{2}[:-]){5}[A-Fa-f0-9]{2}|(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}`,
	"IPV4":              `(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`,
	"IPV6":              `(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}`,
	"IP":                `(?:%{IPV6}|%{IPV4})`,
	"HOSTNAME":          `\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\.?\b`,
	"IPORHOST":          `(?:%{IP}|%{HOSTNAME})`,
	"HOSTPORT":          `%{IPORHOST}:%{POSINT}`,
	"PATH":              `(?:%{UNIXPATH}|%{WINPATH})`,
	"UNIXPATH":          `(?:/[\w_%!$@:.,+~-]*)+`,
	"WINPATH":           `(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`,
	"URIPROTO":          `[A-Za-z][A-Za-z0-9+.-]+`,
	"URIHOST":           `%{IPORHOST}(?::%{POSINT})?`,
	"URIPATH":           `(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+`,
	"URIQUERY":          `[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`,
	"URIPARAM":          `\?%{URIQUERY}`,
	"URIPATHPARAM":      `%{URIPATH}(?:%{URIPARAM})?`,
	"URI":               `%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`,
	"MONTH":             `\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\b`,
	"MONTHNUM":          `(?:0?[1-9]|1[0-2])`,
	"MONTHDAY":          `(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])`,
	"DAY":               `(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)`,
	"YEAR":              `(?:\d\d){1,2}`,
	"HOUR":              `(?:2[0123]|[01]?[0-9])`,
	"MINUTE":            `(?:[0-5][0-9])`,
	"SECOND":            `(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)`,
	"TIME":              `%{HOUR}:%{MINUTE}(?::%{SECOND})?`,
	"DATE_US":           `%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}`,
	"DATE_EU":           `%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}`,
	"ISO8601_TIMEZONE":  `(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))`,
	"ISO8601_SECOND":    `%{SECOND}`,
	"TIMESTAMP_ISO8601": `%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?`,
	"DATE":              `(?:%{DATE_US}|%{DATE_EU})`,
	"DATESTAMP":         `%{DATE}[- ]%{TIME}`,
	"TZ":                `[A-Z]{3}`,
	"HTTPDATE":          `%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}`,
	"SYSLOGTIMESTAMP":   `%{MONTH} +%{MONTHDAY} %{TIME}`,
	"LOGLEVEL":          `(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|EMERG(?:ENCY)?|[Ee]merg(?:ency)?)`,
	"COMMONAPACHELOG":   `%{IPORHOST:clientip} %{USER:ident} %{USER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{NUMBER:response} (?:%{NUMBER:bytes}|-)`,
	"COMBINEDAPACHELOG": `%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}`,
}

// grokRef is one %{PATTERN} or %{PATTERN:field} reference.
var grokRef = regexp.MustCompile(`%\{([^}:]*)(?::([^}:]*))?(?::([^}]*))?\}`)

// compiledGrok is a grok expression translated to a Go regular expression, with the
// event field of each of its capturing groups (by group name).
type compiledGrok struct {
	re     *regexp.Regexp
	fields map[string]string // group name -> field path
}

// compileGrok translates expr. Nested pattern definitions may name fields too (as
// COMMONAPACHELOG does).
func compileGrok(expr string) (*compiledGrok, error) {
	g := &compiledGrok{fields: map[string]string{}}
	var expand func(s string, depth int) (string, error)
	expand = func(s string, depth int) (string, error) {
		if depth > 10 {
			return "", fmt.Errorf("patterns nested too deeply")
		}
		var err error
		out := grokRef.ReplaceAllStringFunc(s, func(ref string) string {
			if err != nil {
				return ""
			}
			m := grokRef.FindStringSubmatch(ref)
			name, field, typ := m[1], m[2], m[3]
			if typ != "" {
				err = fmt.Errorf("%s: a type suffix (:%s) is not supported", ref, typ)
				return ""
			}
			def, ok := grokPatterns[name]
			if !ok {
				err = fmt.Errorf("%s: unknown pattern %s (this server knows %s)", ref, name, knownPatterns())
				return ""
			}
			body, e := expand(def, depth+1)
			if e != nil {
				err = e
				return ""
			}
			if field == "" {
				return "(?:" + body + ")"
			}
			if strings.Trim(field, ".") != field || strings.Contains(field, "..") {
				err = fmt.Errorf("%s: %q is not a field name", ref, field)
				return ""
			}
			group := fmt.Sprintf("g%d", len(g.fields))
			g.fields[group] = field
			return "(?P<" + group + ">" + body + ")"
		})
		return out, err
	}
	src, err := expand(expr, 0)
	if err != nil {
		return nil, err
	}
	if g.re, err = regexp.Compile(src); err != nil {
		return nil, fmt.Errorf("not a regular expression this server can compile: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	if len(g.fields) == 0 {
		return nil, fmt.Errorf("names no field: use %%{PATTERN:field}")
	}
	return g, nil
}

func knownPatterns() string {
	names := make([]string, 0, len(grokPatterns))
	for k := range grokPatterns {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func buildGrok(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in grokIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.str(in.Source, "source", 1, maxKeyLen)
	c.depth(in.Source, "source")
	c.reqStr(in.Match, "match", maxGrokMatchLen)
	if c.err != nil {
		return nil, nil
	}
	// "Maximum grok patterns: 20" (the user guide's grok table,
	// CloudWatch-Logs-Transformation-Configurable.html#CloudWatch-Logs-Transformation-Grok):
	// the %{...} references written in match.
	if n := len(grokRef.FindAllStringIndex(*in.Match, -1)); n > maxGrokPatterns {
		c.fail("match", *in.Match, fmt.Sprintf("uses %d grok patterns; at most %d are allowed", n, maxGrokPatterns))
		return nil, nil
	}
	// The expression around the pattern references is bounded as substituteString's
	// "from" is (compileRegexp), each reference counting as one character: the built-in
	// patterns are large but fixed, and at most 20.
	if n := filterpattern.RegexProgSize(grokRef.ReplaceAllLiteralString(*in.Match, "x")); n > filterpattern.MaxRegexProg {
		c.fail("match", *in.Match, fmt.Sprintf("is too complex (%d instructions around its patterns, at most %d): use smaller repetition counts", n, filterpattern.MaxRegexProg))
		return nil, nil
	}
	g, err := compileGrok(*in.Match)
	if err != nil {
		c.fail("match", *in.Match, err.Error())
		return nil, nil
	}
	src := pathOf(in.Source, "@message")
	names := g.re.SubexpNames()
	return func(e *event) error {
		s, err := sourceString(e, src)
		if err != nil {
			return err
		}
		m := g.re.FindStringSubmatchIndex(s)
		if m == nil {
			return fmt.Errorf("the source does not match the grok expression")
		}
		for i, n := range names {
			field, ok := g.fields[n]
			if !ok || m[2*i] < 0 {
				continue
			}
			store(e.root, splitPath(field), s[m[2*i]:m[2*i+1]], true)
		}
		return nil
	}, nil
}
