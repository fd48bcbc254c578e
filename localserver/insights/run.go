package insights

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLimit is how many rows a query returns at most when neither the query (limit)
// nor the caller (Options.Limit) says: the service's documented default.
const DefaultLimit = 10_000

// Options tunes a Run. The zero value is the service's behaviour.
type Options struct {
	// Limit caps the result rows (StartQuery's limit); a limit command in the query can
	// only lower it. 0 means the query's own largest limit (up to 100,000: "You can
	// specify a limit value of up to 100,000", CWL_QuerySyntax-Limit), or DefaultLimit
	// when it has none or a smaller one.
	Limit int
}

// Field is one field of a result row.
type Field struct {
	Name, Value string
}

// Result is a finished query's answer, or a running one's answer so far (Run.Progress).
type Result struct {
	// Rows are the result rows; each lists its fields in the query's order, leaving out
	// fields without a value. Rows of log events end with @ptr.
	Rows [][]Field
	// RecordsScanned and BytesScanned count every record given to Add (bytes of
	// messages); RecordsMatched counts those that passed the query's filters up to its
	// first stats, sort, limit, dedup or pattern.
	RecordsMatched, RecordsScanned, BytesScanned int64
}

// stage is one step of the pipeline: push gives it a row and reports whether more input
// is wanted; finish flushes what it holds to the next stage.
type stage interface {
	push(r *row) bool
	finish()
}

// publishEvery is how many records Add evaluates at most between two publications of
// the counts to Progress (it also publishes whenever a result row is added).
const publishEvery = 1024

// intermediateEvery is the least time between two intermediate answers that Add makes by
// itself (Run.Publish): clients poll a query every second or so, not every millisecond.
const intermediateEvery = 100 * time.Millisecond

// Run evaluates a query over records given in the order the service presents events
// without a sort command: newest @timestamp first. Add, Publish and Result must be
// called from one goroutine at a time; Progress may be called from any goroutine, at
// any time.
type Run struct {
	q       *Query
	head    stage
	sink    *sink
	matched int64
	scanned int64
	bytes   int64
	done    bool
	stopped bool
	args    []value // the stack of function arguments of the rows being evaluated
	reuse   *row    // when not nil, the row every record goes through (see NewRun)
	limit   int     // the sink's capacity
	// hold is the first stats or sort stage, at q.cmds[holdAt]: the one that holds what
	// Progress shows of a query that has one (nil when it has none).
	hold   holder
	holdAt int

	// pub is what Progress answers, as of the last publish; pubRows and pubScanned are
	// len(sink.rows) and scanned then, snapScanned scanned at the last intermediate
	// answer of hold (read only by the feeding goroutine); want is set by Progress.
	pubMu       sync.Mutex
	pub         Result
	pubRows     int
	pubScanned  int64
	snapScanned int64
	snapAt      time.Time     // when the last intermediate answer was made
	snapEvery   time.Duration // intermediateEvery (tests change it)
	want        atomic.Bool
}

// holder is a stage that holds its rows until the end (stats, sort) and can show what
// it holds so far.
type holder interface {
	stage
	// held is how many groups or rows it holds.
	held() int
	// emit pushes to next the rows its finish would push now, and leaves its state as it
	// was (next is a fresh pipeline, which emit does not finish).
	emit(next stage)
}

// NewRun starts an evaluation of q.
func (q *Query) NewRun(opts Options) *Run {
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
		for _, c := range q.cmds {
			if l, ok := c.(*limitCmd); ok {
				limit = max(limit, l.n)
			}
		}
	}
	run := &Run{q: q, limit: limit, holdAt: -1, snapEvery: intermediateEvery}
	run.sink = &sink{cap: limit, cols: q.outputColumns()}
	run.head = run.pipeline(q.cmds, run.sink, &run.matched)
	// Only sort keeps the rows of records it is given (stats keeps owned copies of
	// values, dedup its keys, the sink owned text): without a sort before the first
	// stats (run.hold is the first of either), each record can go through the query in
	// the same row.
	if _, ok := run.hold.(*sorter); !ok {
		run.reuse = &row{}
	}
	return run
}

