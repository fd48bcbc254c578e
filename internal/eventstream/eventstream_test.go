package eventstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func allTypes() *Message {
	return &Message{
		Headers: Headers{
			{"t", Bool(true)},
			{"f", Bool(false)},
			{"b", Int8(-7)},
			{"s", Int16(-300)},
			{"i", Int32(-70000)},
			{"l", Int64(-1 << 40)},
			{"ba", Bytes([]byte{0, 1, 2, 255})},
			{":event-type", String("sessionUpdate")},
			{"ts", Timestamp(time.UnixMilli(1714564800123))},
			{"u", UUID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})},
		},
		Payload: []byte(`{"sessionResults":[]}`),
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range []*Message{
		{},
		{Payload: []byte("x")},
		{Headers: Headers{{"a", String("")}}},
		allTypes(),
		Event("initial-response", "application/json", []byte("{}")),
		Exception("SessionTimeoutException", []byte(`{"message":"m"}`)),
		Error("InternalFailure", "boom"),
	} {
		b, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if got := int(binary.BigEndian.Uint32(b)); got != len(b) {
			t.Fatalf("total length %d, encoded %d bytes", got, len(b))
		}
		got, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip\n got %#v\nwant %#v", got, m)
		}
		// Parse copies: changing the input changes nothing decoded.
		for i := range b {
			b[i] = 0xAA
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("decoded message aliases its input")
		}
	}
}

func TestValueAccessors(t *testing.T) {
	m := allTypes()
	for _, tc := range []struct {
		name string
		typ  ValueType
		n    int64
		str  string
	}{
		{"t", TypeTrue, 0, "true"},
		{"f", TypeFalse, 0, "false"},
		{"b", TypeByte, -7, "-7"},
		{"s", TypeShort, -300, "-300"},
		{"i", TypeInt, -70000, "-70000"},
		{"l", TypeLong, -1 << 40, "-1099511627776"},
		{"ba", TypeBytes, 0, "000102ff"},
		{":event-type", TypeString, 0, "sessionUpdate"},
		{"ts", TypeTimestamp, 1714564800123, "2024-05-01T12:00:00.123Z"},
		{"u", TypeUUID, 0, "0102030405060708090a0b0c0d0e0f10"},
	} {
		v, ok := m.Headers.Get(tc.name)
		if !ok {
			t.Fatalf("header %q missing", tc.name)
		}
		if v.Type() != tc.typ || v.Int() != tc.n || v.String() != tc.str {
			t.Errorf("%s: type %d int %d string %q; want %d %d %q", tc.name, v.Type(), v.Int(), v.String(), tc.typ, tc.n, tc.str)
		}
	}
	if m.Headers.String(":event-type") != "sessionUpdate" || m.Headers.String("i") != "" || m.Headers.String("none") != "" {
		t.Error("Headers.String returns other than a string header's text")
	}
	if v, _ := m.Headers.Get("ts"); !v.Time().Equal(time.UnixMilli(1714564800123)) {
		t.Error("Time")
	}
	if v, _ := m.Headers.Get("t"); !v.Bool() {
		t.Error("Bool")
	}
	// As documented: the zero Value (what Get answers for a missing header) is true.
	if v, ok := m.Headers.Get("none"); ok || v.Type() != TypeTrue || !v.Bool() {
		t.Errorf("a missing header: %v %v, type %d", v, ok, v.Type())
	}
}

// reframe rewrites both CRCs of b after a change.
func reframe(b []byte) []byte {
	binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
	binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

func TestParseRefuses(t *testing.T) {
	good, _ := AppendMessage(nil, allTypes())
	hlen := int(binary.BigEndian.Uint32(good[4:]))
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, tc := range []struct {
		name, want string
		msg        []byte
		checksum   bool
	}{
		{"short", "fewer than the 16", good[:15], false},
		{"prelude crc", "checksum mismatch in the prelude", mod(func(b []byte) []byte { b[9] ^= 1; return b }), true},
		{"message crc", "checksum mismatch of the message", mod(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), true},
		{"payload flipped", "checksum mismatch of the message", mod(func(b []byte) []byte { b[len(b)-6] ^= 1; return b }), true},
		{"length mismatch", "but 93 bytes given", mod(func(b []byte) []byte { return reframe(b[:93]) }), false},
		{"headers too long", "does not fit", mod(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
			return reframe(b)
		}), false},
		{"unknown type", "unknown value type 10", mod(func(b []byte) []byte { b[12+2] = 10; return reframe(b) }), false},
		{"empty name", "header name is empty", mod(func(b []byte) []byte { b[12] = 0; return reframe(b) }), false},
		{"cut inside headers", "header ends inside", mod(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[4:], uint32(hlen-1))
			return reframe(b)
		}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.msg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if errors.Is(err, ErrChecksum) != tc.checksum {
				t.Errorf("errors.Is(err, ErrChecksum) = %v", !tc.checksum)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("%v is not a *FormatError", err)
			}
		})
	}
}

func TestAppendRefuses(t *testing.T) {
	long := strings.Repeat("x", MaxHeaderValueLen+1)
	for _, tc := range []struct {
		name string
		m    *Message
		want string
	}{
		{"empty name", &Message{Headers: Headers{{"", Bool(true)}}}, "must be 1 to 255"},
		{"long name", &Message{Headers: Headers{{strings.Repeat("n", 256), Bool(true)}}}, "must be 1 to 255"},
		{"long value", &Message{Headers: Headers{{"v", String(long)}}}, "more than 32767"},
		{"bad uuid", &Message{Headers: Headers{{"u", Value{typ: TypeUUID, b: []byte{1}}}}}, "not 16"},
		{"bad type", &Message{Headers: Headers{{"u", Value{typ: 42}}}}, "unknown value type 42"},
		{"big payload", &Message{Payload: make([]byte, MaxPayloadLen+1)}, "more than 16777216"},
	} {
		dst := []byte("keep")
		out, err := AppendMessage(dst, tc.m)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if string(out) != "keep" {
			t.Errorf("%s: dst changed to %q", tc.name, out)
		}
	}
}

func TestDecoderStream(t *testing.T) {
	var stream []byte
	msgs := []*Message{Event("initial-response", "application/json", []byte("{}")), allTypes(), {}}
	for _, m := range msgs {
		var err error
		if stream, err = AppendMessage(stream, m); err != nil {
			t.Fatal(err)
		}
	}
	// One byte at a time, so every read is short.
	d := NewDecoder(&oneByte{r: bytes.NewReader(stream)})
	for i, want := range msgs {
		got, err := d.Decode()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("message %d: got %#v", i, got)
		}
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	for _, cut := range []int{1, 11, 12, 40, len(stream) - 1} {
		d := NewDecoder(bytes.NewReader(stream[:cut]))
		var err error
		for err == nil {
			_, err = d.Decode()
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("stream cut at %d: %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
	// A length past the limit is refused before anything is allocated for it.
	bad := make([]byte, 12)
	binary.BigEndian.PutUint32(bad, maxLen+1)
	bad = reframe(append(bad, 0, 0, 0, 0))
	if _, err := NewDecoder(bytes.NewReader(bad[:12])).Decode(); err == nil || !strings.Contains(err.Error(), "outside 16 to") {
		t.Errorf("oversized length: %v", err)
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func FuzzParse(f *testing.F) {
	for _, m := range []*Message{{}, allTypes(), Error("c", "m")} {
		b, _ := AppendMessage(nil, m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to the same bytes.
		again, err := AppendMessage(nil, m)
		if err != nil {
			t.Fatalf("re-encoding a parsed message: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs\n in %x\nout %x", b, again)
		}
	})
}
