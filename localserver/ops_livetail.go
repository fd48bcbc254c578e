package localserver

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// StartLiveTail. The request is an ordinary AWS JSON 1.1 request (SDKs send it to the
// endpoint's host with the "stream-" host prefix; only the signature looks at the Host);
// its refusals are ordinary JSON error answers. The answer is HTTP 200 with an event
// stream (application/vnd.amazon.eventstream): an initial-response event ({}), a
// sessionStart event, then a sessionUpdate event every second (liveTailTick) until the
// client closes the connection, the session times out (Config.LiveTailTimeout; a
// SessionTimeoutException message ends the stream) or the server shuts down (a
// SessionStreamingException message ends it). Its events are masked by the data protection
// policies in force when they were ingested, and its filter pattern matches them masked
// (publishTail, livetail_session.go).

// liveTailTick is the interval of sessionUpdate events (a variable for tests).
var liveTailTick = time.Second

// liveTailHeaderDelay is how long a session waits before its answer's headers (see
// runLiveTail).
const liveTailHeaderDelay = 20 * time.Millisecond

// tailEndGrace bounds how long a session that times out or is ended by Shutdown lets
// its last writes take: a client that does not read can hold neither the session (and
// its place in the quota) past its timeout nor Shutdown.
const tailEndGrace = time.Second

// contentTypeEventStream is the content type of a streamed answer.
const contentTypeEventStream = "application/vnd.amazon.eventstream"

// Live Tail wordings. AWS's are not on record for these refusals and stream exceptions:
// these are ours.
const (
	msgLiveTailLimit          = "You have reached the maximum number of concurrent Live Tail sessions (15)."
	msgLiveTailStreamsExcl    = "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters."
	msgLiveTailStreamsOneLG   = "logStreamNames and logStreamNamePrefixes can be specified only with exactly one log group in logGroupIdentifiers."
	msgLiveTailNotArn         = "The log group identifier %s is not a log group ARN: StartLiveTail takes log group ARNs (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)."
	msgLiveTailShutdown       = "The Live Tail session ended because the server is shutting down."
	msgLiveTailTimeoutFmt     = "The Live Tail session timed out after %s."
	exSessionTimeout          = "SessionTimeoutException"
	exSessionStreaming        = "SessionStreamingException"
	eventTypeInitialResponse  = "initial-response"
	eventTypeSessionStart     = "sessionStart"
	eventTypeSessionUpdate    = "sessionUpdate"
	contentTypeEventJSONValue = "application/json"
)

// streamFunc is an operation whose answer is a stream: it validates the request and
// returns the function that writes the answer, which runs after the request's body
// buffers and in-flight bytes are released.
type streamFunc func(s *Server, rc *reqCtx) (func(w http.ResponseWriter, r *http.Request), *apiError)

var streamOperations map[string]streamFunc

func init() {
	streamOperations = map[string]streamFunc{"StartLiveTail": (*Server).startLiveTail}
}

type startLiveTailIn struct {
	LogGroupIdentifiers   *[]string `json:"logGroupIdentifiers"`
	LogStreamNames        *[]string `json:"logStreamNames"`
	LogStreamNamePrefixes *[]string `json:"logStreamNamePrefixes"`
	LogEventFilterPattern *string   `json:"logEventFilterPattern"`
}

