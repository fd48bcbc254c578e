package interop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// randomStreamMessage returns the same message in both packages' types.
func randomStreamMessage(r *rand.Rand) (*eventstream.Message, sdkes.Message) {
	var ours eventstream.Message
	var sdk sdkes.Message
	randBytes := func(max int) []byte {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	}
	// Names are unique in a message: the SDK's decoder keeps the last of equal names.
	for i := range r.IntN(8) {
		name := fmt.Sprintf(":h-%d", i)
		if r.IntN(10) == 0 {
			name = string(bytes.Repeat([]byte{'n'}, 2+r.IntN(254))) + fmt.Sprint(i)
			name = name[len(name)-min(len(name), 255):]
		}
		var v eventstream.Value
		var sv sdkes.Value
		switch r.IntN(10) {
		case 0:
			v, sv = eventstream.Bool(true), sdkes.BoolValue(true)
		case 1:
			v, sv = eventstream.Bool(false), sdkes.BoolValue(false)
		case 2:
			n := int8(r.Int32())
			v, sv = eventstream.Int8(n), sdkes.Int8Value(n)
		case 3:
			n := int16(r.Int32())
			v, sv = eventstream.Int16(n), sdkes.Int16Value(n)
		case 4:
			n := r.Int32() - 1<<30
			v, sv = eventstream.Int32(n), sdkes.Int32Value(n)
		case 5:
			n := r.Int64() - 1<<62
			v, sv = eventstream.Int64(n), sdkes.Int64Value(n)
		case 6:
			b := randBytes(300)
			v, sv = eventstream.Bytes(b), sdkes.BytesValue(b)
		case 7:
			s := string(randBytes(300))
			v, sv = eventstream.String(s), sdkes.StringValue(s)
		case 8:
			// Within ±69 years of 1970: the SDK encodes through UnixNano, which overflows
			// past 1677–2262 (ours takes UnixMilli's whole range).
			t := time.UnixMilli(r.Int64N(1<<42) - 1<<41)
			v, sv = eventstream.Timestamp(t), sdkes.TimestampValue(t)
		case 9:
			var u [16]byte
			copy(u[:], randBytes(16))
			v, sv = eventstream.UUID(u), sdkes.UUIDValue(u)
		}
		ours.Headers = append(ours.Headers, eventstream.Header{Name: name, Value: v})
		sdk.Headers = append(sdk.Headers, sdkes.Header{Name: name, Value: sv})
	}
	ours.Payload = randBytes(2000)
	sdk.Payload = ours.Payload
	return &ours, sdk
}

// TestEventStreamMatchesSDK checks internal/eventstream against aws-sdk-go-v2's
// aws/protocol/eventstream on random messages: the same bytes from both encoders, and
// each decoder reads the other's stream.
func TestEventStreamMatchesSDK(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	enc := sdkes.NewEncoder()
	dec := sdkes.NewDecoder()
	for i := range 2000 {
		ours, sdk := randomStreamMessage(r)
		got, err := eventstream.AppendMessage(nil, ours)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := enc.Encode(&want, sdk); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("message %d: encodings differ\n ours %x\n  sdk %x", i, got, want.Bytes())
		}
		// The SDK decodes ours into its own message, re-encoding to the same bytes.
		back, err := dec.Decode(bytes.NewReader(got), nil)
		if err != nil {
			t.Fatalf("message %d: the SDK cannot decode ours: %v", i, err)
		}
		var again bytes.Buffer
		if err := enc.Encode(&again, back); err != nil || !bytes.Equal(again.Bytes(), got) {
			t.Fatalf("message %d: the SDK's decoding of ours re-encodes differently (%v)", i, err)
		}
		// We decode the SDK's into ours, with every value as the SDK has it.
		m, err := eventstream.NewDecoder(bytes.NewReader(want.Bytes())).Decode()
		if err != nil {
			t.Fatalf("message %d: we cannot decode the SDK's: %v", i, err)
		}
		if len(m.Headers) != len(sdk.Headers) || !bytes.Equal(m.Payload, sdk.Payload) {
			t.Fatalf("message %d: decoded %d headers, %d payload bytes", i, len(m.Headers), len(m.Payload))
		}
		for j, h := range m.Headers {
			if h.Name != sdk.Headers[j].Name || !sameValue(h.Value, sdk.Headers[j].Value) {
				t.Fatalf("message %d header %d: %s=%v, the SDK's %s=%v", i, j, h.Name, h.Value, sdk.Headers[j].Name, sdk.Headers[j].Value)
			}
		}
	}
}

func sameValue(v eventstream.Value, s sdkes.Value) bool {
	switch s := s.(type) {
	case sdkes.BoolValue:
		return v.Type() <= eventstream.TypeFalse && v.Bool() == bool(s)
	case sdkes.Int8Value:
		return v.Type() == eventstream.TypeByte && v.Int() == int64(s)
	case sdkes.Int16Value:
		return v.Type() == eventstream.TypeShort && v.Int() == int64(s)
	case sdkes.Int32Value:
		return v.Type() == eventstream.TypeInt && v.Int() == int64(s)
	case sdkes.Int64Value:
		return v.Type() == eventstream.TypeLong && v.Int() == int64(s)
	case sdkes.BytesValue:
		return v.Type() == eventstream.TypeBytes && bytes.Equal(v.Bytes(), s)
	case sdkes.StringValue:
		return v.Type() == eventstream.TypeString && string(v.Bytes()) == string(s)
	case sdkes.TimestampValue:
		return v.Type() == eventstream.TypeTimestamp && v.Time().Equal(time.Time(s))
	case sdkes.UUIDValue:
		return v.Type() == eventstream.TypeUUID && bytes.Equal(v.Bytes(), s[:])
	}
	return false
}
