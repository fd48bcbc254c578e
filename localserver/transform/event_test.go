package transform

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeBoth decodes s with decodeObject (re-encoded) and with encoding/json, both as
// generic values with json.Number.
func decodeBoth(t *testing.T, s string) (ours, std any, ok bool) {
	t.Helper()
	o, err := decodeObject(s)
	var want map[string]any
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	stdErr := d.Decode(&want)
	if stdErr == nil && len(bytes.TrimLeft([]byte(s[d.InputOffset():]), " \t\r\n")) > 0 {
		stdErr = errTrailing // only whitespace may follow
	}
	if (err == nil) != (stdErr == nil) {
		// encoding/json refuses depth beyond 10000 only; ours beyond maxDepth.
		if err != nil && err.Error() == "JSON nested too deeply" {
			return nil, nil, false
		}
		t.Fatalf("decodeObject(%q) error %v, encoding/json %v", s, err, stdErr)
	}
	if err != nil {
		return nil, nil, false
	}
	enc := encode(nil, o)
	var got map[string]any
	d = json.NewDecoder(bytes.NewReader(enc))
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("re-encoding of %q is not JSON: %s", s, enc)
	}
	return got, want, true
}

var errTrailing = bytes.ErrTooLarge // any non-nil error

func TestDecodeObject(t *testing.T) {
	for _, s := range []string{
		`{}`, ` { "a" : [ 1 , -2.5e3 , true , false , null , "x" , { } , [ ] ] } `,
		`{"esc":"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`,
		`{"lone":"\ud800x","low":"\udc00","pair-bad":"\ud800\u0041","two":"\ud800\ud800\udc00"}`,
		`{"dup":1,"b":2,"dup":3}`, "{\"bad\":\"\xff\"}",
		`[1]`, `"s"`, `{"a":1} {}`, `{"a":}`, `{`, ``,
	} {
		got, want, ok := decodeBoth(t, s)
		if ok && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decodeObject %v, encoding/json %v", s, got, want)
		}
	}
}

func FuzzDecodeObject(f *testing.F) {
	f.Add(`{"a":[1,{"b":"\u00e9\ud83d\ude00"}],"c":null}`)
	f.Add(`{"x":"\ud800\u0041"}`)
	f.Fuzz(func(t *testing.T, s string) {
		got, want, ok := decodeBoth(t, s)
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decodeObject %v, encoding/json %v", s, got, want)
		}
	})
}

// TestInvalidUTF8Keys: keys that differ only in bytes that are not UTF-8 are written alike
// (U+FFFD), so they are one key, as encoding/json reads them, not a duplicate in the output.
func TestInvalidUTF8Keys(t *testing.T) {
	tests := []struct{ config, msg, want string }{
		{`[{"parseJSON":{}}]`, "{\"\xff\":1,\"\xfe\":2,\"a\xffb\":3}", `{"\ufffd":2,"a\ufffdb":3}`},
		{`[{"parseKeyValue":{"overwriteIfExists":true}}]`, "\xff=1&\xfe=2", `{"\ufffd":"2"}`},
		{`[{"parseJSON":{}},{"listToMap":{"source":"l","key":"k","target":"m"}}]`, "{\"l\":[{\"k\":\"\xff\"},{\"k\":\"\xfe\"}]}",
			`{"l":[{"k":"\ufffd"},{"k":"\ufffd"}],"m":{"\ufffd":[{"k":"\ufffd"},{"k":"\ufffd"}]}}`},
	}
	for _, tc := range tests {
		c, err := Parse([]byte(tc.config))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Apply(tc.msg, Meta{})
		if err != nil {
			t.Fatalf("Apply(%q): %v", tc.msg, err)
		}
		if got != strings.ReplaceAll(tc.want, `\ufffd`, "\ufffd") {
			t.Errorf("Apply(%q)\n got %s\nwant %s", tc.msg, got, tc.want)
		}
	}
}
