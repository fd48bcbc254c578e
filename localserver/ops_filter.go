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
		f := newFilterReader(s, g, pat, in.Unmask != nil && *in.Unmask)
		m.match = f.prematch()
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
			msg, keep, err := f.read(rc.ctx, ev.msg, meta.ingest)
			if err != nil {
				return nil, s.dbErr(err)
			}
			if !keep {
				continue
			}
			ev.msg = msg // as it is returned
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
		eo.str("message", e.ev.msg) // masked as it was read (see filterReader)
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

// filterReader is what FilterLogEvents returns of the events its scan reads: their text,
// masked unless unmask, and whether the filter pattern matches that text. A pattern
// matches the text it returns, as Live Tail's and Logs Insights' do: matched against the
// stored text, a pattern naming a masked value would tell a reader without unmask whether
// the value is there.
//
// The merger matches the events of a chunk as it loads it (prematch), without their
// ingestion time, which masking needs. While the snapshot current then (once the chunk
// has been read, see dpState) has no policy that masks anything for the group, none of
// those events is masked, by it or by any later snapshot, so prematch matches their stored
// text, at the cost it had before masking (one atomic load more an event). Otherwise it
// keeps every event, and read, which has the ingestion time, matches the masked text.
type filterReader struct {
	pat     *filterpattern.Pattern // nil: every event matches
	unmask  bool
	rm      readMasker
	late    bool // prematch has kept an event without matching it
	checked int  // bytes read has masked since ctx was last checked
}

func newFilterReader(s *Server, g *groupRow, pat *filterpattern.Pattern, unmask bool) *filterReader {
	return &filterReader{pat: pat, unmask: unmask, rm: readMasker{s: s, g: g}}
}

// prematch returns the merger's match function (nil: keep every event).
func (f *filterReader) prematch() func(string) bool {
	switch {
	case f.pat == nil:
		return nil
	case f.unmask:
		return f.pat.Match
	}
	return func(msg string) bool {
		if f.rm.current() == nil {
			return f.pat.Match(msg)
		}
		f.late = true
		return true
	}
}

// read returns the text of an event the merger has yielded (msg, ingested at ingest) as
// FilterLogEvents returns it, and whether the filter pattern keeps it. Masking costs up
// to a custom identifier's regex program size a byte (maxCustomIdentifierProg), so ctx is
// checked every matchCheckBytes bytes masked, as the merger checks it while it matches.
func (f *filterReader) read(ctx context.Context, msg string, ingest int64) (string, bool, error) {
	if f.unmask {
		return msg, true, nil
	}
	out := msg
	if gm := f.rm.current(); gm != nil {
		if f.checked += len(msg); f.checked >= matchCheckBytes {
			if err := ctx.Err(); err != nil {
				return "", false, err
			}
			f.checked = 0
		}
		out = gm.mask(msg, ingest)
	}
	if !f.late || f.pat == nil {
		return out, true, nil // prematch has matched it
	}
	return out, f.pat.Match(out), nil
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
