package localserver

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Group commit. Every PutLogEvents packs its chunks, appends them to the current segment
// (serialized by segments.amu only, so this overlaps with another request's commit), queues
// a putJob and waits. Whoever then holds the writer lock (store.wmu) drains the whole queue
// and commits every queued job in one transaction: chunk rows inserted, stream, group and
// segment rows updated, one commit. Requests that arrive while a commit runs are
// committed together by the next one, so the per-commit cost (SQLite's WAL frames: a few
// pages, each two write system calls) is shared. A job is answered only after the
// transaction holding it has committed.

// putJob is one PutLogEvents waiting for a group commit.
type putJob struct {
	groupID, streamID int64
	payload           []byte
	chunks            []packedChunk
	// Where payload was appended (before queueing, outside the writer lock) when chunks is
	// not empty, and the segment that append rotated out (0: none).
	seg, off, rotated int64

	// Results, set before done is closed.
	seq    int64
	ingest int64  // the commit's ingestion time (ms)
	order  uint64 // the commit order, for Live Tail (tailRegistry.stamp)
	aerr   *apiError
	done   chan struct{}
}

// maxGroupWait bounds how long a commit waits for PutLogEvents requests that are being
// decoded, so that they join the same transaction. A commit waits only while such requests
// exist: a lone client never waits.
const maxGroupWait = time.Millisecond

// putArriving counts a PutLogEvents request that is being decoded; call the returned
// function when it is queued or has failed (it is idempotent).
func (st *store) putArriving() (done func()) {
	st.arriving.Add(1)
	finished := false
	return func() {
		if !finished {
			finished = true
			st.arriving.Add(-1)
			select {
			case st.queuedSig <- struct{}{}:
			default:
			}
		}
	}
}

// submitPut queues j and returns once the transaction holding it has committed (or failed).
// arrived is the function putArriving returned for the request.
func (s *Server) submitPut(j *putJob, arrived func()) {
	j.done = make(chan struct{})
	st := s.st
	st.qmu.Lock()
	st.putQueue = append(st.putQueue, j)
	st.qmu.Unlock()
	arrived()

	st.wmu.Lock()
	defer st.wmu.Unlock()
	select {
	case <-j.done: // committed by the previous holder of wmu
		return
	default:
	}
	if st.arriving.Load() > 0 {
		t := time.NewTimer(maxGroupWait)
	wait:
		for st.arriving.Load() > 0 {
			select {
			case <-st.queuedSig:
			case <-t.C:
				break wait
			}
		}
		t.Stop()
	}
	st.qmu.Lock()
	batch := st.putQueue
	st.putQueue = nil
	st.qmu.Unlock()
	s.commitPuts(batch)
}

// commitPuts commits batch in one transaction and closes every job's done. Call under wmu.
func (s *Server) commitPuts(batch []*putJob) {
	err := s.commitPutsTx(batch)
	if err != nil {
		aerr := s.dbErr(err)
		for _, j := range batch {
			if j.aerr == nil {
				j.aerr = aerr
			}
		}
	}
	// Settle the appends (still under wmu, so no delete sees a segment as unused while one
	// of its chunks is being committed); failed jobs' bytes are cut off when possible.
	for i := len(batch) - 1; i >= 0; i-- {
		if j := batch[i]; len(j.chunks) > 0 {
			s.st.segs.settle(j.seg, j.off, int64(len(j.payload)), j.aerr != nil)
		}
	}
	for _, j := range batch {
		close(j.done)
	}
}

func (s *Server) commitPutsTx(batch []*putJob) (err error) {
	st := s.st
	ctx := context.Background()
	tx, err := st.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			st.abortedWrite()
		}
	}()

	// One ingestion time per group commit, never decreasing: events of equal timestamps are
	// read in commit order (chunk ids), which is so also the order of their ingestion times,
	// as FilterLogEvents's sort (timestamp, ingestion time, request) requires.
	ingest := max(s.cfg.Now().UnixMilli(), st.lastIngest)
	st.lastIngest = ingest

	// Streams first: a stream deleted since the request looked it up fails only its job.
	upd := tx.Stmt(st.updStream)
	updEmpty := tx.Stmt(st.updStreamEmpty)
	for _, j := range batch {
		j.ingest, j.order = ingest, s.tails.stamp()
		var e error
		if len(j.chunks) > 0 {
			// The chunks hold the valid events in order: the stream's first and last timestamps.
			var span int64
			for i := range j.chunks {
				span = max(span, j.chunks[i].maxTs-j.chunks[i].minTs)
			}
			e = upd.QueryRowContext(ctx, j.chunks[0].minTs, j.chunks[len(j.chunks)-1].maxTs, ingest, j.streamID, span).Scan(&j.seq)
		} else {
			e = updEmpty.QueryRowContext(ctx, j.streamID).Scan(&j.seq)
		}
		if errors.Is(e, sql.ErrNoRows) {
			j.aerr = streamNotFound() // deleted concurrently
			continue
		}
		if e != nil {
			return e
		}
	}

	// Chunk rows of the payloads appended before queueing.
	type segUse struct{ chunks, bytes, end int64 }
	segs := map[int64]*segUse{}
	groupBytes := map[int64]int64{}
	groupSpan := map[int64]int64{}
	var rows []chunkRow
	for _, j := range batch {
		// The segment an append rotated out goes once it holds no live chunk, even when
		// the job failed (a stream deleted meanwhile): nothing else would retire it
		// before the next start.
		if j.rotated != 0 && !st.segs.busy(j.rotated) {
			if err := st.retireSegment(ctx, tx, j.rotated); err != nil {
				return err
			}
		}
		if j.aerr != nil || len(j.chunks) == 0 {
			continue
		}
		u := segs[j.seg]
		if u == nil {
			u = &segUse{}
			segs[j.seg] = u
		}
		u.chunks += int64(len(j.chunks))
		u.bytes += int64(len(j.payload))
		u.end = max(u.end, j.off+int64(len(j.payload)))
		for i := range j.chunks {
			c := &j.chunks[i]
			rows = append(rows, chunkRow{j.groupID, j.streamID, ingest, j.seg, j.off, c})
			groupBytes[j.groupID] += c.bytes
			groupSpan[j.groupID] = max(groupSpan[j.groupID], c.maxTs-c.minTs)
		}
	}
	if st.args, err = st.insertChunkRows(ctx, tx, rows, st.args); err != nil {
		return err
	}
	for seg, u := range segs {
		if err := noteAppend(ctx, tx, seg, int(u.chunks), u.bytes, u.end); err != nil {
			return err
		}
	}
	updGroup := tx.Stmt(st.updGroupBytes)
	for id, b := range groupBytes {
		if _, err := updGroup.ExecContext(ctx, b, id, groupSpan[id]); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	st.committedWrite()
	// WAL growth estimate: about eight pages per commit plus a page per four chunk rows.
	st.committed(int64(8+len(rows)/4) * 4120)
	return nil
}

// chunkRow is one chunk row to insert: a packed chunk of a job whose payload starts at base
// in segment seg.
type chunkRow struct {
	groupID, streamID, ingest, seg, base int64
	c                                    *packedChunk
}
