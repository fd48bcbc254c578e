package patterns_test

import (
	"regexp"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// FuzzAdd: Add never panics, and every message added matches the Regex of the pattern
// it joined, then and after later messages generalised it.
func FuzzAdd(f *testing.F) {
	for _, s := range []string{
		"2023-01-01 19:00:01 [INFO] Calling DynamoDB id 12342342k124-12345",
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`,
		`{"level":"info","ms":12}`, "", " ", "a <*> b", "\xff\xfe", "x\n\ty", "::1 :::: ..",
		"ユーザー：alice\u3000ログイン", "a\u00a0b\u0085c「d」\xe3\x80",
	} {
		f.Add(s, "2023-01-01 19:00:02 [INFO] Calling DynamoDB id 9", uint8(0))
	}
	f.Fuzz(func(t *testing.T, a, b string, maxTokens uint8) {
		c := patterns.New(patterns.Options{MaxPatterns: 2, MaxTokens: int(maxTokens % 8), MaxSamples: 1, MaxEnumerations: 1})
		msgs := []string{a, b, a + " " + b, b + a, "x " + a}
		ps := make([]*patterns.Pattern, len(msgs))
		for i, m := range msgs {
			ps[i] = c.Add(m, int64(-i))
			if re := regexp.MustCompile(ps[i].Regex()); !re.MatchString(m) {
				t.Fatalf("Add(%q): Regex %s does not match", m, ps[i].Regex())
			}
		}
		for i, m := range msgs {
			re := regexp.MustCompile(ps[i].Regex())
			if !re.MatchString(m) {
				t.Fatalf("%q no longer matches %s", m, ps[i].Regex())
			}
			if got := len(re.FindStringSubmatch(m)) - 1; got != len(dynamicTokens(ps[i])) {
				t.Fatalf("%q: %d groups, %d dynamic tokens", ps[i], got, len(dynamicTokens(ps[i])))
			}
		}
		if len(c.Patterns()) > 3 {
			t.Fatalf("%d patterns", len(c.Patterns()))
		}
	})
}
