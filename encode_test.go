package cwlogs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/internal/jsonstr"
)

// stdJSON encodes s with encoding/json, HTML escaping off.
func stdJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestPutLogEventsEstimate(t *testing.T) {
	in := &PutLogEventsInput{LogGroupName: "group", LogStreamName: "stream", SequenceToken: "t",
		LogEvents: []InputLogEvent{{0, "a"}, {1 << 62, "plain message"}, {-1 << 63, "x"}}}
	if b := appendPutLogEvents(nil, in); putLogEventsEstimate(in) < len(b) {
		t.Errorf("estimate %d below the encoded size %d for text without escapes", putLogEventsEstimate(in), len(b))
	}
}

// FuzzAppendJSONString checks the hand-written string encoder byte for byte
// against encoding/json.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff\xfe", "\x00<>&", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonstr.Append(nil, s)
		if want := stdJSON(t, s); string(got) != want {
			t.Fatalf("jsonstr.Append(%q) = %s, want %s", s, got, want)
		}
		// The length after each invalid byte became U+FFFD, through encoding/json's own replacement.
		if want := len(roundTrip(t, s)); wireLen(s) != want {
			t.Fatalf("wireLen(%q) = %d, want %d", s, wireLen(s), want)
		}
	})
}

// FuzzPutLogEventsRoundTrip encodes a request and decodes it with
// encoding/json: every field must come back (invalid UTF-8 as U+FFFD).
func FuzzPutLogEventsRoundTrip(f *testing.F) {
	f.Add("group", "stream", "msg", "second\nline", int64(1530000000123), int64(5), "")
	f.Add("g", "s\u2028", "\xff\x00\"", "<&>", int64(0), int64(0), "tok")
	f.Add("g", "s", "m", "n", int64(1), int64(0), "t\"\\\n") // a token to escape (a review's mutation writing it raw went unnoticed)
	f.Fuzz(func(t *testing.T, group, stream, m1, m2 string, ts, delta int64, token string) {
		in := &PutLogEventsInput{LogGroupName: group, LogStreamName: stream, SequenceToken: token,
			LogEvents: []InputLogEvent{{ts, m1}, {ts + delta, m2}}}
		b := appendPutLogEvents(nil, in)
		var got struct {
			LogGroupName  string `json:"logGroupName"`
			LogStreamName string `json:"logStreamName"`
			LogEvents     []struct {
				Message   string `json:"message"`
				Timestamp int64  `json:"timestamp"`
			} `json:"logEvents"`
			SequenceToken string `json:"sequenceToken"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		fix := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		want := []string{fix(group), fix(stream), fix(token), fix(m1), fix(m2)}
		have := []string{got.LogGroupName, got.LogStreamName, got.SequenceToken, got.LogEvents[0].Message, got.LogEvents[1].Message}
		// ToValidUTF8 replaces a run of invalid bytes with one U+FFFD;
		// encoding/json replaces each byte. Compare through encoding/json.
		for i := range want {
			if strings.ContainsRune(want[i], '\uFFFD') {
				want[i] = roundTrip(t, []string{group, stream, token, m1, m2}[i])
			}
		}
		if !reflect.DeepEqual(have, want) {
			t.Fatalf("round trip: got %q, want %q", have, want)
		}
		if got.LogEvents[0].Timestamp != ts || got.LogEvents[1].Timestamp != ts+delta {
			t.Fatalf("timestamps %d %d", got.LogEvents[0].Timestamp, got.LogEvents[1].Timestamp)
		}
	})
}

// roundTrip encodes s with encoding/json and decodes it again.
func roundTrip(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}
