package patterns_test

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// want describes one expected pattern.
type want struct {
	template string
	count    int64
	severity string
	// enums: for each dynamic token (by position, from 1), its expected enumerations.
	enums map[int]map[string]int64
	// names: inferred names of dynamic tokens by position ("" for none).
	names map[int]string
}

func TestClusterRealisticLogs(t *testing.T) {
	tests := []struct {
		name string
		opts patterns.Options
		msgs []string
		want []want // in Patterns() order
	}{
		{
			name: "guide example",
			msgs: []string{
				"2023-01-01 19:00:01 [INFO] Calling DynamoDB to store for resource id 12342342k124-12345",
				"2023-01-01 19:00:02 [INFO] Calling DynamoDB to store for resource id 324892398123-12345",
				"2023-01-01 19:00:03 [INFO] Calling DynamoDB to store for resource id 3ff231242342-12345",
			},
			want: []want{{
				template: "<*> <*> [INFO] Calling DynamoDB to store for resource id <*>",
				count:    3, severity: "INFO",
				enums: map[int]map[string]int64{
					1: {"2023-01-01": 3},
					2: {"19:00:01": 1, "19:00:02": 1, "19:00:03": 1},
					3: {"12342342k124-12345": 1, "324892398123-12345": 1, "3ff231242342-12345": 1},
				},
				names: map[int]string{1: "Time-1", 2: "Time-2", 3: "ID-3"},
			}},
		},
		{
			name: "syntax page example",
			msgs: []string{"[INFO] Request time: 327 ms", "[INFO] Request time: 12 ms"},
			want: []want{{template: "[INFO] Request time: <*> ms", count: 2, severity: "INFO",
				enums: map[int]map[string]int64{1: {"327": 1, "12": 1}}, names: map[int]string{1: "Number-1"}}},
		},
		{
			name: "apache access log",
			msgs: []string{
				`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
				`10.0.0.2 - frank [10/Oct/2000:13:55:37 -0700] "GET /index.html HTTP/1.0" 404 12`,
				`10.0.0.2 - frank [10/Oct/2000:13:55:38 -0700] "GET /index.html HTTP/1.0" 200 12`,
				`::1 - frank [10/Oct/2000:13:55:39 -0700] "POST /login HTTP/1.1" 302 0`,
			},
			// The POST line agrees on 7 of 10 words: it joins, generalising three.
			want: []want{
				{template: `<*> - frank [<*> <*>] "<*> <*> <*>" <*> <*>`, count: 4,
					enums: map[int]map[string]int64{
						1: {"127.0.0.1": 1, "10.0.0.2": 2, "::1": 1},
						4: {"GET": 3, "POST": 1},
						5: {"/apache_pb.gif": 1, "/index.html": 2, "/login": 1},
						6: {"HTTP/1.0": 3, "HTTP/1.1": 1},
						7: {"200": 2, "404": 1, "302": 1},
					},
					names: map[int]string{1: "IPAddress-1", 2: "Time-2", 3: "Number-3", 4: "", 5: "", 6: "", 7: "Number-7", 8: "Number-8"}},
			},
		},
		{
			name: "java app log",
			msgs: []string{
				"2024-03-01 10:00:00,123 ERROR [main] c.e.OrderService - Order 1001 failed: timeout after 3000 ms",
				"2024-03-01 10:00:01,456 ERROR [main] c.e.OrderService - Order 1002 failed: timeout after 2500 ms",
				"2024-03-01 10:00:02,789 INFO [pool-1] c.e.OrderService - Order 1003 shipped to warehouse A",
				"2024-03-01 10:00:03,000 WARN [main] c.e.OrderService - Order 1004 failed: timeout after 100 ms",
			},
			want: []want{
				{template: "<*> <*>,<*> <*> [main] c.e.OrderService - Order <*> failed: timeout after <*> ms", count: 3, severity: "ERROR",
					enums: map[int]map[string]int64{4: {"ERROR": 2, "WARN": 1}}},
				{template: "<*> <*>,<*> INFO [pool-1] c.e.OrderService - Order <*> shipped to warehouse A", count: 1, severity: "INFO"},
			},
		},
		{
			name: "go slog text and JSON lines",
			msgs: []string{
				`time=2024-05-01T12:00:00Z level=INFO msg="request done" path=/a status=200 dur=12ms`,
				`time=2024-05-01T12:00:01Z level=INFO msg="request done" path=/b status=200 dur=7ms`,
				`{"level":"warn","msg":"slow query","ms":1534}`,
				`{"level":"warn","msg":"slow query","ms":2001}`,
				`{"level":"warn","msg":"slow query","ms":17}`,
			},
			want: []want{
				{template: `{"level":"warn","msg":"slow query","ms":<*>}`, count: 3, severity: "WARN",
					enums: map[int]map[string]int64{1: {"1534": 1, "2001": 1, "17": 1}}, names: map[int]string{1: "Number-1"}},
				{template: `time=<*> level=INFO msg="request done" path=<*> status=<*> dur=<*>`, count: 2, severity: "INFO",
					enums: map[int]map[string]int64{2: {"/a": 1, "/b": 1}, 3: {"200": 2}},
					names: map[int]string{1: "Time-1", 2: "", 3: "Number-3", 4: "Number-4"}},
			},
		},
		{
			name: "below similarity stays apart",
			msgs: []string{"GET /api/users 200", "POST /api/orders 500", "GET /api/users 404"},
			want: []want{
				{template: "GET /api/users <*>", count: 2, enums: map[int]map[string]int64{1: {"200": 1, "404": 1}}},
				{template: "POST /api/orders <*>", count: 1},
			},
		},
		{
			name: "similarity option",
			opts: patterns.Options{Similarity: 0.9},
			msgs: []string{"User alice logged in", "User bob logged in"},
			want: []want{
				// Equal counts: by ID.
				{template: "User bob logged in", count: 1},
				{template: "User alice logged in", count: 1},
			},
		},
		{
			name: "a static token generalises and keeps its earlier count",
			msgs: []string{"User alice logged in", "User alice logged in", "User bob logged in"},
			want: []want{{template: "User <*> logged in", count: 3, enums: map[int]map[string]int64{1: {"alice": 2, "bob": 1}},
				names: map[int]string{1: ""}}},
		},
		{
			name: "empty and blank messages",
			msgs: []string{"", "  ", ""},
			want: []want{{template: "", count: 2}, {template: "  ", count: 1}},
		},
		{
			name: "max tokens: the last word holds the rest",
			opts: patterns.Options{MaxTokens: 3},
			msgs: []string{"a b c d e", "a b x y z"},
			want: []want{{template: "a b <*>", count: 2, enums: map[int]map[string]int64{1: {"c d e": 1, "x y z": 1}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := patterns.New(tt.opts)
			for i, m := range tt.msgs {
				p := c.Add(m, int64(i))
				if !regexp.MustCompile(p.Regex()).MatchString(m) {
					t.Errorf("Add(%q) joined %q whose Regex %q does not match it", m, p, p.Regex())
				}
			}
			if c.Total() != int64(len(tt.msgs)) {
				t.Errorf("Total() = %d, want %d", c.Total(), len(tt.msgs))
			}
			got := c.Patterns()
			var gotT []string
			for _, p := range got {
				gotT = append(gotT, fmt.Sprintf("%d %s", p.Count(), p))
			}
			var wantT []string
			for _, w := range tt.want {
				wantT = append(wantT, fmt.Sprintf("%d %s", w.count, w.template))
			}
			if !slices.Equal(gotT, wantT) {
				t.Fatalf("patterns:\n got %q\nwant %q", gotT, wantT)
			}
			for i, w := range tt.want {
				p := got[i]
				if p.Severity() != w.severity {
					t.Errorf("%q: Severity() = %q, want %q", p, p.Severity(), w.severity)
				}
				checkTokens(t, p)
				dyn := dynamicTokens(p)
				for pos, e := range w.enums {
					if !maps.Equal(dyn[pos-1].Enumerations, e) {
						t.Errorf("%q token %d: Enumerations = %v, want %v", p, pos, dyn[pos-1].Enumerations, e)
					}
				}
				for pos, n := range w.names {
					if dyn[pos-1].InferredName != n {
						t.Errorf("%q token %d: InferredName = %q, want %q", p, pos, dyn[pos-1].InferredName, n)
					}
				}
			}
		})
	}
}

func dynamicTokens(p *patterns.Pattern) []patterns.Token {
	var out []patterns.Token
	for _, tk := range p.Tokens() {
		if tk.Dynamic {
			out = append(out, tk)
		}
	}
	return out
}

// checkTokens checks the invariants tying Tokens to String, ID and Count.
func checkTokens(t *testing.T, p *patterns.Pattern) {
	t.Helper()
	var b strings.Builder
	pos := 0
	for _, tk := range p.Tokens() {
		b.WriteString(tk.Text)
		if !tk.Dynamic {
			if tk.Position != 0 || tk.Enumerations != nil || tk.InferredName != "" {
				t.Errorf("%q: static token %+v has dynamic fields", p, tk)
			}
			continue
		}
		pos++
		if tk.Text != "<*>" || tk.Position != pos {
			t.Errorf("%q: dynamic token %+v, want text <*> and position %d", p, tk, pos)
		}
		var sum int64
		for _, n := range tk.Enumerations {
			sum += n
		}
		if len(tk.Enumerations) == 0 || sum > p.Count() {
			t.Errorf("%q token %d: enumerations %v (sum %d) for %d messages", p, pos, tk.Enumerations, sum, p.Count())
		}
		if tk.InferredName != "" && !strings.HasSuffix(tk.InferredName, fmt.Sprintf("-%d", pos)) {
			t.Errorf("%q token %d: InferredName %q does not end in its position", p, pos, tk.InferredName)
		}
	}
	if b.String() != p.String() {
		t.Errorf("tokens concatenate to %q, String() = %q", b.String(), p.String())
	}
	if id := p.ID(); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("%q: ID() = %q, want 32 lowercase hex characters", p, id)
	}
	if len(p.Samples()) == 0 {
		t.Errorf("%q: no samples", p)
	}
}

// The same input gives the same patterns and IDs in another Clusterer; a template's ID
// does not depend on the messages that made it.
func TestIDsStableAcrossClusterers(t *testing.T) {
	msgs := mixedLogs(2000)
	a, b := patterns.New(patterns.Options{}), patterns.New(patterns.Options{})
	for i, m := range msgs {
		a.Add(m, int64(i))
		b.Add(m, int64(i))
	}
	pa, pb := a.Patterns(), b.Patterns()
	if len(pa) != len(pb) || len(pa) < 5 {
		t.Fatalf("%d and %d patterns", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i].ID() != pb[i].ID() || pa[i].String() != pb[i].String() || pa[i].Count() != pb[i].Count() {
			t.Errorf("pattern %d: %s %q %d vs %s %q %d", i, pa[i].ID(), pa[i], pa[i].Count(), pb[i].ID(), pb[i], pb[i].Count())
		}
	}
	// A third clusterer fed only some messages reaching the same template gives it the same ID.
	c := patterns.New(patterns.Options{})
	p := c.Add("[INFO] Request time: 327 ms", 0)
	d := patterns.New(patterns.Options{})
	d.Add("unrelated", 0)
	q := d.Add("[INFO] Request time: 5 ms", 0)
	if p.ID() != q.ID() || p.ID() == c.Add("unrelated", 0).ID() {
		t.Errorf("IDs %s, %s for %q, %q", p.ID(), q.ID(), p, q)
	}
}

// Templates only generalise; every message added still matches its pattern's Regex;
// no two patterns share a template; counts add up to Total.
func TestInvariantsOnMixedLogs(t *testing.T) {
	msgs := mixedLogs(3000)
	c := patterns.New(patterns.Options{MaxPatterns: 40})
	joined := make([]*patterns.Pattern, len(msgs))
	prev := map[*patterns.Pattern]string{}
	for i, m := range msgs {
		p := c.Add(m, int64(i))
		joined[i] = p
		if old, ok := prev[p]; ok && !generalises(old, p.String()) {
			t.Fatalf("template %q became %q", old, p)
		}
		prev[p] = p.String()
	}
	for i, m := range msgs {
		if !regexp.MustCompile(joined[i].Regex()).MatchString(m) {
			t.Fatalf("message %q no longer matches its pattern %q (%s)", m, joined[i], joined[i].Regex())
		}
	}
	seen := map[string]bool{}
	var sum int64
	for _, p := range c.Patterns() {
		if seen[p.String()] {
			t.Errorf("two patterns %q", p)
		}
		seen[p.String()] = true
		sum += p.Count()
		checkTokens(t, p)
	}
	if sum != c.Total() || c.Total() != int64(len(msgs)) {
		t.Errorf("counts sum to %d, Total %d, added %d", sum, c.Total(), len(msgs))
	}
	if n := len(c.Patterns()); n > 41 {
		t.Errorf("%d patterns, want at most MaxPatterns+1 = 41", n)
	}
}

// generalises reports whether template b is template a with some static words replaced
// by <*>: a's static text reappears in b in order around b's dynamic tokens.
func generalises(a, b string) bool {
	re := regexp.QuoteMeta(b)
	re = strings.ReplaceAll(re, regexp.QuoteMeta("<*>"), `.+?`)
	return regexp.MustCompile(`(?s)^` + re + `$`).MatchString(a)
}

func TestPatternsOrder(t *testing.T) {
	c := patterns.New(patterns.Options{})
	for _, m := range []string{"b one", "a one", "c one", "c one", "d x 1", "d x 2"} {
		c.Add(m, 0)
	}
	ps := c.Patterns()
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if a.Count() < b.Count() || a.Count() == b.Count() && a.ID() >= b.ID() {
			t.Errorf("pattern %d (%d %s) before %d (%d %s)", i-1, a.Count(), a.ID(), i, b.Count(), b.ID())
		}
	}
	if ps[0].Count() != 2 || ps[1].Count() != 2 || len(ps) != 4 {
		t.Errorf("patterns %v", ps)
	}
}

func TestMaxPatternsOverflow(t *testing.T) {
	c := patterns.New(patterns.Options{MaxPatterns: 2})
	c.Add("alpha started", 1)
	c.Add("beta stopped now", 2)
	// A third shape: no pattern of its group, so it goes to the overflow pattern.
	p := c.Add("gamma [x] y", 3)
	if p.String() != "<*>" || p.Regex() != `(?s)^(.*)$` {
		t.Fatalf("overflow pattern %q %s", p, p.Regex())
	}
	// A message of an existing group joins its pattern even below the threshold.
	q := c.Add("alpha restarted", 4)
	if q.String() != "alpha <*>" || q.Count() != 2 {
		t.Errorf("joined %q (count %d), want alpha <*> (2)", q, q.Count())
	}
	r := c.Add("delta\nmulti line", 5)
	if r != p || p.Count() != 2 {
		t.Errorf("second overflow message joined %q, count %d", r, p.Count())
	}
	tk := p.Tokens()
	if len(tk) != 1 || !maps.Equal(tk[0].Enumerations, map[string]int64{"gamma [x] y": 1, "delta\nmulti line": 1}) {
		t.Errorf("overflow tokens %+v", tk)
	}
	// A one-word variable message belongs to the overflow pattern's group: it joins it.
	if s := c.Add("12345", 6); s != p || !regexp.MustCompile(s.Regex()).MatchString("12345") {
		t.Errorf("12345 joined %q", s)
	}
	if n := len(c.Patterns()); n != 3 || c.Len() != n {
		t.Errorf("%d patterns, Len() %d, want 3 (MaxPatterns + overflow)", n, c.Len())
	}
}

func TestGroupBound(t *testing.T) {
	// Words never alike: each message would start a pattern; one group holds at most 64.
	c := patterns.New(patterns.Options{Similarity: 1})
	for i := range 200 {
		c.Add(fmt.Sprintf("k w%c%c x%c", 'a'+i%26, 'a'+i/26, 'a'+i%7), int64(i))
	}
	if n := len(c.Patterns()); n != 64 {
		t.Errorf("%d patterns in one group, want 64", n)
	}
}

func TestSamplesOldestFirst(t *testing.T) {
	c := patterns.New(patterns.Options{MaxSamples: 3})
	for _, ts := range []int64{50, 40, 60, 10, 40, 30} {
		c.Add(fmt.Sprintf("job %d done", ts), ts)
	}
	p := c.Patterns()[0]
	var got []int64
	for _, s := range p.Samples() {
		got = append(got, s.Timestamp)
		if s.Message != fmt.Sprintf("job %d done", s.Timestamp) {
			t.Errorf("sample %+v", s)
		}
	}
	if !slices.Equal(got, []int64{10, 30, 40}) {
		t.Errorf("sample timestamps %v, want [10 30 40]", got)
	}
}

func TestEnumerationsBounded(t *testing.T) {
	c := patterns.New(patterns.Options{MaxEnumerations: 2})
	// 8 = 4 × MaxEnumerations distinct values: exact counts.
	for i := range 100 {
		c.Add(fmt.Sprintf("user u%d", i%7), 0)
	}
	for range 30 {
		c.Add("user hot", 0)
	}
	c.Add("user u3", 0)
	c.Add("user u3", 0)
	tk := dynamicTokens(c.Patterns()[0])[0]
	if !maps.Equal(tk.Enumerations, map[string]int64{"hot": 30, "u3": 16}) {
		t.Errorf("enumerations %v, want the two most frequent, hot 30 and u3 16", tk.Enumerations)
	}
	// Many more distinct values: the frequent one is kept, its count an upper bound.
	for i := range 1000 {
		c.Add(fmt.Sprintf("user v%d", i), 0)
		if i%4 == 0 {
			c.Add("user hot", 0)
		}
	}
	tk = dynamicTokens(c.Patterns()[0])[0]
	if n, ok := tk.Enumerations["hot"]; !ok || n < 280 || len(tk.Enumerations) != 2 {
		t.Errorf("enumerations %v, want hot with at least its 280", tk.Enumerations)
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		msgs []string
		want string
	}{
		{[]string{"ERROR db down"}, "ERROR"},
		{[]string{"[warn] disk 91% full"}, "WARN"},
		{[]string{"2024-01-01 12:00:00 Fatal: out of memory"}, "ERROR"},
		{[]string{`{"level":"debug","msg":"x"}`}, "DEBUG"},
		{[]string{"I saw an error"}, "ERROR"},
		{[]string{"a b c d e f g h error"}, ""},
		// Level words that are also English words count only where they read as a level.
		{[]string{"errors are fine"}, ""},
		{[]string{"stack trace follows"}, ""},
		{[]string{"user alert preferences saved"}, ""},
		{[]string{"entering critical section"}, ""},
		{[]string{"FINE: loaded 3 classes"}, "DEBUG"},
		{[]string{"2024-01-01 12:00:00 SEVERE disk gone"}, "ERROR"},
		{[]string{"[trace] enter f"}, "DEBUG"},
		{[]string{"<notice> rotated logs"}, "INFO"},
		{[]string{"level=trace msg=x"}, "DEBUG"},
		{[]string{`{"severity":"alert","msg":"x"}`}, "ERROR"},
		{[]string{`{"level":"panic","msg":"x"}`}, "ERROR"},
		{[]string{"panic: runtime error"}, "ERROR"},
		{[]string{"nothing here"}, ""},
		{[]string{"job 1 INFO done", "job 2 ERROR done", "job 3 WARN done"}, "ERROR"},
	}
	for _, tt := range tests {
		c := patterns.New(patterns.Options{})
		var p *patterns.Pattern
		for _, m := range tt.msgs {
			p = c.Add(m, 0)
		}
		if len(c.Patterns()) != 1 || p.Severity() != tt.want {
			t.Errorf("%q: %d patterns, Severity() = %q, want %q", tt.msgs, len(c.Patterns()), p.Severity(), tt.want)
		}
	}
}

func TestInvalidUTF8Regex(t *testing.T) {
	c := patterns.New(patterns.Options{})
	m := "bad \xff byte \xfe\xfd end"
	p := c.Add(m, 0)
	if !regexp.MustCompile(p.Regex()).MatchString(m) {
		t.Errorf("Regex %q does not match %q", p.Regex(), m)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o    patterns.Options
		want string
	}{
		{patterns.Options{}, ""},
		{patterns.Options{Similarity: 1, MaxPatterns: 1}, ""},
		{patterns.Options{Similarity: 1.5}, "Options.Similarity 1.5"},
		{patterns.Options{Similarity: -0.1}, "Options.Similarity -0.1"},
		{patterns.Options{MaxPatterns: -1}, "Options.MaxPatterns -1"},
		{patterns.Options{MaxSamples: -2}, "Options.MaxSamples -2"},
		{patterns.Options{MaxEnumerations: -3}, "Options.MaxEnumerations -3"},
		{patterns.Options{MaxTokens: -4}, "Options.MaxTokens -4"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v.Validate() = %v, want mention of %q", tt.o, err, tt.want)
		}
	}
}

// TestOptionsExtremes: the largest values of Options' bounds work (4×MaxEnumerations
// overflowed to a negative counter capacity, and the first new value of a token
// panicked).
func TestOptionsExtremes(t *testing.T) {
	for _, o := range []patterns.Options{
		{MaxEnumerations: math.MaxInt},
		{MaxEnumerations: math.MaxInt/4 + 1},
		{MaxSamples: math.MaxInt, MaxPatterns: math.MaxInt, MaxTokens: math.MaxInt},
	} {
		c := patterns.New(o)
		var p *patterns.Pattern
		for i := range 3 {
			p = c.Add(fmt.Sprintf("user u%d from 10.0.0.%d", i, i), int64(i))
		}
		if toks := dynamicTokens(p); c.Len() != 1 || len(toks) != 2 || len(toks[0].Enumerations) != 3 || len(p.Samples()) != 3 {
			t.Errorf("%+v: %d patterns, tokens %+v, samples %v", o, c.Len(), toks, p.Samples())
		}
	}
}

// TestUnicodeSeparators: spaces and punctuation beyond ASCII separate words, as ASCII
// ones do, so that messages differing in one word between them share a pattern.
func TestUnicodeSeparators(t *testing.T) {
	tests := []struct {
		msgs []string
		want string
	}{
		{[]string{"ユーザー：alice　ログイン成功", "ユーザー：bob　ログイン成功"}, "ユーザー：<*>　ログイン成功"},
		{[]string{"user\u00a0alice logged in", "user\u00a0bob logged in"}, "user\u00a0<*> logged in"},
		{[]string{"done «alpha»", "done «beta»"}, "done «<*>»"},
		{[]string{"résumé 日本 ok", "résumé 中国 ok"}, "résumé <*> ok"},
	}
	for _, tt := range tests {
		c := patterns.New(patterns.Options{})
		var p *patterns.Pattern
		for _, m := range tt.msgs {
			p = c.Add(m, 0)
		}
		if c.Len() != 1 || p.String() != tt.want {
			t.Errorf("%q: %d patterns, the last %q, want one, %q", tt.msgs, c.Len(), p, tt.want)
		}
		checkTokens(t, p)
		re := regexp.MustCompile(p.Regex())
		for _, m := range tt.msgs {
			if !re.MatchString(m) {
				t.Errorf("%s does not match %q", re, m)
			}
		}
	}
}
