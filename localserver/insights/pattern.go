package insights

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// The pattern command. "Use pattern to automatically cluster your log data into
// patterns" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Pattern.html).
// Its input is "the @message field, an extracted field created using the parse command,
// or a string manipulated using one or more String functions"; its documented output is
// @pattern, @ratio, @sampleCount and @severityLabel, and it combines "with the filter,
// parse, or sort commands", as in
// "filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc".
// The clustering is package patterns' (the service's engine is machine-learned and
// undocumented, so the patterns found differ in places).
//
// Where the documentation is silent, this package chooses:
//
//   - Input: any field, or a call of a string function that returns text (concat, ltrim,
//     rtrim, trim, toupper, tolower, substr, replace, unmask). Anything else is a
//     SyntaxError naming the command. A record without a value there is left out (of
//     @ratio's denominator too).
//   - Before pattern: any command but stats (pattern needs log events) and dedup (only
//     limit may follow dedup). After it the records are gone, as after stats: only
//     filter, sort, limit, fields and display may follow, naming only the pattern fields
//     and fields made after it; a query has one pattern at most.
//   - Rows: one per pattern, by @sampleCount, highest first, then by @PatternId; no @ptr.
//   - Fields, in this order. The documented four: @pattern, the template with each
//     dynamic token shown as <string-number> ("<Time-1>", "<IPAddress-3>"), or
//     <Token-number> when its kind is not known (the syntax page's current text; its
//     earlier text showed <*>); @ratio, the pattern's share of the records that reached
//     the command, with two decimals ("0.50", as the page's example); @sampleCount;
//     @severityLabel, "ERROR", "WARN", "INFO" or "DEBUG" (upper case: the page's examples
//     are "Error, Warning, Info, or Debug", the consoles that read the service's output
//     compare with "ERROR"), left out when no level word was found. Then those the
//     service returns beyond the documentation, as third-party code that reads its
//     output names them: @PatternId (32 hex characters, a function of the template:
//     stable across queries and restarts), @regexString (an RE2 regular expression
//     matching every event of the pattern), @tokens (a JSON array of the template's
//     tokens: tokenString, tokenType STATIC or DYNAMIC, isDynamic, and for dynamic ones
//     dynamicTokenPosition, enumerations (the most frequent values and their counts;
//     a value of more than 256 bytes cut there, with "…"), isNumeric and
//     inferredTokenName when known), @logSamples (a JSON array of the
//     oldest events of the pattern, at most 5: {"timestamp": milliseconds, "logEvent":
//     text}) and @visualization (a JSON object {"timeWindowCountMapping": {"<window
//     start in milliseconds>": count}} over windows of one width for the whole query,
//     the smallest of 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 6h, 12h, 1d, 7d, 28d,
//     364d that spans the events' time range in at most 120 windows). @relatedPattern,
//     which that code also reads, is not produced: nothing says what it holds.
//   - Memory: at most 1,000 patterns (beyond, events join the most similar pattern of
//     their shape, or an overflow pattern "<*>"), each with a bounded state.

// patternFields are the fields of a pattern command's rows, in order.
var patternFields = []string{"@pattern", "@ratio", "@sampleCount", "@severityLabel",
	"@PatternId", "@regexString", "@tokens", "@logSamples", "@visualization"}

// patternInputs are the functions whose result pattern takes: the string functions
// that return text.
var patternInputs = []string{"concat", "ltrim", "rtrim", "trim", "toupper", "tolower", "substr", "replace", "unmask"}

// patternFollowers are the commands that may follow pattern.
var patternFollowers = []string{"filter", "sort", "limit", "fields", "display"}

type patternCmd struct {
	src expr
}

func (*patternCmd) cmdName() string { return "pattern" }

func (p *parser) pattern() (command, error) {
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	switch n := x.(type) {
	case *fieldRef:
		return &patternCmd{src: x}, nil
	case *call:
		if slices.Contains(patternInputs, n.name) {
			return &patternCmd{src: x}, nil
		}
	}
	s, e := x.span()
	return nil, &SyntaxError{Start: s, End: e, Msg: fmt.Sprintf(
		"pattern takes @message, a field (such as one made by parse) or the result of a string function (%s), not %q",
		strings.Join(patternInputs, ", "), p.src[s:e])}
}

// checkPattern checks the last of cmds against the pattern command's rules: none after
// stats, one per query, only patternFollowers after it.
func checkPattern(cmds []command, at token) error {
	last := cmds[len(cmds)-1]
	for _, c := range cmds[:len(cmds)-1] {
		switch c.(type) {
		case *statsCmd:
			if _, ok := last.(*patternCmd); ok {
				return &SyntaxError{Start: at.start, End: at.end, Msg: "pattern cannot follow stats: it clusters log events"}
			}
		case *patternCmd:
			if !slices.Contains(patternFollowers, last.cmdName()) {
				return &SyntaxError{Start: at.start, End: at.end, Msg: fmt.Sprintf(
					"%s cannot follow pattern: only %s can", last.cmdName(), strings.Join(patternFollowers, ", "))}
			}
		}
	}
	return nil
}

// HasPattern reports whether the query has a pattern command (which log groups of the
// Infrequent Access class do not support).
func (q *Query) HasPattern() bool {
	for _, c := range q.cmds {
		if _, ok := c.(*patternCmd); ok {
			return true
		}
	}
	return false
}

// patternMaxSamples is how many events @logSamples shows.
const patternMaxSamples = 5

// patternStage clusters its input and, at the end, pushes one row per pattern.
type patternStage struct {
	c    *patternCmd
	cl   *patterns.Clusterer
	hist histograms
	next stage
}

