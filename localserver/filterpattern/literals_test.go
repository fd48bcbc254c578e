package filterpattern_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// TestRequiredLiteralsProperty generates random patterns and messages over
// a small vocabulary, so that many of them match, and checks that every
// matching message contains every required literal, and that literals are
// found at all for plain AND patterns.
func TestRequiredLiteralsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"ERROR", "WARN", "x", "42", "4", "a.b", "GET", "ab"}
	pick := func() string { return words[rng.IntN(len(words))] }
	message := func() string {
		n := rng.IntN(5)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = pick()
			if rng.IntN(4) == 0 {
				parts[i] = `"` + pick() + " " + pick() + `"`
			}
		}
		return strings.Join(parts, " ")
	}
	term := func() string {
		w := pick()
		if strings.Contains(w, ".") || rng.IntN(3) == 0 {
			w = `"` + w + `"`
		}
		switch rng.IntN(4) {
		case 0:
			return "-" + w
		case 1:
			return "?" + w
		}
		return w
	}
	cond := func(name string) string {
		ops := []string{"=", "!=", ">", "<="}
		op := ops[rng.IntN(len(ops))]
		v := pick()
		switch {
		case op != "=" && op != "!=":
			v = "4"
		case rng.IntN(3) == 0:
			v = "*" + v
		case rng.IntN(3) == 0:
			v = "%" + strings.ReplaceAll(v, ".", `\.`) + "%"
		case rng.IntN(2) == 0:
			v = `"` + v + `*"`
		}
		return name + " " + op + " " + v
	}
	field := func(name string) string {
		switch rng.IntN(4) {
		case 0:
			return "..."
		case 1:
			return name
		case 2:
			return cond(name) + " && " + cond(name)
		}
		c := cond(name)
		if rng.IntN(3) == 0 {
			c += " || " + cond(name)
		}
		return c
	}
	pattern := func() string {
		if rng.IntN(2) == 0 {
			n := 1 + rng.IntN(3)
			parts := make([]string, n)
			for i := range parts {
				parts[i] = term()
			}
			return strings.Join(parts, " ")
		}
		n := 1 + rng.IntN(3)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = field(string(rune('a' + i)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	var matched, withLiterals int
	for range 3000 {
		ps := pattern()
		p, err := filterpattern.Parse(ps)
		if err != nil {
			if strings.Count(ps, "%") > 4 { // more than two regexes
				continue
			}
			t.Fatalf("Parse(%q): %v", ps, err)
		}
		if len(p.RequiredLiterals()) > 0 {
			withLiterals++
		}
		for range 20 {
			m := message()
			if !p.Match(m) {
				continue
			}
			matched++
			for _, lit := range p.RequiredLiterals() {
				if !strings.Contains(m, lit) {
					t.Fatalf("Parse(%q) matches %q, which lacks required literal %q", ps, m, lit)
				}
			}
		}
	}
	t.Logf("%d matches, %d patterns with literals", matched, withLiterals)
	// Guard against a generator that never exercises the property.
	if matched < 1000 || withLiterals < 500 {
		t.Fatalf("weak sample: %d matches, %d patterns with literals", matched, withLiterals)
	}
}
