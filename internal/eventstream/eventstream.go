// Package eventstream encodes and decodes the AWS event-stream binary framing
// (application/vnd.amazon.eventstream), the format of streaming operations such as
// CloudWatch Logs' StartLiveTail.
//
// A message is a 12-byte prelude (total length, headers length, CRC-32 of those 8
// bytes), the headers, the payload and a CRC-32 of everything before it. Each header is
// a name of 1–255 bytes and a typed value (see [ValueType]). All integers are big-endian
// and the checksums are IEEE CRC-32.
//
// Limits, those of the format's AWS documentation (not every SDK checks them all:
// smithy-go v1.28.9, under aws-sdk-go-v2, checks only the header ones): a payload of at
// most [MaxPayloadLen] bytes, headers of at most [MaxHeadersLen] bytes, a header name of
// at most 255 bytes, a string or byte-array value of at most [MaxHeaderValueLen] bytes.
package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// Framing limits.
const (
	MaxPayloadLen     = 16 << 20  // bytes in one message's payload
	MaxHeadersLen     = 128 << 10 // bytes of one message's encoded headers
	MaxHeaderValueLen = 1<<15 - 1 // bytes in one string or byte-array header value
	maxHeaderNameLen  = 255

	preludeLen = 12 // total length, headers length, prelude CRC
	crcLen     = 4
	minLen     = preludeLen + crcLen
	maxLen     = minLen + MaxHeadersLen + MaxPayloadLen
)

// Header names of the AWS conventions for events, exceptions and errors.
const (
	MessageTypeHeader   = ":message-type"   // "event", "exception" or "error"
	EventTypeHeader     = ":event-type"     // with message type "event"
	ExceptionTypeHeader = ":exception-type" // with message type "exception"
	ContentTypeHeader   = ":content-type"
	ErrorCodeHeader     = ":error-code"    // with message type "error"
	ErrorMessageHeader  = ":error-message" // with message type "error"
)

// Message is one event-stream message.
type Message struct {
	Headers Headers
	Payload []byte
}

// Headers are a message's headers in their order on the wire.
type Headers []Header

// Header is one named, typed header.
type Header struct {
	Name  string
	Value Value
}

// Get returns the value of the first header called name, and whether there is one.
func (h Headers) Get(name string) (Value, bool) {
	for _, x := range h {
		if x.Name == name {
			return x.Value, true
		}
	}
	return Value{}, false
}

// String returns the first header called name if it is a string, or "".
func (h Headers) String(name string) string {
	if v, ok := h.Get(name); ok && v.typ == TypeString {
		return string(v.b)
	}
	return ""
}

// ValueType is a header value's type code on the wire.
type ValueType uint8

// The header value types.
const (
	TypeTrue      ValueType = 0 // boolean true; no value bytes
	TypeFalse     ValueType = 1 // boolean false; no value bytes
	TypeByte      ValueType = 2 // int8
	TypeShort     ValueType = 3 // int16
	TypeInt       ValueType = 4 // int32
	TypeLong      ValueType = 5 // int64
	TypeBytes     ValueType = 6 // 2-byte length, bytes
	TypeString    ValueType = 7 // 2-byte length, UTF-8 bytes
	TypeTimestamp ValueType = 8 // int64 milliseconds since the Unix epoch
	TypeUUID      ValueType = 9 // 16 bytes
)

// Value is a typed header value. The zero Value is boolean true, whose type code is 0:
// tell a missing header by the ok of [Headers.Get], not by its value.
type Value struct {
	typ ValueType
	n   int64  // integers, timestamps
	b   []byte // bytes, strings, UUIDs
}

// Bool returns a boolean value.
func Bool(v bool) Value {
	if v {
		return Value{typ: TypeTrue}
	}
	return Value{typ: TypeFalse}
}

// Int8 returns a byte value.
func Int8(v int8) Value { return Value{typ: TypeByte, n: int64(v)} }

// Int16 returns a short value.
func Int16(v int16) Value { return Value{typ: TypeShort, n: int64(v)} }

