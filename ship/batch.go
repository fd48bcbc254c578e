package ship

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
)

// batch is a group of events sent in one PutLogEvents call.
type batch struct {
	events       []cwlogs.InputLogEvent
	bytes        int64 // message bytes + 26 per event
	minTS, maxTS int64
	sorted       bool
	seq          uint64 // sealing order
	lost         int64  // events discarded from it by DropOldest
	in           cwlogs.PutLogEventsInput
}

var batchPool = sync.Pool{New: func() any { return &batch{sorted: true} }}

func getBatch() *batch { return batchPool.Get().(*batch) }

// putBatch recycles b, dropping its references to messages.
func putBatch(b *batch) {
	clear(b.events[:cap(b.events)])
	b.events = b.events[:0]
	b.bytes, b.minTS, b.maxTS, b.sorted, b.seq, b.lost = 0, 0, 0, true, 0, 0
	b.in = cwlogs.PutLogEventsInput{}
	batchPool.Put(b)
}

func (b *batch) add(ts int64, msg string, n int64) {
	if len(b.events) == 0 {
		b.minTS, b.maxTS = ts, ts
	} else {
		if ts < b.maxTS {
			b.sorted = false
		} else {
			b.maxTS = ts
		}
		if ts < b.minTS {
			b.minTS = ts
		}
	}
	b.events = append(b.events, cwlogs.InputLogEvent{Timestamp: ts, Message: msg})
	b.bytes += n
}

// sortStable orders the events by timestamp, keeping arrival order for ties.
func (b *batch) sortStable() {
	if b.sorted {
		return
	}
	slices.SortStableFunc(b.events, func(x, y cwlogs.InputLogEvent) int { return cmp.Compare(x.Timestamp, y.Timestamp) })
	b.sorted = true
}

// size returns the batch size of ev: message bytes + 26 per event.
func size(ev []cwlogs.InputLogEvent) int64 {
	var n int64
	for i := range ev {
		n += int64(len(ev[i].Message)) + cwlogs.EventOverheadBytes
	}
	return n
}

// validUTF8 replaces each byte of invalid UTF-8 by U+FFFD, as the JSON
// encoding does, so that sizes are counted as the service counts them.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			sb.WriteString("\uFFFD")
		} else {
			sb.WriteString(s[i : i+n])
		}
		i += n
	}
	return sb.String()
}

// utf8Cut returns the largest cut <= max such that s[:cut] ends on a rune
// boundary (s is valid UTF-8). It is at least 1 when max >= 1 and a rune
// fits, never 0 for max >= 4.
func utf8Cut(s string, max int) int {
	if max >= len(s) {
		return len(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if cut == 0 { // max < length of the first rune: cannot happen for max >= 4
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	return cut
}

func indexNL(p []byte) int     { return bytes.IndexByte(p, '\n') }
func lastIndexNL(p []byte) int { return bytes.LastIndexByte(p, '\n') }
