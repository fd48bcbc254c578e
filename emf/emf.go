package emf

import (
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// Limits from the EMF specification (its text and its JSON schema) and, where
// it is silent, the CloudWatch metric rules and the official
// aws-embedded-metrics libraries.
const (
	// MaxMetricsPerEvent is the most metric definitions of one event's directive.
	MaxMetricsPerEvent = 100
	// MaxValuesPerMetric is the most values of one metric in one event.
	MaxValuesPerMetric = 100
	// MaxDimensionsPerSet is the most dimension names of one dimension set.
	MaxDimensionsPerSet = 30
	// MaxEventBytes is the longest event, in bytes: a CloudWatch Logs event's
	// message limit (1 MB less the 26-byte per-event overhead).
	MaxEventBytes = 1048550

	// maxNamespace: the specification's schema allows 1–1024 characters of
	// anything, but the namespace is a CloudWatch namespace, documented as at
	// most 255 characters of A–Z a–z 0–9 . - _ / # : and space; the official
	// libraries allow 256 of the same characters less space. The narrower,
	// documented CloudWatch rule is kept.
	maxNamespace = 255
	// maxMetricName: the specification's schema (MetricDefinition Name) and
	// the official libraries: 1–1024 characters.
	maxMetricName = 1024
	// maxDimensionName: the specification's schema (DimensionReference) and
	// the official libraries: 1–250 characters, fewer than CloudWatch's 255.
	maxDimensionName = 250
	// maxDimensionValue: the specification's text ("MUST NOT contain more
	// than 1024 characters") and the official libraries.
	maxDimensionValue = 1024
	// maxValue bounds a metric value: CloudWatch rejects values outside
	// -2^360..2^360 (MetricDatum) and the specification is silent; the
	// official Node.js library refuses a value at or beyond either end.
	maxValue = 0x1p360
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units CloudWatch accepts.
const (
	Seconds            Unit = "Seconds"
	Microseconds       Unit = "Microseconds"
	Milliseconds       Unit = "Milliseconds"
	Bytes              Unit = "Bytes"
	Kilobytes          Unit = "Kilobytes"
	Megabytes          Unit = "Megabytes"
	Gigabytes          Unit = "Gigabytes"
	Terabytes          Unit = "Terabytes"
	Bits               Unit = "Bits"
	Kilobits           Unit = "Kilobits"
	Megabits           Unit = "Megabits"
	Gigabits           Unit = "Gigabits"
	Terabits           Unit = "Terabits"
	Percent            Unit = "Percent"
	Count              Unit = "Count"
	BytesPerSecond     Unit = "Bytes/Second"
	KilobytesPerSecond Unit = "Kilobytes/Second"
	MegabytesPerSecond Unit = "Megabytes/Second"
	GigabytesPerSecond Unit = "Gigabytes/Second"
	TerabytesPerSecond Unit = "Terabytes/Second"
	BitsPerSecond      Unit = "Bits/Second"
	KilobitsPerSecond  Unit = "Kilobits/Second"
	MegabitsPerSecond  Unit = "Megabits/Second"
	GigabitsPerSecond  Unit = "Gigabits/Second"
	TerabitsPerSecond  Unit = "Terabits/Second"
	CountPerSecond     Unit = "Count/Second"
	None               Unit = "None"
)

// units is every valid Unit; validation reads it, not the exported copy.
var units = [...]Unit{Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes,
	Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, BytesPerSecond, KilobytesPerSecond,
	MegabytesPerSecond, GigabytesPerSecond, TerabytesPerSecond, BitsPerSecond, KilobitsPerSecond, MegabitsPerSecond,
	GigabitsPerSecond, TerabitsPerSecond, CountPerSecond, None}

// Units lists every valid Unit. It is a copy: changing it changes nothing.
var Units = slices.Clone(units[:])

func validUnit(u Unit) bool {
	return slices.Contains(units[:], u)
}

// Resolution is a metric's storage resolution in seconds.
type Resolution int

// The two storage resolutions.
const (
	// Standard stores the metric at one-minute resolution, the default.
	Standard Resolution = 60
	// High stores the metric at one-second resolution.
	High Resolution = 1
)

// Dimension is one dimension: a name and its value.
type Dimension struct {
	Name  string
	Value string
}

// Error reports invalid input: the field, its value and the rule it breaks.
type Error struct {
	Field  string // e.g. "metric[\"Latency\"].value"
	Value  string // the offending value, quoted and shortened if long
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("emf: invalid %s %s: %s", e.Field, e.Value, e.Reason)
}

// quote shortens s to 64 bytes (on a UTF-8 boundary) and quotes it.
func quote(s string) string {
	if len(s) > 64 {
		i := 64
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "…"
	}
	return strconv.Quote(s)
}

func newErr(field, value, format string, args ...any) *Error {
	return &Error{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// Sink takes encoded events: *ship.Shipper satisfies it (and so do the streams
// of a *ship.Mux, from Mux.Stream).
type Sink interface {
	Log(t time.Time, msg string) error
}

type metric struct {
	name  string
	unit  Unit
	res   Resolution
	first float64   // the first value, kept inline: most metrics have one
	more  []float64 // the values after it
}

// count returns the number of values of mt.
func (mt *metric) count() int { return 1 + len(mt.more) }

// at returns value i of mt.
func (mt *metric) at(i int) float64 {
	if i == 0 {
		return mt.first
	}
	return mt.more[i-1]
}

type property struct {
	key   string
	value []byte // JSON
}

// Metrics collects the metrics of one unit of work. Create it with New; the
// zero value is not usable. It is safe for concurrent use.
type Metrics struct {
	mu        sync.Mutex
	namespace string
	defaults  []Dimension
	sets      [][]Dimension
	noDefault bool // SetDimensions dropped the defaults
	metrics   []metric
	byName    map[string]int
	props     []property
	ts        time.Time
	err       error
}

// New returns a Metrics for namespace, stamped with the current time (see
// SetTimestamp). An invalid namespace is reported by Encode.
func New(namespace string) *Metrics {
	m := &Metrics{namespace: namespace, byName: make(map[string]int), ts: time.Now()}
	if err := checkNamespace(namespace); err != nil {
		m.err = err
	}
	return m
}

func (m *Metrics) fail(err error) {
	if m.err == nil {
		m.err = err
	}
}

// SetDefaultDimensions sets the dimensions added in front of every dimension
// set put with PutDimensions (and that form a set of their own when none is
// put), such as a service name and environment. SetDimensions drops them.
func (m *Metrics) SetDefaultDimensions(dims ...Dimension) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := checkSet("defaultDimensions", dims); err != nil {
		m.fail(err)
		return
	}
	m.defaults = append([]Dimension(nil), dims...)
}

// PutDimensions adds a dimension set: every metric is published once per
// set. An identical set (same names in the same order) is kept once.
func (m *Metrics) PutDimensions(dims ...Dimension) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := checkSet("dimensions", dims); err != nil {
		m.fail(err)
		return
	}
	m.addSet(dims)
}

// addSet keeps a copy of dims; Encode drops repeated sets, after checking that
// their values agree.
func (m *Metrics) addSet(dims []Dimension) {
	m.sets = append(m.sets, append([]Dimension(nil), dims...))
}

// SetDimensions replaces every dimension set, the default dimensions
// included, with sets. With no sets, the metrics are published without
// dimensions.
func (m *Metrics) SetDimensions(sets ...[]Dimension) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range sets {
		if err := checkSet("dimensions["+strconv.Itoa(i)+"]", s); err != nil {
			m.fail(err)
			return
		}
	}
	m.sets = m.sets[:0]
	m.noDefault = true
	for _, s := range sets {
		m.addSet(s)
	}
}

// PutMetric adds value to the metric name, with the unit (""; None) at
// standard resolution. Values put under one name accumulate.
func (m *Metrics) PutMetric(name string, value float64, unit Unit) {
	m.PutMetricResolution(name, value, unit, Standard)
}

// PutMetricResolution is PutMetric with a storage resolution, Standard or High.
func (m *Metrics) PutMetricResolution(name string, value float64, unit Unit, res Resolution) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := checkMetricName(name); err != nil {
		m.fail(err)
		return
	}
	if math.IsNaN(value) || math.Abs(value) >= maxValue { // ±Inf included
		m.fail(newErr(metricField(name, ".value"), strconv.FormatFloat(value, 'g', -1, 64), "must be a finite number strictly between -2^360 and 2^360 (CloudWatch's range)"))
		return
	}
	if unit == "" {
		unit = None
	}
	if !validUnit(unit) {
		m.fail(newErr(metricField(name, ".unit"), quote(string(unit)), "is not a CloudWatch unit (see emf.Units)"))
		return
	}
	if res != Standard && res != High {
		m.fail(newErr(metricField(name, ".storageResolution"), strconv.Itoa(int(res)), "must be 60 (Standard) or 1 (High)"))
		return
	}
	if i, ok := m.byName[name]; ok {
		mt := &m.metrics[i]
		if mt.unit != unit {
			m.fail(newErr(metricField(name, ".unit"), quote(string(unit)), "differs from the unit %q the metric was first put with", mt.unit))
			return
		}
		if mt.res != res {
			m.fail(newErr(metricField(name, ".storageResolution"), strconv.Itoa(int(res)), "differs from the resolution %d the metric was first put with", mt.res))
			return
		}
		mt.more = append(mt.more, value)
		return
	}
	m.byName[name] = len(m.metrics)
	m.metrics = append(m.metrics, metric{name: name, unit: unit, res: res, first: value})
}

