package transform

import (
	"strings"
	"testing"
)

// BenchmarkTransformApply applies parseJSON and three mutators to a 300-byte JSON event.
func BenchmarkTransformApply(b *testing.B) {
	c, err := Parse([]byte(`[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"env","value":"prod"}]}},` +
		`{"renameKeys":{"entries":[{"key":"msg","renameTo":"message"}]}},{"lowerCaseString":{"withKeys":["level"]}}]`))
	if err != nil {
		b.Fatal(err)
	}
	msg := `{"time":"2026-11-27T22:00:00.123Z","level":"INFO","msg":"request served","method":"GET","path":"/api/v1/orders/12345",` +
		`"status":200,"duration_ms":12.5,"bytes":5120,"client":{"ip":"10.0.0.12","agent":"curl/8.5.0"},"trace":"1-67890abc-def0123456789abcdef01234","pad":"`
	msg += strings.Repeat("x", 300-len(msg)-2) + `"}`
	if len(msg) != 300 {
		b.Fatalf("event is %d bytes", len(msg))
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Apply(msg, Meta{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchVended applies the vended parser proc alone to msg, the user guide's example event.
func benchVended(b *testing.B, proc, msg string) {
	c, err := Parse([]byte(`[{"` + proc + `":{}}]`))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Apply(msg, Meta{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Apply(msg, Meta{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVPC(b *testing.B)        { benchVended(b, "parseVPC", docVPCEvent) }
func BenchmarkParseRoute53(b *testing.B)    { benchVended(b, "parseRoute53", docRoute53Event) }
func BenchmarkParseCloudfront(b *testing.B) { benchVended(b, "parseCloudfront", docCloudfrontEvent) }
func BenchmarkParsePostgres(b *testing.B)   { benchVended(b, "parsePostgres", docPostgresEvent) }
func BenchmarkParseWAF(b *testing.B)        { benchVended(b, "parseWAF", docWAFEvent) }

// BenchmarkVendedRefused applies a vended parser to a 1 MB event it refuses: for parseVPC
// one of half a million one-letter fields, for parsePostgres a time followed by colons.
func BenchmarkVendedRefused(b *testing.B) {
	for _, tc := range []struct{ proc, msg string }{
		{"parseVPC", strings.Repeat("a ", 1<<19)},
		{"parsePostgres", "2019-03-10 03:54:59 UTC:" + strings.Repeat(":", 1<<20)},
	} {
		b.Run(tc.proc, func(b *testing.B) {
			c, err := Parse([]byte(`[{"` + tc.proc + `":{}}]`))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(tc.msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Apply(tc.msg, Meta{}); err == nil {
					b.Fatal("the event was transformed")
				}
			}
		})
	}
}
