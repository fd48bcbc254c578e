// Package slogcw is a log/slog handler that ships records to CloudWatch Logs
// through a ship.Shipper, directly ([NewHandler]) or through any [Sink]
// ([NewSinkHandler]), such as a *spool.Spool (package
// github.com/cwlogs/cwlogs/ship/spool) that keeps the records on disk until
// the shipper has delivered them.
//
// Each record becomes one event: its timestamp is the record's time (now
// when the record has none) and its message is the JSON object that
// slog.JSONHandler writes for the record — "time" (RFC 3339 with
// nanoseconds), "level", "source" (with AddSource), "msg", then the
// attributes, groups becoming nested objects — without the final newline.
// The one difference: a NaN or infinite float is written as the string
// "NaN", "+Inf" or "-Inf", where JSONHandler writes an error string. It
// passes testing/slogtest.
//
// The shipper's Oversize policy applies to records longer than the event
// limit; Truncate keeps the start of the JSON, Split (the default) cuts it
// into several events. (A spool refuses records longer than its own
// MaxMessageBytes, 1 MiB by default, before the shipper sees them.)
package slogcw

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/ship"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// HandlerOptions are options for a Handler, like slog.HandlerOptions. A nil
// *HandlerOptions selects the defaults.
type HandlerOptions struct {
	// Level is the minimum level logged. Nil: slog.LevelInfo.
	Level slog.Leveler
	// AddSource adds a "source" object (function, file, line).
	AddSource bool
	// ReplaceAttr rewrites or drops (by returning an empty Attr) each
	// non-group attribute, including the built-in time, level, source and
	// msg, as in slog.HandlerOptions. Dropping "time" removes it from the JSON
	// only: the event keeps the record's time as its timestamp.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr
}

// Sink takes the events of a Handler: one call per record, with the
// record's time (zero when it has none) and its JSON. *ship.Shipper and
// *spool.Spool implement it.
type Sink interface {
	LogContext(ctx context.Context, t time.Time, msg string) error
}

var _ Sink = (*ship.Shipper)(nil)

// Handler is a slog.Handler writing JSON events to a Sink, usually a
// ship.Shipper. It is safe for concurrent use.
type Handler struct {
	sink Sink
	opts HandlerOptions
	// pre holds the attributes added by WithAttrs, encoded, with the groups
	// open at that point already opened.
	pre []byte
	// groups are all the groups opened by WithGroup; the first nOpen of them
	// are opened in pre.
	groups []string
	nOpen  int
}

// NewHandler returns a Handler shipping to s. opts nil selects the defaults.
func NewHandler(s *ship.Shipper, opts *HandlerOptions) *Handler {
	return NewSinkHandler(s, opts)
}

// NewSinkHandler returns a Handler writing to sink, for instance a
// *spool.Spool in front of a shipper, so that the records survive an outage
// and a restart. opts nil selects the defaults.
func NewSinkHandler(sink Sink, opts *HandlerOptions) *Handler {
	h := &Handler{sink: sink}
	if opts != nil {
		h.opts = *opts
	}
	return h
}

// Enabled reports whether level is at least the configured level.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	min := slog.LevelInfo
	if h.opts.Level != nil {
		min = h.opts.Level.Level()
	}
	return level >= min
}

// WithAttrs returns a Handler whose records also carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	// Open the groups added since the last WithAttrs.
	buf := openGroups(append([]byte(nil), h.pre...), h.groups[h.nOpen:])
	buf, wrote := h.appendAttrs(buf, attrs, h.groups)
	if !wrote {
		return h // nothing to add: keep groups unopened
	}
	h2 := *h
	h2.pre = buf
	h2.nOpen = len(h.groups)
	return &h2
}

// WithGroup returns a Handler that nests later attributes under name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(append([]string(nil), h.groups...), name)
	return &h2
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Handle encodes r and hands it to the sink with LogContext(ctx, ...): with
// the shipper's (or the spool's) OnFull Block, ctx bounds the wait for room.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		if cap(buf) <= 64<<10 {
			*bp = buf
			bufPool.Put(bp)
		}
	}()
	buf = append(buf, '{')
	if !r.Time.IsZero() {
		buf = h.appendBuiltin(buf, slog.Time(slog.TimeKey, r.Time))
	}
	buf = h.appendBuiltin(buf, slog.Any(slog.LevelKey, r.Level))
	if h.opts.AddSource {
		if src := r.Source(); src != nil {
			buf = h.appendBuiltin(buf, slog.Any(slog.SourceKey, src))
		}
	}
	buf = h.appendBuiltin(buf, slog.String(slog.MessageKey, r.Message))
	if len(h.pre) > 0 {
		buf = comma(buf)
		buf = append(buf, h.pre...)
	}
	opened := h.nOpen
	if r.NumAttrs() > 0 {
		// Open the groups not opened in pre; drop them again if no attribute
		// is written.
		mark := len(buf)
		buf = openGroups(buf, h.groups[opened:])
		wrote := false
		r.Attrs(func(a slog.Attr) bool {
			var ok bool
			buf, ok = h.appendAttr(buf, a, h.groups)
			wrote = wrote || ok
			return true
		})
		if wrote {
			opened = len(h.groups)
		} else {
			buf = buf[:mark]
		}
	}
	for range opened {
		buf = append(buf, '}')
	}
	buf = append(buf, '}')
	return h.sink.LogContext(ctx, r.Time, string(buf))
}

// comma appends a separator unless buf ends an opening brace.
func comma(buf []byte) []byte {
	if n := len(buf); n > 0 && buf[n-1] != '{' {
		return append(buf, ',')
	}
	return buf
}