// SetProperty sets a member of the event that is not a metric or dimension,
// such as a request ID; value is encoded with encoding/json now (maps with
// their keys sorted, invalid UTF-8 replaced by U+FFFD), except that an error
// which is neither a json.Marshaler nor an encoding.TextMarshaler is written
// as its Error() string, not as encoding/json's {} of its unexported fields.
// A value encoding/json refuses (a channel, a func, NaN) is an invalid input.
// Setting a key again replaces its value in place.
func (m *Metrics) SetProperty(key string, value any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if key == "" || !utf8.ValidString(key) {
		m.fail(newErr("property", quote(key), "name must be non-empty valid UTF-8"))
		return
	}
	if key == "_aws" {
		m.fail(newErr("property", quote(key), `"_aws" is reserved for the EMF metadata`))
		return
	}
	b, err := json.Marshal(propertyValue(value))
	if err != nil {
		m.fail(newErr("property["+quote(key)+"]", fmt.Sprintf("%T", value), "cannot be encoded as JSON: %v", err))
		return
	}
	for i := range m.props {
		if m.props[i].key == key {
			m.props[i].value = b
			return
		}
	}
	m.props = append(m.props, property{key, b})
}

// MaxAge and MaxFuture bound the timestamp SetTimestamp accepts, relative to
// the current time: CloudWatch Logs rejects events older than 14 days or more
// than 2 hours ahead, and CloudWatch metrics the same data points. The EMF
// specification is silent; the official libraries refuse such timestamps.
const (
	// MaxAge is how far before the current time a timestamp may be.
	MaxAge = 14 * 24 * time.Hour
	// MaxFuture is how far after the current time a timestamp may be.
	MaxFuture = 2 * time.Hour
)