// Int32 returns an int value.
func Int32(v int32) Value { return Value{typ: TypeInt, n: int64(v)} }

// Int64 returns a long value.
func Int64(v int64) Value { return Value{typ: TypeLong, n: v} }

// Bytes returns a byte-array value; it keeps b.
func Bytes(b []byte) Value { return Value{typ: TypeBytes, b: b} }

// String returns a string value.
func String(s string) Value { return Value{typ: TypeString, b: []byte(s)} }

// Timestamp returns a timestamp value, t to the millisecond.
func Timestamp(t time.Time) Value { return Value{typ: TypeTimestamp, n: t.UnixMilli()} }

// UUID returns a UUID value.
func UUID(u [16]byte) Value { return Value{typ: TypeUUID, b: u[:]} }

// Type returns the value's type.
func (v Value) Type() ValueType { return v.typ }

// Bool reports a boolean value's truth (false for other types).
func (v Value) Bool() bool { return v.typ == TypeTrue }

// Int returns an integer value (byte, short, int, long) or a timestamp's milliseconds.
func (v Value) Int() int64 { return v.n }

// Bytes returns the bytes of a byte-array, string or UUID value.
func (v Value) Bytes() []byte { return v.b }

// Time returns a timestamp value as a time.
func (v Value) Time() time.Time { return time.UnixMilli(v.n) }

// String returns a string value's text; other types are formatted for reading.
func (v Value) String() string {
	switch v.typ {
	case TypeString:
		return string(v.b)
	case TypeTrue, TypeFalse:
		return fmt.Sprint(v.Bool())
	case TypeBytes, TypeUUID:
		return fmt.Sprintf("%x", v.b)
	case TypeTimestamp:
		return v.Time().UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v.n)
	}
}

// FormatError reports a message that breaks the framing rules: what is wrong and, for a
// decoded message, at which byte of it.
type FormatError struct {
	Offset int // byte offset in the message; -1 when encoding
	Reason string
}

// Error implements error.
func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return "eventstream: " + e.Reason
	}
	return fmt.Sprintf("eventstream: at byte %d: %s", e.Offset, e.Reason)
}

// ErrChecksum is wrapped by the decoding error of a message whose prelude or message
// CRC does not match.
var ErrChecksum = errors.New("eventstream: checksum mismatch")

// AppendMessage appends m's encoding to dst.
func AppendMessage(dst []byte, m *Message) ([]byte, error) {
	hlen := 0
	for i := range m.Headers {
		n, err := headerLen(&m.Headers[i])
		if err != nil {
			return dst, err
		}
		hlen += n
	}
	if hlen > MaxHeadersLen {
		return dst, &FormatError{-1, fmt.Sprintf("headers are %d bytes, more than %d", hlen, MaxHeadersLen)}
	}
	if len(m.Payload) > MaxPayloadLen {
		return dst, &FormatError{-1, fmt.Sprintf("payload is %d bytes, more than %d", len(m.Payload), MaxPayloadLen)}
	}
	start := len(dst)
	total := minLen + hlen + len(m.Payload)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	for _, h := range m.Headers {
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = append(dst, byte(h.Value.typ))
		switch h.Value.typ {
		case TypeByte:
			dst = append(dst, byte(h.Value.n))
		case TypeShort:
			dst = binary.BigEndian.AppendUint16(dst, uint16(h.Value.n))
		case TypeInt:
			dst = binary.BigEndian.AppendUint32(dst, uint32(h.Value.n))
		case TypeLong, TypeTimestamp:
			dst = binary.BigEndian.AppendUint64(dst, uint64(h.Value.n))
		case TypeBytes, TypeString:
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Value.b)))
			dst = append(dst, h.Value.b...)
		case TypeUUID:
			dst = append(dst, h.Value.b...)
		}
	}
	dst = append(dst, m.Payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:])), nil
}