// pipeline builds the stages of cmds, back to front, ending in sink. With matched, the
// match counter sits before the first stage that is not a per-record filter or
// transformation, and the first stats or sort stage is run.hold.
func (run *Run) pipeline(cmds []command, sink stage, matched *int64) stage {
	firstGlobal := len(cmds)
	for i, c := range cmds {
		switch c.(type) {
		case *statsCmd, *sortCmd, *limitCmd, *dedupCmd, *patternCmd:
			firstGlobal = min(firstGlobal, i)
		}
	}
	next := sink
	if matched != nil && firstGlobal == len(cmds) {
		next = &counter{next: next, n: matched}
	}
	for i := len(cmds) - 1; i >= 0; i-- {
		next = newStage(cmds[i], next)
		switch st := next.(type) {
		case *sorter:
			st.keep = keepAfter(cmds[i+1:], run.limit)
		case *stats:
			st.args = &run.args // for the calls of the rows it emits
		}
		if h, ok := next.(holder); ok && matched != nil {
			run.hold, run.holdAt = h, i // the last one set is the first in cmds
		}
		if matched != nil && i == firstGlobal {
			next = &counter{next: next, n: matched}
		}
	}
	return next
}

// intermediate is the answer over the records so far of a query with stats or sort: what
// its first stats or sort holds, through a fresh copy of the commands after it.
func (run *Run) intermediate() [][]Field {
	out := &sink{cap: run.sink.cap, cols: run.sink.cols}
	head := run.pipeline(run.q.cmds[run.holdAt+1:], out, nil)
	run.hold.emit(head)
	head.finish()
	return out.rows
}

// KeepsRecords reports whether the run may keep a Record given to Add after Add has
// returned (a sort before the first stats keeps them). When it does not, it keeps
// nothing of them, their text included (what it keeps, it copies): the caller may give
// every record in the same Record, changed between calls, its text in memory the caller
// reuses.
func (run *Run) KeepsRecords() bool { return run.reuse == nil }

// Add evaluates one record. It reports whether more records can change the result:
// false after a "limit any" has its rows.
func (run *Run) Add(rec *Record) bool {
	if run.done || run.stopped {
		return false
	}
	run.scanned++
	run.bytes += int64(len(rec.Message))
	r := run.reuse
	if r != nil {
		clear(r.set) // drop the previous record's values
		*r = row{rec: rec, set: r.set[:0], args: &run.args}
	} else {
		r = &row{rec: rec, args: &run.args}
	}
	if !run.head.push(r) {
		run.stopped = true
	}
	if len(run.sink.rows) != run.pubRows || run.scanned-run.pubScanned >= publishEvery {
		run.publish(false)
	}
	return !run.stopped
}

// Publish makes the rows and counts so far visible to Progress, the intermediate answer
// of a query with stats or sort included (which costs as much as finishing the query
// over what it holds). Add publishes by itself whenever a result row is added and every
// 1024 records (an intermediate answer only when Progress has been called since the last
// one, at most once per as many records as it covers groups or rows, and at most every
// 100 ms); a caller needs Publish only to make Progress exact at a given record (before
// pausing, say).
func (run *Run) Publish() { run.publish(true) }

func (run *Run) publish(force bool) {
	// The rows of a query without stats or sort are shared, not copied: rows in the sink
	// are never changed once added, and appending writes only beyond the published length
	// (the capacity is capped, so that no reader can append into the shared array either).
	n := len(run.sink.rows)
	rows := run.sink.rows[:n:n]
	run.pubRows, run.pubScanned = n, run.scanned
	fresh := run.hold == nil
	if !fresh && !run.done && (force || run.intermediateDue()) {
		run.want.Store(false)
		rows, fresh = run.intermediate(), true
		run.snapScanned, run.snapAt = run.scanned, time.Now()
	}
	run.pubMu.Lock()
	if fresh {
		run.pub.Rows = rows
	}
	run.pub.RecordsMatched, run.pub.RecordsScanned, run.pub.BytesScanned = run.matched, run.scanned, run.bytes
	run.pubMu.Unlock()
}

