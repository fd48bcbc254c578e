package insights

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The lookup command, as the Logs Insights reference describes it
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Lookup.html):
//
//	lookup table match-field [, ...] OUTPUT|OUTPUTNEW output-field [, ...]
//
//   - table is the name of a lookup table (CreateLookupTable's lookupTableName:
//     letters, digits and underscores).
//   - each match-field is "lookup-field as log-field", a column of the table matched
//     against a field of the event ("The match is exact and case-sensitive"), or
//     "lookup-field" alone when the event's field has the column's name. "When multiple
//     match fields are specified, a row in the lookup table must match all fields to
//     produce a result (AND logic)."
//   - the output mode (its keyword case-insensitive, as the other keywords) says how the
//     output columns reach the event, under their own names. OUTPUT: "If a field with the
//     same name already exists in the log event, it is overwritten with the lookup table
//     value. If no match is found, the field is set to null." OUTPUTNEW: "Adds the output
//     fields to the results only if the field does not already exist in the log event.
//     If the field already has a value, the original value is kept. If no match is found,
//     the field is left unchanged." A field holding the empty string counts as absent
//     for OUTPUTNEW (our reading of the reference's example: a hostname field that is
//     "sometimes empty" is filled in). The reference lists no renaming of output fields:
//     "as" after the output mode is a syntax error.
//
// Where the reference is silent, our choices: an event lacking a key field matches no
// row; an event is never dropped (lookup enriches, it never filters); when several rows
// match, the first one in the table's order is used; an empty cell sets its field to the
// empty string. The table is read once, when the query starts (BindLookups): a table
// updated or deleted while the query runs does not change it.

// lookupKey is one "lookup-field as log-field" pair.
type lookupKey struct {
	col   string    // the table's column
	colAt pos       // where the column is named
	field *fieldRef // the event's field
}

// lookupOut is one output column.
type lookupOut struct {
	col string
	at  pos
}

// lookupCmd is a lookup command; bound is set by BindLookups.
type lookupCmd struct {
	table     string
	tableAt   pos
	keys      []lookupKey
	outputNew bool // OUTPUTNEW, not OUTPUT
	outs      []lookupOut
	bound     *boundLookup
}

func (*lookupCmd) cmdName() string { return "lookup" }

// boundLookup is a lookup command's table, indexed: the first row of each key (an index
// the table shares with every query using the same key columns), and the table's column
// of each output.
type boundLookup struct {
	table   *LookupTable // held, not only its rows: a cache of tables in use may hold it weakly
	outCols []int
	index   map[string]int // key (appendLookupKey) -> row
}

// lookupTableName is the pattern of a lookup table's name (the model's LookupTableName).
var lookupTableName = regexp.MustCompile(`^[a-zA-Z0-9_]{1,256}$`)

// lookup parses the rest of a lookup command.
func (p *parser) lookup() (command, error) {
	t := p.next()
	// A name of digits (or 5m) lexes as a number or a duration: its text is the name.
	name := p.src[t.start:t.end]
	if (t.kind != tIdent && t.kind != tNumber && t.kind != tDuration) || !lookupTableName.MatchString(name) {
		return nil, p.errAt(t, "expected the name of a lookup table (letters, digits and _), found %s", t)
	}
	c := &lookupCmd{table: name, tableAt: pos{t.start, t.end}}
	for {
		col := p.next()
		if col.kind != tIdent && col.kind != tQuoted || col.kind == tIdent && (isReserved(col.text) || isOutputMode(col.text)) {
			return nil, p.errAt(col, "expected a field of lookup table %s, found %s", name, col)
		}
		k := lookupKey{col: col.text, colAt: pos{col.start, col.end}, field: &fieldRef{pos: pos{col.start, col.end}, name: col.text}}
		if p.isKeyword(p.peek(), "as") {
			p.next()
			f := p.next()
			if f.kind != tIdent && f.kind != tQuoted || f.kind == tIdent && (isReserved(f.text) || isOutputMode(f.text)) {
				return nil, p.errAt(f, "expected a log field after as, found %s (quote a field of that name with backticks)", f)
			}
			k.field = &fieldRef{pos: pos{f.start, f.end}, name: f.text}
		}
		c.keys = append(c.keys, k)
		if !p.isOp(p.peek(), ",") {
			break
		}
		p.next()
	}
	switch kw := p.next(); {
	case p.isKeyword(kw, "output"):
	case p.isKeyword(kw, "outputnew"):
		c.outputNew = true
	default:
		return nil, p.errAt(kw, "expected OUTPUT or OUTPUTNEW and the fields of lookup table %s to add, found %s", name, kw)
	}
	for {
		col := p.next()
		if col.kind != tIdent && col.kind != tQuoted || col.kind == tIdent && isReserved(col.text) {
			return nil, p.errAt(col, "expected a field of lookup table %s to output, found %s", name, col)
		}
		if slices.ContainsFunc(c.outs, func(o lookupOut) bool { return o.col == col.text }) {
			return nil, p.errAt(col, "field %s is output twice", col.text)
		}
		c.outs = append(c.outs, lookupOut{col: col.text, at: pos{col.start, col.end}})
		if !p.isOp(p.peek(), ",") {
			return c, nil
		}
		p.next()
	}
}

