package filterpattern_test

import (
	"fmt"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// TestRegexProgSize: a program is its literal runes (and classes) plus a fail and a match
// instruction; counted repetitions are expanded; what does not parse is 0.
func TestRegexProgSize(t *testing.T) {
	tests := []struct {
		expr string
		want int
	}{
		{"a", 3},
		{"ab", 4},
		{"a{3}", 5},            // aaa
		{"a|b", 3},             // simplified to the class [ab]
		{"[a-z]{1000}0", 1003}, // the filter pattern test's "too complex" regex
		// The documented IPv4 address example (scan.go's MaxRegexProg comment).
		{`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`, 25},
		{"(", 0},
		{`\`, 0},
	}
	for _, tc := range tests {
		if got := filterpattern.RegexProgSize(tc.expr); got != tc.want {
			t.Errorf("RegexProgSize(%q) = %d, want %d", tc.expr, got, tc.want)
		}
	}
}

func ExampleRegexProgSize() {
	fmt.Println(filterpattern.RegexProgSize(`EMP-\d{4}`))
	fmt.Println(filterpattern.RegexProgSize(`[a-z]{1000}`) > 300)
	// Output:
	// 10
	// true
}
