package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// deleteKeys (1–5 keys), lowerCaseString, upperCaseString and trimString (1–10 keys each):
// the model's shapes; the string mutators change string values only and leave other
// values and missing keys alone (the user guide's sections of each, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html; what they do to a non-string
// is not documented, our choice). trimString removes leading and trailing white space
// (Unicode's, as strings.TrimSpace).
func buildWithKeys(c *checker, name string, raw json.RawMessage) (func(*event) error, error) {
	var in withKeysIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	limit := maxTenEntries
	if name == "deleteKeys" {
		limit = maxFiveEntries
	}
	if !c.list(lenOf(in.WithKeys), in.WithKeys != nil, "withKeys", limit) {
		return nil, nil
	}
	keys := make([]path, len(*in.WithKeys))
	for i, k := range *in.WithKeys {
		c.str(&k, fmt.Sprintf("withKeys[%d]", i), 1, 0)
		keys[i] = splitPath(k)
	}
	if name == "deleteKeys" {
		return func(e *event) error {
			for _, p := range keys {
				remove(e.root, p)
			}
			return nil
		}, nil
	}
	var f func(string) string
	switch name {
	case "lowerCaseString":
		f = strings.ToLower
	case "upperCaseString":
		f = strings.ToUpper
	default:
		f = strings.TrimSpace
	}
	return func(e *event) error {
		for _, p := range keys {
			mapString(e.root, p, f)
		}
		return nil
	}, nil
}

// mapString replaces the string at p by f of it.
func mapString(root *object, p path, f func(string) string) {
	parent, ok := parentOf(root, p, false)
	if !ok {
		return
	}
	k := p[len(p)-1]
	if i := parent.index(k); i >= 0 {
		if s, ok := parent.m[i].v.(string); ok {
			parent.m[i].v = f(s)
		}
	}
}

// splitString: 1–10 entries, each splitting the string at source on delimiter into a list
// of strings in its place (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-splitString; the
// model's SplitStringEntry). Non-strings and missing keys are left alone.
func buildSplitString(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxTenEntries) {
		return nil, nil
	}
	entries := make([]splitEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		if err := decodeStrict(f, r, &entries[i]); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(entries[i].Source, "source", maxKeyLen)
		ec.reqStr(entries[i].Delimiter, "delimiter", maxKeyLen)
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, en := range entries {
			p := splitPath(*en.Source)
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			k := p[len(p)-1]
			i := parent.index(k)
			if i < 0 {
				continue
			}
			if s, ok := parent.m[i].v.(string); ok {
				parts := strings.Split(s, *en.Delimiter)
				l := make([]any, len(parts))
				for j, x := range parts {
					l[j] = x
				}
				parent.m[i].v = l
			}
		}
		return nil
	}, nil
}

// substituteString: 1–10 entries, each replacing every match of the regular expression
// from in the string at source by to (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-substituteString;
// the model's SubstituteStringEntry). from is a Java regular expression ("For more
// information, see Class Pattern", https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_SubstituteStringEntry.html):
// this server compiles it with Go's RE2, which reads the common syntax alike and refuses
// what it lacks (lookarounds, backreferences) by name. to is read as Java's
// Matcher.replaceAll reads a replacement (javaReplacement).
func buildSubstituteString(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxTenEntries) {
		return nil, nil
	}
	type sub struct {
		p  path
		re interface {
			ReplaceAllString(src, repl string) string
		}
		to string
	}
	var subs []sub
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		var en substituteEntry
		if err := decodeStrict(f, r, &en); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(en.Source, "source", maxKeyLen)
		ec.reqStr(en.From, "from", maxKeyLen)
		ec.reqStr(en.To, "to", maxKeyLen)
		if ec.err == nil {
			if re := compileRegexp(ec, "from", *en.From); re != nil {
				if tmpl, err := javaReplacement(*en.To, re); err != nil {
					ec.fail("to", *en.To, err.Error())
				} else {
					subs = append(subs, sub{splitPath(*en.Source), re, tmpl})
				}
			}
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, s := range subs {
			mapString(e.root, s.p, func(v string) string { return s.re.ReplaceAllString(v, s.to) })
		}
		return nil
	}, nil
}

// javaReplacement translates to, a replacement string as java.util.regex.Matcher reads it,
// into the template of Go's Regexp.ReplaceAllString for re. Java's rules: "$" followed by
// digits names a group by number, taking as many digits as still name a group of re ("$1x"
// and, with fewer than 12 groups, "$12" are group 1 followed by text: Go would read a group
// named "1x" or 12); "${name}" names a named group; a backslash makes the next character
// literal ("\$"); any other "$", a group re does not have, or a backslash at the end is an
// error (Java throws; this server refuses the configuration).
func javaReplacement(to string, re *regexp.Regexp) (string, error) {
	var b strings.Builder
	groups := re.NumSubexp()
	for i := 0; i < len(to); i++ {
		c := to[i]
		switch c {
		case '\\':
			i++
			if i == len(to) {
				return "", errors.New("ends with a backslash that escapes nothing")
			}
			if to[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(to[i])
			}
		case '$':
			i++
			switch {
			case i == len(to):
				return "", errors.New("ends with a '$' that names no group")
			case to[i] == '{':
				end := strings.IndexByte(to[i:], '}')
				if end < 0 {
					return "", errors.New("has a '${' without its '}'")
				}
				name := to[i+1 : i+end]
				if name == "" || re.SubexpIndex(name) < 0 {
					return "", fmt.Errorf("names the group %q, which from does not have", name)
				}
				b.WriteString("${" + name + "}")
				i += end
			case to[i] >= '0' && to[i] <= '9':
				n := int(to[i] - '0')
				for i+1 < len(to) && to[i+1] >= '0' && to[i+1] <= '9' && n*10+int(to[i+1]-'0') <= groups {
					i++
					n = n*10 + int(to[i]-'0')
				}
				if n > groups {
					return "", fmt.Errorf("refers to group %d; from has %d", n, groups)
				}
				fmt.Fprintf(&b, "${%d}", n)
			default:
				return "", errors.New("has a '$' that is not followed by a group number or {name} (write \\$ for a '$')")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
