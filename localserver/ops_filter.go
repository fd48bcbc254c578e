package localserver

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// defaultFilterScanBudget bounds the stored bytes one FilterLogEvents page examines. Like
// the service, a page may hold fewer events than the limit (even none) and still carry a
// nextToken when the search stopped early; callers page until nextToken is absent.
const defaultFilterScanBudget = 8 << 20

type filterLogEventsIn struct {
	LogGroupName        *string   `json:"logGroupName"`
	LogGroupIdentifier  *string   `json:"logGroupIdentifier"`
	LogStreamNames      *[]string `json:"logStreamNames"`
	LogStreamNamePrefix *string   `json:"logStreamNamePrefix"`
	StartTime           *int64    `json:"startTime"`
	EndTime             *int64    `json:"endTime"`
	FilterPattern       *string   `json:"filterPattern"`
	NextToken           *string   `json:"nextToken"`
	Limit               *int64    `json:"limit"`
	Interleaved         *bool     `json:"interleaved"`
	Unmask              *bool     `json:"unmask"`
	StartFromHead       *bool     `json:"startFromHead"`
}

func (s *Server) filterLogEvents(rc *reqCtx) ([]byte, *apiError) {
	var in filterLogEventsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	v.strList(in.LogStreamNames, "logStreamNames", 1, 100, shLogStreamName)
	v.str(in.LogStreamNamePrefix, "logStreamNamePrefix", shLogStreamName)
	v.minInt(in.StartTime, "startTime", 0)
	v.minInt(in.EndTime, "endTime", 0)
	v.str(in.FilterPattern, "filterPattern", shFilterPattern)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, maxEventsLimit)
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.resolveGroupRef(in.LogGroupName, in.LogGroupIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, invalidParam("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	pat, aerr := eventFilter(in.FilterPattern)
	if aerr != nil {
		return nil, aerr
	}
	g, aerr := s.findGroup(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	r := scanRange{groupID: g.id, forward: true, startTs: 0, endTs: maxTokenTs + 1}
	if in.StartTime != nil {
		r.startTs = clampTs(*in.StartTime)
	}
	if in.EndTime != nil {
		r.endTs = clampTs(*in.EndTime) + 1 // endTime is inclusive for FilterLogEvents
	}
	r.startTs = max(r.startTs, g.cutoff(rc.now.UnixMilli()))
	r.cut = timeCut(r.startTs)
	if in.NextToken != nil {
		cut, ok := decodeFilterToken(*in.NextToken, g.id)
		if !ok {
			return nil, badToken()
		}
		r.cut = cut
	}
	names := map[int64]string{}
	if in.LogStreamNames != nil || in.LogStreamNamePrefix != nil {
		missing, err := s.selectStreams(rc.ctx, g.id, in.LogStreamNames, in.LogStreamNamePrefix, names)
		if err != nil {
			return nil, s.dbErr(err)
		}
		if missing {
			return nil, streamNotFound()
		}
		r.streams = make(map[int64]bool, len(names))
		for id := range names {
			r.streams[id] = true
		}
		if len(r.streams) == 1 {
			for id := range r.streams {
				r.streamID = id
			}
		}
	}
	limit := int64(maxEventsLimit)
	if in.Limit != nil {
		limit = *in.Limit
	}

	var page []outEvent
	var next *evKey
	if r.startTs < r.endTs && (r.streams == nil || len(r.streams) > 0) {
		m := newMerger(rc.ctx, s.st, r)
		m.budget = s.filterScanBudget()
		if pat != nil {
			m.match = pat.Match
		}
		// Like GetLogEvents, a page holds at most limit events and at most 1 MB of them.
		var size int64
		for {
			ev, k, meta, ok, err := m.next()
			if err != nil {
				return nil, s.dbErr(err)
			}
			if !ok {
				next = m.paused
				break
			}
			size += int64(len(ev.msg)) + eventOverhead
			if int64(len(page)) >= limit || (size > maxPageBytes && len(page) > 0) {
				next = &k // resume at this event
				break
			}
			page = append(page, outEvent{ev: ev, k: k, ingest: meta.ingest, stream: meta.streamID})
		}
	}
	if err := s.streamNames(rc.ctx, page, names); err != nil {
		return nil, s.dbErr(err)
	}
	// Events of a stream deleted since they were read are gone: the service
	// never returns an event without its stream's name.
	page = slices.DeleteFunc(page, func(e outEvent) bool { return names[e.stream] == "" })

	size := 96
	for i := range page {
		size += len(page[i].ev.msg) + 200
	}
	mask := s.maskerFor(g, in.Unmask) // after the scan (see dpState)
	o := newObj(make([]byte, 0, size))
	o.key("events")
	o.b = append(o.b, '[')
	for i := range page {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		e := &page[i]
		eo := newObj(o.b)
		eo.str("logStreamName", names[e.stream])
		eo.int("timestamp", e.ev.ts)
		eo.str("message", mask.mask(e.ev.msg, e.ingest))
		eo.int("ingestionTime", e.ingest)
		eo.str("eventId", eventID(e.k, e.stream))
		o.b = eo.done()
	}
	o.b = append(o.b, ']')
	o.raw("searchedLogStreams", []byte("[]"))
	if next != nil {
		o.str("nextToken", encodeFilterToken(g.id, *next))
	}
	return o.done(), nil
}

// streamNamesChunk bounds the ids in one streamNames query, well under SQLite's limit on
// bound parameters.
const streamNamesChunk = 500

// streamNames adds to names the name of every stream of page it lacks, with one query per
// streamNamesChunk streams. A stream deleted since its events were read gets an empty name.
func (s *Server) streamNames(ctx context.Context, page []outEvent, names map[int64]string) error {
	var ids []any
	for i := range page {
		if _, ok := names[page[i].stream]; !ok {
			id := page[i].stream
			names[id] = "" // until the query fills it in
			ids = append(ids, id)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), streamNamesChunk)
		q := "SELECT id, name FROM log_streams WHERE id IN (?" + strings.Repeat(",?", n-1) + ")"
		if err := scanStreamNames(ctx, s.st.r, q, ids[:n], names); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// scanStreamNames runs q, which selects stream ids and names, and adds them to names.
func scanStreamNames(ctx context.Context, db *sql.DB, q string, args []any, names map[int64]string) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		names[id] = n
	}
	return rows.Err()
}

func (s *Server) filterScanBudget() int64 {
	if s.scanBudget > 0 {
		return s.scanBudget
	}
	return defaultFilterScanBudget
}

// selectStreams resolves logStreamNames or logStreamNamePrefix to the stream names by id, in
// byID (empty on entry). missing reports
// a name in logStreamNames that is not a stream of the group: the service then fails the whole
// request with ResourceNotFoundException "The specified log stream does not exist." (observed
// by percona/rds_exporter, issue #81 and PR #123), while a prefix may match no stream at all.
func (s *Server) selectStreams(ctx context.Context, groupID int64, names *[]string, prefix *string, byID map[int64]string) (missing bool, err error) {
	if names != nil {
		for _, n := range *names {
			st, err := streamByName(ctx, s.st.r, groupID, n)
			if err != nil {
				return false, err
			}
			if st == nil {
				return true, nil
			}
			byID[st.id] = st.name
		}
		return false, nil
	}
	q, args := andPrefix(`SELECT id, name FROM log_streams WHERE group_id = ?`, []any{groupID}, "name", *prefix)
	return false, scanStreamNames(ctx, s.st.r, q, args, byID)
}

// eventFilter compiles the optional filter pattern of a read (FilterLogEvents, a Live
// Tail session): nil when there is none or it matches every event, so that the caller
// can skip matching.
func eventFilter(pattern *string) (*filterpattern.Pattern, *apiError) {
	if pattern == nil {
		return nil, nil
	}
	p, err := filterpattern.Parse(*pattern) // every error is a *filterpattern.SyntaxError
	if err != nil {
		return nil, invalidParam("Invalid filter pattern: %s", err)
	}
	if p.MatchAll() {
		return nil, nil
	}
	return p, nil
}
