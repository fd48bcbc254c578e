package cwlogs

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"strconv"
	"strings"
)

// StartLiveTail: a session streaming the log events that log groups ingest, as the
// service pushes them (about once a second) over one long-lived HTTP response in the AWS
// event-stream framing (application/vnd.amazon.eventstream).

// Live Tail limits of the service model.
const (
	// MaxLiveTailLogGroups is the most log groups one session tails.
	MaxLiveTailLogGroups = 10
	// MaxLiveTailLogStreams is the most stream names, or name prefixes, one session takes.
	MaxLiveTailLogStreams = 100
)

// liveTailHostPrefix is StartLiveTail's host prefix in the service model
// ("endpoint": {"hostPrefix": "stream-"}).
const liveTailHostPrefix = "stream-"

// StartLiveTailInput selects what a Live Tail session streams.
type StartLiveTailInput struct {
	// LogGroupIdentifiers are the 1 to 10 log groups to tail. The service wants their
	// ARNs (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, without a trailing ":*").
	// Required.
	LogGroupIdentifiers []string
	// LogStreamNames, when not nil, limits the session to these 1 to 100 streams. Only
	// with a single log group, and not with LogStreamNamePrefixes.
	LogStreamNames []string
	// LogStreamNamePrefixes, when not nil, limits the session to the streams whose names
	// start with one of these 1 to 100 prefixes. Only with a single log group, and not
	// with LogStreamNames.
	LogStreamNamePrefixes []string
	// LogEventFilterPattern keeps the events matching this filter pattern (at most 1024
	// characters); empty keeps all events.
	LogEventFilterPattern string
}

type startLiveTailWire struct {
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogStreamNames        []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes,omitempty"`
	LogEventFilterPattern string   `json:"logEventFilterPattern,omitempty"`
}

