package transform

import (
	"encoding/json"
	"fmt"
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
// the model's SubstituteStringEntry). The regular expression dialect is not named by the
// docs: this server's is Go's RE2, and to may refer to groups as $1 or ${name}.
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
				subs = append(subs, sub{splitPath(*en.Source), re, *en.To})
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
