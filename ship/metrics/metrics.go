package metrics

import (
	"errors"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// ContentType is the Content-Type of the Prometheus text exposition format
// 0.0.4, which ServeHTTP writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// ShipSource is what AddShipper takes: a *ship.Shipper, or a *ship.Mux (the
// sum of its streams).
type ShipSource interface {
	Stats() ship.Stats
}

// SpoolSource is what AddSpool takes: a *spool.Spool.
type SpoolSource interface {
	Stats() spool.Stats
}

// Labels are the constant labels of a source: label name to value. Names
// follow the Prometheus data model ([a-zA-Z_][a-zA-Z0-9_]*, not starting
// with "__", and not "reason", which the Collector uses); values are any
// valid UTF-8, escaped in the output.
type Labels map[string]string

// ErrDuplicate is wrapped by the *LabelError of a registration whose labels
// are those of a source of the same kind already registered: their series
// would be the same.
var ErrDuplicate = errors.New("a source of this kind is already registered with these labels")

// LabelError reports labels refused by AddShipper or AddSpool.
type LabelError struct {
	Field  string // "label name", "label value" or "labels"
	Name   string // the label's name
	Value  string // the value refused: the name itself, the label's value or all the labels
	Reason string // why it is refused
	Err    error  // ErrDuplicate, or nil
}

// Error names the label, the field and the value refused, and why.
func (e *LabelError) Error() string {
	if e.Field == "label name" {
		return fmt.Sprintf("metrics: label name %q: %s", e.Value, e.Reason)
	}
	if e.Field == "labels" {
		return fmt.Sprintf("metrics: labels {%s}: %s", e.Value, e.Reason)
	}
	return fmt.Sprintf("metrics: %s of label %q: %q: %s", e.Field, e.Name, e.Value, e.Reason)
}

// Unwrap returns ErrDuplicate for a duplicate registration, else nil.
func (e *LabelError) Unwrap() error { return e.Err }

// source is one registered Shipper, Mux or Spool.
type source struct {
	id     uint64
	labels string // rendered: name="value",... sorted by name; "" if none
	pairs  [][2]string
	ship   ShipSource
	spool  SpoolSource
	// hw holds the highest value written of each counter sample (the
	// counter families' samples in their order, a breakdown's reasons one
	// each), so that no scrape shows a counter lower than an earlier one
	// (ShipSource and SpoolSource may be the caller's own types): Prometheus
	// would read a dip as a reset and rate() as a jump of the whole count.
	hw []atomic.Int64
}

// mono returns the value to write of counter sample k whose Stats give v:
// the highest of v and the values written before.
func (s *source) mono(k int, v int64) int64 {
	hw := &s.hw[k]
	for {
		old := hw.Load()
		if v <= old {
			return old
		}
		if hw.CompareAndSwap(old, v) {
			return v
		}
	}
}

// counterSamples returns the number of samples per source of the counter
// families of fams.
func counterSamples[S any](fams []family[S]) int {
	n := 0
	for i := range fams {
		if fams[i].typ == counter {
			n += fams[i].slots()
		}
	}
	return n
}

// slots returns how many samples a source has of f: one per reason, or one.
// A counter family's take that many places in source.hw.
func (f *family[S]) slots() int { return max(len(f.reasons), 1) }

// written returns the value to write of src's sample slot of f (a reason's
// index, or 0), whose Stats give v, when f's first sample is at k in
// src.hw: for a counter, the highest written yet (see source.mono); else v.
func (f *family[S]) written(src *source, k, slot int, v int64) int64 {
	if f.typ == counter {
		return src.mono(k+slot, v)
	}
	return v
}

// Collector exposes the counters of the sources registered with it. Its
// zero value is not usable: call New. It is safe for concurrent use.
type Collector struct {
	mu     sync.Mutex
	next   uint64
	ships  []*source // sorted by labels
	spools []*source // sorted by labels
	pool   sync.Pool // of *scratch
}

// scratch is the memory a scrape reuses.
type scratch struct {
	buf    []byte
	ships  []ship.Stats
	spools []spool.Stats
	sl     []*source
	pl     []*source
}

// New returns an empty Collector.
func New() *Collector {
	return &Collector{}
}

// Registration is a registered source; Remove unregisters it.
type Registration struct {
	c  *Collector
	id uint64
}

// Remove unregisters the source: the next scrapes no longer show it. It may
// be called more than once.
func (r *Registration) Remove() {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	del := func(s *source) bool { return s.id == r.id }
	c.ships = slices.DeleteFunc(c.ships, del)
	c.spools = slices.DeleteFunc(c.spools, del)
}

// AddShipper registers a *ship.Shipper or a *ship.Mux with its constant
// labels (nil for none). It returns a *LabelError for an invalid label name
// or value, or for labels already registered by another ShipSource.
func (c *Collector) AddShipper(s ShipSource, labels Labels) (*Registration, error) {
	if s == nil {
		return nil, errors.New("metrics: AddShipper: the source is nil")
	}
	return c.add(&source{ship: s, hw: make([]atomic.Int64, counterSamples(shipFamilies))}, labels, &c.ships)
}

// AddSpool registers a *spool.Spool with its constant labels (nil for
// none). It returns a *LabelError for an invalid label name or value, or for
// labels already registered by another SpoolSource.
func (c *Collector) AddSpool(s SpoolSource, labels Labels) (*Registration, error) {
	if s == nil {
		return nil, errors.New("metrics: AddSpool: the source is nil")
	}
	return c.add(&source{spool: s, hw: make([]atomic.Int64, counterSamples(spoolFamilies))}, labels, &c.spools)
}

func (c *Collector) add(src *source, labels Labels, list *[]*source) (*Registration, error) {
	names := make([]string, 0, len(labels))
	for name := range labels {
		names = append(names, name)
	}
	slices.Sort(names)
	var b []byte
	for i, name := range names {
		if err := checkLabel(name, labels[name]); err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, name...)
		b = append(b, '=', '"')
		b = AppendEscaped(b, labels[name])
		b = append(b, '"')
		src.pairs = append(src.pairs, [2]string{name, labels[name]})
	}
	src.labels = string(b)

	c.mu.Lock()
	defer c.mu.Unlock()
	i, found := slices.BinarySearchFunc(*list, src.labels, func(s *source, l string) int { return strings.Compare(s.labels, l) })
	if found {
		return nil, &LabelError{Field: "labels", Value: src.labels, Reason: ErrDuplicate.Error(), Err: ErrDuplicate}
	}
	c.next++
	src.id = c.next
	*list = slices.Insert(*list, i, src)
	return &Registration{c: c, id: src.id}, nil
}