// intermediateDue reports whether Add should make an intermediate answer now: Progress
// asked for one, and since the last one, at least as many records were scanned as hold
// holds groups or rows and snapEvery has passed.
func (run *Run) intermediateDue() bool {
	return run.want.Load() && run.scanned-run.snapScanned >= int64(run.hold.held()) &&
		(run.snapAt.IsZero() || time.Since(run.snapAt) >= run.snapEvery)
}

// Progress is the answer so far, as of the last publication (see Publish): the counts
// of the records evaluated and the rows of the answer over those records. When the query
// has no stats and no sort, those are the rows found, the first rows of the final
// answer, in its order; with stats or sort, they are its intermediate answer (aggregates
// or order over the records so far), made on the feeding goroutine after a call of
// Progress asks for it, so a poll shows the one its previous poll asked for. Safe to
// call concurrently with Add; the rows it returns must not be changed.
func (run *Run) Progress() Result {
	run.want.Store(true)
	run.pubMu.Lock()
	defer run.pubMu.Unlock()
	return run.pub
}

// Counts is Progress without the rows: the counts as of the last publication. Unlike
// Progress, it does not ask for an intermediate answer, which a caller that shows only
// the counts (a listing of queries) would otherwise have the feeding goroutine make.
func (run *Run) Counts() Result {
	run.pubMu.Lock()
	defer run.pubMu.Unlock()
	return Result{RecordsMatched: run.pub.RecordsMatched, RecordsScanned: run.pub.RecordsScanned, BytesScanned: run.pub.BytesScanned}
}

// Result finishes the evaluation and returns the answer. Call it once, after the last Add.
func (run *Run) Result() *Result {
	if !run.done {
		run.done = true
		run.head.finish()
	}
	return &Result{Rows: run.sink.rows, RecordsMatched: run.matched, RecordsScanned: run.scanned, BytesScanned: run.bytes}
}

// outputColumns lists the result fields: those of the last display, else those of fields
// commands and parse (after the last stats, whose outputs come first), else @timestamp
// and @message followed by parsed fields.
func (q *Query) outputColumns() []string {
	var cols, display []string
	explicit := false
	add := func(n string) {
		if !slices.Contains(cols, n) {
			cols = append(cols, n)
		}
	}
	for _, c := range q.cmds {
		switch c := c.(type) {
		case *fieldsCmd:
			explicit = true
			for _, it := range c.items {
				add(it.name)
			}
		case *parseCmd:
			for _, n := range c.names {
				if n != "" {
					add(n)
				}
			}
		case *lookupCmd:
			for _, o := range c.outs {
				add(o.col)
			}
		case *displayCmd:
			display = display[:0]
			for _, it := range c.items {
				if !slices.Contains(display, it.name) {
					display = append(display, it.name)
				}
			}
		case *patternCmd:
			cols, display, explicit = slices.Clone(patternFields), nil, true
		case *statsCmd:
			cols, display, explicit = nil, nil, true
			for _, it := range c.by {
				add(it.name)
			}
			for _, it := range c.aggs {
				add(it.name)
			}
		}
	}
	if display != nil {
		return display
	}
	if !explicit {
		return append([]string{"@timestamp", "@message"}, cols...)
	}
	return cols
}

func newStage(c command, next stage) stage {
	switch c := c.(type) {
	case *fieldsCmd:
		return &project{items: c.items, next: next}
	case *displayCmd:
		return &project{items: c.items, next: next}
	case *filterCmd:
		return &filter{cond: c.cond, next: next}
	case *parseCmd:
		return &parseStage{c: c, next: next}
	case *lookupCmd:
		return &lookupStage{c: c, next: next}
	case *statsCmd:
		return &stats{c: c, groups: map[string]*group{}, next: next}
	case *sortCmd:
		return &sorter{keys: c.keys, next: next}
	case *limitCmd:
		return &limiter{n: c.n, any: c.any, next: next}
	case *dedupCmd:
		return &dedup{keys: c.keys, seen: map[string]bool{}, next: next}
	case *patternCmd:
		return newPatternStage(c, next)
	}
	panic("insights: unknown command")
}

type counter struct {
	next stage
	n    *int64
}

func (c *counter) push(r *row) bool { *c.n++; return c.next.push(r) }
func (c *counter) finish()          { c.next.finish() }

