package patterns_test

import (
	"strings"
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

// BenchmarkAddCrafted adds messages built for the most work per Add: 128 words (the
// MaxTokens default) of letters only, never repeated, all of one group (same first
// word and separators), so that the group fills to its 64 patterns and each message is
// compared with all of them, word by word, and every dynamic token sees a new value.
func BenchmarkAddCrafted(b *testing.B) {
	const n = 1024
	msgs := make([]string, n)
	for i := range msgs {
		var sb strings.Builder
		sb.WriteString("k")
		for j := range 127 {
			sb.WriteByte(' ')
			x := i*127 + j
			for range 4 {
				sb.WriteByte(byte('a' + x%26))
				x /= 26
			}
		}
		msgs[i] = sb.String()
	}
	c := patterns.New(patterns.Options{})
	b.SetBytes(int64(len(msgs[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(msgs[i%n], int64(i))
		i++
	}
	if c.Len() > 64 {
		b.Fatalf("%d patterns in one group", c.Len())
	}
}