// checkLabel returns a *LabelError if name is not a label name a source may
// use or value is not valid UTF-8.
func checkLabel(name, value string) error {
	if !validLabelName(name) {
		return &LabelError{Field: "label name", Name: name, Value: name,
			Reason: "not a Prometheus label name (a letter or _, then letters, digits or _)"}
	}
	if strings.HasPrefix(name, "__") {
		return &LabelError{Field: "label name", Name: name, Value: name,
			Reason: "names starting with __ are reserved for Prometheus"}
	}
	if name == "reason" {
		return &LabelError{Field: "label name", Name: name, Value: name,
			Reason: "reserved: the collector labels the Dropped and Rejected breakdowns with it"}
	}
	if !utf8.ValidString(value) {
		return &LabelError{Field: "label value", Name: name, Value: value, Reason: "not valid UTF-8"}
	}
	return nil
}

// validLabelName reports whether name matches [a-zA-Z_][a-zA-Z0-9_]*.
func validLabelName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// AppendEscaped appends value to b escaped as a label value of the text
// format: backslash, double quote and line feed as \\, \" and \n.
func AppendEscaped(b []byte, value string) []byte {
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return b
}

// snapshot takes the Stats of every source, sources in the order written.
func (c *Collector) snapshot(sc *scratch) {
	c.mu.Lock()
	sc.sl = append(sc.sl[:0], c.ships...)
	sc.pl = append(sc.pl[:0], c.spools...)
	c.mu.Unlock()
	// Stats are taken outside c.mu: a source's own lock never waits for ours.
	sc.ships = sc.ships[:0]
	for _, s := range sc.sl {
		sc.ships = append(sc.ships, s.ship.Stats())
	}
	sc.spools = sc.spools[:0]
	for _, s := range sc.pl {
		sc.spools = append(sc.spools, s.spool.Stats())
	}
}

// WriteTo writes every source's metrics to w in the text exposition format
// 0.0.4 (see ContentType): the ship families, then the spool ones, each with
// HELP and TYPE lines (a family without sources is left out).
func (c *Collector) WriteTo(w io.Writer) (int64, error) {
	sc, _ := c.pool.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	c.snapshot(sc)
	b := sc.buf[:0]
	b = appendFamilies(b, shipFamilies, sc.sl, sc.ships)
	b = appendFamilies(b, spoolFamilies, sc.pl, sc.spools)
	n, err := w.Write(b)
	sc.buf = b
	clear(sc.sl) // keep no source alive from the pool
	clear(sc.pl)
	c.pool.Put(sc)
	return int64(n), err
}

