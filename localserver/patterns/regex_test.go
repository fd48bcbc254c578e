package patterns_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// TestRegexShape: a pattern's Regex matches the messages of its shape (its separators,
// its static words, a word at each dynamic token) and no others: a dynamic token stands
// for one word, not for any text, except the last token of a message cut at MaxTokens
// words, which holds the rest of the message.
func TestRegexShape(t *testing.T) {
	tests := []struct {
		name      string
		maxTokens int
		msgs      []string // added in order; all join one pattern
		match     []string
		noMatch   []string
	}{
		{
			name:    "a dynamic token is one word",
			msgs:    []string{"user alice logged in from 10.0.0.1", "user bob logged in from 10.0.0.2"},
			match:   []string{"user carol logged in from ::1", "user d.e-f_g@h/i+j%k:l logged in from x", "user é€\xff logged in from y"},
			noMatch: []string{"user carol smith logged in from ::1", "user  logged in from x", "user (carol) logged in from x", "user carol logged in from 10.0.0.1 port 22"},
		},
		{
			name:      "the last token holds the rest",
			maxTokens: 3,
			msgs:      []string{"GET /a 200 12ms ok", "GET /a 404 1ms not found"},
			match:     []string{"GET /a x", "GET /a anything (at all) ...\n"},
			noMatch:   []string{"GET /a", "GET /b x", "POST /a x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := patterns.New(patterns.Options{MaxTokens: tt.maxTokens})
			var p *patterns.Pattern
			for _, m := range tt.msgs {
				p = c.Add(m, 0)
			}
			if c.Len() != 1 {
				t.Fatalf("%d patterns", c.Len())
			}
			re := regexp.MustCompile(p.Regex())
			for _, m := range append(tt.msgs, tt.match...) {
				if !re.MatchString(m) {
					t.Errorf("%s does not match %q", re, m)
				}
			}
			for _, m := range tt.noMatch {
				if re.MatchString(m) {
					t.Errorf("%s matches %q", re, m)
				}
			}
		})
	}
}

// BenchmarkRegexManyTokens matches a message of n words, every other one dynamic, with
// its pattern's Regex: the cost per byte must not grow with the number of tokens.
func BenchmarkRegexManyTokens(b *testing.B) {
	for _, n := range []int{128, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := patterns.New(patterns.Options{MaxTokens: 2 * n})
			var x, y strings.Builder
			for i := range n {
				fmt.Fprintf(&x, "w%d x ", i)
				fmt.Fprintf(&y, "w%d y ", i)
			}
			c.Add(x.String(), 0)
			msg := y.String()
			re := regexp.MustCompile(c.Add(msg, 0).Regex())
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if !re.MatchString(msg) {
					b.Fatal("no match")
				}
			}
		})
	}
}
