package filterpattern_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// TestExtractAgreesWithMatch: on random space-delimited patterns and messages, Extract
// finds a match exactly when Match does, with one value per field of the message.
func TestExtractAgreesWithMatch(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	fields := []string{"...", "a", "b=1", "c=2", "d!=1", "e=*x*", "f>1", "g=1||g=2", "..."}
	toks := []string{"1", "2", "x", "yx", "3", "\"1 2\"", "[a b]", "0"}
	bad := 0
	for i := 0; i < 20000 && bad < 5; i++ {
		n := r.Intn(5) + 1
		var pf []string
		for j := 0; j < n; j++ {
			f := fields[r.Intn(len(fields))]
			if f != "..." && r.Intn(2) == 0 {
				f = strings.SplitN(f, "=", 2)[0]
				f = strings.Split(f, "!")[0]
				f = strings.Split(f, ">")[0]
				f = f + "x" + string(rune('0'+j))
			}
			pf = append(pf, f)
		}
		pat := "[" + strings.Join(pf, ", ") + "]"
		p, err := filterpattern.Parse(pat)
		if err != nil {
			continue
		}
		m := r.Intn(6)
		var mt []string
		for j := 0; j < m; j++ {
			mt = append(mt, toks[r.Intn(len(toks))])
		}
		msg := strings.Join(mt, " ")
		vals, ok := p.Extract(msg)
		if ok != p.Match(msg) {
			bad++
			t.Errorf("pattern %s msg %q: Extract ok=%v Match=%v", pat, msg, ok, !ok)
		}
		if ok && len(vals) != m {
			// duplicate names collapse; only report when no names repeat
			seen := map[string]bool{}
			dup := false
			for _, f := range pf {
				if seen[f] && f != "..." {
					dup = true
				}
				seen[f] = true
			}
			if !dup {
				bad++
				t.Errorf("pattern %s msg %q: %d values for %d tokens: %v", pat, msg, len(vals), m, vals)
			}
		}
	}
}
