package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// Event types of the StartLiveTail stream (the members of StartLiveTailResponseStream),
// and the first event of every AWS JSON 1.1 event stream.
const (
	liveTailInitialResponse = "initial-response"
	liveTailSessionStart    = "sessionStart"
	liveTailSessionUpdate   = "sessionUpdate"
)

// Exception codes the StartLiveTail stream ends with, as [APIError.Code].
const (
	// CodeSessionTimeout: the session was open for three hours, the most the service allows.
	CodeSessionTimeout = "SessionTimeoutException"
	// CodeSessionStreaming: an unknown error of the service ended the session.
	CodeSessionStreaming = "SessionStreamingException"
)

// LiveTailSession is a running Live Tail session (see [Client.StartLiveTail]). Its
// methods may be called from any goroutine; Close may interrupt a goroutine ranging over
// Updates.
type LiveTailSession struct {
	// Start is the service's description of the session (its sessionStart event).
	Start LiveTailSessionStart

	ctx       context.Context
	body      io.ReadCloser
	cancel    context.CancelFunc // cancels the request's context
	dec       *eventstream.Decoder
	requestID string
	attempts  int

	idle     time.Duration // bound of each wait for a message; 0: none
	timer    *time.Timer   // cancels the request when a wait exceeds idle
	timedOut atomic.Bool
	closed   atomic.Bool

	mu   sync.Mutex // one reader at a time; guards done and err
	done bool
	err  error // how the stream ended; nil when it ended cleanly or was closed
}

func newLiveTailSession(ctx context.Context, body io.ReadCloser, cancel context.CancelFunc, idle time.Duration) *LiveTailSession {
	s := &LiveTailSession{ctx: ctx, body: body, cancel: cancel, dec: eventstream.NewDecoder(body), idle: idle}
	if idle > 0 {
		s.timer = time.AfterFunc(idle, func() {
			s.timedOut.Store(true)
			cancel()
		})
		s.timer.Stop()
	}
	return s
}

// Updates yields the session's updates as they come, each with the events ingested
// since the one before (often none: the service sends one about once a second). When
// the stream ends, the sequence ends: without an error when the service closed it
// cleanly or when Close was called, else with a final error:
//
//   - an *APIError (StatusCode the stream's 2xx) for an exception the service sent on
//     the stream, Code [CodeSessionTimeout] after three hours or
//     [CodeSessionStreaming], or for an error message (Code its :error-code);
//   - an *OpError wrapping ctx's error when ctx ended;
//   - a *DecodeError when the stream broke (the connection was cut, inside a message or
//     not), a message is malformed (bad checksum, over the event-stream limits of 16 MiB
//     of payload, JSON not of the model's shape), or no message came for the attempt
//     timeout (the error then wraps [ErrAttemptTimeout]).
//
// The session is read as the sequence is ranged over: breaking out of the loop leaves
// it where it was, and ranging again continues with the next update. Once the stream has
// ended its resources are released and ranging again yields the final error again (or
// nothing). Unknown event types, which a newer service may add, are skipped.
func (s *LiveTailSession) Updates() iter.Seq2[*LiveTailSessionUpdate, error] {
	return func(yield func(*LiveTailSessionUpdate, error) bool) {
		for {
			u, err := s.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(u, nil) {
				return
			}
		}
	}
}

// Close ends the session: it cancels the request and closes the stream, which ends a
// loop ranging over Updates (without an error). It returns nil, and may be called more
// than once.
func (s *LiveTailSession) Close() error {
	s.closed.Store(true)
	s.release()
	return nil
}

// release stops the timer, cancels the request and closes the body; idempotent.
func (s *LiveTailSession) release() {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.cancel()     // first: it unblocks a Read that Close would wait for
	s.body.Close() // the error (a cut stream's) says nothing more than the read's did
}

// start reads the stream up to its sessionStart event into s.Start.
func (s *LiveTailSession) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		m, et, err := s.read()
		if err == io.EOF {
			err = &DecodeError{Operation: "StartLiveTail", Err: &streamFormatError{"the stream ended before its sessionStart event"}}
		}
		if err != nil {
			return s.end(err)
		}
		switch et {
		case liveTailSessionStart:
			if err := unmarshalEvent(et, m.Payload, &s.Start); err != nil {
				return s.end(err)
			}
			return nil
		case liveTailSessionUpdate:
			return s.end(&DecodeError{Operation: "StartLiveTail", Err: &streamFormatError{"the stream began with a sessionUpdate event, not sessionStart"}})
		}
	}
}

