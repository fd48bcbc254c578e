package follow

import (
	"bytes"
	"testing"
)

// FuzzDecodeState: decodeState never panics, accepts only valid states, and
// what it accepts encodes back to a state it decodes to the same value.
func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"version":1,"path":"/var/log/app.log","id":{"dev":2049,"ino":131},"offset":42,"headLen":42,"headHash":1}`))
	f.Add([]byte(`{"version":1,"path":"/a","offset":0,"headLen":0,"headHash":0}`))
	f.Add([]byte(`{"version":1,"path":"rel","offset":0}`))
	f.Add([]byte(`{"version":1,"path":"/a","offset":-1}`))
	f.Add([]byte(`{"version":1,"path":"/a","offset":5,"headLen":6}`))
	f.Add([]byte(`{"version":1,"path":"/a","offset":0} {}`))
	f.Add([]byte(`{"version":1,"path":"/a","offset":0,"extra":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeState(b)
		if err != nil {
			return
		}
		if s.Version != stateVersion || s.Path == "" || s.Offset < 0 || s.HeadLen < 0 || s.HeadLen > min(s.Offset, headBytes) {
			t.Fatalf("accepted an invalid state %+v from %q", s, b)
		}
		enc := encodeState(s)
		s2, err := decodeState(enc)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", enc, err)
		}
		if !sameState(s, s2) || !bytes.Equal(enc, encodeState(s2)) {
			t.Fatalf("round trip changed %+v into %+v", s, s2)
		}
	})
}
