package localserver

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"unsafe"
)

// Events are stored in chunks: one row per run of up to chunkMaxEvents consecutive events of
// one PutLogEvents batch (at most chunkMaxBytes of messages). A chunk row carries the stream,
// the time range and the ingestion time; its data column packs the events as
// uvarint(timestamp - min_ts) uvarint(len(message)) message, in timestamp order.
//
// An event's position is its key (timestamp, chunk id, index in chunk). Chunk ids grow with
// ingestion, so key order is the service's order: timestamp, then ingestion order.
//
// A chunk spans at most maxChunkSpan milliseconds because a batch's valid events may not span
// more than 24 hours; readers use that bound to find every chunk that can hold an event at or
// after a given time with an index range scan.
const (
	chunkMaxEvents = 500
	chunkMaxBytes  = 64 << 10
	maxChunkSpan   = 24 * 60 * 60 * 1000
)

// packedChunk is a chunk ready to insert: its packed events are buf[start:end] of the
// buffer packChunks filled.
type packedChunk struct {
	minTs, maxTs int64
	n            int
	bytes        int64 // sum of len(message)+26, the service's accounting
	start, end   int
	crc          uint32 // CRC-32C of the packed events
}

// eventOverhead is the per-event byte overhead in the service's batch-size accounting.
const eventOverhead = 26

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// packChunks splits events (sorted by timestamp) into chunks whose packed events are laid
// out back to back in buf (reset first); it returns the filled buffer and the chunks
// (appended to out[:0]).
func packChunks(evs []putEvent, buf []byte, out []packedChunk) ([]byte, []packedChunk) {
	buf, out = buf[:0], out[:0]
	for len(evs) > 0 {
		n, size := 0, 0
		for n < len(evs) && n < chunkMaxEvents && (n == 0 || size+len(evs[n].msg) <= chunkMaxBytes) {
			size += len(evs[n].msg)
			n++
		}
		part := evs[:n]
		evs = evs[n:]
		c := packedChunk{minTs: part[0].ts, maxTs: part[len(part)-1].ts, n: n, start: len(buf)}
		buf = slices.Grow(buf, size+n*(2*binary.MaxVarintLen32))
		for _, e := range part {
			buf = binary.AppendUvarint(buf, uint64(e.ts-c.minTs))
			buf = binary.AppendUvarint(buf, uint64(len(e.msg)))
			buf = append(buf, e.msg...)
			c.bytes += int64(len(e.msg)) + eventOverhead
		}
		c.end = len(buf)
		c.crc = crc32.Checksum(buf[c.start:c.end], castagnoli)
		out = append(out, c)
	}
	return buf, out
}

// storedEvent is one event decoded from a chunk. msg is a substring of the chunk's data.
type storedEvent struct {
	ts  int64
	msg string
	idx int32 // position in the chunk
}

var errCorruptChunk = errors.New("localserver: corrupt chunk")

// unpackChunk decodes a chunk's data; minTs is the chunk's min_ts. The messages alias data,
// which the caller must not modify afterwards.
func unpackChunk(data []byte, minTs int64, n int, dst []storedEvent) ([]storedEvent, error) {
	if len(data) == 0 {
		return dst[:0], nil
	}
	s := unsafe.String(&data[0], len(data))
	dst = dst[:0]
	i := 0
	for i < len(s) {
		d, k := uvarintString(s[i:])
		if k <= 0 {
			return nil, errCorruptChunk
		}
		i += k
		l, k := uvarintString(s[i:])
		if k <= 0 || uint64(len(s)-i-k) < l {
			return nil, errCorruptChunk
		}
		i += k
		dst = append(dst, storedEvent{ts: minTs + int64(d), msg: s[i : i+int(l)], idx: int32(len(dst))})
		i += int(l)
	}
	if len(dst) != n {
		return nil, errCorruptChunk
	}
	return dst, nil
}

func uvarintString(s string) (uint64, int) {
	var x uint64
	var sh uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<sh, i + 1
		}
		x |= uint64(b&0x7f) << sh
		sh += 7
	}
	return 0, 0
}
