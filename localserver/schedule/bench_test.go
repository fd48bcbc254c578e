package schedule

import (
	"testing"
	"time"
)

// BenchmarkNext measures Next for a frequent schedule in a zone with daylight saving, a
// daily one, and one that never fires (Next scans every year to MaxYear).
func BenchmarkNext(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Skip("no time zone database:", err)
	}
	after := time.Date(2026, 3, 8, 1, 52, 0, 0, ny)
	for _, expr := range []string{"cron(*/5 * * * ? *)", "cron(30 2 * * ? *)", "cron(0 0 30 2 ? *)"} {
		s, err := Parse(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Next(after, time.Time{}, ny)
			}
		})
	}
}
