package insights

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a malformed query: Msg, and the byte offsets [Start, End) of the text at
// fault (End == Start at the end of the query). The local server answers it as
// MalformedQueryException with queryCompileError.location set from Start and End.
type SyntaxError struct {
	Start, End int
	Msg        string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("insights: at offsets %d-%d: %s", e.Start, e.End, e.Msg)
}

// MaxQueryLength is the longest query Parse accepts, in characters (the service's
// QueryString limit).
const MaxQueryLength = 10_000

// Query is a parsed Logs Insights query. It is immutable and safe for concurrent use;
// evaluate it with NewRun.
type Query struct {
	src  string
	cmds []command
}

// String returns the query's source text.
func (q *Query) String() string { return q.src }

// HasStats reports whether the query aggregates (has a stats command): its result rows
// are not log events and carry no @ptr.
func (q *Query) HasStats() bool {
	for _, c := range q.cmds {
		if _, ok := c.(*statsCmd); ok {
			return true
		}
	}
	return false
}

type parser struct {
	src  string
	toks []token
	i    int
}

// Parse parses a Logs Insights query. Every error is a *SyntaxError.
func Parse(src string) (*Query, error) {
	if n := len([]rune(src)); n > MaxQueryLength {
		return nil, &SyntaxError{Start: 0, End: len(src), Msg: fmt.Sprintf("query is %d characters long; the limit is %d", n, MaxQueryLength)}
	}
	if !utf8.ValidString(src) {
		i := 0
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return nil, &SyntaxError{Start: i, End: i + 1, Msg: "the query is not valid UTF-8"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q := &Query{src: src}
	if p.peek().kind == tEOF {
		return q, nil
	}
	dedup := false
	for {
		at := p.peek()
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		// "The only query command that you can use in a query after the dedup command is
		// limit." (CWL_QuerySyntax-Dedup)
		if _, isLimit := c.(*limitCmd); dedup && !isLimit {
			return nil, p.errAt(at, "only limit can follow dedup, found %s", c.cmdName())
		}
		if _, ok := c.(*dedupCmd); ok {
			dedup = true
		}
		q.cmds = append(q.cmds, c)
		if err := checkPattern(q.cmds, at); err != nil {
			return nil, err
		}
		if err := checkAfterStats(q.cmds); err != nil {
			return nil, err
		}
		t := p.next()
		if t.kind == tEOF {
			break
		}
		if !p.isOp(t, "|") {
			return nil, p.errAt(t, "expected | or the end of the query, found %s", t)
		}
	}
	return q, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(t token, op string) bool { return t.kind == tOp && t.text == op }

func (p *parser) isKeyword(t token, kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) errAt(t token, format string, args ...any) *SyntaxError {
	return &SyntaxError{Start: t.start, End: t.end, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expectOp(op string) (token, error) {
	t := p.next()
	if !p.isOp(t, op) {
		return t, p.errAt(t, "expected %q, found %s", op, t)
	}
	return t, nil
}

func (p *parser) command() (command, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, p.errAt(t, "expected a command (fields, display, filter, stats, sort, limit, parse, dedup, lookup, pattern), found %s", t)
	}
	switch strings.ToLower(t.text) {
	case "fields":
		items, err := p.projList(false)
		return &fieldsCmd{items: items}, err
	case "display":
		items, err := p.projList(false)
		return &displayCmd{items: items}, err
	case "filter":
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &filterCmd{cond: x}, p.noAggregates(x)
	case "stats":
		return p.stats()
	case "sort":
		return p.sort()
	case "limit", "head":
		return p.limit()
	case "parse":
		return p.parse()
	case "lookup":
		return p.lookup()
	case "pattern":
		return p.pattern()
	case "dedup":
		var keys []expr
		for {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.noAggregates(x); err != nil {
				return nil, err
			}
			keys = append(keys, x)
			if !p.isOp(p.peek(), ",") {
				return &dedupCmd{keys: keys}, nil
			}
			p.next()
		}
	}
	return nil, p.errAt(t, "unknown or unsupported command %q", t.text)
}

// projList parses "expr [as name], ...". With stats set, aggregation calls are allowed.
func (p *parser) projList(stats bool) ([]projItem, error) {
	var items []projItem
	for {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !stats {
			if err := p.noAggregates(x); err != nil {
				return nil, err
			}
		}
		it := projItem{x: x, name: p.nameOf(x)}
		if p.isKeyword(p.peek(), "as") {
			p.next()
			n := p.next()
			if n.kind != tIdent && n.kind != tQuoted {
				return nil, p.errAt(n, "expected a field name after as, found %s", n)
			}
			it.name = n.text
		}
		items = append(items, it)
		if !p.isOp(p.peek(), ",") {
			return items, nil
		}
		p.next()
	}
}

// nameOf is the result-field name of an unaliased expression: a field's own name, else
// the expression's text as written.
func (p *parser) nameOf(x expr) string {
	if f, ok := x.(*fieldRef); ok {
		return f.name
	}
	s, e := x.span()
	return strings.TrimSpace(p.src[s:e])
}

func (p *parser) stats() (command, error) {
	aggs, err := p.projList(true)
	if err != nil {
		return nil, err
	}
	c := &statsCmd{aggs: aggs}
	for i, it := range aggs {
		n := len(c.calls)
		collectAggs(it.x, &c.calls)
		if len(c.calls) > n {
			continue
		}
		// An item without an aggregation may combine earlier items by their names, as
		// the user guide's Lambda sample does: "max(...) as a, min(...) as b, a - b as c"
		// (CWL_QuerySyntax-examples).
		var refs []*fieldRef
		collectFields(it.x, &refs)
		if len(refs) == 0 {
			refs = append(refs, &fieldRef{}) // a constant: not an earlier result either
		}
		for _, f := range refs {
			if !slices.ContainsFunc(aggs[:i], func(prev projItem) bool { return f.name != "" && prev.name == f.name }) {
				s, e := it.x.span()
				return nil, &SyntaxError{Start: s, End: e, Msg: fmt.Sprintf("%q is not an aggregation: stats needs a function such as count(), sum(), avg(), min() or max(), or the names of earlier results", p.src[s:e])}
			}
		}
	}
	for i, cl := range c.calls {
		cl.slot = i
		for _, a := range cl.args {
			if err := p.noAggregates(a); err != nil {
				return nil, err
			}
		}
	}
	if p.isKeyword(p.peek(), "by") {
		p.next()
		if c.by, err = p.projList(false); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// collectAggs appends the aggregation calls of x (not those nested in one) to out.
func collectAggs(x expr, out *[]*call) {
	if c, ok := x.(*call); ok && c.agg {
		*out = append(*out, c)
		return
	}
	eachOperand(x, func(o expr) { collectAggs(o, out) })
}

// eachOperand calls f with each operand of x, in order; a field reference, a literal
// or a regular expression has none.
func eachOperand(x expr, f func(expr)) {
	switch n := x.(type) {
	case *call:
		for _, a := range n.args {
			f(a)
		}
	case *unary:
		f(n.x)
	case *binary:
		f(n.l)
		f(n.r)
	case *likeExpr:
		f(n.x)
	case *inExpr:
		f(n.x)
		for _, a := range n.list {
			f(a)
		}
	}
}

// checkAfterStats checks the last of cmds: after a stats command the records are gone,
// so a command may only name the outputs of the last stats and fields made after it. The
// service refuses others with "Unknown symbols found in or after stats: name".
func checkAfterStats(cmds []command) error {
	var known []string
	stats := "" // the last stats or pattern command, after which records are gone
	for i, c := range cmds {
		var used []expr
		var made []string
		switch c := c.(type) {
		case *fieldsCmd:
			for _, it := range c.items {
				used = append(used, it.x)
				made = append(made, it.name)
			}
		case *displayCmd:
			for _, it := range c.items {
				used = append(used, it.x)
			}
		case *filterCmd:
			used = append(used, c.cond)
		case *sortCmd:
			for _, k := range c.keys {
				used = append(used, k.x)
			}
		case *dedupCmd:
			used = append(used, c.keys...)
		case *patternCmd:
			used = append(used, c.src)
		case *parseCmd:
			used = append(used, c.src)
			made = append(made, c.names...)
		case *lookupCmd:
			for _, k := range c.keys {
				used = append(used, k.field)
			}
			for _, o := range c.outs {
				made = append(made, o.col)
			}
		case *statsCmd:
			for _, it := range c.by {
				used = append(used, it.x)
			}
			for _, cl := range c.calls {
				used = append(used, cl.args...)
			}
		}
		if stats != "" && i == len(cmds)-1 {
			for _, x := range used {
				var refs []*fieldRef
				allFields(x, &refs)
				for _, f := range refs {
					if !slices.Contains(known, f.name) {
						msg := "Unknown symbols found in or after stats: " + f.name
						if stats == "pattern" {
							msg = "Unknown symbols found after pattern: " + f.name + " (after pattern, only its fields " +
								strings.Join(patternFields, ", ") + " and fields made after it exist)"
						}
						return &SyntaxError{Start: f.start, End: f.end, Msg: msg}
					}
				}
			}
		}
		if _, ok := c.(*patternCmd); ok {
			stats, known = "pattern", slices.Clone(patternFields)
		}
		if sc, ok := c.(*statsCmd); ok {
			stats, known = "stats", nil
			for _, it := range sc.by {
				known = append(known, it.name)
			}
			for _, it := range sc.aggs {
				known = append(known, it.name)
			}
		}
		known = append(known, made...)
	}
	return nil
}

// allFields appends every field reference of x, inside aggregation calls too, to out.
func allFields(x expr, out *[]*fieldRef) {
	if c, ok := x.(*call); ok && c.agg {
		for _, a := range c.args {
			allFields(a, out)
		}
		return
	}
	collectFields(x, out)
}

// collectFields appends the field references of x (outside aggregation calls) to out.
func collectFields(x expr, out *[]*fieldRef) {
	switch n := x.(type) {
	case *fieldRef:
		*out = append(*out, n)
		return
	case *call:
		if n.agg {
			return
		}
	}
	eachOperand(x, func(o expr) { collectFields(o, out) })
}

// noAggregates refuses an aggregation function outside stats.
func (p *parser) noAggregates(x expr) error {
	var calls []*call
	collectAggs(x, &calls)
	if len(calls) > 0 {
		s, e := calls[0].span()
		return &SyntaxError{Start: s, End: e, Msg: fmt.Sprintf("aggregation function %s() can only be used in stats", calls[0].name)}
	}
	return nil
}

func (p *parser) sort() (command, error) {
	c := &sortCmd{}
	for {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.noAggregates(x); err != nil {
			return nil, err
		}
		// The service sorts in descending order unless asc is given.
		k := sortKey{x: x, desc: true}
		if t := p.peek(); p.isKeyword(t, "asc") {
			p.next()
			k.desc = false
		} else if p.isKeyword(t, "desc") {
			p.next()
		}
		c.keys = append(c.keys, k)
		if !p.isOp(p.peek(), ",") {
			return c, nil
		}
		p.next()
	}
}

func (p *parser) limit() (command, error) {
	c := &limitCmd{}
	if p.isKeyword(p.peek(), "any") {
		p.next()
		c.any = true
	}
	t := p.next()
	n, err := strconv.Atoi(t.text)
	if t.kind != tNumber || err != nil || n < 1 || n > maxLimit {
		return nil, p.errAt(t, "limit needs a whole number from 1 to %d, found %s", maxLimit, t)
	}
	c.n = n
	return c, nil
}

// maxLimit is the largest limit a query may ask for (the service's documented maximum).
const maxLimit = 100_000

func (p *parser) parse() (command, error) {
	c := &parseCmd{src: &fieldRef{name: "@message"}}
	if t := p.peek(); t.kind != tString && t.kind != tRegex {
		x, err := p.primary()
		if err != nil {
			return nil, err
		}
		c.src = x
	}
	t := p.next()
	switch t.kind {
	case tString:
		stars := strings.Count(t.text, "*")
		if stars == 0 {
			return nil, p.errAt(t, "the parse pattern %q has no * to extract", t.text)
		}
		parts := strings.Split(t.text, "*")
		var b strings.Builder
		b.WriteString("(?s)")
		for i, part := range parts {
			b.WriteString(regexp.QuoteMeta(part))
			switch {
			case i == len(parts)-1:
			case i == len(parts)-2:
				b.WriteString("(.*)")
			default:
				b.WriteString("(.*?)")
			}
		}
		c.re = regexp.MustCompile(b.String())
		if !p.isKeyword(p.peek(), "as") {
			return nil, p.errAt(p.peek(), "expected as and %d field names after the parse pattern, found %s", stars, p.peek())
		}
		p.next()
		for {
			n := p.next()
			if n.kind != tIdent && n.kind != tQuoted {
				return nil, p.errAt(n, "expected a field name, found %s", n)
			}
			c.names = append(c.names, n.text)
			if !p.isOp(p.peek(), ",") {
				break
			}
			p.next()
		}
		if len(c.names) != stars {
			return nil, &SyntaxError{Start: t.start, End: p.toks[p.i-1].end, Msg: fmt.Sprintf("the parse pattern has %d * but %d field names follow as", stars, len(c.names))}
		}
	case tRegex:
		re, err := compileRegex(t)
		if err != nil {
			return nil, err
		}
		c.re = re
		names := re.SubexpNames()[1:]
		named := 0
		for _, n := range names {
			if n != "" {
				named++
			}
		}
		if p.isKeyword(p.peek(), "as") {
			return nil, p.errAt(p.peek(), "a regular-expression parse names its fields with named groups (?<name>…), not as")
		}
		if named == 0 {
			return nil, p.errAt(t, "the parse regular expression has no named capturing group (?<name>…)")
		}
		c.names = names
	default:
		return nil, p.errAt(t, "expected a \"glob*pattern\" or a /regular expression/ to parse, found %s", t)
	}
	return c, nil
}

// maxRegexSize bounds a regular expression's size once its counted repetitions are
// expanded (about the instructions of its compiled program). Go compiles programs of
// millions of instructions ("a{999}" 1,600 times fits in a query), spending a second
// and tens of megabytes on one StartQuery; real patterns stay far below this.
const maxRegexSize = 100_000

func compileRegex(t token) (*regexp.Regexp, error) {
	if parsed, err := syntax.Parse(t.text, syntax.Perl); err == nil {
		if n := regexSize(parsed, maxRegexSize); n > maxRegexSize {
			return nil, &SyntaxError{Start: t.start, End: t.end, Msg: fmt.Sprintf("regular expression too large: its repetitions expand to more than %d elements", maxRegexSize)}
		}
	}
	re, err := regexp.Compile(t.text)
	if err != nil {
		return nil, &SyntaxError{Start: t.start, End: t.end, Msg: "invalid regular expression: " + err.Error()}
	}
	return re, nil
}

// regexSize estimates the program size of re, counting repetitions expanded; it stops
// counting past limit.
func regexSize(re *syntax.Regexp, limit int) int {
	n := 1
	for _, sub := range re.Sub {
		n += regexSize(sub, limit)
		if n > limit {
			return n
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		n += len(re.Rune)
	case syntax.OpCharClass:
		n += len(re.Rune) / 2
	case syntax.OpRepeat:
		times := max(re.Min, re.Max, 1)
		if n > limit/times {
			return limit + 1
		}
		n *= times
	}
	return n
}

// Expressions, lowest precedence first: or, and, not, comparisons (= != < <= > >= like
// =~ in), + -, * / %, ^, unary minus, primaries.
func (p *parser) expr() (expr, error) { return p.or() }

func (p *parser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword(p.peek(), "or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: join(l, r), op: "or", l: l, r: r}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKeyword(p.peek(), "and") {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: join(l, r), op: "and", l: l, r: r}
	}
	return l, nil
}

func (p *parser) not() (expr, error) {
	if t := p.peek(); p.isKeyword(t, "not") || p.isOp(t, "!") {
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		_, e := x.span()
		return &unary{pos: pos{t.start, e}, op: "not", x: x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	negate := false
	if p.isKeyword(t, "not") {
		// x not like …, x not in […]
		if n := p.toks[p.i+1]; p.isKeyword(n, "like") || p.isKeyword(n, "in") {
			p.next()
			negate = true
			t = p.peek()
		}
	}
	switch {
	case p.isKeyword(t, "like") || p.isOp(t, "=~"):
		p.next()
		pt := p.next()
		s, _ := l.span()
		le := &likeExpr{pos: pos{s, pt.end}, x: l, negate: negate}
		switch pt.kind {
		case tString:
			// A quoted operand is a case-sensitive substring for like and =~ alike
			// (CWL_QuerySyntax, "Regular Expressions in the Filter Command").
			le.substr = pt.text
		case tRegex:
			re, err := compileRegex(pt)
			if err != nil {
				return nil, err
			}
			le.re = re
		default:
			return nil, p.errAt(pt, "expected a \"string\" or /regular expression/ after %s, found %s", t.text, pt)
		}
		return le, nil
	case p.isKeyword(t, "in"):
		p.next()
		if _, err := p.expectOp("["); err != nil {
			return nil, err
		}
		var list []expr
		if !p.isOp(p.peek(), "]") {
			for {
				x, err := p.additive()
				if err != nil {
					return nil, err
				}
				list = append(list, x)
				if !p.isOp(p.peek(), ",") {
					break
				}
				p.next()
			}
		}
		end, err := p.expectOp("]")
		if err != nil {
			return nil, err
		}
		s, _ := l.span()
		return &inExpr{pos: pos{s, end.end}, x: l, list: list, negate: negate}, nil
	case t.kind == tOp && (t.text == "=" || t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.next()
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		op := t.text
		if op == "==" {
			op = "="
		}
		return &binary{pos: join(l, r), op: op, l: l, r: r}, nil
	}
	return l, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); p.isOp(t, "+") || p.isOp(t, "-"); t = p.peek() {
		p.next()
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: join(l, r), op: t.text, l: l, r: r}
	}
	return l, nil
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.power()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); p.isOp(t, "*") || p.isOp(t, "/") || p.isOp(t, "%"); t = p.peek() {
		p.next()
		r, err := p.power()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: join(l, r), op: t.text, l: l, r: r}
	}
	return l, nil
}

func (p *parser) power() (expr, error) {
	l, err := p.unaryMinus()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); p.isOp(t, "^") {
		p.next()
		r, err := p.power() // right-associative
		if err != nil {
			return nil, err
		}
		return &binary{pos: join(l, r), op: "^", l: l, r: r}, nil
	}
	return l, nil
}

func (p *parser) unaryMinus() (expr, error) {
	if t := p.peek(); p.isOp(t, "-") {
		p.next()
		x, err := p.unaryMinus()
		if err != nil {
			return nil, err
		}
		_, e := x.span()
		return &unary{pos: pos{t.start, e}, op: "-", x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errAt(t, "invalid number %s", t.text)
		}
		return &literal{pos: pos{t.start, t.end}, v: num(f)}, nil
	case tDuration:
		if t.months > 0 {
			return &literal{pos: pos{t.start, t.end}, v: value{k: kMonths, n: float64(t.months)}}, nil
		}
		return &literal{pos: pos{t.start, t.end}, v: value{k: kPeriod, n: float64(t.ms)}}, nil
	case tString:
		return &literal{pos: pos{t.start, t.end}, v: str(t.text)}, nil
	case tRegex:
		re, err := compileRegex(t)
		if err != nil {
			return nil, err
		}
		return &regexLit{pos: pos{t.start, t.end}, re: re}, nil
	case tQuoted:
		return &fieldRef{pos: pos{t.start, t.end}, name: t.text}, nil
	case tIdent:
		if p.isOp(p.peek(), "(") {
			return p.call(t)
		}
		if isReserved(t.text) {
			return nil, p.errAt(t, "expected a field, a value or a function, found keyword %s (quote a field of that name with backticks)", t)
		}
		return &fieldRef{pos: pos{t.start, t.end}, name: t.text}, nil
	case tOp:
		if t.text == "(" {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if _, err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return x, nil
		}
	}
	return nil, p.errAt(t, "expected a field, a value or a function, found %s", t)
}

func isReserved(s string) bool {
	switch strings.ToLower(s) {
	case "and", "or", "not", "like", "in", "as", "by", "asc", "desc":
		return true
	}
	return false
}

func (p *parser) call(name token) (expr, error) {
	p.next() // (
	fname := strings.ToLower(name.text)
	spec, ok := functions[fname]
	if !ok {
		return nil, p.errAt(name, "unknown function %s()", name.text)
	}
	c := &call{name: fname, agg: spec.agg, fn: spec.fn}
	if fname == "count" && p.isOp(p.peek(), "*") {
		p.next()
		c.star = true
	} else if !p.isOp(p.peek(), ")") {
		for {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, x)
			if !p.isOp(p.peek(), ",") {
				break
			}
			p.next()
		}
	}
	end, err := p.expectOp(")")
	if err != nil {
		return nil, err
	}
	c.pos = pos{name.start, end.end}
	if n := len(c.args); n < spec.min || (spec.max >= 0 && n > spec.max) {
		want := fmt.Sprintf("%d", spec.min)
		switch {
		case spec.max < 0:
			want = fmt.Sprintf("at least %d", spec.min)
		case spec.max != spec.min:
			want = fmt.Sprintf("%d to %d", spec.min, spec.max)
		}
		return nil, &SyntaxError{Start: c.start, End: c.end, Msg: fmt.Sprintf("%s() takes %s arguments, not %d", fname, want, n)}
	}
	if spec.check != nil {
		if err := spec.check(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func join(a, b expr) pos {
	s, _ := a.span()
	_, e := b.span()
	return pos{s, e}
}
