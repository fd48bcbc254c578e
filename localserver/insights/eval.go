package insights

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Record is one log event as a query sees it.
type Record struct {
	// Timestamp and IngestionTime are milliseconds since the epoch (@timestamp and
	// @ingestionTime).
	Timestamp     int64
	IngestionTime int64
	// Message is the event's text (@message), as the query's reader may see it: masked
	// by the data protection policies in force at its ingestion, if any.
	Message string
	// Unmasked is the event's text before masking, which unmask(@message) returns (see
	// unmask.go). Empty means Message: nothing was masked, or the query does not call
	// unmask (Query.Unmasks), so that the caller need not keep it.
	Unmasked string
	// TransformationError is the @transformationError system field: why the log
	// transformer in force at ingestion failed on the event, which then reads as it was
	// sent. Empty when it did not fail (the field is then missing).
	TransformationError string
	// LogGroup is the @log value: "accountId:logGroupName".
	LogGroup string
	// LogStream is the stream's name (@logStream).
	LogStream string
	// Ptr is the opaque pointer GetLogRecord accepts (@ptr). When it is empty and MakePtr
	// is set, MakePtr(r) makes it, only for the rows that show it and the queries that
	// read it: a scan need not build one for every record. MakePtr returns a new string
	// (rows keep it).
	Ptr     string
	MakePtr func(r *Record) string
	// Key is where the storage keeps the record, opaque to this package (for MakePtr).
	Key [5]int64
}

// ptr is the record's @ptr (see Ptr).
func (r *Record) ptr() string {
	if r.Ptr == "" && r.MakePtr != nil {
		return r.MakePtr(r)
	}
	return r.Ptr
}

// ownedPtr is ptr for a result row, which outlives the record: Ptr copied (the caller's
// text may be reused), MakePtr's as it is (a new string).
func (r *Record) ownedPtr() string {
	if r.Ptr != "" {
		return strings.Clone(r.Ptr)
	}
	return r.ptr()
}

// MaxJSONFields is how many fields are discovered in one JSON message at most (the
// service's documented limit); later fields are left out.
const MaxJSONFields = 200

// row is a record on its way through a query, or a result row of stats.
type row struct {
	rec      *Record
	set      []setField // fields created by fields, parse and stats: few, searched in order
	json     map[string]string
	jsonDone bool
	aggs     []value // stats results while a stats row's outputs are computed
	// args is the Run's stack of function arguments (see eval), shared by every row of
	// the Run: the rows are evaluated one at a time.
	args *[]value
}

// setField is a field created by fields, parse or stats.
type setField struct {
	name string
	v    value
}

func (r *row) get(name string) value {
	for i := range r.set {
		if r.set[i].name == name {
			return r.set[i].v
		}
	}
	if r.rec == nil {
		return null
	}
	switch name {
	case "@timestamp":
		return tstamp(r.rec.Timestamp)
	case "@ingestionTime":
		return tstamp(r.rec.IngestionTime)
	case "@message":
		return str(r.rec.Message)
	case "@logStream":
		return str(r.rec.LogStream)
	case "@log":
		return str(r.rec.LogGroup)
	case "@ptr":
		return str(r.rec.ptr())
	case "@transformationError":
		if r.rec.TransformationError == "" {
			return null
		}
		return str(r.rec.TransformationError)
	}
	if !r.jsonDone {
		r.json = FlattenJSON(r.rec.Message)
		r.jsonDone = true
	}
	if s, ok := r.json[name]; ok {
		return str(s)
	}
	return null
}

func (r *row) put(name string, v value) {
	for i := range r.set {
		if r.set[i].name == name {
			r.set[i].v = v
			return
		}
	}
	r.set = append(r.set, setField{name, v})
}

