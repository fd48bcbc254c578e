package localserver

import (
	"container/heap"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// chunkMeta is a chunk row without its data.
type chunkMeta struct {
	id, streamID, minTs, maxTs, ingest int64
	n                                  int
	seg, segOff, segLen                int64 // seg 0: the payload is the row's data blob (schema 1)
	crc                                int64
}

// chunkMetaCols are the columns scanned into a chunkMeta (see scanChunkMeta).
const chunkMetaCols = `id, stream_id, min_ts, max_ts, ingest, n, coalesce(seg, 0), coalesce(seg_off, 0), coalesce(seg_len, 0), coalesce(crc, 0)`

func scanChunkMeta(rows *sql.Rows, c *chunkMeta) error {
	return rows.Scan(&c.id, &c.streamID, &c.minTs, &c.maxTs, &c.ingest, &c.n, &c.seg, &c.segOff, &c.segLen, &c.crc)
}

// scanRange describes which events a read wants: one stream or a whole group (optionally
// limited to some streams), timestamps in [startTs, endTs), and keys at or after cut
// (forward) or before cut (backward).
type scanRange struct {
	groupID  int64
	streamID int64 // 0: every stream of the group
	streams  map[int64]bool
	startTs  int64
	endTs    int64 // exclusive
	cut      evKey
	forward  bool
}

// candidateBatch is how many chunk rows one candidate query fetches.
const candidateBatch = 64

// maxUnionStreams: a forward scan of at most this many streams of a group queries each
// stream's chunks through the stream index (one UNION ALL arm per stream).
const maxUnionStreams = 16

// merger yields the events of a scanRange in key order (forward) or reverse key order
// (backward), loading chunks lazily: a chunk is read only when its time range can hold the
// next event. Candidate chunks are found through the (stream|group, min_ts|max_ts) indexes;
// because a chunk spans at most maxChunkSpan, the scan starts at most that far before the cut.
type merger struct {
	ctx  context.Context
	st   *store
	db   *sql.DB
	r    scanRange
	cand []chunkMeta
	ci   int
	// keyset position of the candidate query
	lastTs, lastID int64
	started, done  bool
	span           int64 // the widest chunk of the scope (read by the first fetch)
	h              cursorHeap

	// Forward scans only: match, when set, drops non-matching events as chunks load; budget,
	// when positive, pauses the scan once that many chunk bytes have been loaded. A paused
	// scan reports in paused the cut from which a later scan resumes without missing events.
	match  func(string) bool
	budget int64
	loaded int64
	paused *evKey
	// matched counts the message bytes matched since ctx was last checked.
	matched int
}

type cursor struct {
	meta chunkMeta
	evs  []storedEvent
	pos  int
}

func (c *cursor) key() evKey {
	e := &c.evs[c.pos]
	return evKey{e.ts, c.meta.id, int64(e.idx)}
}

type cursorHeap struct {
	cs      []*cursor
	forward bool
}

func (h *cursorHeap) Len() int { return len(h.cs) }
func (h *cursorHeap) Less(i, j int) bool {
	if h.forward {
		return h.cs[i].key().less(h.cs[j].key())
	}
	return h.cs[j].key().less(h.cs[i].key())
}
func (h *cursorHeap) Swap(i, j int) { h.cs[i], h.cs[j] = h.cs[j], h.cs[i] }
func (h *cursorHeap) Push(x any)    { h.cs = append(h.cs, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	c := h.cs[len(h.cs)-1]
	h.cs = h.cs[:len(h.cs)-1]
	return c
}

func newMerger(ctx context.Context, st *store, r scanRange) *merger {
	return &merger{ctx: ctx, st: st, db: st.r, r: r, h: cursorHeap{forward: r.forward}}
}

// nextCandidate returns the next candidate chunk without consuming it.
func (m *merger) nextCandidate() (*chunkMeta, error) {
	// A fetched batch may hold only chunks of streams the scan skips: that is not the end.
	for m.ci >= len(m.cand) {
		if m.done {
			return nil, nil
		}
		if err := m.fetch(); err != nil {
			return nil, err
		}
	}
	return &m.cand[m.ci], nil
}

func (m *merger) fetch() error {
	r := &m.r
	scope, scopeID := "group_id", r.groupID
	if r.streamID != 0 {
		scope, scopeID = "stream_id", r.streamID
	}
	if !m.started {
		// The widest chunk of the scope bounds how far before the cut a chunk holding an
		// event at or after it may start (maxChunkSpan for a scope without the column).
		table := "log_groups"
		if r.streamID != 0 {
			table = "log_streams"
		}
		m.span = maxChunkSpan
		if err := m.db.QueryRowContext(m.ctx, `SELECT max_span FROM `+table+` WHERE id = ?`, scopeID).Scan(&m.span); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		m.span = min(m.span, maxChunkSpan)
	}
	var q string
	var args []any
	if r.forward {
		lowTs := max(r.startTs, r.cut.ts)
		if !m.started {
			m.lastTs, m.lastID = lowTs-m.span-1, -1
		}
		q = fmt.Sprintf(`SELECT %s FROM chunks
			WHERE %s = ? AND (min_ts, id) > (?, ?) AND min_ts < ? AND max_ts >= ?
			ORDER BY min_ts, id LIMIT %d`, chunkMetaCols, scope, candidateBatch)
		args = []any{scopeID, m.lastTs, m.lastID, r.endTs, lowTs}
		if r.streamID == 0 && r.streams != nil && len(r.streams) <= maxUnionStreams {
			// A few streams of a large group: the next candidates are among each stream's
			// next candidateBatch chunks, found through (stream_id, min_ts), instead of
			// walking every chunk of the group and dropping the other streams'.
			arms := make([]string, 0, len(r.streams))
			args = args[:0]
			for id := range r.streams {
				arms = append(arms, fmt.Sprintf(`SELECT * FROM (SELECT %s FROM chunks
					WHERE stream_id = ? AND (min_ts, id) > (?, ?) AND min_ts < ? AND max_ts >= ?
					ORDER BY min_ts, id LIMIT %d)`, chunkMetaCols, candidateBatch))
				args = append(args, id, m.lastTs, m.lastID, r.endTs, lowTs)
			}
			q = strings.Join(arms, " UNION ALL ") + fmt.Sprintf(" ORDER BY 3, 1 LIMIT %d", candidateBatch)
		}
	} else {
		highTs := min(r.endTs-1, r.cut.ts)
		if !m.started {
			m.lastTs, m.lastID = highTs+m.span+1, int64(1)<<62
		}
		q = fmt.Sprintf(`SELECT %s FROM chunks
			WHERE %s = ? AND (max_ts, id) < (?, ?) AND max_ts >= ? AND min_ts <= ?
			ORDER BY max_ts DESC, id DESC LIMIT %d`, chunkMetaCols, scope, candidateBatch)
		args = []any{scopeID, m.lastTs, m.lastID, r.startTs, highTs}
	}
	m.started = true
	rows, err := m.db.QueryContext(m.ctx, q, args...)
	if err != nil {
		return err
	}
	m.cand, m.ci = m.cand[:0], 0
	n := 0
	for rows.Next() {
		var c chunkMeta
		if err := scanChunkMeta(rows, &c); err != nil {
			rows.Close()
			return err
		}
		n++
		if r.forward {
			m.lastTs, m.lastID = c.minTs, c.id
		} else {
			m.lastTs, m.lastID = c.maxTs, c.id
		}
		if r.streams != nil && !r.streams[c.streamID] {
			continue
		}
		m.cand = append(m.cand, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if n < candidateBatch {
		m.done = true
	}
	return nil
}

// matchCheckBytes is how many message bytes a filter pattern is matched
// against between two checks of the request's ctx.
const matchCheckBytes = 256 << 10

// load reads a candidate chunk and pushes a cursor positioned at its first event in range.
func (m *merger) load(c chunkMeta) error {
	data, err := m.st.chunkData(m.ctx, &c)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, errSegmentGone) {
		return nil // deleted meanwhile
	}
	var evs []storedEvent
	if err == nil {
		evs, err = unpackChunk(data, c.minTs, c.n, nil)
		if err != nil {
			err = fmt.Errorf("chunk %d: %w", c.id, err)
		}
	}
	if errors.Is(err, errCorruptChunk) {
		// A damaged chunk (a flipped bit on disk) costs its own events, not every
		// read of its stream and group: it is logged and skipped.
		m.st.logger.Error("skipping a corrupt chunk", "err", err, "stream", c.streamID)
		return nil
	}
	if err != nil {
		return err
	}
	m.loaded += int64(len(data))
	cur := &cursor{meta: c, evs: evs}
	r := &m.r
	if r.forward {
		for cur.pos < len(evs) {
			k := cur.key()
			if k.ts >= r.startTs && !k.less(r.cut) {
				break
			}
			cur.pos++
		}
		if m.match != nil {
			kept := evs[:0]
			for _, e := range evs[cur.pos:] {
				if e.ts >= r.endTs {
					break
				}
				if m.matched += len(e.msg); m.matched >= matchCheckBytes {
					// A client that gave up stops the scan: a costly pattern
					// may take seconds per megabyte.
					if err := m.ctx.Err(); err != nil {
						return err
					}
					m.matched = 0
				}
				if m.match(e.msg) {
					kept = append(kept, e)
				}
			}
			cur.evs, cur.pos, evs = kept, 0, kept
		}
		if cur.pos < len(evs) && evs[cur.pos].ts < r.endTs {
			heap.Push(&m.h, cur)
		}
		return nil
	}
	cur.pos = len(evs) - 1
	for cur.pos >= 0 {
		k := cur.key()
		if k.ts < r.endTs && k.less(r.cut) {
			break
		}
		cur.pos--
	}
	if cur.pos >= 0 && evs[cur.pos].ts >= r.startTs {
		heap.Push(&m.h, cur)
	}
	return nil
}

// next returns the next event, its key and its chunk, or ok=false at the end of the range.
func (m *merger) next() (ev storedEvent, k evKey, meta *chunkMeta, ok bool, err error) {
	for {
		c, err := m.nextCandidate()
		if err != nil {
			return ev, k, nil, false, err
		}
		if c == nil {
			break
		}
		if m.h.Len() > 0 {
			top := m.h.cs[0].evs[m.h.cs[0].pos].ts
			if (m.r.forward && c.minTs > top) || (!m.r.forward && c.maxTs < top) {
				break
			}
		}
		if m.budget > 0 && m.loaded >= m.budget && m.r.forward {
			cut := evKey{c.minTs, 0, 0}
			if m.h.Len() > 0 && m.h.cs[0].key().less(cut) {
				cut = m.h.cs[0].key()
			}
			if m.r.cut.less(cut) { // pause only with progress, so paging always ends
				m.paused = &cut
				return ev, k, nil, false, nil
			}
		}
		meta := *c
		m.ci++
		if err := m.load(meta); err != nil {
			return ev, k, nil, false, err
		}
	}
	if m.h.Len() == 0 {
		return ev, k, nil, false, nil
	}
	cur := m.h.cs[0]
	ev, k, meta = cur.evs[cur.pos], cur.key(), &cur.meta
	if m.r.forward {
		if ev.ts >= m.r.endTs {
			m.h.cs = m.h.cs[:0]
			return storedEvent{}, evKey{}, nil, false, nil
		}
		cur.pos++
		if cur.pos >= len(cur.evs) || cur.evs[cur.pos].ts >= m.r.endTs {
			heap.Pop(&m.h)
		} else {
			heap.Fix(&m.h, 0)
		}
	} else {
		if ev.ts < m.r.startTs {
			m.h.cs = m.h.cs[:0]
			return storedEvent{}, evKey{}, nil, false, nil
		}
		cur.pos--
		if cur.pos < 0 || cur.evs[cur.pos].ts < m.r.startTs {
			heap.Pop(&m.h)
		} else {
			heap.Fix(&m.h, 0)
		}
	}
	return ev, k, meta, true, nil
}