func (s *Server) startLiveTail(rc *reqCtx) (func(w http.ResponseWriter, r *http.Request), *apiError) {
	var in startLiveTailIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	if v.required(in.LogGroupIdentifiers != nil, "logGroupIdentifiers") {
		v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 1, 10, shLogGroupIdentifier)
	}
	v.strList(in.LogStreamNames, "logStreamNames", 1, 100, shLogStreamName)
	v.strList(in.LogStreamNamePrefixes, "logStreamNamePrefixes", 1, 100, shLogStreamName)
	v.str(in.LogEventFilterPattern, "logEventFilterPattern", shFilterPattern)
	if e := v.err(); e != nil {
		return nil, e
	}
	idents := *in.LogGroupIdentifiers
	if in.LogStreamNames != nil && in.LogStreamNamePrefixes != nil {
		return nil, invalidParam(msgLiveTailStreamsExcl)
	}
	if (in.LogStreamNames != nil || in.LogStreamNamePrefixes != nil) && len(idents) != 1 {
		return nil, invalidParam(msgLiveTailStreamsOneLG)
	}
	sess := newTailSession()
	var aerr *apiError
	if sess.pat, aerr = eventFilter(in.LogEventFilterPattern); aerr != nil {
		return nil, aerr
	}
	// Log groups are named by ARN only (the API reference: "Specify each log group by its
	// ARN"; the model's pattern already refuses one ending with "*"). Each must exist now.
	sess.groups = make(map[int64]string, len(idents))
	for _, id := range idents {
		if !strings.HasPrefix(id, "arn:") {
			return nil, invalidParam(msgLiveTailNotArn, id)
		}
		name, ok := s.parseGroupArn(id)
		if !ok {
			return nil, groupNotFound()
		}
		g, aerr := s.findGroup(rc.ctx, s.st.r, name)
		if aerr != nil {
			return nil, aerr
		}
		if _, dup := sess.groups[g.id]; !dup {
			sess.groups[g.id] = id
		}
	}
	if in.LogStreamNames != nil {
		sess.streams = make(map[string]bool, len(*in.LogStreamNames))
		for _, n := range *in.LogStreamNames {
			sess.streams[n] = true
		}
	}
	if in.LogStreamNamePrefixes != nil {
		sess.prefixes = *in.LogStreamNamePrefixes
	}
	// Registered before the answer starts: every event committed from now on is tailed.
	if aerr := s.tails.add(sess); aerr != nil {
		return nil, aerr
	}
	start := func(reqID string) []byte {
		o := newObj(nil)
		o.str("requestId", reqID)
		o.str("sessionId", newRequestID())
		o.raw("logGroupIdentifiers", appendStrings(nil, idents))
		if in.LogStreamNames != nil {
			o.raw("logStreamNames", appendStrings(nil, *in.LogStreamNames))
		}
		if in.LogStreamNamePrefixes != nil {
			o.raw("logStreamNamePrefixes", appendStrings(nil, *in.LogStreamNamePrefixes))
		}
		if in.LogEventFilterPattern != nil {
			o.str("logEventFilterPattern", *in.LogEventFilterPattern)
		}
		return o.done()
	}
	return func(w http.ResponseWriter, r *http.Request) {
		defer s.tails.remove(sess)
		s.runLiveTail(w, r, sess, start(w.Header().Get("x-amzn-RequestId")))
	}, nil
}