func (in *StartLiveTailInput) validate() error {
	const op = "StartLiveTail"
	if in == nil {
		return verr(op, "input", "nil", "is required")
	}
	if n := len(in.LogGroupIdentifiers); n == 0 || n > MaxLiveTailLogGroups {
		return verrf(op, "logGroupIdentifiers", strconv.Itoa(n)+" identifiers", "must hold 1 to %d log groups", MaxLiveTailLogGroups)
	}
	for i, s := range in.LogGroupIdentifiers {
		if e := validLogGroupIdentifier(op, "logGroupIdentifiers["+strconv.Itoa(i)+"]", s); e != nil {
			return e
		}
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefixes != nil {
		return verrf(op, "logStreamNamePrefixes", strconv.Itoa(len(in.LogStreamNamePrefixes))+" prefixes",
			"must not be combined with logStreamNames (%d names); give at most one of them", len(in.LogStreamNames))
	}
	for _, f := range []struct {
		field, what string
		list        []string
	}{{"logStreamNames", "names", in.LogStreamNames}, {"logStreamNamePrefixes", "prefixes", in.LogStreamNamePrefixes}} {
		if f.list == nil {
			continue
		}
		if n := len(f.list); n == 0 || n > MaxLiveTailLogStreams {
			return verrf(op, f.field, strconv.Itoa(n)+" "+f.what, "must hold 1 to %d %s", MaxLiveTailLogStreams, f.what)
		}
		if n := len(in.LogGroupIdentifiers); n > 1 {
			return verrf(op, f.field, strconv.Itoa(len(f.list))+" "+f.what,
				"can be given only with a single log group, not with %d in logGroupIdentifiers", n)
		}
		for i, s := range f.list {
			if e := validLogStreamName(op, f.field+"["+strconv.Itoa(i)+"]", s); e != nil {
				return e
			}
		}
	}
	return nilIfNil(checkLen(op, "logEventFilterPattern", in.LogEventFilterPattern, 0, MaxFilterPatternLen))
}

// LiveTailSessionStart describes a session that started: the service's answer to the
// request, sent first on the stream.
type LiveTailSessionStart struct {
	RequestID             string   `json:"requestId"`
	SessionID             string   `json:"sessionId"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogStreamNames        []string `json:"logStreamNames"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes"`
	LogEventFilterPattern string   `json:"logEventFilterPattern"`
}

// LiveTailSessionUpdate is one update of a session: the events ingested since the
// previous one (often none: the service sends an update about once a second anyway).
type LiveTailSessionUpdate struct {
	SessionMetadata LiveTailSessionMetadata `json:"sessionMetadata"`
	SessionResults  []LiveTailLogEvent      `json:"sessionResults"`
}

// LiveTailSessionMetadata is what an update says about itself.
type LiveTailSessionMetadata struct {
	// Sampled reports that more than 500 events matched during this update's second, and
	// SessionResults holds a sample of 500 of them.
	Sampled bool `json:"sampled"`
}

// LiveTailLogEvent is one log event of a session update. The times are milliseconds
// since the Unix epoch.
type LiveTailLogEvent struct {
	LogStreamName      string `json:"logStreamName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	Message            string `json:"message"`
	Timestamp          int64  `json:"timestamp"`
	IngestionTime      int64  `json:"ingestionTime"`
}

// StartLiveTail starts a Live Tail session and returns it once the service has sent its
// sessionStart event; range over [LiveTailSession.Updates] for the events, and Close the
// session when done. ctx governs the whole session: when it ends, the stream ends.
//
// The request is validated, signed and retried as any other call until an answer comes:
// a non-2xx answer is an *APIError, a transport failure an *OpError. A 2xx answer is the
// event stream; nothing is retried once it has begun. An exception the service sends on
// the stream (SessionTimeoutException after three hours, SessionStreamingException) or
// an error message ends it with an *APIError (see [LiveTailSession.Updates]).
//
// Endpoint: against the default endpoints the request goes to the operation's prefixed
// host, stream-logs.REGION.amazonaws.com (stream-logs-fips... for FIPS), as the AWS SDKs
// send it. With a custom endpoint (WithEndpoint, AWS_ENDPOINT_URL…) the host is used as
// it is, so that http://127.0.0.1:PORT works; the AWS SDKs prefix custom endpoints too
// unless told not to. [WithHostPrefix] changes either default.
//
// Timeouts: the attempt timeout ([WithAttemptTimeout]) bounds each attempt until the
// answer's headers arrive and, once the stream runs, each wait for the service's next
// message (it sends one a second), never the session as a whole. An http.Client given
// with [WithHTTPClient] whose Timeout is set cuts every session at that Timeout: that is
// the caller's choice; leave it zero for Live Tail.
func (c *Client) StartLiveTail(ctx context.Context, in *StartLiveTailInput) (*LiveTailSession, error) {
	const op = "StartLiveTail"
	if err := in.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(startLiveTailWire{in.LogGroupIdentifiers, in.LogStreamNames, in.LogStreamNamePrefixes, in.LogEventFilterPattern})
	if err != nil {
		return nil, &ValidationError{Operation: op, Field: "input", Value: "", Reason: "cannot be encoded: " + err.Error()}
	}
	st := &streamAttempt{hostPrefix: liveTailHostPrefix}
	resp, err := c.doCall(ctx, op, body, nil, "", st)
	if err != nil {
		return nil, err
	}
	if err := checkEventStreamType(resp.Header.Get("Content-Type"), st.body); err != nil {
		st.cancel()
		st.body.Close()
		return nil, &DecodeError{Operation: op, Err: err}
	}
	s := newLiveTailSession(ctx, st.body, st.cancel, c.attemptTimeout)
	s.requestID = resp.Header.Get("X-Amzn-Requestid")
	s.attempts = st.attempts
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// WithHostPrefix sets whether operations whose service model gives a host prefix
// (StartLiveTail: "stream-") send their requests to the prefixed host, as the AWS SDKs
// do. The default is true for the default endpoints (stream-logs.REGION.amazonaws.com)
// and false with a custom endpoint (WithEndpoint, AWS_ENDPOINT_URL…), so that a local
// server's http://127.0.0.1:PORT is used as it is. The signature covers the host sent.
func WithHostPrefix(on bool) Option { return func(o *options) { o.hostPrefix = &on } }

// EventStreamContentType is the media type of an event-stream answer.
const EventStreamContentType = "application/vnd.amazon.eventstream"

// checkEventStreamType refuses a 2xx answer that is not an event stream, quoting the
// start of its body (a JSON answer of a server without Live Tail says what it is).
func checkEventStreamType(ct string, body io.Reader) error {
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == EventStreamContentType {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(body, maxErrorText))
	s := strings.TrimSpace(string(head))
	if s != "" {
		s = ": " + showValue(s)
	}
	return &streamFormatError{"the answer is Content-Type " + strconv.Quote(ct) + ", not " + EventStreamContentType + s}
}

// streamFormatError is a stream that breaks the Live Tail conventions (the framing's
// own errors are *eventstream.FormatError).
type streamFormatError struct{ reason string }

func (e *streamFormatError) Error() string { return e.reason }
