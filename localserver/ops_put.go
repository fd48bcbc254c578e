package localserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PutLogEvents limits (service quotas and model constraints).
const (
	maxBatchEvents = 10_000
	maxBatchBytes  = 1_048_576 // sum of len(message)+26
	maxEventBytes  = 1_048_576 // len(message)+26
	tooNewMs       = 2 * 60 * 60 * 1000
	tooOldMs       = 14 * 24 * 60 * 60 * 1000
	maxReportedErr = 100
)

func (s *Server) putLogEvents(rc *reqCtx) ([]byte, *apiError) {
	evp, _ := s.evPool.Get().(*[]putEvent)
	if evp == nil {
		evp = new([]putEvent)
	}
	defer s.evPool.Put(evp)
	req, err := decodePut(rc.body, *evp)
	if err != nil {
		return nil, clientErr(codeSerialization, err.Error())
	}
	*evp = req.events[:0]
	if e := validatePut(req); e != nil {
		return nil, e
	}
	evs := req.events
	var total int64
	for _, e := range evs {
		size := int64(len(e.msg)) + eventOverhead
		if size > maxEventBytes {
			return nil, invalidParam("Log event too large: %d bytes exceeds limit of %d", size, maxEventBytes)
		}
		total += size
	}
	if total > maxBatchBytes {
		return nil, invalidParam("Upload too large: %d bytes exceeds limit of %d", total, maxBatchBytes)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].ts < evs[i-1].ts {
			return nil, invalidParam(msgChronological)
		}
	}
	g, err := groupByName(rc.ctx, s.st.r, req.logGroupName)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if g == nil {
		return nil, groupNotFound()
	}
	st, err := streamByName(rc.ctx, s.st.r, g.id, req.logStreamName)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if st == nil {
		return nil, streamNotFound()
	}

	// Classify: too old and expired events form a prefix, too new ones a suffix.
	nowMs := rc.now.UnixMilli()
	var rej rejected
	lo, hi := 0, len(evs)
	for lo < hi && evs[lo].ts < nowMs-tooOldMs {
		lo++
	}
	if lo > 0 {
		rej.tooOldEnd = lo
	}
	if cut := g.cutoff(nowMs); cut > 0 {
		for lo < hi && evs[lo].ts < cut {
			lo++
		}
		if lo > rej.tooOldEnd {
			rej.expiredEnd = lo
		}
	}
	for hi > lo && evs[hi-1].ts > nowMs+tooNewMs {
		hi--
	}
	if hi < len(evs) {
		rej.tooNewStart = hi
		rej.hasTooNew = true
	}
	valid := evs[lo:hi]
	if len(valid) > 0 && valid[len(valid)-1].ts-valid[0].ts > maxChunkSpan {
		return nil, invalidParam(msgSpan24h)
	}
	chunks := packChunks(valid)

	var seq int64
	var written int64
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		ins := tx.Stmt(s.st.insertChunk)
		var bytes int64
		for _, c := range chunks {
			if _, err := ins.ExecContext(ctx, g.id, st.id, c.minTs, c.maxTs, nowMs, c.n, c.bytes, c.data); err != nil {
				return s.dbErr(err)
			}
			bytes += c.bytes
			written += int64(len(c.data)) + 64
		}
		var err error
		if len(valid) > 0 {
			err = tx.QueryRowContext(ctx, `UPDATE log_streams SET
				first_ts = min(coalesce(first_ts, ?1), ?1),
				last_ts = max(coalesce(last_ts, ?2), ?2),
				last_sort = max(last_sort, ?2),
				last_ingest = ?3,
				upload_seq = upload_seq + 1
				WHERE id = ?4 RETURNING upload_seq`, valid[0].ts, valid[len(valid)-1].ts, nowMs, st.id).Scan(&seq)
		} else {
			err = tx.QueryRowContext(ctx, `UPDATE log_streams SET upload_seq = upload_seq + 1 WHERE id = ? RETURNING upload_seq`, st.id).Scan(&seq)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return streamNotFound() // deleted concurrently
		}
		if err != nil {
			return s.dbErr(err)
		}
		if bytes > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?`, bytes, g.id); err != nil {
				return s.dbErr(err)
			}
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	s.st.committed(written)

	o := newObj(make([]byte, 0, 160))
	o.str("nextSequenceToken", sequenceToken(seq))
	if rej.any() {
		ro := newObj(nil)
		if rej.hasTooNew {
			ro.int("tooNewLogEventStartIndex", int64(rej.tooNewStart))
		}
		if rej.tooOldEnd > 0 {
			ro.int("tooOldLogEventEndIndex", int64(rej.tooOldEnd))
		}
		if rej.expiredEnd > 0 {
			ro.int("expiredLogEventEndIndex", int64(rej.expiredEnd))
		}
		o.raw("rejectedLogEventsInfo", ro.done())
	}
	return o.done(), nil
}

type rejected struct {
	tooNewStart           int
	hasTooNew             bool
	tooOldEnd, expiredEnd int
}

func (r *rejected) any() bool { return r.hasTooNew || r.tooOldEnd > 0 || r.expiredEnd > 0 }

func validatePut(req *putRequest) *apiError {
	var v verrs
	if v.required(req.hasGroup, "logGroupName") {
		v.str(&req.logGroupName, "logGroupName", shLogGroupName)
	}
	if v.required(req.hasStream, "logStreamName") {
		v.str(&req.logStreamName, "logStreamName", shLogStreamName)
	}
	v.str(req.sequenceToken, "sequenceToken", shSequenceToken)
	if v.required(req.hasEvents, "logEvents") {
		switch n := len(req.events); {
		case n < 1:
			val := "[]"
			v.add(&val, "logEvents", "Member must have length greater than or equal to 1")
		case n > maxBatchEvents:
			val := fmt.Sprintf("[%d events]", n)
			v.add(&val, "logEvents", fmt.Sprintf("Member must have length less than or equal to %d", maxBatchEvents))
		}
		for i := range req.events {
			if len(v.list) >= maxReportedErr {
				break
			}
			e := &req.events[i]
			if e.hasTs && e.ts >= 0 && e.hasMsg && len(e.msg) > 0 {
				continue
			}
			p := fmt.Sprintf("logEvents.%d.member.", i+1)
			if v.required(e.hasTs, p+"timestamp") && e.ts < 0 {
				v.minInt(&e.ts, p+"timestamp", 0)
			}
			if v.required(e.hasMsg, p+"message") && len(e.msg) == 0 {
				val := ""
				v.add(&val, p+"message", "Member must have length greater than or equal to 1")
			}
		}
	}
	return v.err()
}
