package cwlogs

import (
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// Request bodies are built in pooled buffers. PutLogEvents, the hot path, is
// encoded by hand; the other operations go through encoding/json.

// bodyBuf is a pooled request-body buffer.
type bodyBuf struct{ b []byte }

// maxPooledBuf bounds the buffers kept in the pool so one huge request does
// not pin memory forever. It fits a maximal PutLogEvents batch.
const maxPooledBuf = 2 << 20

var bodyPool = sync.Pool{New: func() any { return &bodyBuf{b: make([]byte, 0, 4096)} }}

func getBuf() *bodyBuf { return bodyPool.Get().(*bodyBuf) }

func putBuf(b *bodyBuf) {
	if cap(b.b) > maxPooledBuf {
		return
	}
	b.b = b.b[:0]
	bodyPool.Put(b)
}

// appendPutLogEvents appends the JSON body of a PutLogEvents request. The key
// order is the seed's: logGroupName, logStreamName, logEvents[{message,
// timestamp}], then sequenceToken when set.
func appendPutLogEvents(dst []byte, in *PutLogEventsInput) []byte {
	dst = append(dst, `{"logGroupName":`...)
	dst = jsonstr.Append(dst, in.LogGroupName)
	dst = append(dst, `,"logStreamName":`...)
	dst = jsonstr.Append(dst, in.LogStreamName)
	dst = append(dst, `,"logEvents":[`...)
	for i := range in.LogEvents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"message":`...)
		dst = jsonstr.Append(dst, in.LogEvents[i].Message)
		dst = append(dst, `,"timestamp":`...)
		dst = strconv.AppendInt(dst, in.LogEvents[i].Timestamp, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if in.SequenceToken != "" {
		dst = append(dst, `,"sequenceToken":`...)
		dst = jsonstr.Append(dst, in.SequenceToken)
	}
	return append(dst, '}')
}

// putLogEventsEstimate returns a cheap upper-bound guess of the encoded
// size when nothing needs escaping, so the buffer usually grows at most once.
func putLogEventsEstimate(in *PutLogEventsInput) int {
	n := 96 + len(in.LogGroupName) + len(in.LogStreamName) + len(in.SequenceToken)
	for i := range in.LogEvents {
		n += len(in.LogEvents[i].Message) + len(`{"message":"","timestamp":},`) + 20
	}
	return n
}

// wireLen is the UTF-8 length of s as the service will store it: each byte of
// invalid UTF-8 is replaced by U+FFFD (3 bytes) when encoded.
func wireLen(s string) int {
	if utf8.ValidString(s) {
		return len(s)
	}
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			n += 3
		} else {
			n += size
		}
		i += size
	}
	return n
}
