package insights

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGood(t *testing.T) {
	for _, q := range []string{
		"",
		"# only a comment",
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
		"FIELDS @message | SORT @timestamp ASC | LIMIT 5",
		"fields `foo-bar`, action, abs(f3-f4) as d",
		"filter (duration>2000)",
		"filter f1 = 10 or f3 > 25 and not f2 != 'x'",
		"filter statusCode like /2\\d\\d/",
		"filter f1 =~ /^(?i)Exception$/",
		`filter f1 not like "x" and f2 in [1, 2, "a"] and f3 not in []`,
		"stats count(*) as n, avg(latency), pct(latency, 95) by bin(5m), host",
		"stats sum(bytes) / count() as ratio",
		"stats count(*) as n by bin(1h) | sort n desc",
		`parse @message "user=*, method:*, latency := *" as @user, @method, @latency | stats avg(@latency) by @method, @user`,
		`parse @message /(?<time>[0-9]{10}\.[0-9]{1,3}) .* (?<code>[A-Z_]+\/[0-9]{3})/`,
		`parse "[*] *" as level, rest`,
		"fields a.b.0.c, @@x | display a.b.0.c",
		"fields x / 2 as half, 2 ^ 3 ^ 2 as big, -x as neg, x % 3 as m",
		"dedup host, level | limit any 3",
		"fields concat(a, '-', b), substr(a, 1, 2), replace(a, 'x', 'y'), strcontains(a, 'q')\n# trailing comment",
		"fields datefloor(@timestamp, 1h), dateceil(@timestamp, 30m), fromMillis(0), toMillis(@timestamp)",
		"filter ispresent(a) and not isempty(b) and isblank(c) = 0",
		"fields greatest(a, b, 3), least(1, 2), ceil(x), floor(x), trim(s), ltrim(s, 'x'), rtrim(s), toupper(s), tolower(s), strlen(s), coalesce(a, b)",
		"stats earliest(@message), latest(@message), min(x), max(x), count_distinct(x), stddev(x), sum(x)",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
}

// malformedCase is a query Parse refuses: the SyntaxError's span and part of its message.
type malformedCase struct {
	q          string
	start, end int
	msg        string
}

// checkMalformed checks that Parse refuses each case's query with a *SyntaxError over
// [start, end) whose message contains msg.
func checkMalformed(t *testing.T, cases []malformedCase) {
	t.Helper()
	for _, c := range cases {
		_, err := Parse(c.q)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.q, err)
			continue
		}
		if se.Start != c.start || se.End != c.end || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q) = [%d,%d) %q, want [%d,%d) containing %q", c.q, se.Start, se.End, se.Msg, c.start, c.end, c.msg)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	checkMalformed(t, []malformedCase{
		{"fields", 6, 6, "expected a field"},
		{"fields a,", 9, 9, "expected a field"},
		{"fieldz a", 0, 6, "unknown or unsupported command"},
		{"fields a | | limit 1", 11, 12, "expected a command"},
		{"fields a b", 9, 10, "expected | or the end"},
		{"fields nosuch(a)", 7, 13, "unknown function nosuch()"},
		{"filter a = 'unterminated", 11, 24, "unterminated string"},
		{"filter a like /x", 14, 16, "unterminated regular expression"},
		{"filter a like /(/", 14, 17, "invalid regular expression"},
		{"filter a like 5", 14, 15, "expected a \"string\""},
		{"limit 0", 6, 7, "limit needs a whole number"},
		{"limit 100001", 6, 12, "limit needs a whole number"},
		{"limit x", 6, 7, "limit needs a whole number"},
		{"stats a", 6, 7, "is not an aggregation"},
		// After stats only its outputs exist (the service: "Unknown symbols found in or
		// after stats: request_source", trade-tariff/trade-tariff-backend#3465).
		{"stats count(*) by x | sort y", 27, 28, "Unknown symbols found in or after stats: y"},
		{"stats count(*) as n by x | fields n * 2 as m | filter m > z", 58, 59, "Unknown symbols found in or after stats: z"},
		{"stats count(*) as n by x | stats sum(y)", 37, 38, "Unknown symbols found in or after stats: y"},
		{"stats count(*) by x | display @message", 30, 38, "Unknown symbols found in or after stats: @message"},
		{"stats count(*) as a, b - a", 21, 26, "is not an aggregation"},
		{"stats count(*) as a, 1 + 2", 21, 26, "is not an aggregation"},
		{"stats a - b as c, count(*) as a, max(x) as b", 6, 11, "is not an aggregation"},
		{"filter a like /((a{100}){100}){100}/", 14, 36, "invalid regular expression"},
		{"filter a like /x(?=y)/", 14, 22, "invalid regular expression"},
		{"fields count(*)", 7, 15, "can only be used in stats"},
		{"filter sum(x) > 1", 7, 13, "can only be used in stats"},
		{"stats count(sum(x))", 12, 18, "can only be used in stats"},
		{"stats count(*) by bin(x)", 22, 23, "needs a time period"},
		{"fields a | dedup a | limit 2 | sort a", 31, 35, "only limit can follow dedup"},
		{"dedup a | dedup b", 10, 15, "only limit can follow dedup"},
		{"stats count(*) by bin(5qq)", 22, 25, "invalid time period"},
		{"fields substr(a)", 7, 16, "takes 2 to 3 arguments, not 1"},
		{"stats pct(x, 101)", 13, 16, "percentile from 0 to 100"},
		{`parse @message "a=* b=*" as x`, 15, 29, "has 2 * but 1 field names"},
		{`parse @message "nothing" as x`, 15, 24, "has no *"},
		{`parse @message /(\d+)/`, 15, 22, "no named capturing group"},
		{`parse @message 5`, 15, 16, "expected a \"glob*pattern\""},
		{"fields `unterminated", 7, 20, "unterminated backtick"},
		{"filter a = 1 ~ 2", 13, 14, "unexpected character"},
		{"fields (a", 9, 9, `expected ")"`},
		{"filter a in [1, 2", 17, 17, `expected "]"`},
		{"fields and", 7, 10, "keyword"},
		{"sort", 4, 4, "expected a field"},
		{strings.Repeat("x", MaxQueryLength+1), 0, MaxQueryLength + 1, "the limit is 10000"},
	})
}

