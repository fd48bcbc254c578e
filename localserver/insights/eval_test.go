package insights

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

// testRecords are given newest first, as the server feeds them.
var testRecords = []Record{
	{Timestamp: 1_700_000_420_000, IngestionTime: 1_700_000_420_500, Message: `{"level":"ERROR","latency":250,"user":{"name":"ann","tags":["a","b"]},"@odd":1}`, LogGroup: "123456789012:app", LogStream: "s1", Ptr: "p6"},
	{Timestamp: 1_700_000_360_000, IngestionTime: 1_700_000_360_500, Message: `{"level":"INFO","latency":50,"user":{"name":"bob"}}`, LogGroup: "123456789012:app", LogStream: "s2", Ptr: "p5"},
	{Timestamp: 1_700_000_300_000, IngestionTime: 1_700_000_300_500, Message: "user=carl id=7 took 120ms", LogGroup: "123456789012:web", LogStream: "s1", Ptr: "p4"},
	{Timestamp: 1_700_000_240_000, IngestionTime: 1_700_000_240_500, Message: "user=dan id=12 took 30ms Exception", LogGroup: "123456789012:web", LogStream: "s1", Ptr: "p3"},
	{Timestamp: 1_700_000_061_000, IngestionTime: 1_700_000_061_500, Message: `{"level":"INFO","latency":"75","user":{"name":"ann"}}`, LogGroup: "123456789012:app", LogStream: "s1", Ptr: "p2"},
	{Timestamp: 1_700_000_000_123, IngestionTime: 1_700_000_000_623, Message: "  plain text  ", LogGroup: "123456789012:app", LogStream: "s3", Ptr: "p1"},
}

// runQuery evaluates src over recs and renders each row as "name=value" pairs joined by
// "; " (without @ptr unless keepPtr).
func runQuery(t *testing.T, src string, keepPtr bool, recs []Record, opts Options) ([]string, *Result) {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	run := q.NewRun(opts)
	for i := range recs {
		if !run.Add(&recs[i]) {
			break
		}
	}
	res := run.Result()
	var out []string
	for _, r := range res.Rows {
		var parts []string
		for _, f := range r {
			if f.Name == "@ptr" && !keepPtr {
				continue
			}
			parts = append(parts, f.Name+"="+f.Value)
		}
		out = append(out, strings.Join(parts, "; "))
	}
	return out, res
}

