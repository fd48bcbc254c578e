package sigv4

import (
	"bytes"
	"testing"
)

func BenchmarkSignRequest(b *testing.B) {
	for _, n := range []int{0, 1 << 10} {
		body := bytes.Repeat([]byte("a"), n)
		b.Run(map[int]string{0: "empty", 1 << 10: "1KiB"}[n], func(b *testing.B) {
			r := newLogsRequest(b, body)
			s := NewSigner()
			b.ReportAllocs()
			for b.Loop() {
				_ = s.SignRequest(r, body, testCreds, "logs", "us-east-1", testTime)
			}
		})
	}
}
