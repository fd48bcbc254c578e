package patterns

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// naiveCounter is the space-saving algorithm with a linear search for the entry to
// evict: the reference the heap must agree with.
type naiveCounter struct {
	m        map[string]int64
	capacity int
}

func (c *naiveCounter) add(v string, n int64) {
	if _, ok := c.m[v]; ok || len(c.m) < c.capacity {
		c.m[v] += n
		return
	}
	var minKey string
	var minN int64 = -1
	for k, kn := range c.m {
		if minN < 0 || kn < minN || kn == minN && k > minKey {
			minKey, minN = k, kn
		}
	}
	delete(c.m, minKey)
	c.m[v] = minN + n
}

func TestCounterMatchesNaive(t *testing.T) {
	for _, capacity := range []int{1, 2, 7, 40} {
		r := rand.New(rand.NewPCG(uint64(capacity), 9))
		c := newCounter(capacity)
		ref := &naiveCounter{m: map[string]int64{}, capacity: capacity}
		for i := range 20000 {
			// Skewed values: a few frequent, many rare.
			v := strconv.Itoa(int(r.ExpFloat64() * 20))
			n := int64(1 + r.IntN(3))
			c.add(v, n)
			ref.add(v, n)
			if i%97 == 0 || i == 19999 {
				got := map[string]int64{}
				for _, e := range c.heap {
					got[e.v] = e.n
				}
				if !maps.Equal(got, ref.m) {
					t.Fatalf("capacity %d, after %d adds: %v, want %v", capacity, i+1, got, ref.m)
				}
				for j, e := range c.heap {
					if c.idx[e.v] != j {
						t.Fatalf("index of %q is %d, at %d", e.v, c.idx[e.v], j)
					}
				}
			}
		}
	}
}

// TestLongValuesClipped: a dynamic token's values are kept to their first 256 bytes
// (cut on a character boundary) and "…", so a pattern whose values are long (here the
// rest of messages cut at two words) keeps at most a few kilobytes of them, not copies
// of whole events; values alike in their first 256 bytes count together.
func TestLongValuesClipped(t *testing.T) {
	c := New(Options{MaxTokens: 2})
	long := strings.Repeat("x", 255) + "é" + strings.Repeat("y", 100_000) // é straddles byte 256
	for i := range 100 {
		c.Add("req "+long+strconv.Itoa(i), int64(i))
	}
	p := c.Add("req short", 100)
	toks := p.Tokens()
	if len(toks) != 3 || !toks[2].Dynamic {
		t.Fatalf("tokens %+v", toks)
	}
	want := map[string]int64{strings.Repeat("x", 255) + "…": 100, "short": 1}
	if got := toks[2].Enumerations; !maps.Equal(got, want) {
		keys := slices.Collect(maps.Keys(got))
		t.Errorf("%d enumerations, of lengths %v; want %v", len(got), lens(keys), want)
	}
	var held int
	for _, e := range p.enums[1].heap {
		held += len(e.v)
	}
	if held > 2*maxValueBytes {
		t.Errorf("the counter holds %d bytes of values", held)
	}
}

func lens(ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		out[i] = len(s)
	}
	return out
}
