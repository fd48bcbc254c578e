package patterns_test

import (
	"testing"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// BenchmarkAdd adds realistic mixed log lines (access logs, JSON, Java, slog, Lambda).
func BenchmarkAdd(b *testing.B) {
	msgs := mixedLogs(4096)
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	c := patterns.New(patterns.Options{})
	b.SetBytes(bytes / int64(len(msgs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(msgs[i%len(msgs)], int64(i))
		i++
	}
}
