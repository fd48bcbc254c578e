package cwlogs

import (
	"net/http"
	"testing"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// Event-stream frames of the StartLiveTail conventions, for the fake servers.

func ltFrame(t testing.TB, payload string, headers ...eventstream.Header) []byte {
	t.Helper()
	b, err := eventstream.AppendMessage(nil, &eventstream.Message{Headers: headers, Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ltEvent(t testing.TB, eventType, payload string) []byte {
	t.Helper()
	return ltFrame(t, payload,
		eventstream.Header{Name: eventstream.EventTypeHeader, Value: eventstream.String(eventType)},
		eventstream.Header{Name: eventstream.ContentTypeHeader, Value: eventstream.String("application/json")},
		eventstream.Header{Name: eventstream.MessageTypeHeader, Value: eventstream.String("event")})
}

func ltException(t testing.TB, exceptionType, message string) []byte {
	t.Helper()
	return ltFrame(t, `{"message":`+quoteJSON(message)+`}`,
		eventstream.Header{Name: eventstream.ExceptionTypeHeader, Value: eventstream.String(exceptionType)},
		eventstream.Header{Name: eventstream.ContentTypeHeader, Value: eventstream.String("application/json")},
		eventstream.Header{Name: eventstream.MessageTypeHeader, Value: eventstream.String("exception")})
}

func ltErrorMessage(t testing.TB, code, message string) []byte {
	t.Helper()
	return ltFrame(t, "",
		eventstream.Header{Name: eventstream.ErrorCodeHeader, Value: eventstream.String(code)},
		eventstream.Header{Name: eventstream.ErrorMessageHeader, Value: eventstream.String(message)},
		eventstream.Header{Name: eventstream.MessageTypeHeader, Value: eventstream.String("error")})
}

const (
	ltStartJSON = `{"requestId":"req-lt","sessionId":"sess-1","logGroupIdentifiers":["arn:aws:logs:us-east-1:123456789012:log-group:app"],"logEventFilterPattern":"ERROR"}`
	ltUpdate2   = `{"sessionMetadata":{"sampled":false},"sessionResults":[` +
		`{"logStreamName":"s1","logGroupIdentifier":"123456789012:app","message":"ERROR one","timestamp":1700000000000,"ingestionTime":1700000000100},` +
		`{"logStreamName":"s2","logGroupIdentifier":"123456789012:app","message":"ERROR two","timestamp":1700000000001,"ingestionTime":1700000000101}]}`
	ltUpdateEmpty   = `{"sessionMetadata":{"sampled":false},"sessionResults":[]}`
	ltUpdateSampled = `{"sessionMetadata":{"sampled":true},"sessionResults":[{"logStreamName":"s1","logGroupIdentifier":"123456789012:app","message":"x","timestamp":1,"ingestionTime":2}]}`
)

// ltHead starts an event-stream answer.
func ltHead(w http.ResponseWriter) {
	w.Header().Set("Content-Type", EventStreamContentType)
	w.Header().Set("X-Amzn-RequestId", "req-lt")
	w.WriteHeader(200)
}

// ltWrite writes frames, flushing after each.
func ltWrite(w http.ResponseWriter, frames ...[]byte) {
	for _, f := range frames {
		_, _ = w.Write(f)
		w.(http.Flusher).Flush()
	}
}
