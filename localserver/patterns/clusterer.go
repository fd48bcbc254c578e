package patterns

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Clusterer groups messages into patterns. It is not safe for concurrent use: one
// goroutine at a time may call its methods and those of its Patterns.
type Clusterer struct {
	o      Options
	total  int64
	all    []*Pattern            // in creation order
	groups map[string][]*Pattern // by group key
	msg    message               // scratch
	key    []byte                // scratch
}

// New returns a Clusterer with options o (zero fields, and fields out of range, take
// their defaults; see Options.Validate).
func New(o Options) *Clusterer {
	return &Clusterer{
		o:      o.withDefaults(),
		groups: make(map[string][]*Pattern),
	}
}

// Total answers how many messages were added.
func (c *Clusterer) Total() int64 { return c.total }

// Len answers how many patterns there are (len(Patterns()), without sorting them).
func (c *Clusterer) Len() int { return len(c.all) }

// Patterns answers the patterns by Count, highest first, then by ID.
func (c *Clusterer) Patterns() []*Pattern {
	out := append([]*Pattern(nil), c.all...)
	// Stable: patterns of one ID (see ID) stay in creation order.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].ID() < out[j].ID()
	})
	return out
}

// groupKey is the key of a message's group: its word count, its separators and its
// first word, or \x00 for a first word of a variable class.
func (c *Clusterer) groupKey(m *message) []byte {
	k := c.key[:0]
	k = strconv.AppendInt(k, int64(len(m.words)), 10)
	for _, s := range m.seps {
		k = append(k, 0)
		k = strconv.AppendInt(k, int64(len(s)), 10)
		k = append(k, ':')
		k = append(k, s...)
	}
	k = append(k, 1)
	if len(m.words) > 0 {
		if m.classes[0] != classText {
			k = append(k, 0)
		} else {
			k = append(k, m.words[0]...)
		}
	}
	c.key = k
	return k
}

// overflowKey is the group of one-word messages without separators whose word is of a
// variable class: the group of the overflow pattern, whose template, "<*>", is theirs.
var overflowKey = func() string {
	c := New(Options{})
	return string(c.groupKey(&message{seps: []string{"", ""}, words: []string{"0"}, classes: []class{classNumber}}))
}()

// Add adds a message with its timestamp (any unit; it orders samples) and answers the
// pattern the message joined.
func (c *Clusterer) Add(message string, timestamp int64) *Pattern {
	c.total++
	m := &c.msg
	m.split(message, c.o.MaxTokens)
	key := c.groupKey(m)
	group := c.groups[string(key)] // looked up without making a string

	var best *Pattern
	bestSim := -1.0
	for _, p := range group {
		if sim := p.similarity(m); sim > bestSim {
			best, bestSim = p, sim
		}
	}
	full := len(c.all) >= c.o.MaxPatterns
	var p *Pattern
	switch {
	case best != nil && best.anything:
		p = c.joinOverflow(best, message)
	case best != nil && (bestSim >= c.o.Similarity || full || len(group) >= groupMax):
		p = c.join(best, m)
	case !full:
		p = c.create(string(key), m)
	default:
		p = c.overflow(message)
	}
	p.count++
	if s := severityOf(m); s > p.sev {
		p.sev = s
	}
	p.addSample(Sample{Timestamp: timestamp, Message: message})
	return p
}

// similarity is the share of m's words that agree with p's template.
func (p *Pattern) similarity(m *message) float64 {
	if p.anything {
		return 1
	}
	n := len(m.words)
	if n == 0 {
		return 1
	}
	agree := 0
	for i, w := range m.words {
		if p.dyn[i] || p.words[i] == w {
			agree++
		}
	}
	return float64(agree) / float64(n)
}

func (c *Clusterer) create(key string, m *message) *Pattern {
	p := c.newPattern(key, m)
	c.register(p)
	return p
}

// register makes p one of the patterns, of its group.
func (c *Clusterer) register(p *Pattern) {
	c.all = append(c.all, p)
	c.groups[p.key] = append(c.groups[p.key], p)
}

// newPattern makes the pattern of message m alone.
func (c *Clusterer) newPattern(key string, m *message) *Pattern {
	n := len(m.words)
	p := &Pattern{
		key:     key,
		seps:    make([]string, n+1),
		words:   make([]string, n),
		dyn:     make([]bool, n),
		classes: make([]class, n),
		enums:   make([]*counter, n),
		maxSamp: c.o.MaxSamples,
		maxEnum: c.o.MaxEnumerations,
		rest:    n == c.o.MaxTokens,
	}
	for i, s := range m.seps {
		p.seps[i] = strings.Clone(s)
	}
	for i, w := range m.words {
		p.words[i] = strings.Clone(w)
		p.classes[i] = m.classes[i]
		if m.classes[i] != classText {
			p.dyn[i] = true
			p.enums[i] = c.newCounter()
			p.enums[i].add(w, 1)
		}
	}
	return p
}

// join adds m's words to p's tokens, generalising static tokens m differs from, and
// answers p.
//
// Two patterns never come to share a template: p is the pattern of m's group most
// similar to m (the older among equals), so if joining made p's template equal to
// another pattern q's, q would agree with all of m (its dynamic tokens where p's
// template now has them, its static words where p's still has them) while p did not,
// and q would have been chosen. Patterns of different groups differ in word count,
// separators or first word, which their templates show (but see ID).
func (c *Clusterer) join(p *Pattern, m *message) *Pattern {
	changed := false
	for i, w := range m.words {
		switch {
		case p.dyn[i]:
			p.enums[i].add(w, 1)
			p.classes[i] = p.classes[i].meet(m.classes[i])
		case p.words[i] != w:
			p.dyn[i] = true
			p.enums[i] = c.newCounter()
			p.enums[i].add(p.words[i], p.count)
			p.enums[i].add(w, 1)
			p.classes[i] = p.classes[i].meet(m.classes[i])
			changed = true
		}
	}
	if changed {
		p.changed()
	}
	return p
}

// newCounter makes the counter of a dynamic token: it tracks four times as many values
// as Options.MaxEnumerations, at most math.MaxInt (beyond, 4× overflowed to a negative
// capacity, and the first Add over a token evicted from an empty heap: a panic).
func (c *Clusterer) newCounter() *counter {
	capacity := math.MaxInt
	if c.o.MaxEnumerations <= math.MaxInt/4 {
		capacity = 4 * c.o.MaxEnumerations
	}
	return newCounter(capacity)
}

// overflow answers the overflow pattern after adding the whole message as its one
// token's value. The overflow pattern lives in the group of the messages whose
// template is "<*>" (one word of a variable class, nothing around it): it is made
// there, beyond MaxPatterns, or is the pattern already there.
func (c *Clusterer) overflow(msg string) *Pattern {
	if group := c.groups[overflowKey]; len(group) > 0 {
		return c.joinOverflow(group[0], msg)
	}
	p := c.newPattern(overflowKey, &message{seps: []string{"", ""}, words: []string{Dynamic}, classes: []class{classNumber}})
	p.anything = true
	p.classes[0] = classText
	p.enums[0] = c.newCounter()
	p.enums[0].add(msg, 1)
	c.register(p)
	return p
}

// joinOverflow adds msg, whole, as the one token's value of p, the pattern of the
// overflow group, making it the overflow pattern if it is not yet, and answers p.
func (c *Clusterer) joinOverflow(p *Pattern, msg string) *Pattern {
	if !p.anything {
		p.anything = true
		p.changed()
	}
	p.enums[0].add(msg, 1)
	p.classes[0] = classText
	return p
}
