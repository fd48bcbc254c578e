package localserver

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/cwlogs/cwlogs/localserver/insights"
	"github.com/cwlogs/cwlogs/localserver/transform"
)

// queryScan feeds the events of some log groups in [startTs, endTs) to run, newest
// first across all groups (the order the service presents events without sort), until
// run wants no more or ctx is done. Events older than a group's retention are left out,
// as are events of streams deleted meanwhile. after, when not nil (tests), runs after
// each record, the run's progress published (n records so far).
func (s *Server) queryScan(ctx context.Context, groups []*groupRow, startTs, endTs, nowMs int64, run *insights.Run, after func(ctx context.Context, n int)) error {
	// One Record for every event, unless the run keeps them (a sort).
	var shared *insights.Record
	if !run.KeepsRecords() {
		shared = new(insights.Record)
	}
	// The text before masking goes with each record only for a query that reads it.
	unmasks := run.Unmasks()
	n := 0
	var afterErr error
	err := s.scanNewest(ctx, groups, startTs, endTs, nowMs, func(gs *groupScan) bool {
		n++
		rec := shared
		if rec == nil {
			rec = new(insights.Record)
		}
		masked, clear, tfErr := gs.text(s)
		*rec = insights.Record{
			Timestamp:           gs.ev.ts,
			IngestionTime:       gs.ingest,
			Message:             masked,
			LogGroup:            gs.log,
			LogStream:           gs.names[gs.stream],
			MakePtr:             recordPtr,
			Key:                 [5]int64{gs.g.id, gs.stream, gs.k.ts, gs.k.cid, gs.k.idx},
			TransformationError: tfErr,
		}
		if unmasks {
			rec.Unmasked = clear
		}
		if !run.Add(rec) {
			return false
		}
		if after != nil {
			run.Publish()
			after(ctx, n)
			if afterErr = ctx.Err(); afterErr != nil {
				return false
			}
		}
		return true
	})
	return cmp.Or(err, afterErr)
}

// transformedOrError is transformed, with the text of the @transformationError system
// field: "Whenever CloudWatch Logs tries and fails to transform a log event, it adds a
// @transformationError system field to that log event. When you run a CloudWatch Logs
// Insights query, you will see this field in all log events that had a transformation
// failure"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Transformation-Errors-Metrics.html).
// Its text is not documented; here it is the *transform.ApplyError's. It is empty when
// no transformer was in force or it did not fail.
func (s *Server) transformedOrError(sn *tfSnapshot, g *groupRow, stream, msg string, ingest int64) (text, tfErr string) {
	v := sn.at(g.id, ingest)
	if v == nil {
		return msg, ""
	}
	out, err := v.cfg.Apply(msg, transform.Meta{LogGroupName: g.name, LogStreamName: stream, AccountID: s.cfg.AccountID, Region: v.region})
	if err != nil {
		return msg, err.Error()
	}
	return out, ""
}

// groupScan is one group's backward scan and its current event.
type groupScan struct {
	g      *groupRow
	log    string
	names  map[int64]string
	m      *merger
	ev     storedEvent
	k      evKey
	ingest int64
	stream int64
	mask   readMasker // masks each event (as transformed) under the snapshot current once it is read
}

// text returns the current event's text as Logs Insights reads it: clear, as the
// transformer in force at its ingestion made it (tfErr when that failed), then masked.
func (gs *groupScan) text(s *Server) (masked, clear, tfErr string) {
	clear, tfErr = s.transformedOrError(s.transformers(), gs.g, gs.names[gs.stream], gs.ev.msg, gs.ingest)
	return gs.mask.mask(clear, gs.ingest), clear, tfErr
}

// newGroupScan starts the backward scan of g's events in [start, end), before its first
// advance: the streams it knows are those of g now.
func (s *Server) newGroupScan(ctx context.Context, g *groupRow, start, end int64) (*groupScan, error) {
	gs := &groupScan{g: g, log: s.cfg.AccountID + ":" + g.name, names: map[int64]string{}, mask: readMasker{s: s, g: g}}
	if err := scanStreamNames(ctx, s.st.r, `SELECT id, name FROM log_streams WHERE group_id = ?`, []any{g.id}, gs.names); err != nil {
		return nil, err
	}
	gs.m = newMerger(ctx, s.st, scanRange{groupID: g.id, startTs: start, endTs: end, cut: timeCut(end)})
	return gs, nil
}

