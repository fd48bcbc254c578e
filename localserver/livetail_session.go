package localserver

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// Live Tail sessions (StartLiveTail, ops_livetail.go) are fed by PutLogEvents: once a
// batch has committed, putLogEvents hands its events to publishTail, which masks them (see
// there) and offers them to every open session. Concurrent requests return from their commit, so
// publish, in any order: each event carries its ingestion order (the commit's order,
// stamped under the writer lock, and its index in the request), and an update lists its
// events in that order, as GetLogEvents lists events of one timestamp. A session keeps the events of the current tick
// (at most maxTailUpdateEvents, a uniform sample when more matched); each tick cuts
// them into an update queued for the session's writer, which drops the oldest updates
// beyond maxTailQueuedUpdates (a slow reader).

// Live Tail limits, from the API reference (StartLiveTail, LiveTailSessionUpdate).
const (
	maxTailUpdateEvents  = 500  // events in one sessionUpdate; a sample when more matched
	maxTailQueuedUpdates = 10   // updates buffered for a slow reader
	maxTailQueuedEvents  = 5000 // events buffered for a slow reader (implied: see below)
	// maxLiveTailSessions is the concurrent sessions allowed per account; beyond it
	// StartLiveTail is answered LimitExceededException.
	maxLiveTailSessions = 15
)

// tailRegistry holds the open Live Tail sessions. Its zero value is ready; publish costs
// one atomic load while no session is open.
type tailRegistry struct {
	open    atomic.Int32  // len(sessions), read without the lock
	commits atomic.Uint64 // the last commit order stamped (see stamp)

	// mu guards sessions and closed: publish, called by concurrent PutLogEvents, only
	// reads them (each session has its own lock), so puts match and sample in parallel.
	mu       sync.RWMutex
	sessions map[*tailSession]struct{}
	closed   bool // Shutdown has begun: no new session
}

// tailEvent is one event matched by a session.
type tailEvent struct {
	group  string // the logGroupIdentifier of the session's request
	stream string
	msg    string
	ts     int64
	ingest int64
	order  uint64 // ingestion order: commit order << tailOrderShift | index in the request
}

// tailOrderShift makes room in tailEvent.order for an event's index in its request.
const tailOrderShift = 14 // 1<<14 > maxBatchEvents

// tailUpdate is one sessionUpdate: the events of a tick (a sample when sampled).
type tailUpdate struct {
	events  []tailEvent
	sampled bool
}

// tailEnd is why a session ends (0: it has not).
type tailEnd int

const (
	tailRunning  tailEnd = iota
	tailClosed           // the client went away
	tailTimedOut         // Config.LiveTailTimeout passed
	tailShutdown         // Server.Shutdown
)

// tailSession is one open Live Tail session.
type tailSession struct {
	// What it tails, fixed at start.
	groups   map[int64]string // group id -> the identifier the client gave
	streams  map[string]bool  // logStreamNames; nil: any
	prefixes []string         // logStreamNamePrefixes; nil: any
	pat      *filterpattern.Pattern

	wake chan struct{} // capacity 1: the writer has something to do
	stop chan struct{} // closed by the registry on Shutdown

	mu      sync.Mutex
	cur     []tailEvent  // this tick's events (a sample once matched > maxTailUpdateEvents)
	matched int          // events matched this tick
	queue   []tailUpdate // cut updates not yet written
	dropped int          // updates dropped for a slow reader (tests)
	end     tailEnd
}

func newTailSession() *tailSession {
	return &tailSession{wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// add registers sess unless the server is shutting down or the quota is reached.
func (r *tailRegistry) add(sess *tailSession) *apiError {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return errShuttingDown()
	case len(r.sessions) >= maxLiveTailSessions:
		return clientErr(codeLimitExceeded, msgLiveTailLimit)
	}
	if r.sessions == nil {
		r.sessions = make(map[*tailSession]struct{})
	}
	r.sessions[sess] = struct{}{}
	r.open.Store(int32(len(r.sessions)))
	return nil
}

// remove unregisters sess.
func (r *tailRegistry) remove(sess *tailSession) {
	r.mu.Lock()
	delete(r.sessions, sess)
	r.open.Store(int32(len(r.sessions)))
	r.mu.Unlock()
}

// count is the number of open sessions.
func (r *tailRegistry) count() int { return int(r.open.Load()) }

// close refuses new sessions and tells the open ones to end (Shutdown).
func (r *tailRegistry) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	for sess := range r.sessions {
		close(sess.stop)
	}
}

// stamp returns the next commit order. Call it for each job of a group commit, in
// order, under the writer lock (store.wmu), so that the orders follow the commits.
func (r *tailRegistry) stamp() uint64 { return r.commits.Add(1) }