// ServeHTTP writes the metrics in the text exposition format 0.0.4, to GET
// and HEAD requests; other methods get 405.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "metrics: method "+r.Method+" not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = c.WriteTo(w) // a client gone away is not ours to report
}

func appendFamilies[S any](b []byte, fams []family[S], srcs []*source, stats []S) []byte {
	if len(srcs) == 0 {
		return b
	}
	k := 0 // the first counter sample of f in source.hw
	for i := range fams {
		f := &fams[i]
		b = append(b, "# HELP "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.help...) // no backslash nor line feed in our help texts
		b = append(b, "\n# TYPE "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		for j, src := range srcs {
			st := &stats[j]
			switch {
			case f.reasons != nil:
				for ri, r := range f.reasons {
					b = appendSampleName(b, f.name, src.labels, r.name)
					b = strconv.AppendInt(b, f.written(src, k, ri, r.value(st)), 10)
					b = append(b, '\n')
				}
			case f.last != nil:
				b = appendSampleName(b, f.name, src.labels, "")
				if t := f.last(st); t.IsZero() {
					b = append(b, '0')
				} else {
					b = strconv.AppendFloat(b, float64(t.UnixMilli())/1e3, 'f', -1, 64)
				}
				b = append(b, '\n')
			default:
				b = appendSampleName(b, f.name, src.labels, "")
				b = strconv.AppendInt(b, f.written(src, k, 0, f.value(st)), 10)
				b = append(b, '\n')
			}
		}
		if f.typ == counter {
			k += f.slots()
		}
	}
	return b
}

// appendSampleName appends name{labels,reason="r"} and a space.
func appendSampleName(b []byte, name, labels, reason string) []byte {
	b = append(b, name...)
	if labels != "" || reason != "" {
		b = append(b, '{')
		b = append(b, labels...)
		if reason != "" {
			if labels != "" {
				b = append(b, ',')
			}
			b = append(b, `reason="`...)
			b = append(b, reason...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, ' ')
}

// Snapshot returns the numbers of every source as JSON-ready values, the
// ones the Prometheus output has: {"ship": [...], "spool": [...]}, each
// source an object with its "labels" and one member per metric name (for a
// breakdown, an object of reason to value). It is what Publish exposes.
func (c *Collector) Snapshot() map[string]any {
	sc := new(scratch)
	c.snapshot(sc)
	return map[string]any{
		"ship":  jsonSources(shipFamilies, sc.sl, sc.ships),
		"spool": jsonSources(spoolFamilies, sc.pl, sc.spools),
	}
}

func jsonSources[S any](fams []family[S], srcs []*source, stats []S) []map[string]any {
	out := make([]map[string]any, 0, len(srcs))
	for j, src := range srcs {
		st := &stats[j]
		labels := make(map[string]string, len(src.pairs))
		for _, p := range src.pairs {
			labels[p[0]] = p[1]
		}
		m := map[string]any{"labels": labels}
		k := 0 // the first counter sample of f in src.hw
		for i := range fams {
			f := &fams[i]
			switch {
			case f.reasons != nil:
				rs := make(map[string]int64, len(f.reasons))
				for ri, r := range f.reasons {
					rs[r.name] = f.written(src, k, ri, r.value(st))
				}
				m[f.name] = rs
			case f.last != nil:
				if t := f.last(st); t.IsZero() {
					m[f.name] = 0
				} else {
					m[f.name] = float64(t.UnixMilli()) / 1e3
				}
			default:
				m[f.name] = f.written(src, k, 0, f.value(st))
			}
			if f.typ == counter {
				k += f.slots()
			}
		}
		out = append(out, m)
	}
	return out
}

// publishMu makes Publish's check and expvar.Publish one step: expvar
// panics on a name published twice, which two Publish calls with one name
// could otherwise both pass the check for.
var publishMu sync.Mutex

// Publish exposes Snapshot through package expvar under name (one JSON
// object, served by expvar's /debug/vars handler). It returns an error if
// the name is already published; expvar offers no way to unpublish. It is
// safe for concurrent use (a name published by code that calls
// expvar.Publish itself at the same time may still make expvar panic).
func (c *Collector) Publish(name string) error {
	if name == "" {
		return errors.New(`metrics: Publish: name "": give a name`)
	}
	publishMu.Lock()
	defer publishMu.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("metrics: Publish: name %q: already published in expvar", name)
	}
	expvar.Publish(name, expvar.Func(func() any { return c.Snapshot() }))
	return nil
}
