package localserver

import (
	"slices"
)

// Page limits of GetLogEvents / FilterLogEvents.
const (
	maxEventsLimit = 10_000
	maxPageBytes   = 1_048_576 // a page holds as many events as fit in 1 MB (len(message)+26 each)
)

type getLogEventsIn struct {
	LogGroupName       *string `json:"logGroupName"`
	LogGroupIdentifier *string `json:"logGroupIdentifier"`
	LogStreamName      *string `json:"logStreamName"`
	StartTime          *int64  `json:"startTime"`
	EndTime            *int64  `json:"endTime"`
	NextToken          *string `json:"nextToken"`
	Limit              *int64  `json:"limit"`
	StartFromHead      *bool   `json:"startFromHead"`
	Unmask             *bool   `json:"unmask"`
}

type outEvent struct {
	ev     storedEvent
	k      evKey
	ingest int64
	stream int64
}

func (s *Server) getLogEvents(rc *reqCtx) ([]byte, *apiError) {
	var in getLogEventsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	v.required(in.LogStreamName != nil, "logStreamName")
	v.str(in.LogStreamName, "logStreamName", shLogStreamName)
	v.minInt(in.StartTime, "startTime", 0)
	v.minInt(in.EndTime, "endTime", 0)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, maxEventsLimit)
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.resolveGroupRef(in.LogGroupName, in.LogGroupIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	g, st, aerr := s.findStream(rc.ctx, s.st.r, name, *in.LogStreamName)
	if aerr != nil {
		return nil, aerr
	}

	r := scanRange{groupID: g.id, streamID: st.id, startTs: 0, endTs: maxTokenTs + 1}
	if in.StartTime != nil {
		r.startTs = clampTs(*in.StartTime)
	}
	if in.EndTime != nil {
		r.endTs = clampTs(*in.EndTime)
	}
	r.startTs = max(r.startTs, g.cutoff(rc.now.UnixMilli()))
	startCut := timeCut(r.startTs)
	if in.NextToken != nil {
		fwd, cut, ok := decodeGetToken(*in.NextToken, st.id)
		if !ok {
			return nil, badToken()
		}
		r.forward, r.cut = fwd, cut
	} else {
		r.forward = in.StartFromHead != nil && *in.StartFromHead
		if r.forward {
			r.cut = startCut
		} else {
			r.cut = timeCut(r.endTs)
		}
	}
	// A page holds at most limit events and, whatever the limit, at most 1 MB of them: "Each
	// page returned can contain up to 1 MB of log events or up to 10,000 log events" (model).
	limit := int64(maxEventsLimit)
	if in.Limit != nil {
		limit = *in.Limit
	}

	var page []outEvent
	if r.startTs < r.endTs {
		m := newMerger(rc.ctx, s.st, r)
		var size int64
		for int64(len(page)) < limit {
			ev, k, meta, ok, err := m.next()
			if err != nil {
				return nil, s.dbErr(err)
			}
			if !ok {
				break
			}
			size += int64(len(ev.msg)) + eventOverhead
			if size > maxPageBytes && len(page) > 0 {
				break
			}
			page = append(page, outEvent{ev: ev, k: k, ingest: meta.ingest})
		}
	}
	if !r.forward {
		slices.Reverse(page)
	}

	var fwdTok, bwdTok string
	switch {
	case len(page) > 0:
		fwdTok = encodeGetToken(true, page[len(page)-1].k.succ(), st.id)
		bwdTok = encodeGetToken(false, page[0].k, st.id)
	case in.NextToken != nil && r.forward:
		fwdTok = *in.NextToken
		bwdTok = encodeGetToken(false, r.cut, st.id)
	case in.NextToken != nil:
		bwdTok = *in.NextToken
		fwdTok = encodeGetToken(true, r.cut, st.id)
	default:
		fwdTok = encodeGetToken(true, startCut, st.id)
		bwdTok = encodeGetToken(false, r.cut, st.id)
	}

	size := 64
	for i := range page {
		size += len(page[i].ev.msg) + 80
	}
	mask := s.maskerFor(g, in.Unmask) // after the scan (see dpState)
	o := newObj(make([]byte, 0, size))
	o.key("events")
	o.b = append(o.b, '[')
	for i := range page {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		eo := newObj(o.b)
		eo.int("timestamp", page[i].ev.ts)
		eo.str("message", mask.mask(page[i].ev.msg, page[i].ingest))
		eo.int("ingestionTime", page[i].ingest)
		o.b = eo.done()
	}
	o.b = append(o.b, ']')
	o.str("nextForwardToken", fwdTok)
	o.str("nextBackwardToken", bwdTok)
	return o.done(), nil
}