// advance moves to the group's next (older) event whose stream still exists.
func (gs *groupScan) advance() (bool, error) {
	for {
		ev, k, meta, ok, err := gs.m.next()
		if err != nil || !ok {
			return false, err
		}
		if gs.names[meta.streamID] == "" {
			continue
		}
		gs.ev, gs.k, gs.ingest, gs.stream = ev, k, meta.ingest, meta.streamID
		return true, nil
	}
}

// groupHeads orders group scans by their current event, newest first.
type groupHeads struct{ gs []*groupScan }

func (h *groupHeads) Len() int           { return len(h.gs) }
func (h *groupHeads) Less(i, j int) bool { return h.gs[j].k.less(h.gs[i].k) }
func (h *groupHeads) Swap(i, j int)      { h.gs[i], h.gs[j] = h.gs[j], h.gs[i] }
func (h *groupHeads) Push(x any)         { h.gs = append(h.gs, x.(*groupScan)) }
func (h *groupHeads) Pop() any {
	x := h.gs[len(h.gs)-1]
	h.gs = h.gs[:len(h.gs)-1]
	return x
}

// recordPtr is the @ptr of a record of queryScan (insights.Record.MakePtr), made only for
// the rows that show it.
func recordPtr(r *insights.Record) string {
	return encodeRecordPtr(r.Key[0], r.Key[1], evKey{ts: r.Key[2], cid: r.Key[3], idx: r.Key[4]})
}

// A record pointer (@ptr) names one stored event: its group, stream, and key. It is
// opaque to clients: an encodeOpaque token of kind "R".
func encodeRecordPtr(groupID, streamID int64, k evKey) string {
	return encodeOpaque("R", itoa(groupID), itoa(streamID), itoa(k.ts), itoa(k.cid), itoa(k.idx))
}

func decodeRecordPtr(ptr string) (groupID, streamID int64, k evKey, ok bool) {
	p, ok := decodeOpaque("R", ptr, 5)
	if !ok {
		return 0, 0, k, false
	}
	var v [5]int64
	for i := range p {
		x, err := strconv.ParseInt(p[i], 10, 64)
		if err != nil || x < 0 {
			return 0, 0, k, false
		}
		v[i] = x
	}
	return v[0], v[1], evKey{v[2], v[3], v[4]}, true
}

// errRecordGone reports a pointer whose event no longer exists (deleted, expired).
var errRecordGone = errors.New("log record no longer exists")

// recordAt reads the event a pointer names, with its group and stream. It returns
// errRecordGone when the group, stream, chunk or event is gone or expired at nowMs.
func (s *Server) recordAt(ctx context.Context, groupID, streamID int64, k evKey, nowMs int64) (ev storedEvent, g *groupRow, stream string, ingest int64, err error) {
	g, err = scanGroup(s.st.r.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM log_groups WHERE id = ?`, groupID))
	if errors.Is(err, sql.ErrNoRows) {
		return ev, nil, "", 0, errRecordGone
	}
	if err != nil {
		return ev, nil, "", 0, err
	}
	if k.ts < g.cutoff(nowMs) {
		return ev, nil, "", 0, errRecordGone
	}
	err = s.st.r.QueryRowContext(ctx, `SELECT name FROM log_streams WHERE id = ? AND group_id = ?`, streamID, groupID).Scan(&stream)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, nil, "", 0, errRecordGone
	}
	if err != nil {
		return ev, nil, "", 0, err
	}
	rows, err := s.st.r.QueryContext(ctx, `SELECT `+chunkMetaCols+` FROM chunks WHERE id = ? AND stream_id = ?`, k.cid, streamID)
	if err != nil {
		return ev, nil, "", 0, err
	}
	var c chunkMeta
	found := rows.Next()
	if found {
		err = scanChunkMeta(rows, &c)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return ev, nil, "", 0, err
	}
	if !found {
		return ev, nil, "", 0, errRecordGone
	}
	data, err := s.st.chunkData(ctx, &c)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, errSegmentGone) {
		return ev, nil, "", 0, errRecordGone
	}
	if err != nil {
		return ev, nil, "", 0, err
	}
	evs, err := unpackChunk(data, c.minTs, c.n, nil)
	if err != nil {
		return ev, nil, "", 0, fmt.Errorf("chunk %d: %w", c.id, err)
	}
	if k.idx >= int64(len(evs)) || evs[k.idx].ts != k.ts {
		return ev, nil, "", 0, errRecordGone
	}
	return evs[k.idx], g, stream, c.ingest, nil
}