func TestEvaluate(t *testing.T) {
	for _, c := range []struct {
		name, q string
		want    []string
	}{
		{"default fields, newest first", "limit 2", []string{
			"@timestamp=2023-11-14 22:20:20.000; @message=" + testRecords[0].Message,
			"@timestamp=2023-11-14 22:19:20.000; @message=" + testRecords[1].Message,
		}},
		{"system fields", "fields @log, @logStream, @ingestionTime, @timestamp | sort @timestamp asc | limit 1", []string{
			"@log=123456789012:app; @logStream=s3; @ingestionTime=2023-11-14 22:13:20.623; @timestamp=2023-11-14 22:13:20.123",
		}},
		{"json fields and missing values", "fields level, latency, user.name, user.tags.1, @@odd", []string{
			"level=ERROR; latency=250; user.name=ann; user.tags.1=b; @@odd=1",
			"level=INFO; latency=50; user.name=bob",
			"", "",
			"level=INFO; latency=75; user.name=ann",
			"",
		}},
		{"filter numeric on text", "filter latency > 60 | fields latency", []string{"latency=250", "latency=75"}},
		{"filter equality and or", `filter level = "INFO" or user.name = 'ann' | fields user.name, level`, []string{
			"user.name=ann; level=ERROR", "user.name=bob; level=INFO", "user.name=ann; level=INFO",
		}},
		{"filter != skips missing", `filter level != "INFO" | fields level`, []string{"level=ERROR"}},
		{"like substring", `filter @message like "Exception" | fields @logStream`, []string{"@logStream=s1"}},
		{"like regex, case-insensitive", `filter @message like /(?i)exception/ | fields id`, nil},
		{"not like", `filter @message not like /user=/ and @message not like "{" | fields strlen(@message) as n`, []string{"n=14"}},
		{"=~", `filter @message =~ /id=\d{2} / | fields @logStream`, []string{"@logStream=s1"}},
		{"in", `filter latency in [50, "250"] | fields latency`, []string{"latency=250", "latency=50"}},
		{"not in", `filter level not in ["INFO"] | fields level`, []string{"level=ERROR"}},
		{"parse glob", `parse @message "user=* id=* took *ms" as who, id, ms | filter ispresent(who) | fields who, id * 2 as twice, ms`, []string{
			"who=carl; id=7; ms=120; twice=14", "who=dan; id=12; ms=30; twice=24",
		}},
		{"parse regex", `parse @message /user=(?<who>\w+) id=(?<num>\d+)/ | filter num >= 10`, []string{
			"@timestamp=2023-11-14 22:17:20.000; @message=user=dan id=12 took 30ms Exception; who=dan; num=12",
		}},
		{"display replaces fields", "fields level, latency | display latency | limit 1", []string{"latency=250"}},
		{"sort numbers after text, desc default", "fields latency | filter ispresent(latency) | sort latency", []string{"latency=250", "latency=75", "latency=50"}},
		{"sort multiple keys", "fields user.name as u, latency | filter ispresent(u) | sort u asc, latency asc", []string{
			"u=ann; latency=75", "u=ann; latency=250", "u=bob; latency=50",
		}},
		{"sort missing last", "fields level | sort level asc | limit 3", []string{"level=ERROR", "level=INFO", "level=INFO"}},
		{"stats count by", "stats count(*) as n by level | sort n desc", []string{"n=3", "level=INFO; n=2", "level=ERROR; n=1"}},
		{"stats without by", "stats count(*), count(level), count_distinct(user.name), sum(latency), avg(latency), min(latency), max(latency)", []string{
			"count(*)=6; count(level)=3; count_distinct(user.name)=2; sum(latency)=375; avg(latency)=125; min(latency)=50; max(latency)=250",
		}},
		{"stats expression of aggregations", "stats sum(latency) / count(latency) as mean, pct(latency, 50) as p50, stddev(latency) as sd", []string{
			"mean=125; p50=75; sd=" + formatNum(math.Sqrt(11875)),
		}},
		{"stats earliest latest", "filter ispresent(level) | stats earliest(level) as first, latest(level) as last", []string{"first=INFO; last=ERROR"}},
		{"stats by bin, newest first", "stats count(*) as n by bin(5m)", []string{
			"bin(5m)=2023-11-14 22:20:00.000; n=1", "bin(5m)=2023-11-14 22:15:00.000; n=3", "bin(5m)=2023-11-14 22:10:00.000; n=2",
		}},
		{"stats over nothing", "filter level = 'NONE' | stats count(*) as n", []string{"n=0"}},
		{"stats then filter and fields", "stats count(*) as n by @log | filter n > 2 | fields n * 10 as big", []string{"@log=123456789012:app; n=4; big=40"}},
		{"dedup keeps first", "fields level | dedup level", []string{"level=ERROR", "level=INFO", "", "", ""}},
		{"limit any", "limit any 2 | fields @logStream", []string{"@logStream=s1", "@logStream=s2"}},
		{"string functions", `fields toupper(level) as u, tolower(level) as l, concat(level, "-", latency) as c, substr(level, 1, 2) as s, replace(level, "O", "0") as r, strcontains(level, "RR") as k | limit 1`, []string{
			"u=ERROR; l=error; c=ERROR-250; s=RR; r=ERR0R; k=1",
		}},
		{"trim functions", `filter @message like "plain" | fields concat("[", trim(@message), "]") as t, concat("[", ltrim(@message), "]") as lt, concat("[", rtrim(@message), "]") as rt, trim("xyZfooxyZ", "xyZ") as c`, []string{
			"t=[plain text]; lt=[plain text  ]; rt=[  plain text]; c=foo",
		}},
		{"presence functions", `fields ispresent(level) as p, isempty(level) as e, isblank(" ") as b | limit 1`, []string{"p=1; e=0; b=1"}},
		{"numeric functions", `fields abs(-2.5) as a, ceil(1.2) as c, floor(-1.2) as f, greatest(latency, 100, "x") as g, least(latency, 100) as l, 2 ^ 10 as p, 7 % 3 as m, 1 / 0 as z | limit 1`, []string{
			"a=2.5; c=2; f=-2; g=250; l=100; p=1024; m=1"}},
		{"datetime functions", `fields datefloor(@timestamp, 1h) as f, dateceil(@timestamp, 1h) as c, toMillis(@timestamp) as ms, fromMillis(86400000) as d, @timestamp + 1000 as later | limit 1`, []string{
			"f=2023-11-14 22:00:00.000; c=2023-11-14 23:00:00.000; ms=1700000420000; d=1970-01-02 00:00:00.000; later=2023-11-14 22:20:21.000",
		}},
		{"ip functions", `fields isValidIp("10.0.0.1") as a, isValidIpV4("::1") as b, isValidIpV6("::1") as c, isValidIp("300.1.1.1") as d, isIpInSubnet("10.1.2.3", "10.0.0.0/8") as e, isIpv4InSubnet("11.0.0.1", "10.0.0.0/8") as f, isIpv6InSubnet("2001:db8::1", "2001:db8::/32") as g | limit 1`, []string{
			"a=1; b=0; c=1; d=0; e=1; f=0; g=1",
		}},
		{"coalesce and backticks", "fields coalesce(`level`, @logStream) as v | limit 3", []string{"v=ERROR", "v=INFO", "v=s1"}},
		{"filter on timestamp millis", "filter @timestamp >= 1700000360000 | fields @logStream", []string{"@logStream=s1", "@logStream=s2"}},
		{"comment", "# first line\nfields level # the level\n| limit 1", []string{"level=ERROR"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := runQuery(t, c.q, false, testRecords, Options{})
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.q, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestPtrAndStatistics(t *testing.T) {
	got, res := runQuery(t, "filter @logStream = 's1' | fields @logStream | limit 2", true, testRecords, Options{})
	want := "@logStream=s1; @ptr=p6\n@logStream=s1; @ptr=p4"
	if strings.Join(got, "\n") != want {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	var bytes int64
	for _, r := range testRecords {
		bytes += int64(len(r.Message))
	}
	if res.RecordsScanned != 6 || res.RecordsMatched != 4 || res.BytesScanned != bytes {
		t.Errorf("statistics = %d scanned, %d matched, %d bytes; want 6, 4, %d", res.RecordsScanned, res.RecordsMatched, res.BytesScanned, bytes)
	}
	// stats rows carry no @ptr.
	got, _ = runQuery(t, "stats count(*)", true, testRecords, Options{})
	if strings.Join(got, "\n") != "count(*)=6" {
		t.Errorf("stats rows = %q", got)
	}
}

func TestLimits(t *testing.T) {
	got, res := runQuery(t, "fields @logStream", false, testRecords, Options{Limit: 2})
	if len(got) != 2 || res.RecordsMatched != 6 {
		t.Errorf("Options.Limit 2: %d rows, %d matched; want 2 rows, 6 matched", len(got), res.RecordsMatched)
	}
	got, _ = runQuery(t, "fields @logStream | limit 3", false, testRecords, Options{Limit: 2})
	if len(got) != 2 {
		t.Errorf("limit 3 under Options.Limit 2: %d rows", len(got))
	}
	// Without Options.Limit, a limit command may ask for more than the default 10,000
	// rows, up to 100,000 (CWL_QuerySyntax-Limit).
	many := make([]Record, DefaultLimit+10)
	for i := range many {
		many[i] = Record{Timestamp: int64(len(many) - i), Message: "m", Ptr: "p"}
	}
	for _, c := range []struct {
		q    string
		opts Options
		want int
	}{
		{"fields @message", Options{}, DefaultLimit},
		{"fields @message | limit 10005", Options{}, DefaultLimit + 5},
		{"fields @message | limit 10005", Options{Limit: 3}, 3},
		{"fields @message | limit 5", Options{}, 5},
	} {
		if got, _ := runQuery(t, c.q, false, many, c.opts); len(got) != c.want {
			t.Errorf("%s with %+v: %d rows, want %d", c.q, c.opts, len(got), c.want)
		}
	}
	_, res = runQuery(t, "limit any 1", false, testRecords, Options{})
	if res.RecordsScanned != 1 {
		t.Errorf("limit any 1 scanned %d records, want 1", res.RecordsScanned)
	}
}

func TestFlattenJSON(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want map[string]string
	}{
		{`{"a":{"b":[{"c":1},2]},"d":true,"e":null,"f":{},"g":[]}`, map[string]string{"a.b.0.c": "1", "a.b.1": "2", "d": "true"}},
		{` {"@x": 1.50} `, map[string]string{"@@x": "1.50"}},
		{`not json`, nil},
		{`[1,2]`, nil},
		{`{"a":1} trailing`, nil},
		{`{"a":`, nil},
	} {
		got := FlattenJSON(c.msg)
		if len(got) != len(c.want) {
			t.Errorf("FlattenJSON(%q) = %v, want %v", c.msg, got, c.want)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("FlattenJSON(%q)[%q] = %q, want %q", c.msg, k, got[k], v)
			}
		}
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range MaxJSONFields + 10 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + formatNum(float64(i)) + `":1`)
	}
	b.WriteString("}")
	if got := FlattenJSON(b.String()); len(got) != MaxJSONFields || got["k0"] != "1" || got["k199"] != "1" {
		t.Errorf("FlattenJSON of %d fields kept %d (k0=%q k199=%q)", MaxJSONFields+10, len(got), got["k0"], got["k199"])
	}
}

func TestNaturalSort(t *testing.T) {
	// The service's documented ascending order (CWL_QuerySyntax-Sort).
	want := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	for i := 0; i+1 < len(want); i++ {
		if c := sortCompare(str(want[i]), str(want[i+1])); c >= 0 {
			t.Errorf("sortCompare(%q, %q) = %d, want < 0", want[i], want[i+1], c)
		}
	}
}

// FuzzEvaluate runs a fixed set of queries over one fuzzed message, checking that
// evaluation never panics and that rows of log events always end with their @ptr.
func FuzzEvaluate(f *testing.F) {
	f.Add(`{"a":{"b":[1,"x"]},"n":"12"}`)
	f.Add("user=bob id=3 took 5ms")
	f.Add(`{"@x":null,"y":[[]]}`)
	queries := []string{
		"fields a.b.0, n * 2, strlen(@message), substr(@message, 3, 4), replace(@message, 'a', '')",
		`parse @message "user=* id=* took *ms" as u, i, t | filter i > 1 or u like /b/`,
		`parse @message /(?<w>\w+)/ | stats count(*), avg(n), pct(n, 90), count_distinct(w) by bin(1m), w`,
		"filter n in [1, '12'] | sort n desc, @message asc | dedup n",
		"fields greatest(n, 3), least(n, a.b.0), datefloor(@timestamp, 1h), trim(@message, 'x')",
		"pattern @message | filter @sampleCount > 0 | sort @ratio desc",
	}
	var parsed []*Query
	for _, s := range queries {
		q, err := Parse(s)
		if err != nil {
			f.Fatalf("Parse(%q): %v", s, err)
		}
		parsed = append(parsed, q)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		rec := Record{Timestamp: 1000, IngestionTime: 2000, Message: msg, LogGroup: "1:g", LogStream: "s", Ptr: "ptr"}
		for _, q := range parsed {
			run := q.NewRun(Options{})
			run.Add(&rec)
			rows := run.Result().Rows
			if q.HasPattern() {
				// One pattern, whose regex matches the message.
				if len(rows) != 1 || !regexp.MustCompile(rowMap(rows[0])["@regexString"]).MatchString(msg) {
					t.Fatalf("%s over %q: rows %v", q, msg, rows)
				}
			}
			for _, r := range rows {
				if !q.HasStats() && !q.HasPattern() && (len(r) == 0 || r[len(r)-1] != Field{Name: "@ptr", Value: "ptr"}) {
					t.Fatalf("%s: row %v does not end with @ptr", q, r)
				}
			}
		}
	})
}

// BenchmarkRun evaluates a filter-and-stats query over 10,000 JSON records (about 80
// bytes each), as StartQuery does over a scan.
func BenchmarkRun(b *testing.B) {
	recs := make([]Record, 10_000)
	for i := range recs {
		level := "INFO"
		if i%10 == 0 {
			level = "ERROR"
		}
		recs[i] = Record{Timestamp: 1_700_000_000_000 - int64(i)*1000, Message: `{"level":"` + level + `","latency":` + formatNum(float64(i%500)) + `,"path":"/api/v1/items"}`, LogGroup: "1:g", LogStream: "s", Ptr: "p"}
	}
	benchQuery(b, `filter level = "ERROR" | stats count(*), avg(latency) by bin(1m)`, recs, 1, len(recs))
}

// benchQuery runs src over recs at each benchmark iteration, as StartQuery does over a
// scan, and fails unless the result has minRows to maxRows rows.
func benchQuery(b *testing.B, src string, recs []Record, minRows, maxRows int) {
	q, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		run := q.NewRun(Options{})
		for i := range recs {
			run.Add(&recs[i])
		}
		if n := len(run.Result().Rows); n < minRows || n > maxRows {
			b.Fatalf("%d rows, want %d to %d", n, minRows, maxRows)
		}
	}
}
