package cwlogs

import (
	"strconv"
	"sync"
	"unicode/utf8"
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
	dst = appendJSONString(dst, in.LogGroupName)
	dst = append(dst, `,"logStreamName":`...)
	dst = appendJSONString(dst, in.LogStreamName)
	dst = append(dst, `,"logEvents":[`...)
	for i := range in.LogEvents {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"message":`...)
		dst = appendJSONString(dst, in.LogEvents[i].Message)
		dst = append(dst, `,"timestamp":`...)
		dst = strconv.AppendInt(dst, in.LogEvents[i].Timestamp, 10)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if in.SequenceToken != "" {
		dst = append(dst, `,"sequenceToken":`...)
		dst = appendJSONString(dst, in.SequenceToken)
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

const hexDigits = "0123456789abcdef"

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// safeASCII[b] is true when the ASCII byte b needs no escaping in a JSON string.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string exactly as encoding/json does
// with HTML escaping disabled (json.Encoder.SetEscapeHTML(false)): '"' and '\\'
// and control characters are escaped (\b \f \n \r \t short forms, others
// \u00XX), U+2028 and U+2029 become \u2028 and \u2029, and each byte of
// invalid UTF-8 becomes \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip 8 bytes at a time while none needs attention (control, '"',
		// '\\' or non-ASCII). False positives only send us to the slow path.
		for i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			q := x ^ (lsb * '"')
			bs := x ^ (lsb * '\\')
			if ((x-lsb*0x20)|(q-lsb)|(bs-lsb)|x)&msb != 0 {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if safeASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
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
