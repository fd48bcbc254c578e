package insights

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// patternRecords are app log lines, newest first.
func patternRecords() []Record {
	msgs := []string{
		"2024-05-01 12:00:09 [ERROR] Failed to do: connect db-1 timeout",
		"2024-05-01 12:00:08 [INFO] Request time: 327 ms",
		"2024-05-01 12:00:07 [INFO] Request time: 12 ms",
		"2024-05-01 12:00:06 [ERROR] Failed to do: connect db-2 timeout",
		"2024-05-01 12:00:05 [INFO] Request time: 45 ms",
		"2024-05-01 12:00:04 [WARN] disk 91% full on 10.0.0.1",
		"2024-05-01 12:00:03 [INFO] Request time: 7 ms",
		"2024-05-01 12:00:02 [WARN] disk 95% full on 10.0.0.2",
	}
	recs := make([]Record, len(msgs))
	for i, m := range msgs {
		recs[i] = Record{Timestamp: 1_714_564_809_000 - int64(i)*1000, Message: m, LogGroup: "123456789012:app", LogStream: "s", Ptr: fmt.Sprint("p", i)}
	}
	return recs
}

func rowMap(r []Field) map[string]string {
	m := map[string]string{}
	for _, f := range r {
		m[f.Name] = f.Value
	}
	return m
}

