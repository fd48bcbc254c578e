package patterns

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// counter counts the values of one dynamic token in at most capacity entries, with the
// space-saving algorithm once full: a new value replaces the entry with the lowest
// count (the greatest value among equal counts, so the choice is deterministic) and
// takes its count plus its own. The entries form a heap with that entry at the root,
// so an Add costs O(log capacity).
type counter struct {
	idx      map[string]int // value → index in heap
	heap     []enumEntry
	capacity int
}

type enumEntry struct {
	v string
	n int64
}

// before orders the heap: a is evicted before b.
func before(a, b enumEntry) bool { return a.n < b.n || a.n == b.n && a.v > b.v }

func newCounter(capacity int) *counter {
	return &counter{idx: make(map[string]int), capacity: capacity}
}

// maxValueBytes bounds the bytes of a value a counter keeps: a longer one is counted
// under its first maxValueBytes bytes (cut on a character boundary) and "…". Without
// it, a token whose values are long (the rest of a message cut at MaxTokens words, the
// overflow pattern's whole messages) held up to 4×MaxEnumerations of them: 40 copies of
// events of up to 1 MiB per pattern.
const maxValueBytes = 256

// clipValue is v as a counter keeps it (see maxValueBytes).
func clipValue(v string) string {
	if len(v) <= maxValueBytes {
		return v
	}
	cut := maxValueBytes
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

// add counts n more of value v (clipped: see maxValueBytes).
func (c *counter) add(v string, n int64) {
	v = clipValue(v)
	if i, ok := c.idx[v]; ok {
		c.heap[i].n += n
		c.down(i)
		return
	}
	if len(c.heap) < c.capacity {
		v = strings.Clone(v)
		c.heap = append(c.heap, enumEntry{v, n})
		c.idx[v] = len(c.heap) - 1
		c.up(len(c.heap) - 1)
		return
	}
	root := c.heap[0]
	delete(c.idx, root.v)
	v = strings.Clone(v)
	c.heap[0] = enumEntry{v, root.n + n}
	c.idx[v] = 0
	c.down(0)
}

func (c *counter) swap(i, j int) {
	c.heap[i], c.heap[j] = c.heap[j], c.heap[i]
	c.idx[c.heap[i].v] = i
	c.idx[c.heap[j].v] = j
}

func (c *counter) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !before(c.heap[i], c.heap[p]) {
			return
		}
		c.swap(i, p)
		i = p
	}
}

func (c *counter) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(c.heap) {
			return
		}
		m := l
		if r := l + 1; r < len(c.heap) && before(c.heap[r], c.heap[l]) {
			m = r
		}
		if !before(c.heap[m], c.heap[i]) {
			return
		}
		c.swap(i, m)
		i = m
	}
}

// sorted answers the entries by count, highest first, then by value.
func (c *counter) sorted() []enumEntry {
	out := slices.Clone(c.heap)
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
