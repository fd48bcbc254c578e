package filterpattern

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// The API reference's TestMetricFilter examples (Apache access log lines).
var apacheLines = []string{
	`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
	`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`,
	`127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`,
}

func render(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	s := ""
	for _, k := range keys {
		s += fmt.Sprintf("%s=%s;", k, m[k])
	}
	return s
}

func TestExtract(t *testing.T) {
	tests := []struct {
		pattern, msg string
		want         string // "" with ok false: no match
		ok           bool
	}{
		{`[ip, identity, user_id, timestamp, request, status_code, size]`, apacheLines[0],
			`$identity=-;$ip=127.0.0.1;$request=GET /apache_pb.gif HTTP/1.0;$size=1534;$status_code=200;$timestamp=10/Oct/2000:13:25:15 -0700;$user_id=frank;`, true},
		{`[..., size]`, apacheLines[1],
			`$1=127.0.0.1;$2=-;$3=frank;$4=10/Oct/2000:13:35:22 -0700;$5=GET /apache_pb.gif HTTP/1.0;$6=500;$size=5324;`, true},
		{`[]`, apacheLines[2],
			`$1=127.0.0.1;$2=-;$3=frank;$4=10/Oct/2000:13:50:35 -0700;$5=GET /apache_pb.gif HTTP/1.0;$6=200;$7=4355;`, true},
		{`[..., status_code=200, size]`, apacheLines[0],
			`$1=127.0.0.1;$2=-;$3=frank;$4=10/Oct/2000:13:25:15 -0700;$5=GET /apache_pb.gif HTTP/1.0;$size=1534;$status_code=200;`, true},
		{`[..., status_code=200, size]`, apacheLines[1], ``, false},
		{`[..., request=*.html*, status_code=4*,]`, `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
			`$1=127.0.0.1;$2=-;$3=frank;$4=10/Oct/2000:13:25:15 -0700;$7=1534;$request=GET /index.html HTTP/1.0;$status_code=404;`, true},
		// A "..." in the middle: the glob's positions survive backtracking.
		{`[a, ..., b=x, ..., c]`, `1 2 x 3 x 4`, `$2=2;$4=3;$5=x;$a=1;$b=x;$c=4;`, true},
		{`"[ERROR]"`, `02 May 2014 00:34:16,142 [ERROR] Unhanded exception`, ``, true},
		{`"[ERROR]" Exception`, `02 May 2014 00:34:16,224 [ERROR] Terminating the application`, ``, false},
		{`%ERR+OR%`, `ERRROR`, ``, true},
		{`{ $.latency > 10 && $.user.name = "b*" }`, `{"latency": 12.5, "user": {"name": "b\u00f6b"}}`, `$.latency=12.5;$.user.name=böb;`, true},
		{`{ $.a[0] = 1 || $.b IS NULL }`, `{"a": [1], "b": null}`, `$.a[0]=1;`, true},
		{`{ $.a = 1 }`, `not json`, ``, false},
	}
	for _, tc := range tests {
		p := MustParse(tc.pattern)
		got, ok := p.Extract(tc.msg)
		if ok != tc.ok || ok != p.Match(tc.msg) || render(got) != tc.want || ok && got == nil {
			t.Errorf("Extract(%q, %q) = %q, %v; want %q, %v (Match %v)", tc.pattern, tc.msg, render(got), ok, tc.want, tc.ok, p.Match(tc.msg))
		}
	}
}

func TestEmptyDelimitedMatchesAll(t *testing.T) {
	for _, pat := range []string{`[]`, `[ ]`} {
		p := MustParse(pat)
		if !p.Match("a b c") || !p.Match(" ") || p.String() != "[...]" || !p.Structured() {
			t.Errorf("%q: Match %v, String %q", pat, p.Match("a b c"), p.String())
		}
	}
	if MustParse(`ERROR`).Structured() || !MustParse(`{$.a=1}`).Structured() {
		t.Error("Structured")
	}
}