func TestPatternCommand(t *testing.T) {
	recs := patternRecords()
	tests := []struct {
		name, q string
		want    []string // rows as "@sampleCount @ratio @severityLabel @pattern"
	}{
		{"all", "pattern @message", []string{
			"4 0.50 INFO <Time-1> <Time-2> [INFO] Request time: <Number-3> ms",
			// Equal counts: by @PatternId.
			"2 0.25 WARN <Time-1> <Time-2> [WARN] disk <Number-3> full on <IPAddress-4>",
			"2 0.25 ERROR <Time-1> <Time-2> [ERROR] Failed to do: connect <Token-3> timeout",
		}},
		{"filter before", "filter @message like /ERROR/ | pattern @message", []string{
			"2 1.00 ERROR <Time-1> <Time-2> [ERROR] Failed to do: connect <Token-3> timeout",
		}},
		{"the syntax page's example", "filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc", []string{
			"2 1.00  connect <Token-1> timeout",
		}},
		{"string function input", "pattern toupper(substr(@message, 20))", []string{
			"4 0.50 INFO [INFO] REQUEST TIME: <Number-1> MS",
			// Equal counts: by @PatternId.
			"2 0.25 WARN [WARN] DISK <Number-1> FULL ON <IPAddress-2>",
			"2 0.25 ERROR [ERROR] FAILED TO DO: CONNECT <Token-1> TIMEOUT",
		}},
		{"sort, filter and limit after", "pattern @message | filter @sampleCount < 4 | sort @severityLabel asc | limit 1", []string{
			"2 0.25 ERROR <Time-1> <Time-2> [ERROR] Failed to do: connect <Token-3> timeout",
		}},
		{"records without the field are left out", "parse @message 'disk * full' as pct | pattern pct", []string{
			"2 1.00  <Number-1>",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res := runQuery(t, tt.q, true, recs, Options{})
			var got []string
			for _, r := range res.Rows {
				m := rowMap(r)
				if _, ok := m["@ptr"]; ok {
					t.Errorf("pattern row has @ptr: %v", r)
				}
				got = append(got, strings.Join([]string{m["@sampleCount"], m["@ratio"], m["@severityLabel"], m["@pattern"]}, " "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s:\n got %q\nwant %q", tt.q, got, tt.want)
			}
		})
	}
}

func TestPatternFields(t *testing.T) {
	recs := patternRecords()
	_, res := runQuery(t, "pattern @message", true, recs, Options{})
	if len(res.Rows) != 3 {
		t.Fatalf("%d rows", len(res.Rows))
	}
	var names []string
	for _, f := range res.Rows[0] {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, patternFields) {
		t.Errorf("fields %q, want %q", names, patternFields)
	}
	for i := 1; i < len(res.Rows); i++ {
		a, b := rowMap(res.Rows[i-1]), rowMap(res.Rows[i])
		if a["@sampleCount"] < b["@sampleCount"] || a["@sampleCount"] == b["@sampleCount"] && a["@PatternId"] >= b["@PatternId"] {
			t.Errorf("row %d %v before %v", i-1, a, b)
		}
	}
	m := rowMap(res.Rows[0])
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(m["@PatternId"]) {
		t.Errorf("@PatternId %q", m["@PatternId"])
	}
	re := regexp.MustCompile(m["@regexString"])
	for _, r := range recs {
		if want := strings.Contains(r.Message, "Request time"); re.MatchString(r.Message) != want {
			t.Errorf("@regexString %s matches %q: %v", re, r.Message, !want)
		}
	}
	var toks []tokenJSON
	if err := json.Unmarshal([]byte(m["@tokens"]), &toks); err != nil {
		t.Fatalf("@tokens %s: %v", m["@tokens"], err)
	}
	var text strings.Builder
	var dyn []tokenJSON
	for _, tk := range toks {
		text.WriteString(tk.TokenString)
		if tk.IsDynamic {
			dyn = append(dyn, tk)
		}
	}
	if text.String() != "<*> <*> [INFO] Request time: <*> ms" || len(dyn) != 3 {
		t.Fatalf("tokens %s", m["@tokens"])
	}
	if d := dyn[2]; d.TokenType != "DYNAMIC" || d.DynamicTokenPosition != 3 || d.InferredTokenName != "Number-3" || !d.IsNumeric ||
		!maps.Equal(d.Enumerations, map[string]int64{"327": 1, "12": 1, "45": 1, "7": 1}) {
		t.Errorf("third dynamic token %+v", d)
	}
	var samples []struct {
		Timestamp int64  `json:"timestamp"`
		LogEvent  string `json:"logEvent"`
	}
	if err := json.Unmarshal([]byte(m["@logSamples"]), &samples); err != nil {
		t.Fatalf("@logSamples %s: %v", m["@logSamples"], err)
	}
	// Oldest first.
	if len(samples) != 4 || samples[0].LogEvent != recs[6].Message || samples[0].Timestamp != recs[6].Timestamp || samples[3].LogEvent != recs[1].Message {
		t.Errorf("@logSamples %s", m["@logSamples"])
	}
	var vis struct {
		TimeWindowCountMapping map[string]int64 `json:"timeWindowCountMapping"`
	}
	if err := json.Unmarshal([]byte(m["@visualization"]), &vis); err != nil {
		t.Fatalf("@visualization %s: %v", m["@visualization"], err)
	}
	// Events 1 s apart over 8 s: one-second windows.
	want := map[string]int64{}
	for _, i := range []int{1, 2, 4, 6} {
		want[fmt.Sprint(recs[i].Timestamp)] = 1
	}
	if !maps.Equal(vis.TimeWindowCountMapping, want) {
		t.Errorf("@visualization %v, want %v", vis.TimeWindowCountMapping, want)
	}
}

func TestPatternHistogramWidens(t *testing.T) {
	cl := patterns.New(patterns.Options{})
	h := histograms{counts: map[*patterns.Pattern]map[int64]int64{}}
	a, b := cl.Add("alpha", 0), cl.Add("beta gamma", 0)
	// 100 events a second apart: 1 s windows. Then one 7,100 s after the first: 1 min
	// windows (119 of them; 30 s ones would be 237).
	for i := range 100 {
		h.add(a, 1_700_000_000_000+int64(i)*1000)
	}
	if got := len(h.counts[a]); got != 100 || h.width != 0 {
		t.Fatalf("%d windows of %d ms", got, histogramWidths[h.width])
	}
	h.add(b, 1_700_000_000_000+7100_000)
	var sum int64
	for start, n := range h.counts[a] {
		if start%60_000 != 0 {
			t.Errorf("window start %d not on a minute", start)
		}
		sum += n
	}
	if histogramWidths[h.width] != 60_000 || sum != 100 || len(h.counts[a]) != 2 {
		t.Errorf("width %d ms, %d windows of %d events: %v", histogramWidths[h.width], len(h.counts[a]), sum, h.counts[a])
	}
	want := `{"timeWindowCountMapping":{"1700007060000":1}}`
	if got := h.json(b); got != want {
		t.Errorf("json %s, want %s", got, want)
	}
}

func TestPatternMalformed(t *testing.T) {
	tests := []struct{ q, msg string }{
		{"pattern 5", `pattern takes @message, a field`},
		{"pattern strlen(@message)", `not "strlen(@message)"`},
		{"pattern", "expected"},
		{"stats count(*) by @logStream | pattern @message", "pattern cannot follow stats"},
		{"pattern @message | pattern @message", "pattern cannot follow pattern"},
		{"pattern @message | stats count(*)", "stats cannot follow pattern: only filter, sort, limit, fields, display can"},
		{"pattern @message | dedup @pattern", "dedup cannot follow pattern"},
		{"pattern @message | parse @pattern '* *' as a, b", "parse cannot follow pattern"},
		{"pattern @message | filter @message like /x/", "Unknown symbols found after pattern: @message"},
		{"pattern @message | sort @timestamp desc", "Unknown symbols found after pattern: @timestamp"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.q)
		var se *SyntaxError
		if err == nil || !errors.As(err, &se) || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError with %q", tt.q, err, tt.msg)
		}
	}
	for _, q := range []string{
		"pattern @message | fields @pattern, @sampleCount * 2 as twice | filter twice > 2 | display @pattern, twice",
		"sort @timestamp asc | limit 5 | pattern @message | sort @ratio desc | limit 3",
		"PATTERN unmask(@message)",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
}

func TestPatternHasPatternAndUnmasks(t *testing.T) {
	for _, tt := range []struct {
		q                string
		pattern, unmasks bool
	}{
		{"pattern @message", true, false},
		{"pattern unmask(@message)", true, true},
		{"fields @message", false, false},
	} {
		q, err := Parse(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if q.HasPattern() != tt.pattern || q.Unmasks() != tt.unmasks {
			t.Errorf("%q: HasPattern %v, Unmasks %v", tt.q, q.HasPattern(), q.Unmasks())
		}
	}
}

// BenchmarkPattern runs "pattern @message" over 10,000 records of four shapes (about 60
// bytes each), as StartQuery does over a scan.
func BenchmarkPattern(b *testing.B) {
	recs := make([]Record, 10_000)
	for i := range recs {
		var msg string
		switch i % 4 {
		case 0:
			msg = fmt.Sprintf("2024-05-01 12:%02d:%02d [INFO] Request time: %d ms", i/60%60, i%60, i%977)
		case 1:
			msg = fmt.Sprintf(`{"level":"warn","msg":"slow query","ms":%d,"user":"u%d"}`, i%3000, i%50)
		case 2:
			msg = fmt.Sprintf("10.0.%d.%d - - GET /api/items/%d 200", i%256, i/256%256, i%100)
		default:
			msg = fmt.Sprintf("ERROR payment %d declined for card ending %04d", i, i%10000)
		}
		recs[i] = Record{Timestamp: 1_700_000_000_000 - int64(i)*1000, Message: msg, LogGroup: "1:g", LogStream: "s", Ptr: "p"}
	}
	benchQuery(b, "pattern @message", recs, 4, 4)
}

// TestPatternHistogramFolds: however far the time range grows, each pattern's windows
// are those a count of its events at the final width gives (the counts of narrower
// windows are folded into wider ones as the range grows). For each width, the events
// span 100 windows of it, which takes the histogram through every narrower width.
func TestPatternHistogramFolds(t *testing.T) {
	for w := 1; w < len(histogramWidths); w++ {
		width := histogramWidths[w]
		t.Run(fmt.Sprint(width/1000, "s"), func(t *testing.T) {
			cl := patterns.New(patterns.Options{})
			a, b := cl.Add("alpha", 0), cl.Add("beta gamma", 0)
			h := histograms{counts: map[*patterns.Pattern]map[int64]int64{}}
			start := int64(1_600_000_000_000)
			want := map[*patterns.Pattern]map[int64]int64{a: {}, b: {}}
			const n = 997
			for i := range int64(n) {
				ts := start + i*(100*width/n) + i%7*333
				p := a
				if i%3 == 0 {
					p = b
				}
				h.add(p, ts)
				want[p][floorTo(ts, width)]++
			}
			if got := histogramWidths[h.width]; got != width {
				t.Fatalf("width %d ms, want %d", got, width)
			}
			for _, p := range []*patterns.Pattern{a, b} {
				if !maps.Equal(h.counts[p], want[p]) {
					t.Errorf("%s: windows\n%v\nwant\n%v", p, h.counts[p], want[p])
				}
			}
		})
	}
}

// TestPatternStatistics: a pattern query's records matched are those that reach the
// command (past the filters before it); all are scanned.
func TestPatternStatistics(t *testing.T) {
	recs := patternRecords()
	for _, tt := range []struct {
		q       string
		matched int64
	}{
		{"pattern @message", 8},
		{"filter @message like /ERROR|WARN/ | pattern @message | filter @sampleCount > 5", 4},
	} {
		_, res := runQuery(t, tt.q, false, recs, Options{})
		if res.RecordsMatched != tt.matched || res.RecordsScanned != int64(len(recs)) {
			t.Errorf("%s: %d matched, %d scanned; want %d, %d", tt.q, res.RecordsMatched, res.RecordsScanned, tt.matched, len(recs))
		}
	}
}
