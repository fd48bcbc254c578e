package localserver

import (
	"fmt"
	"sync"
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
	arrived := s.st.putArriving()
	defer arrived()
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
	g, st, aerr := s.findStream(rc.ctx, s.st.r, req.logGroupName, req.logStreamName)
	if aerr != nil {
		return nil, aerr
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
	scratch, _ := packPool.Get().(*packScratch)
	if scratch == nil {
		scratch = new(packScratch)
	}
	defer packPool.Put(scratch)
	var chunks []packedChunk
	scratch.buf, chunks = packChunks(valid, scratch.buf, scratch.chunks)
	scratch.chunks = chunks
	payload := scratch.buf

	job := &putJob{groupID: g.id, streamID: st.id, payload: payload, chunks: chunks}
	if len(chunks) > 0 {
		// The payload reaches the operating system before the job is queued: a commit
		// never records bytes that are not written. commitPuts settles the append.
		if job.seg, job.off, job.rotated, err = s.st.segs.append(payload); err != nil {
			return nil, s.dbErr(err)
		}
	}
	s.submitPut(job, arrived)
	if job.aerr != nil {
		return nil, job.aerr
	}
	seq := job.seq
	// Live Tail sessions see the committed events (rejected ones are not ingested).
	s.publishTail(g, req.logStreamName, valid, job.ingest, job.order)

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

// packScratch holds the reusable buffers of one PutLogEvents: the packed payload and its chunks.
type packScratch struct {
	buf    []byte
	chunks []packedChunk
}

var packPool sync.Pool // *packScratch

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
