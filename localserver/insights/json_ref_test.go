package insights

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// flattenJSONReference is the encoding/json-based flattener FuzzFlattenJSON checks
// FlattenJSON against. It returns the fields a query discovers in a JSON message: nested keys joined
// with dots ("a.b"), array elements by index ("a.0"), scalar values as text (numbers as
// written, true/false); null values, empty objects and empty arrays give no field. A
// key starting with @ gets another @ in front ("@@example"). It returns nil for a message
// that is not a JSON object, and stops after MaxJSONFields fields.
func flattenJSONReference(msg string) map[string]string {
	s := strings.TrimSpace(msg)
	if len(s) < 2 || s[0] != '{' {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	out := map[string]string{}
	if err := refFlatten(d, "", out, 0); err != nil {
		return nil
	}
	if strings.TrimSpace(s[d.InputOffset():]) != "" {
		return nil // trailing data: not one JSON object
	}
	return out
}

var errRefStop = &json.SyntaxError{}

func refFlatten(d *json.Decoder, prefix string, out map[string]string, depth int) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if depth > maxJSONDepth {
		return errRefStop
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if prefix == "" && strings.HasPrefix(k, "@") {
					k = "@" + k
				}
				if err := refFlatten(d, joinKey(prefix, k), out, depth+1); err != nil {
					return err
				}
			}
			_, err := d.Token()
			return err
		case '[':
			for i := 0; d.More(); i++ {
				if err := refFlatten(d, joinKey(prefix, strconv.Itoa(i)), out, depth+1); err != nil {
					return err
				}
			}
			_, err := d.Token()
			return err
		}
	case string:
		refAdd(out, prefix, v)
	case json.Number:
		refAdd(out, prefix, v.String())
	case bool:
		refAdd(out, prefix, strconv.FormatBool(v))
	}
	return nil
}

func refAdd(out map[string]string, k, v string) {
	if len(out) < MaxJSONFields && k != "" {
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
}

// FuzzFlattenJSON checks the hand-written FlattenJSON against flattenJSONReference, built
// on encoding/json: the same fields and values, and nil for the same messages.
func FuzzFlattenJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":{"b":[{"c":1},2]},"d":true,"e":null,"f":{},"g":[]}`,
		` {"@x": 1.50, "s": "tab\t\u00e9\ud83d\ude00", "n": -0.5e-3} `,
		`{"a":1} trailing`, `{"a":`, `{"a":01}`, `{"a":"\x"}`, "{\"a\":\"\xff\"}", `{"a":"b","a":"c"}`,
		`{"k":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		got, want := FlattenJSON(msg), flattenJSONReference(msg)
		if (got == nil) != (want == nil) || len(got) != len(want) {
			t.Fatalf("FlattenJSON(%q) = %v, reference %v", msg, got, want)
		}
		for k, v := range want {
			if gv, ok := got[k]; !ok || gv != v {
				t.Fatalf("FlattenJSON(%q)[%q] = %q, reference %q", msg, k, gv, v)
			}
		}
	})
}

// BenchmarkFlattenJSON compares FlattenJSON with the encoding/json reference on a typical
// structured log line.
func BenchmarkFlattenJSON(b *testing.B) {
	msg := `{"level":"ERROR","time":"2025-06-01T12:00:00Z","latency":123.5,"req":{"method":"GET","path":"/api/v1/items","headers":["a","b"]},"ok":false}`
	for _, c := range []struct {
		name string
		fn   func(string) map[string]string
	}{{"hand-written", FlattenJSON}, {"encoding-json", flattenJSONReference}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(c.fn(msg)) != 8 {
					b.Fatal("wrong field count")
				}
			}
		})
	}
}