func newPatternStage(c *patternCmd, next stage) *patternStage {
	return &patternStage{c: c, cl: patterns.New(patterns.Options{MaxSamples: patternMaxSamples}),
		hist: histograms{counts: map[*patterns.Pattern]map[int64]int64{}}, next: next}
}

func (s *patternStage) push(r *row) bool {
	v := eval(s.c.src, r)
	if v.k == kNull {
		return true
	}
	var ts int64
	if t, ok := r.get("@timestamp").number(); ok {
		ts = int64(t)
	}
	p := s.cl.Add(v.String(), ts)
	s.hist.add(p, ts)
	return true
}

func (s *patternStage) held() int { return s.cl.Len() }

func (s *patternStage) finish() {
	s.emit(s.next)
	s.cl, s.hist.counts = nil, nil
	s.next.finish()
}

func (s *patternStage) emit(next stage) {
	total := s.cl.Total()
	for _, p := range s.cl.Patterns() {
		out := &row{set: make([]setField, 0, len(patternFields))}
		toks := p.Tokens()
		out.put("@pattern", str(patternDisplay(toks)))
		out.put("@ratio", str(strconv.FormatFloat(float64(p.Count())/float64(total), 'f', 2, 64)))
		out.put("@sampleCount", num(float64(p.Count())))
		if sev := p.Severity(); sev != "" {
			out.put("@severityLabel", str(sev))
		}
		out.put("@PatternId", str(p.ID()))
		out.put("@regexString", str(p.Regex()))
		out.put("@tokens", str(patternTokensJSON(toks)))
		out.put("@logSamples", str(patternSamplesJSON(p)))
		out.put("@visualization", str(s.hist.json(p)))
		if !next.push(out) {
			break
		}
	}
}

// patternDisplay is @pattern: the template with each dynamic token as <string-number>,
// or <Token-number> when its kind is not known.
func patternDisplay(toks []patterns.Token) string {
	var b strings.Builder
	for _, t := range toks {
		switch {
		case !t.Dynamic:
			b.WriteString(t.Text)
		case t.InferredName != "":
			b.WriteString("<" + t.InferredName + ">")
		default:
			b.WriteString("<Token-" + strconv.Itoa(t.Position) + ">")
		}
	}
	return b.String()
}

type tokenJSON struct {
	TokenString          string           `json:"tokenString"`
	TokenType            string           `json:"tokenType"`
	IsDynamic            bool             `json:"isDynamic"`
	DynamicTokenPosition int              `json:"dynamicTokenPosition,omitempty"`
	Enumerations         map[string]int64 `json:"enumerations,omitempty"`
	IsNumeric            bool             `json:"isNumeric,omitempty"`
	InferredTokenName    string           `json:"inferredTokenName,omitempty"`
}

// patternTokensJSON is @tokens: toks in the shape of the service's PatternToken.
func patternTokensJSON(toks []patterns.Token) string {
	out := make([]tokenJSON, len(toks))
	for i, t := range toks {
		out[i] = tokenJSON{TokenString: t.Text, TokenType: "STATIC", IsDynamic: t.Dynamic}
		if t.Dynamic {
			out[i].TokenType = "DYNAMIC"
			out[i].DynamicTokenPosition = t.Position
			out[i].Enumerations = t.Enumerations
			out[i].IsNumeric = strings.HasPrefix(t.InferredName, "Number-")
			out[i].InferredTokenName = t.InferredName
		}
	}
	return mustJSON(out)
}

func patternSamplesJSON(p *patterns.Pattern) string {
	type sample struct {
		Timestamp int64  `json:"timestamp"`
		LogEvent  string `json:"logEvent"`
	}
	samples := p.Samples()
	out := make([]sample, len(samples))
	for i, s := range samples {
		out[i] = sample{s.Timestamp, s.Message}
	}
	return mustJSON(out)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("insights: " + err.Error()) // maps of strings and numbers always marshal
	}
	return string(b)
}

// histogramWidths are the window widths of @visualization, in milliseconds. Each is a
// multiple of the one before, so that the windows of one width fold exactly into those
// of the next (a 7-day window would straddle two 30-day ones): four weeks and 52 weeks
// stand for a month and a year.
var histogramWidths = []int64{1e3, 5e3, 10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3,
	3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 7 * 86400e3, 28 * 86400e3, 364 * 86400e3}

// histogramMax is how many windows the events' time range may span.
const histogramMax = 120

// histograms counts each pattern's events per time window, all of one width: the
// smallest that spans the time range seen in at most histogramMax windows (the counts
// are folded into wider windows as the range grows).
type histograms struct {
	counts   map[*patterns.Pattern]map[int64]int64
	width    int // index in histogramWidths
	min, max int64
	seen     bool
}

func (h *histograms) add(p *patterns.Pattern, ts int64) {
	if !h.seen {
		h.min, h.max, h.seen = ts, ts, true
	}
	h.min, h.max = min(h.min, ts), max(h.max, ts)
	w := h.width
	for w < len(histogramWidths)-1 && floorTo(h.max, histogramWidths[w])-floorTo(h.min, histogramWidths[w]) >= histogramMax*histogramWidths[w] {
		w++
	}
	if w != h.width {
		h.width = w
		for q, m := range h.counts {
			folded := make(map[int64]int64, len(m))
			for start, n := range m {
				folded[floorTo(start, histogramWidths[w])] += n
			}
			h.counts[q] = folded
		}
	}
	m := h.counts[p]
	if m == nil {
		m = map[int64]int64{}
		h.counts[p] = m
	}
	m[floorTo(ts, histogramWidths[h.width])]++
}

func (h *histograms) json(p *patterns.Pattern) string {
	m := make(map[string]int64, len(h.counts[p]))
	for start, n := range h.counts[p] {
		m[strconv.FormatInt(start, 10)] = n
	}
	return mustJSON(map[string]any{"timeWindowCountMapping": m})
}
