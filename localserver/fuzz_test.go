package localserver

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodePut checks the single-pass PutLogEvents decoder against encoding/json: whenever
// encoding/json accepts a body of the expected shape, the fast decoder must produce the same
// members and events; it must never panic.
func FuzzDecodePut(f *testing.F) {
	f.Add([]byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a"}]}`))
	f.Add([]byte(`{"logGroupName":"g\u00e9","logStreamName":"s\n","sequenceToken":"x","entity":{"keyAttributes":{"a":"b"}},"logEvents":[{"message":"\ud83d\ude00 \"q\" \\","timestamp":-0},{"timestamp":null}]}`))
	f.Add([]byte(`{"logEvents":[null,{"timestamp":9223372036854775807,"message":"\udc00\ud800x"}], "x":[1,2.5e3,true,false,null,{"y":[]}]}`))
	f.Add([]byte("{\"logEvents\":[{\"message\":\"\xff\xfe\"}]}"))
	f.Add([]byte(`{"logGroupName":null,"logEvents":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePut(body, nil)
		type ev struct {
			Timestamp *int64  `json:"timestamp"`
			Message   *string `json:"message"`
		}
		var want struct {
			LogGroupName  *string `json:"logGroupName"`
			LogStreamName *string `json:"logStreamName"`
			SequenceToken *string `json:"sequenceToken"`
			LogEvents     *[]*ev  `json:"logEvents"`
		}
		// encoding/json matches member names case-insensitively; the service does not, so
		// compare only bodies whose keys are spelled exactly.
		if bytes.Contains(bytes.ToLower(body), []byte("loggroupname")) && !bytes.Contains(body, []byte("logGroupName")) {
			return
		}
		stdErr := json.Unmarshal(body, &want)
		if stdErr != nil {
			if err == nil && json.Valid(body) {
				// Valid JSON of another shape (e.g. a float timestamp) must not decode silently.
				if hasTypeMismatch(body) {
					t.Fatalf("decoder accepted a mistyped body: %s", body)
				}
			}
			return
		}
		if err != nil {
			if json.Valid(body) && !caseVariantKeys(body) && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
				t.Fatalf("decoder refused a body encoding/json accepts: %v: %q", err, body)
			}
			return
		}
		if caseVariantKeys(body) {
			return
		}
		if got.hasGroup != (want.LogGroupName != nil) || (want.LogGroupName != nil && got.logGroupName != *want.LogGroupName) {
			t.Fatalf("logGroupName %q/%v, want %v", got.logGroupName, got.hasGroup, want.LogGroupName)
		}
		if got.hasStream != (want.LogStreamName != nil) || (want.LogStreamName != nil && got.logStreamName != *want.LogStreamName) {
			t.Fatalf("logStreamName mismatch")
		}
		if got.hasEvents != (want.LogEvents != nil) {
			t.Fatalf("logEvents presence %v", got.hasEvents)
		}
		if want.LogEvents == nil {
			return
		}
		if len(got.events) != len(*want.LogEvents) {
			t.Fatalf("%d events, want %d", len(got.events), len(*want.LogEvents))
		}
		for i, w := range *want.LogEvents {
			g := got.events[i]
			if w == nil {
				if g.hasTs || g.hasMsg {
					t.Fatalf("event %d: null element decoded as %+v", i, g)
				}
				continue
			}
			if g.hasTs != (w.Timestamp != nil) || (w.Timestamp != nil && g.ts != *w.Timestamp) {
				t.Fatalf("event %d timestamp %d/%v, want %v", i, g.ts, g.hasTs, w.Timestamp)
			}
			if g.hasMsg != (w.Message != nil) || (w.Message != nil && string(g.msg) != *w.Message) {
				t.Fatalf("event %d message %q, want %q", i, g.msg, *w.Message)
			}
		}
	})
}

// caseVariantKeys reports bodies where encoding/json's case-insensitive member matching would
// differ from exact matching.
func caseVariantKeys(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, k := range []string{"logGroupName", "logStreamName", "logEvents", "timestamp", "message", "sequenceToken"} {
		if bytes.Count(lower, bytes.ToLower([]byte(k))) != bytes.Count(body, []byte(k)) {
			return true
		}
	}
	return false
}

// hasTypeMismatch reports whether a valid JSON body gives a known member a wrong type.
func hasTypeMismatch(body []byte) bool {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return true
	}
	for _, k := range []string{"logGroupName", "logStreamName", "sequenceToken"} {
		if x, ok := v[k]; ok && x != nil {
			if _, ok := x.(string); !ok {
				return true
			}
		}
	}
	if x, ok := v["logEvents"]; ok && x != nil {
		l, ok := x.([]any)
		if !ok {
			return true
		}
		for _, e := range l {
			if e == nil {
				continue
			}
			o, ok := e.(map[string]any)
			if !ok {
				return true
			}
			if ts, ok := o["timestamp"]; ok && ts != nil {
				f, ok := ts.(float64)
				if !ok || f != float64(int64(f)) {
					return true
				}
			}
			if msg, ok := o["message"]; ok && msg != nil {
				if _, ok := msg.(string); !ok {
					return true
				}
			}
		}
	}
	return false
}

// FuzzGetToken checks that GetLogEvents tokens round-trip and that any other string either
// is refused or decodes to a token that re-encodes to itself.
func FuzzGetToken(f *testing.F) {
	f.Add("f/00017487792000000000000000000000001000030000000000013157/s", int64(1), int64(5), int64(7), int64(3))
	f.Add("b/123/s", int64(0), int64(0), int64(0), int64(0))
	f.Add("", int64(1<<62), int64(1<<40), int64(99999), int64(1<<50))
	f.Fuzz(func(t *testing.T, tok string, ts, cid, idx, stream int64) {
		if fwd, k, ok := decodeGetToken(tok, stream); ok {
			if re := encodeGetToken(fwd, k, stream); re != tok {
				t.Fatalf("token %q decodes to %v but re-encodes to %q", tok, k, re)
			}
		}
		if ts < 0 || cid < 0 || idx < 0 || idx > 99999 || stream < 0 {
			return
		}
		k := evKey{clampTs(ts), cid, idx}
		for _, fwd := range []bool{true, false} {
			tok := encodeGetToken(fwd, k, stream)
			f2, k2, ok := decodeGetToken(tok, stream)
			if !ok || f2 != fwd || k2 != k {
				t.Fatalf("round trip %v %v -> %q -> %v %v %v", fwd, k, tok, f2, k2, ok)
			}
			if _, _, ok := decodeGetToken(tok, stream+1); ok && (stream+1)%1_000_000_000_000 != stream%1_000_000_000_000 {
				t.Fatalf("token accepted for another stream")
			}
		}
	})
}

// FuzzOpaqueTokens checks the FilterLogEvents and Describe* tokens: round trips, and any
// accepted string re-encodes to itself.
func FuzzOpaqueTokens(f *testing.F) {
	f.Add("RnwxfDJ8M3w0fGFiY2RlZjAx", int64(1), int64(2), "name|x")
	f.Add(encodeFilterToken(5, evKey{1, 2, 3}), int64(5), int64(9), "")
	f.Fuzz(func(t *testing.T, tok string, group, ts int64, name string) {
		if k, ok := decodeFilterToken(tok, group); ok {
			if re := encodeFilterToken(group, k); re != tok {
				t.Fatalf("filter token %q re-encodes to %q", tok, re)
			}
		}
		if n, ok := decodeNameToken("G", tok); ok && encodeNameToken("G", n) != tok {
			t.Fatalf("name token %q", tok)
		}
		if group < 0 || ts < 0 {
			return
		}
		k := evKey{ts, group, 3}
		if k2, ok := decodeFilterToken(encodeFilterToken(group, k), group); !ok || k2 != k {
			t.Fatalf("filter round trip %v -> %v %v", k, k2, ok)
		}
		if n, ok := decodeNameToken("G", encodeNameToken("G", name)); !ok || n != name {
			t.Fatalf("name round trip %q -> %q %v", name, n, ok)
		}
		sv, n, ok := decodeStreamToken(encodeStreamToken(group, "LastEventTime", true, ts, name), group, "LastEventTime", true)
		if !ok || sv != ts || n != name {
			t.Fatalf("stream token round trip")
		}
	})
}

// FuzzServeHTTP sends arbitrary bodies to every operation: the server must answer with a
// JSON object, 200 or an AWS-shaped error, and never panic or answer 500.
func FuzzServeHTTP(f *testing.F) {
	s := newTestServer(f, Config{})
	setupStream(f, s, "g", "s")
	ops := sortedOps()
	f.Add(uint8(0), []byte(`{"logGroupName":"g","logStreamName":"s","limit":5}`))
	f.Add(uint8(3), []byte(`{"logGroupName":"g","filterPattern":"{ $.a = 1 }","nextToken":"x"}`))
	f.Add(uint8(7), []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1748779200000,"message":"m"}]}`))
	f.Fuzz(func(t *testing.T, opIdx uint8, body []byte) {
		op := ops[int(opIdx)%len(ops)]
		if op == "DeleteLogGroup" || op == "DeleteLogStream" {
			return // keep the fixture
		}
		r := do(t, s, signedRequest(t, "http://x/", op, body, testCreds, testNow))
		if r.status != 200 && (r.status != 400 || r.errType() == "" || r.message() == "") {
			t.Fatalf("%s %q: %d %s", op, body, r.status, r.raw)
		}
		if bytes.Contains(r.raw, []byte(":null")) {
			t.Fatalf("null member in %s", r.raw)
		}
	})
}