// publishTail offers the events of one committed PutLogEvents of group g (stream name,
// ingestion time, commit order from stamp) to the open Live Tail sessions. Call it once
// the put has committed: the data protection snapshot it reads then knows every policy
// change that concerns the events (see dpState).
//
// Live Tail is an egress point, so its events are masked: "sensitive data that matches the
// data identifiers you've selected is masked at all egress points, including CloudWatch
// Logs Insights, metric filters, and subscription filters. Only users who have the
// logs:Unmask IAM permission can view unmasked data"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html).
// StartLiveTail has no unmask parameter, so they are always masked, by the policies in
// force at their ingestion time, as every read masks them. Whether a
// logEventFilterPattern matches the masked or the sent text the documentation does not
// say: here it matches the masked text, the text the session shows. The same page names
// metric filters as an egress point where data is masked, and a filter's only output is
// what its pattern matches; and a pattern matched against the sent text would let a
// session without logs:Unmask test guesses at masked data one pattern at a time.
func (s *Server) publishTail(g *groupRow, stream string, evs []putEvent, ingest int64, order uint64) {
	s.tails.publish(g, stream, evs, ingest, order, s.dataProtection())
}

// publish offers the events of one committed PutLogEvents (its group, stream name,
// ingestion time, commit order from stamp) to the open sessions, masked under dp. The
// sessions that want them are picked under the registry's lock; the masking, which can
// take milliseconds for a large batch under a policy, runs after it is released, so that
// it holds up neither StartLiveTail nor a session's end, nor the other puts queued behind
// a waiting writer. A session that ends meanwhile is offered events nobody reads.
func (r *tailRegistry) publish(g *groupRow, stream string, evs []putEvent, ingest int64, order uint64, dp *dpSnapshot) {
	if r.open.Load() == 0 || len(evs) == 0 {
		return
	}
	type target struct {
		sess  *tailSession
		ident string
	}
	var buf [maxLiveTailSessions]target
	targets := buf[:0]
	r.mu.RLock()
	for sess := range r.sessions {
		if ident, ok := sess.groups[g.id]; ok && sess.wantsStream(stream) {
			targets = append(targets, target{sess, ident})
		}
	}
	r.mu.RUnlock()
	if len(targets) == 0 {
		return
	}
	if tailMaskHook != nil {
		tailMaskHook()
	}
	mask := dp.masker(g)             // nil (masks nothing) when no policy ever applied to g
	msgs := make([]string, len(evs)) // converted and masked once, shared by the sessions
	for i := range evs {
		msgs[i] = mask.mask(string(evs[i].msg), ingest)
	}
	for _, t := range targets {
		t.sess.offer(t.ident, stream, evs, msgs, ingest, order)
	}
}

// tailMaskHook, when set (tests only), runs in publish after the registry's lock is
// released and before the events are masked.
var tailMaskHook func()

func (sess *tailSession) wantsStream(stream string) bool {
	switch {
	case sess.streams != nil:
		return sess.streams[stream]
	case sess.prefixes != nil:
		for _, p := range sess.prefixes {
			if strings.HasPrefix(stream, p) {
				return true
			}
		}
		return false
	}
	return true
}

// offer adds the events that match the session's pattern to this tick's, keeping a
// uniform sample of maxTailUpdateEvents once more have matched (reservoir sampling).
func (sess *tailSession) offer(ident, stream string, evs []putEvent, msgs []string, ingest int64, order uint64) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	for i := range evs {
		if sess.pat != nil && !sess.pat.Match(msgs[i]) {
			continue
		}
		ev := tailEvent{group: ident, stream: stream, msg: msgs[i], ts: evs[i].ts, ingest: ingest, order: order<<tailOrderShift | uint64(i)}
		sess.matched++
		if len(sess.cur) < maxTailUpdateEvents {
			sess.cur = append(sess.cur, ev)
		} else if j := rand.IntN(sess.matched); j < maxTailUpdateEvents {
			sess.cur[j] = ev
		}
	}
}

// The service buffers "up to 10 updates or 5000 log events": as an update holds at most
// maxTailUpdateEvents, the update bound implies the event bound.
var _ [maxTailQueuedEvents - maxTailQueuedUpdates*maxTailUpdateEvents]struct{}

// tick cuts this tick's events into an update, in ingestion order, and queues it for
// the writer, dropping the oldest queued updates beyond maxTailQueuedUpdates (and so
// beyond maxTailQueuedEvents events).
func (sess *tailSession) tick() {
	sess.mu.Lock()
	u := tailUpdate{events: sess.cur, sampled: sess.matched > len(sess.cur)}
	slices.SortFunc(u.events, func(a, b tailEvent) int { return cmp.Compare(a.order, b.order) })
	sess.cur, sess.matched = nil, 0
	sess.queue = append(sess.queue, u)
	for len(sess.queue) > maxTailQueuedUpdates {
		sess.queue[0] = tailUpdate{}
		sess.queue = sess.queue[1:]
		sess.dropped++
	}
	sess.mu.Unlock()
	sess.signal()
}

// finish records why the session ends (the first reason wins) and wakes the writer.
func (sess *tailSession) finish(why tailEnd) {
	sess.mu.Lock()
	if sess.end == tailRunning {
		sess.end = why
	}
	sess.mu.Unlock()
	sess.signal()
}

func (sess *tailSession) signal() {
	select {
	case sess.wake <- struct{}{}:
	default:
	}
}

// take returns the queued updates and why the session ends (tailRunning: it goes on).
func (sess *tailSession) take() ([]tailUpdate, tailEnd) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	q := sess.queue
	sess.queue = nil
	return q, sess.end
}
