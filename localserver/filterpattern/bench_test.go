package filterpattern_test

import (
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// Messages of about 100 bytes.
const (
	benchText  = `2024-05-01T12:00:00Z [ERROR] request 7f3a failed: upstream timeout after 3000 ms (retry 2 of 5)`
	benchJSON  = `{"level":"ERROR","latency":1534,"user":{"id":42,"name":"frank"},"tags":["a","b"],"ok":false,"x":1}`
	benchDelim = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534 extra-field`
)

func benchMatch(b *testing.B, pattern, msg string, want bool) {
	b.Helper()
	p := filterpattern.MustParse(pattern)
	if got := p.Match(msg); got != want {
		b.Fatalf("Parse(%q).Match(%q) = %v, want %v", pattern, msg, got, want)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		p.Match(msg)
	}
}

func BenchmarkMatchTerms(b *testing.B) {
	benchMatch(b, `ERROR timeout -DEBUG`, benchText, true)
}

func BenchmarkMatchTermsOr(b *testing.B) {
	benchMatch(b, `?FATAL ?"upstream timeout"`, benchText, true)
}

func BenchmarkMatchRegex(b *testing.B) {
	benchMatch(b, `%retry\s\d+%`, benchText, true)
}

func BenchmarkMatchJSON(b *testing.B) {
	benchMatch(b, `{ $.level = "ERROR" && $.latency > 1000 && $.user.name = fr* }`, benchJSON, true)
}

func BenchmarkMatchJSONMiss(b *testing.B) {
	benchMatch(b, `{ $.level = "WARN" || $.user.id NOT EXISTS }`, benchJSON, false)
}

func BenchmarkMatchDelimited(b *testing.B) {
	benchMatch(b, `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes > 1000, ...]`, benchDelim, true)
}

// BenchmarkMatchDelimitedManyFields: 250 fields after "..." against a
// 1 MB message of one-letter fields (a review measured 1.5 s per match
// when every message position was tried against all the fields).
func BenchmarkMatchDelimitedManyFields(b *testing.B) {
	fields := []string{"..."}
	for range 250 {
		fields = append(fields, "a=x")
	}
	benchMatch(b, "["+strings.Join(fields, ",")+",b=y]", strings.Repeat("x ", 512<<10), false)
}

func BenchmarkParseJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filterpattern.Parse(`{ ($.level = "ERROR" || $.level = WARN) && $.latency > 1e3 && $.user.name = fr* }`); err != nil {
			b.Fatal(err)
		}
	}
}