type project struct {
	items []projItem
	vals  []value // scratch, reused for every row
	next  stage
}

func (p *project) push(r *row) bool {
	// Evaluate every item before setting any, so that "fields a as b, b as a" swaps.
	if p.vals == nil {
		p.vals = make([]value, len(p.items))
	}
	vals := p.vals
	for i, it := range p.items {
		vals[i] = eval(it.x, r)
	}
	r.grow(len(p.items))
	for i, it := range p.items {
		r.put(it.name, vals[i])
	}
	return p.next.push(r)
}
func (p *project) finish() { p.next.finish() }

type filter struct {
	cond expr
	next stage
}

func (f *filter) push(r *row) bool {
	if !eval(f.cond, r).truthy() {
		return true
	}
	return f.next.push(r)
}
func (f *filter) finish() { f.next.finish() }

type parseStage struct {
	c    *parseCmd
	next stage
}

func (p *parseStage) push(r *row) bool {
	v := eval(p.c.src, r)
	if v.k != kNull {
		text := v.String()
		// The indexes, not the strings: one slice made instead of two.
		if m := p.c.re.FindStringSubmatchIndex(text); m != nil {
			r.grow(len(p.c.names))
			for i, n := range p.c.names {
				if n == "" {
					continue
				}
				sub := "" // a group that took no part in the match, as FindStringSubmatch
				if a, b := m[2*i+2], m[2*i+3]; a >= 0 {
					sub = text[a:b]
				}
				r.put(n, str(sub))
			}
		}
	}
	return p.next.push(r)
}
func (p *parseStage) finish() { p.next.finish() }

type limiter struct {
	n, seen int
	any     bool
	next    stage
}

func (l *limiter) push(r *row) bool {
	if l.seen >= l.n {
		return !l.any
	}
	l.seen++
	more := l.next.push(r)
	if l.any && l.seen >= l.n {
		return false
	}
	return more || !l.any
}
func (l *limiter) finish() { l.next.finish() }

type dedup struct {
	keys []expr
	seen map[string]bool
	vals []value // scratch, reused for every row
	buf  bytes.Buffer
	next stage
}

func (d *dedup) push(r *row) bool {
	if d.vals == nil {
		d.vals = make([]value, len(d.keys))
	}
	vals := d.vals
	for i, k := range d.keys {
		vals[i] = eval(k, r)
		if vals[i].k == kNull {
			return d.next.push(r) // a missing value is never a duplicate
		}
	}
	d.buf.Reset()
	groupKey(&d.buf, vals)
	if d.seen[string(d.buf.Bytes())] { // looked up without making a string
		return true
	}
	d.seen[d.buf.String()] = true
	return d.next.push(r)
}
func (d *dedup) finish() { d.next.finish() }

// keepAfter is how many sorted rows the commands after a sort can use: when none of them
// drops or merges rows (only fields, display, parse and limit follow), the first
// min(limits, cap) rows; else 0, every row.
func keepAfter(cmds []command, cap int) int {
	keep := cap
	for _, c := range cmds {
		switch c := c.(type) {
		case *fieldsCmd, *displayCmd, *parseCmd, *lookupCmd:
		case *limitCmd:
			keep = min(keep, c.n)
		default:
			return 0
		}
	}
	return keep
}

// sorter holds rows until the end, then passes them on in order. With keep > 0 only the
// first keep rows can matter, so it holds at most 2*keep rows: a "sort | limit" over
// millions of events keeps (and pins the chunks of) only the rows it can return.
type sorter struct {
	keys []sortKey
	keep int
	rows []keyedRow
	next stage
}

type keyedRow struct {
	r    *row
	vals []value
}

func (s *sorter) push(r *row) bool {
	// Rows are not changed once pushed here (later stages run after finish), so the keys
	// can be evaluated now.
	vals := make([]value, len(s.keys))
	for j, k := range s.keys {
		vals[j] = eval(k.x, r)
	}
	s.rows = append(s.rows, keyedRow{r, vals})
	if s.keep > 0 && len(s.rows) >= 2*s.keep {
		s.sort()
		clear(s.rows[s.keep:])
		s.rows = s.rows[:s.keep]
	}
	return true
}