func appendKey(buf []byte, k string) []byte {
	buf = comma(buf)
	buf = appendString(buf, k)
	return append(buf, ':')
}

// openGroups appends the opening of each group, nested.
func openGroups(buf []byte, groups []string) []byte {
	for _, g := range groups {
		buf = appendKey(buf, g)
		buf = append(buf, '{')
	}
	return buf
}

// appendBuiltin passes a built-in attribute (time, level, source, msg)
// through ReplaceAttr and appends it, as slog.JSONHandler does.
func (h *Handler) appendBuiltin(buf []byte, a slog.Attr) []byte {
	if h.opts.ReplaceAttr == nil && a.Value.Kind() != slog.KindAny { // time, msg
		return h.appendValue(appendKey(buf, a.Key), a.Value)
	}
	buf, _ = h.appendAttr(buf, a, nil)
	return buf
}

// appendAttrs appends attrs; it reports whether anything was written.
func (h *Handler) appendAttrs(buf []byte, attrs []slog.Attr, groups []string) ([]byte, bool) {
	wrote := false
	for _, a := range attrs {
		var ok bool
		buf, ok = h.appendAttr(buf, a, groups)
		wrote = wrote || ok
	}
	return buf, wrote
}

// appendAttr appends a (resolved, replaced) attribute; it reports whether
// anything was written.
func (h *Handler) appendAttr(buf []byte, a slog.Attr, groups []string) ([]byte, bool) {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() != slog.KindGroup && h.opts.ReplaceAttr != nil {
		a = h.opts.ReplaceAttr(groups, a)
		a.Value = a.Value.Resolve()
	}
	if a.Equal(slog.Attr{}) {
		return buf, false
	}
	if a.Value.Kind() == slog.KindAny {
		if src, ok := a.Value.Any().(*slog.Source); ok {
			if src == nil || *src == (slog.Source{}) {
				return buf, false
			}
			a.Value = sourceGroup(src)
		}
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return buf, false
		}
		if a.Key == "" { // inline
			return h.appendAttrs(buf, attrs, groups)
		}
		mark := len(buf)
		buf = appendKey(buf, a.Key)
		buf = append(buf, '{')
		var wrote bool
		buf, wrote = h.appendAttrs(buf, attrs, append(groups[:len(groups):len(groups)], a.Key))
		if !wrote {
			return buf[:mark], false
		}
		return append(buf, '}'), true
	}
	return h.appendValue(appendKey(buf, a.Key), a.Value), true
}

// sourceGroup is src as slog.JSONHandler writes it: its non-zero fields.
func sourceGroup(src *slog.Source) slog.Value {
	as := make([]slog.Attr, 0, 3)
	if src.Function != "" {
		as = append(as, slog.String("function", src.Function))
	}
	if src.File != "" {
		as = append(as, slog.String("file", src.File))
	}
	if src.Line != 0 {
		as = append(as, slog.Int("line", src.Line))
	}
	return slog.GroupValue(as...)
}

// appendValue appends v as slog.JSONHandler writes it, except that NaN and
// ±Inf become the strings "NaN", "+Inf" and "-Inf" (JSONHandler writes an
// error string). A value whose MarshalJSON, MarshalText or Error method
// panics is written as "<nil>" when it is a nil pointer, else as
// "!PANIC: ...", as JSONHandler does; the panic does not reach the caller.
func (h *Handler) appendValue(buf []byte, v slog.Value) (out []byte) {
	mark := len(buf)
	defer func() {
		if r := recover(); r != nil {
			out = buf[:mark]
			if x := reflect.ValueOf(v.Any()); x.Kind() == reflect.Pointer && x.IsNil() {
				out = appendString(out, "<nil>")
			} else {
				out = appendString(out, fmt.Sprintf("!PANIC: %v", r))
			}
		}
	}()
	switch v.Kind() {
	case slog.KindString:
		return appendString(buf, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(buf, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(buf, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendFloat(buf, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(buf, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(buf, int64(v.Duration()), 10)
	case slog.KindTime:
		buf = append(buf, '"')
		buf = v.Time().AppendFormat(buf, time.RFC3339Nano)
		return append(buf, '"')
	}
	x := v.Any()
	if l, ok := x.(slog.Level); ok {
		return appendString(buf, l.String())
	}
	if err, ok := x.(error); ok {
		if _, jm := x.(json.Marshaler); !jm {
			return appendString(buf, err.Error())
		}
	}
	return appendJSON(buf, x)
}

// appendFloat appends f as encoding/json does (see jsonstr.AppendFloat); NaN
// and ±Inf, which JSON cannot hold, as strings.
func appendFloat(buf []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendString(buf, strconv.FormatFloat(f, 'g', -1, 64))
	}
	return jsonstr.AppendFloat(buf, f)
}

// jsonEncoder encodes values with encoding/json, without HTML escaping.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoderPool = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// appendJSON appends x encoded by encoding/json with HTML escaping off (so
// a MarshalJSON result is compacted), or "!ERROR:..." when it cannot be.
func appendJSON(buf []byte, x any) []byte {
	e := encoderPool.Get().(*jsonEncoder)
	defer func() {
		if e.buf.Cap() <= 16<<10 {
			e.buf.Reset()
			encoderPool.Put(e)
		}
	}()
	if err := e.enc.Encode(x); err != nil {
		return appendString(buf, "!ERROR:"+err.Error())
	}
	b := e.buf.Bytes()
	return append(buf, b[:len(b)-1]...) // without Encode's newline
}

// appendString appends s as a JSON string (no HTML escaping), as encoding/json would.
func appendString(buf []byte, s string) []byte { return jsonstr.Append(buf, s) }

var _ slog.Handler = (*Handler)(nil)