// isOutputMode reports whether an identifier is one of the lookup command's output modes.
func isOutputMode(s string) bool {
	return strings.EqualFold(s, "output") || strings.EqualFold(s, "outputnew")
}

// LookupTables returns the names of the lookup tables q's lookup commands use, each once,
// in the order the query names them first.
func (q *Query) LookupTables() []string {
	var names []string
	for _, c := range q.cmds {
		if l, ok := c.(*lookupCmd); ok && !slices.Contains(names, l.table) {
			names = append(names, l.table)
		}
	}
	return names
}

// MissingTableError is a query's lookup table that BindLookups was not given: a table
// that does not exist (the service answers a query naming a deleted table with an error,
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLookupTable.html:
// "Queries that reference a deleted table will return an error").
type MissingTableError struct {
	Name string
}

func (e *MissingTableError) Error() string {
	return fmt.Sprintf("insights: lookup table %s does not exist", e.Name)
}

// BindLookups returns a copy of q whose lookup commands use tables (by name), as they are
// now: a later change to the tables' storage does not reach the copy. A table q names
// that tables lacks is a *MissingTableError; a column of a command that its table lacks
// is a *SyntaxError at the column's name. A query with lookup commands must be bound
// before NewRun: an unbound lookup matches no event. q itself is not changed.
func (q *Query) BindLookups(tables map[string]*LookupTable) (*Query, error) {
	out := &Query{src: q.src, cmds: slices.Clone(q.cmds)}
	for i, c := range out.cmds {
		l, ok := c.(*lookupCmd)
		if !ok {
			continue
		}
		t := tables[l.table]
		if t == nil {
			return nil, &MissingTableError{Name: l.table}
		}
		b := &boundLookup{table: t}
		col := func(name string, at pos) (int, error) {
			j := slices.Index(t.Fields, name)
			if j < 0 {
				return 0, &SyntaxError{Start: at.start, End: at.end,
					Msg: fmt.Sprintf("lookup table %s has no field %s (its fields: %s)", l.table, name, fieldList(t.Fields))}
			}
			return j, nil
		}
		var keyCols []int
		for _, k := range l.keys {
			j, err := col(k.col, k.colAt)
			if err != nil {
				return nil, err
			}
			keyCols = append(keyCols, j)
		}
		for _, o := range l.outs {
			j, err := col(o.col, o.at)
			if err != nil {
				return nil, err
			}
			b.outCols = append(b.outCols, j)
		}
		b.index = t.index(keyCols)
		bound := *l
		bound.bound = b
		out.cmds[i] = &bound
	}
	return out, nil
}

// maxListedFields is how many of a table's fields an error lists.
const maxListedFields = 20

// fieldList lists a table's field names for an error: quoted (a header written "id, name"
// has a field " name", and the quotes show its space), at most maxListedFields of them
// (a 10 MB header may name a million).
func fieldList(fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		if i == maxListedFields {
			fmt.Fprintf(&b, " and %d more", len(fields)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(f))
	}
	return b.String()
}

// appendLookupKey appends one value of a composite key, length-prefixed so that no two
// lists of values make the same key.
func appendLookupKey(b []byte, v string) []byte {
	b = strconv.AppendInt(b, int64(len(v)), 10)
	b = append(b, ':')
	return append(b, v...)
}

// lookupStage adds the output columns of the matching row to each row (lookupCmd's
// output modes).
type lookupStage struct {
	c    *lookupCmd
	key  []byte // scratch
	next stage
}

func (l *lookupStage) push(r *row) bool {
	b := l.c.bound
	if b == nil {
		return l.next.push(r)
	}
	i, ok := l.match(r)
	switch {
	case !ok && l.c.outputNew: // "If no match is found, the field is left unchanged."
	case !ok: // OUTPUT: "If no match is found, the field is set to null."
		for _, o := range l.c.outs {
			if r.get(o.col).k != kNull {
				r.put(o.col, null)
			}
		}
	default:
		row := b.table.Rows[i]
		r.grow(len(b.outCols))
		for n, j := range b.outCols {
			name := l.c.outs[n].col
			if l.c.outputNew {
				if v := r.get(name); v.k != kNull && v.String() != "" {
					continue // "If the field already has a value, the original value is kept."
				}
			}
			r.put(name, str(row[j]))
		}
	}
	return l.next.push(r)
}

// match returns the index of r's row in the table, if r has every key field and a row
// has their values.
func (l *lookupStage) match(r *row) (int, bool) {
	l.key = l.key[:0]
	for _, k := range l.c.keys {
		v := r.get(k.field.name)
		if v.k == kNull {
			return 0, false
		}
		l.key = appendLookupKey(l.key, v.String())
	}
	i, ok := l.c.bound.index[string(l.key)]
	return i, ok
}

func (l *lookupStage) finish() { l.next.finish() }