// sort orders s.rows stably: rows kept from an earlier sort arrived before the others, so
// ties keep arrival order across truncations.
func (s *sorter) sort() {
	sort.SliceStable(s.rows, func(i, j int) bool {
		for k, key := range s.keys {
			a, b := s.rows[i].vals[k], s.rows[j].vals[k]
			c := sortCompare(a, b)
			if c == 0 {
				continue
			}
			if key.desc && a.k != kNull && b.k != kNull {
				c = -c // missing values stay last in both directions
			}
			return c < 0
		}
		return false
	})
}

func (s *sorter) held() int { return len(s.rows) }

// emit pushes copies of the rows held, in order: the commands after it change the rows
// they are given, and the originals go on to the final answer. (Sorting them in place
// keeps the final order: rows held now all arrived before those to come.)
func (s *sorter) emit(next stage) {
	s.sort()
	for _, k := range s.rows {
		c := *k.r
		c.set = slices.Clone(k.r.set)
		if !next.push(&c) {
			break
		}
	}
}

func (s *sorter) finish() {
	s.sort()
	rows := s.rows
	s.rows = nil
	for _, k := range rows {
		if !s.next.push(k.r) {
			break
		}
	}
	s.next.finish()
}

// group is one stats group: its by values and its aggregation states.
type group struct {
	by   []value
	accs []accumulator
}

type stats struct {
	c      *statsCmd
	groups map[string]*group
	order  []*group
	by     []value // scratch, reused for every row
	buf    bytes.Buffer
	args   *[]value // the Run's argument stack, given to the rows it emits
	next   stage
}

func (s *stats) push(r *row) bool {
	if s.by == nil {
		s.by = make([]value, len(s.c.by))
	}
	for i, it := range s.c.by {
		s.by[i] = eval(it.x, r)
	}
	s.buf.Reset()
	groupKey(&s.buf, s.by)
	g := s.groups[string(s.buf.Bytes())] // looked up without making a string
	if g == nil {
		by := make([]value, len(s.by))
		for i, v := range s.by {
			by[i] = v.owned()
		}
		g = &group{by: by, accs: make([]accumulator, len(s.c.calls))}
		for i, cl := range s.c.calls {
			g.accs[i] = newAccumulator(cl)
		}
		s.groups[s.buf.String()] = g
		s.order = append(s.order, g)
	}
	for i, cl := range s.c.calls {
		g.accs[i].add(cl, r)
	}
	return true
}

// finish emits one row per group, in the order the groups first appeared (with records
// newest first, the newest group first).
func (s *stats) finish() {
	s.emit(s.next)
	s.groups, s.order = nil, nil
	s.next.finish()
}

func (s *stats) held() int { return len(s.order) }

// emit pushes one row per group to next, leaving the groups as they are (an accumulator's
// result does not change its state).
func (s *stats) emit(next stage) {
	order := s.order
	if len(order) == 0 && len(s.c.by) == 0 {
		// stats without by answers one row even when nothing matched (count() is 0).
		g := &group{accs: make([]accumulator, len(s.c.calls))}
		for i, cl := range s.c.calls {
			g.accs[i] = newAccumulator(cl)
		}
		order = []*group{g}
	}
	for _, g := range order {
		out := &row{aggs: make([]value, len(g.accs)), set: make([]setField, 0, len(s.c.by)+len(s.c.aggs)), args: s.args}
		for i, a := range g.accs {
			out.aggs[i] = a.result()
		}
		for i, it := range s.c.by {
			out.put(it.name, g.by[i])
		}
		// In order, so that an item can use the names of those before it.
		for _, it := range s.c.aggs {
			out.put(it.name, eval(it.x, out))
		}
		out.aggs = nil
		if !next.push(out) {
			break
		}
	}
}

// accumulator is the state of one aggregation call in one group.
type accumulator interface {
	add(c *call, r *row)
	result() value
}

