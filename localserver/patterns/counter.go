package patterns

import (
	"sort"
	"strings"
)

// counter counts the values of one dynamic token in at most capacity entries, with the
// space-saving algorithm once full: a new value replaces the entry with the lowest
// count (the greatest value among equal counts, so the choice is deterministic) and
// takes its count plus its own.
type counter struct {
	m        map[string]int64
	capacity int
}

func newCounter(capacity int) *counter {
	return &counter{m: make(map[string]int64), capacity: capacity}
}

func (c *counter) add(v string, n int64) {
	if _, ok := c.m[v]; ok {
		c.m[v] += n
		return
	}
	if len(c.m) < c.capacity {
		c.m[strings.Clone(v)] = n
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
	c.m[strings.Clone(v)] = minN + n
}

// sorted answers the entries by count, highest first, then by value.
func (c *counter) sorted() []enumEntry {
	out := make([]enumEntry, 0, len(c.m))
	for k, n := range c.m {
		out = append(out, enumEntry{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].v < out[j].v
	})
	return out
}

// top answers the k most frequent values (ties by value) and their counts.
func (c *counter) top(k int) map[string]int64 {
	s := c.sorted()
	if len(s) > k {
		s = s[:k]
	}
	m := make(map[string]int64, len(s))
	for _, e := range s {
		m[e.v] = e.n
	}
	return m
}

type enumEntry struct {
	v string
	n int64
}
