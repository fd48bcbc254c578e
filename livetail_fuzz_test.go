package cwlogs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// fuzzBody is a stream body that records its Close.
type fuzzBody struct {
	*bytes.Reader
	closed bool
}

func (b *fuzzBody) Close() error { b.closed = true; return nil }

// runLiveTail reads a whole stream as StartLiveTail does once its answer has come.
func runLiveTail(stream []byte) (*LiveTailSession, []*LiveTailSessionUpdate, *fuzzBody, error) {
	body := &fuzzBody{Reader: bytes.NewReader(stream)}
	s := newLiveTailSession(context.Background(), body, func() {}, 0)
	if err := s.start(); err != nil {
		return nil, nil, body, err
	}
	ups, err := collect(s)
	return s, ups, body, err
}

// checkStreamError fails t unless err is one of the documented error types.
func checkStreamError(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	var ae *APIError
	switch {
	case err == nil:
	case errors.As(err, &de):
		if de.Operation != "StartLiveTail" || de.Err == nil {
			t.Fatalf("DecodeError %+v", de)
		}
	case errors.As(err, &ae):
		if ae.StatusCode != 200 || ae.Code == "" {
			t.Fatalf("APIError %+v", ae)
		}
	default:
		t.Fatalf("error %T %v is neither *DecodeError nor *APIError", err, err)
	}
}

// FuzzLiveTailStream: any bytes as the stream end it with a documented error, or none,
// never a panic; the body is closed at the end.
func FuzzLiveTailStream(f *testing.F) {
	start := ltEvent(f, liveTailSessionStart, ltStartJSON)
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	f.Add(cat(ltEvent(f, liveTailInitialResponse, "{}"), start, ltEvent(f, liveTailSessionUpdate, ltUpdate2), ltEvent(f, liveTailSessionUpdate, ltUpdateSampled)))
	f.Add(cat(start, ltException(f, CodeSessionTimeout, "timed out")))
	f.Add(cat(start, ltErrorMessage(f, "InternalFailure", "x")))
	f.Add(cat(start, ltEvent(f, liveTailSessionUpdate, `{"sessionResults":[{"message":1}]}`)))
	f.Add(start[:20])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, stream []byte) {
		s, ups, body, err := runLiveTail(stream)
		checkStreamError(t, err)
		if !body.closed {
			t.Fatal("the body was not closed at the end of the stream")
		}
		if s != nil && len(ups) > len(stream)/16 {
			t.Fatalf("%d updates from %d bytes", len(ups), len(stream))
		}
	})
}

// FuzzLiveTailUpdateJSON: a sessionUpdate's payload is decoded as encoding/json decodes
// it into LiveTailSessionUpdate, or refused with a *DecodeError.
func FuzzLiveTailUpdateJSON(f *testing.F) {
	for _, s := range []string{ltUpdate2, ltUpdateEmpty, ltUpdateSampled, `{"sessionResults":null}`, `{"sessionMetadata":{"sampled":"yes"}}`, `[`, `{"sessionResults":[{"timestamp":1e30}]}`} {
		f.Add(s)
	}
	start := ltEvent(f, liveTailSessionStart, ltStartJSON)
	f.Fuzz(func(t *testing.T, payload string) {
		if len(payload) > 1<<20 {
			return
		}
		stream := append(append([]byte(nil), start...), ltEvent(t, liveTailSessionUpdate, payload)...)
		_, ups, _, err := runLiveTail(stream)
		checkStreamError(t, err)
		var want LiveTailSessionUpdate
		jerr := json.Unmarshal([]byte(payload), &want)
		switch {
		case payload == "":
			if err != nil || len(ups) != 1 || !reflect.DeepEqual(*ups[0], LiveTailSessionUpdate{}) {
				t.Fatalf("empty payload: %v, %v", ups, err)
			}
		case jerr != nil:
			var de *DecodeError
			if !errors.As(err, &de) || len(ups) != 0 {
				t.Fatalf("payload %q: %d updates, %v; want a *DecodeError (json: %v)", payload, len(ups), err, jerr)
			}
		default:
			if err != nil || len(ups) != 1 || !reflect.DeepEqual(*ups[0], want) {
				t.Fatalf("payload %q: %+v, %v; want %+v", payload, ups, err, want)
			}
		}
	})
}