func newAccumulator(c *call) accumulator {
	switch c.name {
	case "count":
		return &countAcc{}
	case "count_distinct":
		return &distinctAcc{seen: map[string]bool{}}
	case "sum", "avg", "stddev":
		return &sumAcc{fn: c.name}
	case "min", "max":
		return &extremeAcc{max: c.name == "max"}
	case "earliest", "latest":
		return &timeAcc{latest: c.name == "latest"}
	case "pct":
		return &pctAcc{p: c.args[1].(*literal).v.n}
	}
	panic("insights: unknown aggregation " + c.name)
}

type countAcc struct{ n int64 }

func (a *countAcc) add(c *call, r *row) {
	if c.star || len(c.args) == 0 || eval(c.args[0], r).k != kNull {
		a.n++
	}
}
func (a *countAcc) result() value { return num(float64(a.n)) }

type distinctAcc struct{ seen map[string]bool }

func (a *distinctAcc) add(c *call, r *row) {
	if v := eval(c.args[0], r); v.k != kNull {
		if k := v.String(); !a.seen[k] {
			a.seen[strings.Clone(k)] = true
		}
	}
}
func (a *distinctAcc) result() value { return num(float64(len(a.seen))) }

type sumAcc struct {
	fn       string
	n        int64
	sum      float64
	mean, m2 float64 // Welford's running variance
}

func (a *sumAcc) add(c *call, r *row) {
	x, ok := eval(c.args[0], r).number()
	if !ok {
		return
	}
	a.n++
	a.sum += x
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m2 += d * (x - a.mean)
}

func (a *sumAcc) result() value {
	if a.n == 0 {
		return null
	}
	switch a.fn {
	case "sum":
		return num(a.sum)
	case "avg":
		return num(a.sum / float64(a.n))
	}
	if a.n < 2 {
		return num(0)
	}
	return num(math.Sqrt(a.m2 / float64(a.n-1))) // sample standard deviation
}

type extremeAcc struct {
	max  bool
	best value
}

func (a *extremeAcc) add(c *call, r *row) {
	v := eval(c.args[0], r)
	if v.k == kNull {
		return
	}
	if a.best.k == kNull {
		a.best = v.owned()
		return
	}
	cmp := sortCompare(v, a.best)
	if (a.max && cmp > 0) || (!a.max && cmp < 0) {
		a.best = v.owned()
	}
}
func (a *extremeAcc) result() value { return a.best }

type timeAcc struct {
	latest bool
	ts     float64
	v      value
}

func (a *timeAcc) add(c *call, r *row) {
	v := eval(c.args[0], r)
	if v.k == kNull {
		return
	}
	ts, ok := r.get("@timestamp").number()
	if !ok {
		return
	}
	// Ties keep the first record seen (records arrive newest first).
	if a.v.k == kNull || (a.latest && ts > a.ts) || (!a.latest && ts <= a.ts) {
		a.ts, a.v = ts, v.owned()
	}
}
func (a *timeAcc) result() value { return a.v }

type pctAcc struct {
	p    float64
	vals []float64
}

func (a *pctAcc) add(c *call, r *row) {
	if x, ok := eval(c.args[0], r).number(); ok {
		a.vals = append(a.vals, x)
	}
}

// result is the nearest-rank percentile: the smallest value with at least p percent of
// the values at or below it.
func (a *pctAcc) result() value {
	if len(a.vals) == 0 {
		return null
	}
	slices.Sort(a.vals)
	i := int(math.Ceil(a.p/100*float64(len(a.vals)))) - 1
	return num(a.vals[max(0, min(len(a.vals)-1, i))])
}

// sink collects the result rows.
type sink struct {
	cap  int
	cols []string
	rows [][]Field
}

func (s *sink) push(r *row) bool {
	if len(s.rows) >= s.cap {
		return true // keep scanning: the statistics count every record
	}
	out := make([]Field, 0, len(s.cols)+1)
	ptr := false
	for _, c := range s.cols {
		v := r.get(c)
		if v.k == kNull {
			continue
		}
		// Owned: the row outlives the record, whose text may be a slice of a whole chunk.
		out = append(out, Field{Name: c, Value: v.owned().String()})
		ptr = ptr || c == "@ptr"
	}
	if r.rec != nil && !ptr {
		out = append(out, Field{Name: "@ptr", Value: r.rec.ownedPtr()})
	}
	s.rows = append(s.rows, out)
	return true
}
func (s *sink) finish() {}