// grow makes room for n more fields without reallocation.
func (r *row) grow(n int) { r.set = slices.Grow(r.set, n) }

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// eval evaluates x for r.
func eval(x expr, r *row) value {
	switch n := x.(type) {
	case *fieldRef:
		return r.get(n.name)
	case *literal:
		return n.v
	case *regexLit:
		return str(n.re.String())
	case *unary:
		v := eval(n.x, r)
		if n.op == "not" {
			return boolean(!v.truthy())
		}
		f, ok := v.number()
		if !ok {
			return null
		}
		return num(-f)
	case *binary:
		return evalBinary(n, r)
	case *likeExpr:
		v := eval(n.x, r)
		if v.k == kNull {
			return boolean(false)
		}
		var m bool
		if n.re != nil {
			m = n.re.MatchString(v.String())
		} else {
			m = strings.Contains(v.String(), n.substr)
		}
		return boolean(m != n.negate)
	case *inExpr:
		v := eval(n.x, r)
		if v.k == kNull {
			return boolean(false)
		}
		found := false
		for _, e := range n.list {
			if c, ok := compare(v, eval(e, r)); ok && c == 0 {
				found = true
				break
			}
		}
		return boolean(found != n.negate)
	case *call:
		if n.agg {
			if n.slot < len(r.aggs) {
				return r.aggs[n.slot]
			}
			return null
		}
		// The arguments go on the Run's stack (no functions keep them), above those of
		// the calls being evaluated, whose own arguments (nested calls) come and go above.
		base := len(*r.args)
		for _, a := range n.args {
			v := eval(a, r)
			*r.args = append(*r.args, v)
		}
		v := n.fn(r, (*r.args)[base:])
		*r.args = (*r.args)[:base]
		return v
	}
	return null
}

func evalBinary(n *binary, r *row) value {
	switch n.op {
	case "and":
		return boolean(eval(n.l, r).truthy() && eval(n.r, r).truthy())
	case "or":
		return boolean(eval(n.l, r).truthy() || eval(n.r, r).truthy())
	}
	l, rv := eval(n.l, r), eval(n.r, r)
	switch n.op {
	case "=", "!=", "<", "<=", ">", ">=":
		c, ok := compare(l, rv)
		if !ok {
			return boolean(false)
		}
		switch n.op {
		case "=":
			return boolean(c == 0)
		case "!=":
			return boolean(c != 0)
		case "<":
			return boolean(c < 0)
		case "<=":
			return boolean(c <= 0)
		case ">":
			return boolean(c > 0)
		}
		return boolean(c >= 0)
	}
	x, ok1 := l.number()
	y, ok2 := rv.number()
	if !ok1 || !ok2 {
		return null
	}
	var z float64
	switch n.op {
	case "+":
		z = x + y
	case "-":
		z = x - y
	case "*":
		z = x * y
	case "/":
		if y == 0 {
			return null
		}
		z = x / y
	case "%":
		if y == 0 {
			return null
		}
		z = math.Mod(x, y)
	case "^":
		z = math.Pow(x, y)
	}
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return null
	}
	// A timestamp moved by a number of milliseconds stays a timestamp.
	if (n.op == "+" || n.op == "-") && l.k == kTime && rv.k != kTime {
		return tstamp(int64(z))
	}
	return num(z)
}

// groupKey appends a key identifying vals (kind and text of each) to b, without making
// their text: a timestamp (always whole milliseconds) as its milliseconds, which
// identify it as its text does, numbers appended in place.
func groupKey(b *bytes.Buffer, vals []value) {
	for _, v := range vals {
		b.WriteByte(byte(v.k))
		switch v.k {
		case kTime:
			b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(v.n), 10))
		case kNum, kPeriod:
			if v.n == math.Trunc(v.n) && math.Abs(v.n) < 1e15 { // as formatNum
				b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(v.n), 10))
			} else {
				b.Write(strconv.AppendFloat(b.AvailableBuffer(), v.n, 'f', -1, 64))
			}
		default:
			b.WriteString(v.String())
		}
		b.WriteByte(0)
	}
}