// runLiveTail writes a session's event stream until it ends.
func (s *Server) runLiveTail(w http.ResponseWriter, r *http.Request, sess *tailSession, start []byte) {
	ctl := http.NewResponseController(w)
	// The listener's deadlines bound reading the request, whose body has been read, not
	// the answer: net/http clears the read deadline once the body is read (so a client
	// that goes away still ends the request's context), and a write deadline (a listener
	// with a WriteTimeout) is cleared here, as a session lasts hours.
	_ = ctl.SetReadDeadline(time.Time{})
	_ = ctl.SetWriteDeadline(time.Time{})
	// aws-sdk-go-v2 closes a request's body as soon as the answer's headers arrive; if
	// net/http's writer has not yet read that body's end by then, it closes the
	// connection (aws-sdk-go-v2 #2737, retried for ordinary operations, fatal to a
	// stream). On loopback a session answered at once was so cut in about one run in
	// four under -race: the headers wait a moment, nothing to a session of hours.
	select {
	case <-time.After(liveTailHeaderDelay):
	case <-r.Context().Done():
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentTypeEventStream)
	w.WriteHeader(http.StatusOK)

	var buf []byte
	buf = appendEvent(buf, eventTypeInitialResponse, []byte("{}"))
	buf = appendEvent(buf, eventTypeSessionStart, start)
	if !send(w, ctl, buf) {
		return
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(cmp.Or(s.tailTick, liveTailTick))
		defer tick.Stop()
		timeout := time.NewTimer(s.cfg.LiveTailTimeout)
		defer timeout.Stop()
		tickC, timeoutC, ctxDone, stop := tick.C, timeout.C, r.Context().Done(), sess.stop
		for {
			select {
			case <-tickC:
				sess.tick()
			case <-timeoutC:
				sess.tick() // the events since the last update are sent before the exception
				sess.finish(tailTimedOut)
				tickC, timeoutC = nil, nil
				_ = ctl.SetWriteDeadline(time.Now().Add(tailEndGrace))
			case <-ctxDone:
				sess.finish(tailClosed)
				tickC, timeoutC, ctxDone = nil, nil, nil
			case <-stop:
				sess.finish(tailShutdown)
				tickC, timeoutC, stop = nil, nil, nil
				// A write blocked on a client that does not read fails by then.
				_ = ctl.SetWriteDeadline(time.Now().Add(tailEndGrace))
			case <-done:
				return
			}
		}
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()

	for range sess.wake {
		updates, end := sess.take()
		switch end {
		case tailClosed:
			return
		case tailShutdown:
			send(w, ctl, appendException(buf[:0], exSessionStreaming, msgLiveTailShutdown))
			return
		}
		for _, u := range updates {
			buf = appendUpdate(buf[:0], &u)
			if !send(w, ctl, buf) {
				return
			}
		}
		if end == tailTimedOut {
			send(w, ctl, appendException(buf[:0], exSessionTimeout, fmt.Sprintf(msgLiveTailTimeoutFmt, s.cfg.LiveTailTimeout)))
			return
		}
	}
}

// send writes b and flushes it; false when the connection failed.
func send(w http.ResponseWriter, ctl *http.ResponseController, b []byte) bool {
	if _, err := w.Write(b); err != nil {
		return false
	}
	return ctl.Flush() == nil
}

// appendEvent appends an event message whose payload is JSON.
func appendEvent(b []byte, eventType string, payload []byte) []byte {
	b, err := eventstream.AppendMessage(b, eventstream.Event(eventType, contentTypeEventJSONValue, payload))
	if err != nil {
		// Only a payload over 16 MiB fails, and no update is that large (500 events of
		// at most 1 MiB each are; see appendUpdate).
		panic(err)
	}
	return b
}

// appendException appends a modelled exception message with {"message": msg}.
func appendException(b []byte, exType, msg string) []byte {
	o := newObj(nil)
	o.str("message", msg)
	b, err := eventstream.AppendMessage(b, eventstream.Exception(exType, o.done()))
	if err != nil {
		panic(err) // a short fixed message
	}
	return b
}

// appendUpdate appends a sessionUpdate event holding u. Its events are at most 500 of at
// most 1 MiB each: an update of more than eventstream.MaxPayloadLen is split into as many
// sessionUpdate events as needed (each with the same sampled flag).
func appendUpdate(b []byte, u *tailUpdate) []byte {
	evs := u.events
	for {
		o := newObj(make([]byte, 0, 128))
		mo := newObj(nil)
		mo.bool("sampled", u.sampled)
		o.raw("sessionMetadata", mo.done())
		o.key("sessionResults")
		o.b = append(o.b, '[')
		n := 0
		for ; n < len(evs); n++ {
			e := &evs[n]
			if n > 0 && len(o.b)+len(e.msg)*6+len(e.stream)*6+len(e.group)*6+256 > eventstream.MaxPayloadLen {
				break
			}
			if n > 0 {
				o.b = append(o.b, ',')
			}
			eo := newObj(o.b)
			eo.str("logStreamName", e.stream)
			eo.str("logGroupIdentifier", e.group)
			eo.str("message", e.msg)
			eo.int("timestamp", e.ts)
			eo.int("ingestionTime", e.ingest)
			o.b = eo.done()
		}
		o.b = append(o.b, ']')
		b = appendEvent(b, eventTypeSessionUpdate, o.done())
		evs = evs[n:]
		if len(evs) == 0 {
			return b
		}
	}
}