// headerLen checks h and returns its encoded length.
func headerLen(h *Header) (int, error) {
	if h.Name == "" || len(h.Name) > maxHeaderNameLen {
		return 0, &FormatError{-1, fmt.Sprintf("header name %q must be 1 to %d bytes", h.Name, maxHeaderNameLen)}
	}
	n := 1 + len(h.Name) + 1
	switch h.Value.typ {
	case TypeTrue, TypeFalse:
	case TypeByte:
		n++
	case TypeShort:
		n += 2
	case TypeInt:
		n += 4
	case TypeLong, TypeTimestamp:
		n += 8
	case TypeBytes, TypeString:
		if len(h.Value.b) > MaxHeaderValueLen {
			return 0, &FormatError{-1, fmt.Sprintf("header %q: value is %d bytes, more than %d", h.Name, len(h.Value.b), MaxHeaderValueLen)}
		}
		n += 2 + len(h.Value.b)
	case TypeUUID:
		if len(h.Value.b) != 16 {
			return 0, &FormatError{-1, fmt.Sprintf("header %q: UUID is %d bytes, not 16", h.Name, len(h.Value.b))}
		}
		n += 16
	default:
		return 0, &FormatError{-1, fmt.Sprintf("header %q: unknown value type %d", h.Name, h.Value.typ)}
	}
	return n, nil
}

// Decoder reads messages from a stream.
type Decoder struct {
	r io.Reader
}

