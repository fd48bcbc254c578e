package localserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// The selectionCriteria of PutAccountPolicy, in the forms its documentation gives (the
// model's PutAccountPolicyRequest): `LogGroupName NOT IN []` for subscription filter
// policies; LogGroupNamePrefix for transformer and field index policies, and
// "DataSourceName and DataSourceType together" for field index policies; for metric
// extraction policies `LogGroupName IN ["log-group-1", "log-group-2"]` and
// `LogGroupNamePrefix NOT IN ["/aws/prefix1", "/aws/prefix2"]`, "up to 50 values in each
// IN or NOT IN list". So a criterion is
//
//	ATTRIBUTE IN [STRING, …]        ATTRIBUTE NOT IN [STRING, …]
//	DataSourceName = STRING AND DataSourceType = STRING
//
// with LogGroupName or LogGroupNamePrefix as ATTRIBUTE and strings in double quotes (JSON
// string syntax). Keywords are matched as written; blanks separate tokens anywhere. The
// grammar beyond these examples (other spacing rules, case, escapes) is not documented:
// this parser is ours.

// selectionCriteria is a parsed criterion.
type selectionCriteria struct {
	attr   string   // "LogGroupName", "LogGroupNamePrefix", or "DataSource"
	not    bool     // NOT IN
	values []string // the list; for DataSource, name and type
}

// maxSelectionValues: "You can specify up to 50 values in each IN or NOT IN list".
const maxSelectionValues = 50

// parseSelectionCriteria parses src (see above).
func parseSelectionCriteria(src string) (*selectionCriteria, *policyDocError) {
	p := &critParser{src: src}
	word := p.word()
	switch word {
	case "LogGroupName", "LogGroupNamePrefix":
		c := &selectionCriteria{attr: word}
		switch w := p.word(); w {
		case "NOT":
			if p.word() != "IN" {
				return nil, p.fail("expected IN after NOT")
			}
			c.not = true
		case "IN":
		default:
			return nil, p.fail("expected IN or NOT IN after " + word)
		}
		list, err := p.list()
		if err != nil {
			return nil, err
		}
		c.values = list
		if !p.end() {
			return nil, p.fail("unexpected text after the list")
		}
		return c, nil
	case "DataSourceName":
		name, err := p.equals()
		if err != nil {
			return nil, err
		}
		if p.word() != "AND" {
			return nil, p.fail("expected AND after the DataSourceName")
		}
		if p.word() != "DataSourceType" {
			return nil, p.fail("expected DataSourceType after AND")
		}
		typ, err := p.equals()
		if err != nil {
			return nil, err
		}
		if !p.end() {
			return nil, p.fail("unexpected text after the DataSourceType")
		}
		return &selectionCriteria{attr: "DataSource", values: []string{name, typ}}, nil
	}
	return nil, p.fail("expected LogGroupName, LogGroupNamePrefix or DataSourceName")
}

// critParser reads a criterion from left to right.
type critParser struct {
	src string
	pos int
}

func (p *critParser) fail(what string) *policyDocError {
	return policyErrorf("Invalid selectionCriteria at character %d: %s.", p.pos+1, what)
}

func (p *critParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *critParser) end() bool {
	p.skipSpace()
	return p.pos == len(p.src)
}

// word reads a run of letters ("" when none).
func (p *critParser) word() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] < 0x80 && unicode.IsLetter(rune(p.src[p.pos])) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// str reads a double-quoted string.
func (p *critParser) str() (string, *policyDocError) {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		return "", p.fail("expected a double-quoted string")
	}
	start := p.pos
	for i := start + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			i++
		case '"':
			var v string
			if err := json.Unmarshal([]byte(p.src[start:i+1]), &v); err != nil {
				return "", p.fail("malformed string")
			}
			p.pos = i + 1
			return v, nil
		}
	}
	return "", p.fail("unterminated string")
}

// list reads [STRING, …].
func (p *critParser) list() ([]string, *policyDocError) {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '[' {
		return nil, p.fail("expected [")
	}
	p.pos++
	var out []string
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return out, nil
	}
	for {
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if len(out) > maxSelectionValues {
			return nil, p.fail(fmt.Sprintf("a list can have at most %d values", maxSelectionValues))
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.fail("unterminated list")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return out, nil
		default:
			return nil, p.fail("expected , or ]")
		}
	}
}

// equals reads = STRING.
func (p *critParser) equals() (string, *policyDocError) {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return "", p.fail("expected =")
	}
	p.pos++
	return p.str()
}

// matches reports whether the criterion selects log group name (a DataSource criterion
// selects no log group as such).
func (c *selectionCriteria) matches(name string) bool {
	var in bool
	switch c.attr {
	case "LogGroupName":
		in = slices.Contains(c.values, name)
	case "LogGroupNamePrefix":
		in = slices.ContainsFunc(c.values, func(v string) bool { return strings.HasPrefix(name, v) })
	default:
		return false
	}
	return in != c.not
}

// overlaps reports whether two criteria can select the same log group, the rule the
// account policies' documentation gives: prefixes overlap when one starts with the other
// ("if you have one policy filtered to log groups that start with my-log, you can't have
// another … filtered to my-logpprod or my-logging"); for IN and NOT IN, "Two policies with
// IN and NOT IN operators do not overlap if and only if every value in the IN policy is
// completely contained within some value in the NOT IN policy". Two NOT IN criteria always
// overlap (only one is allowed). DataSource criteria overlap when they name the same data
// source name and type.
func (c *selectionCriteria) overlaps(o *selectionCriteria) bool {
	if (c.attr == "DataSource") != (o.attr == "DataSource") {
		return false
	}
	if c.attr == "DataSource" {
		return c.values[0] == o.values[0] && c.values[1] == o.values[1]
	}
	switch {
	case c.not && o.not:
		return true
	case c.not:
		return !o.containedIn(c)
	case o.not:
		return !c.containedIn(o)
	}
	for _, a := range c.values {
		for _, b := range o.values {
			if valuesOverlap(c.attr == "LogGroupNamePrefix", a, o.attr == "LogGroupNamePrefix", b) {
				return true
			}
		}
	}
	return false
}

// containedIn reports whether every group c (an IN criterion) selects is one of the values
// of the NOT IN criterion n names.
func (c *selectionCriteria) containedIn(n *selectionCriteria) bool {
	for _, a := range c.values {
		found := false
		for _, b := range n.values {
			switch {
			case n.attr == "LogGroupName":
				found = c.attr == "LogGroupName" && a == b
			default: // n's prefix b covers a name or a longer prefix a
				found = strings.HasPrefix(a, b)
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// valuesOverlap reports whether a value (a prefix when aPrefix) and b can select the same
// log group name.
func valuesOverlap(aPrefix bool, a string, bPrefix bool, b string) bool {
	switch {
	case aPrefix && bPrefix:
		return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
	case aPrefix:
		return strings.HasPrefix(b, a)
	case bPrefix:
		return strings.HasPrefix(a, b)
	}
	return a == b
}