// now is the clock SetTimestamp checks against; tests replace it.
var now = time.Now

// propertyValue returns what SetProperty encodes for v: the message of an
// error that does not encode itself, v otherwise (a nil pointer too).
func propertyValue(v any) any {
	err, ok := v.(error)
	if !ok {
		return v
	}
	switch v.(type) {
	case json.Marshaler, encoding.TextMarshaler:
		return v
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return v // null, without calling Error on a nil receiver
	}
	return err.Error()
}

// SetTimestamp sets the time of the metrics (and of the events LogTo sends),
// kept to the millisecond. It must lie within MaxAge before and MaxFuture
// after the current time, as the official libraries require.
func (m *Metrics) SetTimestamp(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms := t.UnixMilli()
	if ms < 0 {
		m.fail(newErr("timestamp", t.UTC().Format(time.RFC3339Nano), "must not be before 1970-01-01T00:00:00Z"))
		return
	}
	if n := now().UnixMilli(); ms < n-MaxAge.Milliseconds() || ms > n+MaxFuture.Milliseconds() {
		m.fail(newErr("timestamp", t.UTC().Format(time.RFC3339Nano),
			"must lie within 14 days before and 2 hours after the current time %s (CloudWatch rejects the rest)",
			time.UnixMilli(n).UTC().Format(time.RFC3339Nano)))
		return
	}
	m.ts = t
}

