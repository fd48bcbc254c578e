package filterpattern

import (
	"slices"
	"strconv"
	"strings"
)

// Structured reports whether p is a JSON or space-delimited pattern, the
// kinds whose fields a metric filter can use as dimensions.
func (p *Pattern) Structured() bool { return p.kind == kindJSON || p.kind == kindDelimited }

// Extract matches message like Match and, when it matches, returns the
// values the pattern names, keyed as TestMetricFilter's extractedValues
// are:
//
//   - space-delimited patterns: every field of the message, "$name" for a
//     named field and "$N" (1-based position in the message) for the
//     fields of anonymous fields and "..." (AWS's examples: [..., size]
//     yields $1 to $6 and $size); the value excludes the '"' or '[' ']'
//     that grouped it;
//   - JSON patterns: each selector that resolved to a string or a number,
//     keyed by the selector as "$.a.b[0]", with the string unescaped or the
//     number as written;
//   - terms and regular expressions: nothing (an empty, non-nil map).
func (p *Pattern) Extract(message string) (map[string]string, bool) {
	switch p.kind {
	case kindJSON:
		return p.json.extract(message)
	case kindDelimited:
		return p.delim.extract(message)
	}
	if !p.Match(message) {
		return nil, false
	}
	return map[string]string{}, true
}

func (jp *jsonPattern) extract(msg string) (map[string]string, bool) {
	vals := make([]jval, len(jp.selectors))
	if !jp.matchVals(msg, vals) {
		return nil, false
	}
	out := map[string]string{}
	for i, v := range vals {
		var s string
		switch v.kind {
		case jString:
			s = msg[v.start:v.end]
			if v.esc {
				s = unescapeJSON(s)
			}
		case jNumber:
			s = msg[v.start:v.end]
		default:
			continue
		}
		out[selectorString(jp.selectors[i])] = s
	}
	return out, true
}

func selectorString(path []pathStep) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range path {
		if st.isIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(st.index))
			b.WriteByte(']')
		} else {
			b.WriteByte('.')
			b.WriteString(st.name)
		}
	}
	return b.String()
}

func (dp *delimPattern) extract(msg string) (map[string]string, bool) {
	toks := splitFields(msg, nil)
	pf := dp.fields
	pos := make([]int, len(pf)) // token index of each non-"..." field
	first := slices.IndexFunc(pf, func(f delimField) bool { return f.ellipsis })
	if first < 0 {
		if len(toks) != len(pf) || !matchFields(pf, toks) {
			return nil, false
		}
		for i := range pos {
			pos[i] = i
		}
	} else {
		last := len(pf) - 1
		for !pf[last].ellipsis {
			last--
		}
		head, tail := pf[:first], pf[last+1:]
		if len(toks) < len(head)+len(tail) || !matchFields(head, toks[:len(head)]) || !matchFields(tail, toks[len(toks)-len(tail):]) {
			return nil, false
		}
		for i := range head {
			pos[i] = i
		}
		for i := range tail {
			pos[last+1+i] = len(toks) - len(tail) + i
		}
		mid := toks[len(head) : len(toks)-len(tail)]
		if !globFieldsPos(pf[first:last+1], mid, pos[first:last+1]) {
			return nil, false
		}
		for i := first; i <= last; i++ {
			pos[i] += len(head)
		}
	}
	owner := make([]int, len(toks))
	for i := range owner {
		owner[i] = -1
	}
	for i, f := range pf {
		if !f.ellipsis {
			owner[pos[i]] = i
		}
	}
	out := make(map[string]string, len(toks))
	for j, tok := range toks {
		if i := owner[j]; i >= 0 && pf[i].name != "" {
			out["$"+pf[i].name] = tok
		} else {
			out["$"+strconv.Itoa(j+1)] = tok
		}
	}
	return out, true
}

// globFieldsPos is globFields recording, when pos is not nil, in pos[i] the
// token index that field i matched (for "..." fields pos is left alone).
// After a backtrack the fields past the last "..." are matched again, so the
// positions that remain are those of the successful match.
func globFieldsPos(pf []delimField, toks []string, pos []int) bool {
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(toks) {
		switch {
		case p < len(pf) && pf[p].ellipsis:
			star, mark = p, t
			p++
		case p < len(pf) && pf[p].match(toks[t]):
			if pos != nil {
				pos[p] = t
			}
			p++
			t++
		case star >= 0:
			p = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for p < len(pf) && pf[p].ellipsis {
		p++
	}
	return p == len(pf)
}