func TestParseNames(t *testing.T) {
	q, err := Parse("fields abs(a - b), x as y | parse @message 'k=*' as k | stats count( * ) by bin(5m)")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.outputColumns(); strings.Join(got, "|") != "bin(5m)|count( * )" {
		t.Errorf("stats columns = %q", got)
	}
	q, _ = Parse("fields abs(a - b), x as y | parse @message 'k=*' as k")
	if got := q.outputColumns(); strings.Join(got, "|") != "abs(a - b)|y|k" {
		t.Errorf("fields columns = %q", got)
	}
	q, _ = Parse("filter a = 1")
	if got := q.outputColumns(); strings.Join(got, "|") != "@timestamp|@message" {
		t.Errorf("default columns = %q", got)
	}
	q, _ = Parse("fields a, b | display b")
	if got := q.outputColumns(); strings.Join(got, "|") != "b" {
		t.Errorf("display columns = %q", got)
	}
}

// FuzzParse checks that Parse never panics, that every error is a *SyntaxError whose
// offsets lie within the query, and that every parsed query evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 20",
		`parse @message "user=* id=*" as user, id | stats count(*) by user`,
		`filter a like /x\/y/ and b in [1,"2"] or not c =~ "z"`,
		"stats avg(x), pct(x, 50) by bin(5m) | sort x asc | dedup x",
		"fields `a b` # comment\n| limit any 3",
		"fields 1e3 + 2.5 * -x ^ 2 % 7 / (a - b)",
		"lookup t k as user OUTPUT v, w | stats count(*) by v",
		"lookup t k as user OUTPUTNEW v, w | fields v, w",
		"lookup t k as `a.b.0`, v as x Output w | lookup 7 k OUTPUT v",
		"fields @timestamp, @message, unmask(@message) | sort @timestamp desc | limit 20",
		`filter unmask(@message) like /x/ | stats count(*) by unmask(@message) | fields unmask(@message)`,
		`fields "m" as @message | fields unmask(@message) as u, unmask(user)`,
		"filter ispresent(@transformationError) | display @transformationError",
		"filter @message like /ERROR/ | parse @message 'Failed to do: *' as cause | pattern cause | sort @sampleCount asc",
		"pattern concat(@logStream, ' ', @message) | fields @pattern, @ratio * 100 as pct | limit 5",
	} {
		f.Add(s)
	}
	// Every table a fuzzed query names is this one, so that its lookups run (a column it
	// lacks fails BindLookups with a *SyntaxError, checked as Parse's).
	table := &LookupTable{Fields: []string{"k", "v", "w"}, Rows: [][]string{{"u1", "one", ""}, {"bob", "two", "2"}}}
	recs := []Record{
		{Timestamp: 2000, IngestionTime: 2100, Message: `{"x": 3, "a": {"b": [1, "two"]}, "user": "u1"}`, LogGroup: "1:g", LogStream: "s", Ptr: "p2"},
		{Timestamp: 1000, IngestionTime: 1100, Message: "user=*** id=7 x=1.5", Unmasked: "user=bob id=7 x=1.5", LogGroup: "1:g", LogStream: "s", Ptr: "p1", TransformationError: "processor 0 (csv): e"},
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T is not a *SyntaxError", src, err)
			}
			if se.Start < 0 || se.End < se.Start || se.End > len(src) {
				t.Fatalf("Parse(%q): offsets [%d,%d) outside the query", src, se.Start, se.End)
			}
			return
		}
		tables := map[string]*LookupTable{}
		for _, n := range q.LookupTables() {
			tables[n] = table
		}
		bq, err := q.BindLookups(tables)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Start < 0 || se.End < se.Start || se.End > len(src) {
				t.Fatalf("BindLookups(%q): %v", src, err)
			}
			return
		}
		q = bq
		run := q.NewRun(Options{Limit: 10})
		for i := range recs {
			run.Add(&recs[i])
		}
		res := run.Result()
		if len(res.Rows) > 10 {
			t.Fatalf("%d rows beyond the limit of 10", len(res.Rows))
		}
	})
}