// Timestamp returns the time of the metrics.
func (m *Metrics) Timestamp() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ts
}

// metricField names a field of the metric name in an error.
func metricField(name, field string) string { return "metric[" + quote(name) + "]" + field }

func checkNamespace(ns string) error {
	const field = "namespace"
	if ns == "" || len(ns) > maxNamespace {
		return newErr(field, quote(ns), "must be 1–%d characters", maxNamespace)
	}
	blank := true
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#: ", c) >= 0
		if !ok {
			return newErr(field, quote(ns), "holds %q at byte %d; allowed: A–Z a–z 0–9 . - _ / # : and space", rune(c), i)
		}
		if c != ' ' {
			blank = false
		}
	}
	if blank {
		return newErr(field, quote(ns), "must hold a character other than space")
	}
	if strings.HasPrefix(ns, "AWS/") {
		return newErr(field, quote(ns), `must not start with "AWS/", reserved for AWS services`)
	}
	return nil
}

func checkMetricName(name string) error {
	const field = "metric"
	switch {
	case !utf8.ValidString(name):
		return newErr(field, quote(name), "name must be valid UTF-8")
	case strings.TrimSpace(name) == "":
		return newErr(field, quote(name), "name must hold a character other than white space")
	case utf8.RuneCountInString(name) > maxMetricName:
		return newErr(field, quote(name), "name must be at most %d characters", maxMetricName)
	case name == "_aws":
		return newErr(field, quote(name), `"_aws" is reserved for the EMF metadata`)
	}
	return nil
}

// checkDimText checks a dimension name or value: printable ASCII, 1–max
// bytes, not all spaces. The caller fills in the error's Field.
func checkDimText(s string, max int) *Error {
	const field = ""
	if s == "" || len(s) > max {
		return newErr(field, quote(s), "must be 1–%d characters", max)
	}
	blank := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return newErr(field, quote(s), "holds byte %#02x at %d; only printable ASCII is allowed", c, i)
		}
		if c != ' ' {
			blank = false
		}
	}
	if blank {
		return newErr(field, quote(s), "must hold a character other than space")
	}
	return nil
}

func checkSet(field string, dims []Dimension) error {
	if len(dims) > MaxDimensionsPerSet {
		return newErr(field, strconv.Itoa(len(dims))+" dimensions", "a dimension set holds at most %d", MaxDimensionsPerSet)
	}
	for i, d := range dims {
		if err := checkDimText(d.Name, maxDimensionName); err != nil {
			err.Field = field + ".name"
			return err
		}
		if d.Name[0] == ':' {
			return newErr(field+".name", quote(d.Name), "must not start with ':'")
		}
		if d.Name == "_aws" {
			return newErr(field+".name", quote(d.Name), `"_aws" is reserved for the EMF metadata`)
		}
		if err := checkDimText(d.Value, maxDimensionValue); err != nil {
			err.Field = "dimension[" + quote(d.Name) + "].value"
			return err
		}
		for _, e := range dims[:i] {
			if e.Name == d.Name {
				return newErr(field+".name", quote(d.Name), "appears twice in one dimension set")
			}
		}
	}
	return nil
}

// doc is a consistent copy of a Metrics, taken under its lock.
type doc struct {
	namespace string
	ts        int64
	sets      [][]string
	dims      []Dimension // root members, in order of first appearance
	metrics   []metric
	props     []property
}