// next returns the next update, or the end of the stream: io.EOF when it ended cleanly
// or was closed, else the error that ended it.
func (s *LiveTailSession) next() (*LiveTailSessionUpdate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		m, et, err := s.read()
		if err != nil {
			if err = s.end(err); err == nil {
				err = io.EOF
			}
			return nil, err
		}
		if et == liveTailSessionUpdate {
			u := &LiveTailSessionUpdate{}
			if err := unmarshalEvent(et, m.Payload, u); err != nil {
				return nil, s.end(err)
			}
			return u, nil
		}
	}
}

// end records how the stream ended (io.EOF: cleanly), releases it and returns the
// error to report: nil for a clean end or a closed session.
func (s *LiveTailSession) end(err error) error {
	if !s.done {
		s.done = true
		if err != io.EOF && !s.closed.Load() {
			s.err = err
		}
		s.release()
	}
	return s.err
}

// read returns the next event message and its event type. Exception and error messages
// come back as *APIError, a broken stream as *OpError (ctx ended) or *DecodeError, a
// clean end between messages as io.EOF, and an ended stream as its error again.
func (s *LiveTailSession) read() (*eventstream.Message, string, error) {
	if s.done {
		if s.err == nil {
			return nil, "", io.EOF
		}
		return nil, "", s.err
	}
	if s.timer != nil {
		s.timer.Reset(s.idle)
	}
	m, err := s.dec.Decode()
	if s.timer != nil {
		s.timer.Stop()
	}
	if err != nil {
		switch {
		case s.closed.Load():
			return nil, "", io.EOF
		case s.ctx.Err() != nil:
			return nil, "", &OpError{Operation: "StartLiveTail", Attempts: s.attempts, Err: s.ctx.Err()}
		case s.timedOut.Load():
			return nil, "", &DecodeError{Operation: "StartLiveTail",
				Err: fmt.Errorf("no message for %v: %w (%w)", s.idle, ErrAttemptTimeout, context.DeadlineExceeded)}
		case err == io.EOF:
			return nil, "", io.EOF
		}
		return nil, "", &DecodeError{Operation: "StartLiveTail", Err: fmt.Errorf("reading the event stream: %w", err)}
	}
	et, err := s.classify(m)
	return m, et, err
}

// classify returns an event message's :event-type, and the error an exception or
// error message stands for.
func (s *LiveTailSession) classify(m *eventstream.Message) (string, error) {
	switch mt := m.Headers.String(eventstream.MessageTypeHeader); mt {
	case "event":
		et := m.Headers.String(eventstream.EventTypeHeader)
		if et == "" {
			return "", &DecodeError{Operation: "StartLiveTail", Err: &streamFormatError{"an event message without a string " + eventstream.EventTypeHeader + " header"}}
		}
		return et, nil
	case "exception":
		// The payload is the exception's structure: {"message": "..."}.
		// Status 0: no HTTP status text for an empty payload; streamError sets the stream's.
		ae := parseAPIError("StartLiveTail", 0, nil, m.Payload)
		if code := sanitizeErrorCode(m.Headers.String(eventstream.ExceptionTypeHeader)); code != "" {
			ae.Code = code
		}
		return "", s.streamError(ae)
	case "error":
		ae := &APIError{Operation: "StartLiveTail", Code: sanitizeErrorCode(m.Headers.String(eventstream.ErrorCodeHeader)),
			Message: m.Headers.String(eventstream.ErrorMessageHeader)}
		if ae.Code == "" {
			ae.Code = "UnknownError"
		}
		return "", s.streamError(ae)
	case "":
		return "", &DecodeError{Operation: "StartLiveTail", Err: &streamFormatError{"a message without a string " + eventstream.MessageTypeHeader + " header"}}
	default:
		return "", &DecodeError{Operation: "StartLiveTail", Err: &streamFormatError{"a message of unknown " + eventstream.MessageTypeHeader + " " + showValue(mt)}}
	}
}

// streamError completes an error sent on the stream with the stream's answer.
func (s *LiveTailSession) streamError(ae *APIError) *APIError {
	ae.StatusCode = 200
	if ae.RequestID == "" {
		ae.RequestID = s.requestID
	}
	return ae
}

// unmarshalEvent decodes an event's JSON payload; an empty one leaves v as it is.
func unmarshalEvent(eventType string, payload []byte, v any) error {
	if len(payload) == 0 {
		return nil
	}
	if err := json.Unmarshal(payload, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			err = fmt.Errorf("%w (at byte %d)", err, se.Offset)
		}
		return &DecodeError{Operation: "StartLiveTail", Err: fmt.Errorf("%s event: %w", eventType, err)}
	}
	return nil
}