// TestParseHostile feeds queries built to exhaust the parser or the evaluator: nesting as
// deep as the length limit allows, long operator chains, invalid UTF-8, huge numbers and
// regular expressions that compile to too large a program. Each parses (and evaluates)
// or fails with a *SyntaxError; none panics or overflows the stack.
func TestParseHostile(t *testing.T) {
	n := MaxQueryLength/2 - 20
	for _, c := range []struct {
		name, q string
		ok      bool
	}{
		{"nested parentheses", "fields " + strings.Repeat("(", n) + "a" + strings.Repeat(")", n) + " as x", true},
		{"not chain", "filter " + strings.Repeat("not not ", (MaxQueryLength-20)/8) + "a", true},
		{"minus chain", "fields " + strings.Repeat("-", MaxQueryLength-20) + "1 as x", true},
		{"power chain", "fields 2" + strings.Repeat("^2", (MaxQueryLength-20)/2) + " as x", true},
		{"nested calls", "fields " + strings.Repeat("abs(", (MaxQueryLength-20)/5) + "1" + strings.Repeat(")", (MaxQueryLength-20)/5) + " as x", true},
		{"huge number", "fields 1e308 * 10 as x, 99999999999999999999999999 as y", true},
		{"number out of range", "fields 1e999", false},
		{"invalid UTF-8", "filter a = \"\xff\xfe\"", false},
		{"regex too large", "filter a like /" + strings.Repeat("a{999}", 1600) + "/", false},
		{"class regex too large", "filter a like /" + strings.Repeat(`[\p{L}\p{N}]{999}`, 500) + "/", false},
		{"regex under the size limit", "filter a like /" + strings.Repeat("[0-9a-f]{8}-", 50) + "/ or ispresent(a)", true},
		{"unclosed parentheses", "fields " + strings.Repeat("(", 5000), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := Parse(c.q)
			if c.ok != (err == nil) {
				t.Fatalf("Parse: %v, want success %v", err, c.ok)
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("%T is not a *SyntaxError", err)
				}
				return
			}
			run := q.NewRun(Options{})
			run.Add(&Record{Timestamp: 1, Message: `{"a":3}`, Ptr: "p"})
			if rows := run.Result().Rows; len(rows) != 1 {
				t.Errorf("%d rows, want 1", len(rows))
			}
		})
	}
}