func (m *Metrics) snapshot(d *doc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	d.namespace, d.ts = m.namespace, m.ts.UnixMilli()
	// Values are only appended to, and a property's value replaced by a new
	// slice, under the lock: copies of the headers keep later puts out.
	d.metrics = slices.Clone(m.metrics)
	d.props = slices.Clone(m.props)
	sets, pre := m.sets, m.defaults
	if m.noDefault {
		pre = nil
	} else if len(sets) == 0 && len(pre) > 0 {
		sets = [][]Dimension{nil} // the defaults alone
	}
	total := 0
	for _, s := range sets {
		total += len(pre) + len(s)
	}
	all := make([]string, 0, total) // the names of every set, back to back
	d.sets = make([][]string, 0, len(sets))
	d.dims = make([]Dimension, 0, min(total, 2*MaxDimensionsPerSet))
	for i, s := range sets {
		start := len(all)
		for _, part := range [2][]Dimension{pre, s} {
			for _, dm := range part {
				if slices.Contains(all[start:], dm.Name) {
					// A default dimension put again (checkSet refuses a name
					// twice in one call): kept once, as the official libraries
					// merge the defaults into each set, if the values agree.
					if v := d.dims[d.dimIndex(dm.Name)].Value; v != dm.Value {
						return newErr("dimension["+quote(dm.Name)+"].value", quote(dm.Value), "differs from the value %s of the default dimension", quote(v))
					}
					continue
				}
				all = append(all, dm.Name)
				if j := d.dimIndex(dm.Name); j >= 0 {
					if v := d.dims[j].Value; v != dm.Value {
						return newErr("dimension["+quote(dm.Name)+"].value", quote(dm.Value), "differs from the value %s given to the same name in another set", quote(v))
					}
					continue
				}
				d.dims = append(d.dims, dm)
			}
		}
		names := all[start:len(all):len(all)]
		if n := len(names); n > MaxDimensionsPerSet {
			return newErr("dimensions["+strconv.Itoa(i)+"]", strconv.Itoa(n)+" dimensions",
				"a dimension set holds at most %d, default dimensions included", MaxDimensionsPerSet)
		}
		if !slices.ContainsFunc(d.sets, func(o []string) bool { return slices.Equal(o, names) }) {
			d.sets = append(d.sets, names)
		}
	}
	for _, mt := range d.metrics {
		if d.dimIndex(mt.name) >= 0 {
			return newErr("metric", quote(mt.name), "is also a dimension name")
		}
	}
	for _, p := range d.props {
		if d.dimIndex(p.key) >= 0 {
			return newErr("property", quote(p.key), "is also a dimension name")
		}
		if _, ok := m.byName[p.key]; ok {
			return newErr("property", quote(p.key), "is also a metric name")
		}
	}
	return nil
}

// dimIndex returns the index of the dimension name in d.dims, or -1.
func (d *doc) dimIndex(name string) int {
	for i := range d.dims {
		if d.dims[i].Name == name {
			return i
		}
	}
	return -1
}

// Encode returns the events, one JSON document each, with no trailing newline.
// It returns no event and an error when an input was invalid (see the package
// documentation), and no event and no error when no metric was put.
func (m *Metrics) Encode() ([][]byte, error) {
	var d doc
	if err := m.snapshot(&d); err != nil {
		return nil, err
	}
	return d.events()
}

// AppendEncode appends the events to dst, each followed by a newline, and
// returns the extended buffer. On error, dst is returned unchanged.
func (m *Metrics) AppendEncode(dst []byte) ([]byte, error) {
	var d doc
	if err := m.snapshot(&d); err != nil {
		return dst, err
	}
	b, _, err := d.appendEvents(dst)
	if err != nil {
		return dst, err
	}
	return b, nil
}

// MarshalJSON implements json.Marshaler: the one event. It fails when the
// metrics need several events (more than 100 metrics or 100 values of one
// metric) or none (no metric put).
func (m *Metrics) MarshalJSON() ([]byte, error) {
	evs, err := m.Encode()
	if err != nil {
		return nil, err
	}
	if len(evs) != 1 {
		return nil, newErr("metrics", strconv.Itoa(len(evs))+" events", "MarshalJSON gives exactly one event; use Encode")
	}
	return evs[0], nil
}

