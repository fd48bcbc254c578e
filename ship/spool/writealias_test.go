package spool

import (
	"context"
	"slices"
	"testing"
)

// TestWriteKeepsNoReference: the records Write makes do not alias its
// argument, which the caller may reuse as soon as Write returns (a line
// is copied into the segment file, an unfinished one into the spool's own
// buffer), whichever way the lines come.
func TestWriteKeepsNoReference(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   []string
	}{
		{"whole lines", []string{"one\ntwo\n"}, []string{"one", "two"}},
		{"unfinished line", []string{"thr", "ee\nfo", "ur\n"}, []string{"three", "four"}},
		{"line longer than the limit", []string{"0123456789abcdefghij\n"}, []string{"0123456789", "abcdefghij"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDst{block: make(chan struct{})} // nothing read back before the buffer is reused
			o := fastOpts()
			o.MaxMessageBytes = 10
			s := mustOpen(t, t.TempDir(), d, o)
			buf := make([]byte, 64)
			for _, w := range tc.writes {
				p := buf[:copy(buf, w)]
				if n, err := s.Write(p); n != len(p) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
				for i := range p {
					p[i] = '#'
				}
			}
			close(d.block)
			if err := s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			closeOK(t, s)
			if got := d.got(); !slices.Equal(got, tc.want) {
				t.Fatalf("delivered %q, want %q", got, tc.want)
			}
		})
	}
}
