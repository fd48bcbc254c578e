package insights

import "regexp"

// expr is an expression node. start and end are its byte offsets in the query.
type expr interface {
	span() (start, end int)
}

type pos struct{ start, end int }

func (p pos) span() (int, int) { return p.start, p.end }

type (
	// fieldRef names a field: a system field (@timestamp…), a discovered JSON field, or
	// one created by fields, parse or stats.
	fieldRef struct {
		pos
		name string
	}
	// literal is a string, number or time-period constant.
	literal struct {
		pos
		v value
	}
	// regexLit is a /regular expression/ operand (of like, =~ and some functions).
	regexLit struct {
		pos
		re *regexp.Regexp
	}
	unary struct {
		pos
		op string // "-", "not"
		x  expr
	}
	binary struct {
		pos
		op   string // + - * / % ^ = != < <= > >= and or
		l, r expr
	}
	// likeExpr is x like "substring", x like /re/, x =~ /re/, and their negations.
	likeExpr struct {
		pos
		x      expr
		substr string
		re     *regexp.Regexp // nil for a substring match
		negate bool
	}
	inExpr struct {
		pos
		x      expr
		list   []expr
		negate bool
	}
	// call is a function call; agg is set for aggregation functions (stats only), with
	// slot the index of its accumulator in the stats command.
	call struct {
		pos
		name string // lower case
		args []expr
		star bool // count(*)
		agg  bool
		slot int
		fn   func(r *row, a []value) value // the scalar function's (functions[name].fn), nil for aggregations
	}
)

// command is one stage of a query.
type command interface{ cmdName() string }

// projItem is one output of fields, display or stats by: an expression and its name.
type projItem struct {
	x    expr
	name string
}

type (
	fieldsCmd struct {
		items []projItem
	}
	displayCmd struct {
		items []projItem
	}
	filterCmd struct {
		cond expr
	}
	statsCmd struct {
		aggs  []projItem // expressions holding aggregation calls
		by    []projItem
		calls []*call // every aggregation call of aggs, by slot
	}
	sortKey struct {
		x    expr
		desc bool
	}
	sortCmd struct {
		keys []sortKey
	}
	limitCmd struct {
		n   int
		any bool
	}
	parseCmd struct {
		src   expr
		re    *regexp.Regexp
		names []string // output field per capture group, in group order
	}
	dedupCmd struct {
		keys []expr
	}
)

func (*fieldsCmd) cmdName() string  { return "fields" }
func (*displayCmd) cmdName() string { return "display" }
func (*filterCmd) cmdName() string  { return "filter" }
func (*statsCmd) cmdName() string   { return "stats" }
func (*sortCmd) cmdName() string    { return "sort" }
func (*limitCmd) cmdName() string   { return "limit" }
func (*parseCmd) cmdName() string   { return "parse" }
func (*dedupCmd) cmdName() string   { return "dedup" }