// WriteTo writes the events to w, each on a line of its own, with one Write
// call for all of them. Nothing is written when an input was invalid.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	b, err := m.AppendEncode(nil)
	if err != nil || len(b) == 0 {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// LogTo sends every event to s, stamped with the metrics' timestamp to the
// millisecond, as the events carry it. Nothing is sent when an input was
// invalid; it stops at the first error of s.
func (m *Metrics) LogTo(s Sink) error {
	// One snapshot gives both the events and their time, so that the time
	// logged is the millisecond each event's _aws.Timestamp holds, even when
	// another goroutine calls SetTimestamp meanwhile.
	var d doc
	if err := m.snapshot(&d); err != nil {
		return err
	}
	evs, err := d.events()
	if err != nil {
		return err
	}
	ts := time.UnixMilli(d.ts)
	for _, ev := range evs {
		if err := s.Log(ts, string(ev)); err != nil {
			return err
		}
	}
	return nil
}

// events returns d's events, without their newlines, in one buffer: nil when
// no metric was put.
func (d *doc) events() ([][]byte, error) {
	b, ends, err := d.appendEvents(nil)
	if err != nil || len(ends) == 0 {
		return nil, err
	}
	out := make([][]byte, len(ends))
	start := 0
	for i, end := range ends {
		out[i] = b[start : end-1 : end-1] // without its newline
		start = end
	}
	return out, nil
}

// appendEvents appends the events to dst, each followed by a newline, and
// returns the offsets just past each newline. While some metric has values
// left, an event takes up to MaxValuesPerMetric values of each such metric, at
// most MaxMetricsPerEvent metrics, in the order they were put.
func (d *doc) appendEvents(dst []byte) ([]byte, []int, error) {
	if len(d.metrics) == 0 {
		return dst, nil, nil
	}
	type part struct {
		mt     *metric
		lo, hi int
	}
	var ends []int
	parts := make([]part, 0, min(len(d.metrics), MaxMetricsPerEvent))
	off := make([]int, len(d.metrics))
	first := 0 // metrics before first have no values left
	b := dst
	for first < len(d.metrics) {
		parts = parts[:0]
		for i := first; i < len(d.metrics) && len(parts) < MaxMetricsPerEvent; i++ {
			mt := &d.metrics[i]
			if off[i] == mt.count() {
				continue
			}
			hi := min(off[i]+MaxValuesPerMetric, mt.count())
			parts = append(parts, part{mt, off[i], hi})
			off[i] = hi
		}
		for first < len(d.metrics) && off[first] == d.metrics[first].count() {
			first++
		}
		start := len(b)
		b = append(b, `{"_aws":{"Timestamp":`...)
		b = strconv.AppendInt(b, d.ts, 10)
		b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
		b = jsonstr.Append(b, d.namespace)
		b = append(b, `,"Dimensions":[`...)
		if len(d.sets) == 0 {
			// No dimensions: one empty dimension set. The specification
			// allows an empty DimensionSet ("MAY be empty") and its schema
			// wants at least one set in Dimensions (minItems 1), so [[]] is
			// the documented form; the official libraries write [] when
			// their dimensions are cleared, which that schema refuses.
			b = append(b, "[]"...)
		}
		for i, s := range d.sets {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for j, n := range s {
				if j > 0 {
					b = append(b, ',')
				}
				b = jsonstr.Append(b, n)
			}
			b = append(b, ']')
		}
		b = append(b, `],"Metrics":[`...)
		for i, p := range parts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"Name":`...)
			b = jsonstr.Append(b, p.mt.name)
			b = append(b, `,"Unit":`...)
			b = jsonstr.Append(b, string(p.mt.unit))
			if p.mt.res == High {
				b = append(b, `,"StorageResolution":1`...)
			}
			b = append(b, '}')
		}
		b = append(b, "]}]}"...)
		for _, dm := range d.dims {
			b = append(b, ',')
			b = jsonstr.Append(b, dm.Name)
			b = append(b, ':')
			b = jsonstr.Append(b, dm.Value)
		}
		for _, p := range parts {
			b = append(b, ',')
			b = jsonstr.Append(b, p.mt.name)
			b = append(b, ':')
			if p.mt.count() == 1 {
				b = jsonstr.AppendFloat(b, p.mt.first)
				continue
			}
			b = append(b, '[')
			for j := p.lo; j < p.hi; j++ {
				if j > p.lo {
					b = append(b, ',')
				}
				b = jsonstr.AppendFloat(b, p.mt.at(j))
			}
			b = append(b, ']')
		}
		for _, p := range d.props {
			b = append(b, ',')
			b = jsonstr.Append(b, p.key)
			b = append(b, ':')
			b = append(b, p.value...)
		}
		b = append(b, '}')
		if n := len(b) - start; n > MaxEventBytes {
			return dst, nil, newErr("event", strconv.Itoa(n)+" bytes", "is longer than %d bytes (a property too large?)", MaxEventBytes)
		}
		b = append(b, '\n')
		ends = append(ends, len(b))
	}
	return b, ends, nil
}
