package cwlogs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// liveTailServer answers StartLiveTail as the service does: an event stream with the
// session's start, two updates, and the exception that ends a session after 3 hours.
func liveTailServer() *httptest.Server {
	msg := func(kind, typ, payload string) []byte {
		typeHeader := map[string]string{"event": eventstream.EventTypeHeader, "exception": eventstream.ExceptionTypeHeader}[kind]
		b, _ := eventstream.AppendMessage(nil, &eventstream.Message{Headers: eventstream.Headers{
			{Name: eventstream.MessageTypeHeader, Value: eventstream.String(kind)},
			{Name: typeHeader, Value: eventstream.String(typ)},
			{Name: eventstream.ContentTypeHeader, Value: eventstream.String("application/json")},
		}, Payload: []byte(payload)})
		return b
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", cwlogs.EventStreamContentType)
		for _, m := range [][]byte{
			msg("event", "initial-response", "{}"),
			msg("event", "sessionStart", `{"sessionId":"4a5b","logGroupIdentifiers":["arn:aws:logs:us-east-1:123456789012:log-group:app"]}`),
			msg("event", "sessionUpdate", `{"sessionMetadata":{"sampled":false},"sessionResults":[`+
				`{"logStreamName":"web-1","message":"GET / 200","timestamp":1700000000000},`+
				`{"logStreamName":"web-2","message":"GET /x 404","timestamp":1700000000250}]}`),
			msg("event", "sessionUpdate", `{"sessionMetadata":{"sampled":false},"sessionResults":[]}`),
			msg("exception", "SessionTimeoutException", `{"message":"Session timed out"}`),
		} {
			w.Write(m)
			w.(http.Flusher).Flush()
		}
	}))
}

// StartLiveTail streams the events that log groups ingest; a session ends after three
// hours with a SessionTimeoutException (an *APIError), or earlier with Close or ctx.
func ExampleClient_StartLiveTail() {
	srv := liveTailServer()
	defer srv.Close()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "SECRET", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	session, err := c.StartLiveTail(context.Background(), &cwlogs.StartLiveTailInput{
		LogGroupIdentifiers:   []string{"arn:aws:logs:us-east-1:123456789012:log-group:app"},
		LogStreamNamePrefixes: []string{"web-"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()
	fmt.Println("session", session.Start.SessionID)
	for update, err := range session.Updates() {
		var ae *cwlogs.APIError
		if errors.As(err, &ae) && ae.Code == cwlogs.CodeSessionTimeout {
			fmt.Println("session timed out; start another to go on")
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range update.SessionResults {
			fmt.Println(e.LogStreamName, e.Message)
		}
	}
	// Output:
	// session 4a5b
	// web-1 GET / 200
	// web-2 GET /x 404
	// session timed out; start another to go on
}