// NewDecoder returns a decoder reading r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Decode reads the next message. It returns io.EOF when the stream ends between
// messages, and an error wrapping io.ErrUnexpectedEOF when it ends inside one. The
// message's payload and byte values are its own (not reused by later calls).
func (d *Decoder) Decode() (*Message, error) {
	var pre [preludeLen]byte
	if _, err := io.ReadFull(d.r, pre[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("eventstream: reading a message's prelude: %w", err)
		}
		return nil, err
	}
	total := binary.BigEndian.Uint32(pre[0:4])
	if crc32.ChecksumIEEE(pre[:8]) != binary.BigEndian.Uint32(pre[8:12]) {
		return nil, fmt.Errorf("%w in the prelude (%w)", ErrChecksum, &FormatError{8, "prelude CRC"})
	}
	if total < minLen || total > maxLen {
		return nil, &FormatError{0, fmt.Sprintf("message length %d is outside %d to %d", total, minLen, maxLen)}
	}
	// A buffer per message, which the message keeps: its payload and byte values
	// alias it (no second copy), and a large message is not held after it is dropped.
	msg := make([]byte, total)
	copy(msg, pre[:])
	if _, err := io.ReadFull(d.r, msg[preludeLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("eventstream: reading a message of %d bytes: %w", total, err)
	}
	return parse(msg)
}

// Parse decodes one whole message, prelude to message CRC. The message's payload and
// byte values are copied out of msg.
func Parse(msg []byte) (*Message, error) {
	return parse(append([]byte(nil), msg...))
}

// parse decodes one whole message; the payload and byte values alias msg.
func parse(msg []byte) (*Message, error) {
	if len(msg) < minLen {
		return nil, &FormatError{0, fmt.Sprintf("%d bytes are fewer than the %d of an empty message", len(msg), minLen)}
	}
	total := binary.BigEndian.Uint32(msg[0:4])
	hlen := binary.BigEndian.Uint32(msg[4:8])
	if crc32.ChecksumIEEE(msg[:8]) != binary.BigEndian.Uint32(msg[8:12]) {
		return nil, fmt.Errorf("%w in the prelude (%w)", ErrChecksum, &FormatError{8, "prelude CRC"})
	}
	if int64(total) != int64(len(msg)) {
		return nil, &FormatError{0, fmt.Sprintf("message length %d, but %d bytes given", total, len(msg))}
	}
	if hlen > MaxHeadersLen || int64(hlen) > int64(total)-minLen {
		return nil, &FormatError{4, fmt.Sprintf("headers length %d does not fit a message of %d bytes (at most %d)", hlen, total, MaxHeadersLen)}
	}
	end := len(msg) - crcLen
	if crc32.ChecksumIEEE(msg[:end]) != binary.BigEndian.Uint32(msg[end:]) {
		return nil, fmt.Errorf("%w of the message (%w)", ErrChecksum, &FormatError{end, "message CRC"})
	}
	payload := msg[preludeLen+int(hlen) : end]
	if len(payload) > MaxPayloadLen {
		return nil, &FormatError{preludeLen + int(hlen), fmt.Sprintf("payload is %d bytes, more than %d", len(payload), MaxPayloadLen)}
	}
	headers, err := parseHeaders(msg[preludeLen:preludeLen+int(hlen)], preludeLen)
	if err != nil {
		return nil, err
	}
	m := &Message{Headers: headers}
	if len(payload) > 0 {
		m.Payload = payload[:len(payload):len(payload)]
	}
	return m, nil
}

// parseHeaders decodes b, whose first byte is at offset base of the message; values
// alias b.
func parseHeaders(b []byte, base int) (Headers, error) {
	var hs Headers
	for i := 0; i < len(b); {
		at := base + i
		short := func(what string) error {
			return &FormatError{at, fmt.Sprintf("header ends inside its %s", what)}
		}
		nlen := int(b[i])
		i++
		if nlen == 0 {
			return nil, &FormatError{at, "header name is empty"}
		}
		if i+nlen > len(b) {
			return nil, short("name")
		}
		name := string(b[i : i+nlen])
		i += nlen
		if i >= len(b) {
			return nil, short("value type")
		}
		v := Value{typ: ValueType(b[i])}
		i++
		need := 0
		switch v.typ {
		case TypeTrue, TypeFalse:
		case TypeByte:
			need = 1
		case TypeShort:
			need = 2
		case TypeInt:
			need = 4
		case TypeLong, TypeTimestamp:
			need = 8
		case TypeUUID:
			need = 16
		case TypeBytes, TypeString:
			if i+2 > len(b) {
				return nil, short("value length")
			}
			need = int(binary.BigEndian.Uint16(b[i:]))
			i += 2
			if need > MaxHeaderValueLen {
				return nil, &FormatError{at, fmt.Sprintf("header %q: value is %d bytes, more than %d", name, need, MaxHeaderValueLen)}
			}
		default:
			return nil, &FormatError{at, fmt.Sprintf("header %q: unknown value type %d", name, v.typ)}
		}
		if i+need > len(b) {
			return nil, short("value")
		}
		raw := b[i : i+need : i+need]
		i += need
		switch v.typ {
		case TypeByte:
			v.n = int64(int8(raw[0]))
		case TypeShort:
			v.n = int64(int16(binary.BigEndian.Uint16(raw)))
		case TypeInt:
			v.n = int64(int32(binary.BigEndian.Uint32(raw)))
		case TypeLong, TypeTimestamp:
			v.n = int64(binary.BigEndian.Uint64(raw))
		case TypeBytes, TypeString, TypeUUID:
			v.b = raw
		}
		hs = append(hs, Header{Name: name, Value: v})
	}
	return hs, nil
}

// Event returns an event message of the AWS conventions: headers :message-type "event",
// :event-type and, when contentType is not empty, :content-type.
func Event(eventType, contentType string, payload []byte) *Message {
	m := &Message{Headers: Headers{
		{MessageTypeHeader, String("event")},
		{EventTypeHeader, String(eventType)},
	}, Payload: payload}
	if contentType != "" {
		m.Headers = append(m.Headers, Header{ContentTypeHeader, String(contentType)})
	}
	return m
}

// Exception returns a modelled exception message: :message-type "exception",
// :exception-type and :content-type application/json, the payload the exception's JSON.
func Exception(exceptionType string, payload []byte) *Message {
	return &Message{Headers: Headers{
		{MessageTypeHeader, String("exception")},
		{ExceptionTypeHeader, String(exceptionType)},
		{ContentTypeHeader, String("application/json")},
	}, Payload: payload}
}

// Error returns an unmodelled error message: :message-type "error", :error-code and
// :error-message.
func Error(code, message string) *Message {
	return &Message{Headers: Headers{
		{MessageTypeHeader, String("error")},
		{ErrorCodeHeader, String(code)},
		{ErrorMessageHeader, String(message)},
	}}
}
