package metrics

import (
	"time"

	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// Metric types of the text format's TYPE lines.
const (
	counter = "counter"
	gauge   = "gauge"
)

// reason is one sample of a family broken down by the label reason.
type reason[S any] struct {
	name  string
	value func(*S) int64
}

// family is one metric family: its samples are value's (one per source), or
// reasons' (one per source and reason), or the time of last (in seconds).
type family[S any] struct {
	name, help, typ string
	value           func(*S) int64
	reasons         []reason[S]
	last            func(*S) time.Time
}

// shipFamilies maps every field of ship.Stats but LastError (not exposed:
// only its time) to a family, in the order they are written.
var shipFamilies = []family[ship.Stats]{
	{name: "cwlogs_ship_events_total", typ: counter,
		help:  "Events offered to the shipper (each Log call, each line of Write, each part of a split message).",
		value: func(s *ship.Stats) int64 { return s.Events }},
	{name: "cwlogs_ship_sent_events_total", typ: counter,
		help:  "Events the service stored.",
		value: func(s *ship.Stats) int64 { return s.Sent }},
	{name: "cwlogs_ship_sent_bytes_total", typ: counter,
		help:  "Size of the events the service stored (message bytes + 26 per event).",
		value: func(s *ship.Stats) int64 { return s.Bytes }},
	{name: "cwlogs_ship_rejected_events_total", typ: counter,
		help: "Events the service refused (rejectedLogEventsInfo), by reason.",
		reasons: []reason[ship.Stats]{
			{"expired", func(s *ship.Stats) int64 { return s.Rejected.Expired }},
			{"too_new", func(s *ship.Stats) int64 { return s.Rejected.TooNew }},
			{"too_old", func(s *ship.Stats) int64 { return s.Rejected.TooOld }},
		}},
	{name: "cwlogs_ship_dropped_events_total", typ: counter,
		help: "Events the shipper discarded, by reason.",
		reasons: []reason[ship.Stats]{
			{"buffer_full", func(s *ship.Stats) int64 { return s.Dropped.BufferFull }},
			{"closed", func(s *ship.Stats) int64 { return s.Dropped.Closed }},
			{"empty", func(s *ship.Stats) int64 { return s.Dropped.Empty }},
			{"permanent_error", func(s *ship.Stats) int64 { return s.Dropped.PermanentError }},
			{"retry_exhausted", func(s *ship.Stats) int64 { return s.Dropped.RetryExhausted }},
			{"too_large", func(s *ship.Stats) int64 { return s.Dropped.TooLarge }},
			{"too_new", func(s *ship.Stats) int64 { return s.Dropped.TooNew }},
			{"too_old", func(s *ship.Stats) int64 { return s.Dropped.TooOld }},
		}},
	{name: "cwlogs_ship_queued_events", typ: gauge,
		help:  "Events held now: waiting, sealed or in flight.",
		value: func(s *ship.Stats) int64 { return s.Queued }},
	{name: "cwlogs_ship_queued_bytes", typ: gauge,
		help:  "Size of the events held now (message bytes + 26 per event).",
		value: func(s *ship.Stats) int64 { return s.QueuedBytes }},
	{name: "cwlogs_ship_in_flight_events", typ: gauge,
		help:  "Events in requests being sent or retried now.",
		value: func(s *ship.Stats) int64 { return s.InFlight }},
	{name: "cwlogs_ship_batches_total", typ: counter,
		help:  "Successful PutLogEvents calls.",
		value: func(s *ship.Stats) int64 { return s.Batches }},
	{name: "cwlogs_ship_requests_total", typ: counter,
		help:  "PutLogEvents attempts.",
		value: func(s *ship.Stats) int64 { return s.Requests }},
	{name: "cwlogs_ship_retries_total", typ: counter,
		help:  "PutLogEvents attempts after the first one of a batch.",
		value: func(s *ship.Stats) int64 { return s.Retries }},
	{name: "cwlogs_ship_throttled_total", typ: counter,
		help:  "Attempts that failed with a throttling error (PutLogEvents, CreateLogStream, CreateLogGroup).",
		value: func(s *ship.Stats) int64 { return s.Throttled }},
	{name: "cwlogs_ship_streams_created_total", typ: counter,
		help:  "Log streams created after ResourceNotFoundException.",
		value: func(s *ship.Stats) int64 { return s.StreamsCreated }},
	{name: "cwlogs_ship_groups_created_total", typ: counter,
		help:  "Log groups created after ResourceNotFoundException.",
		value: func(s *ship.Stats) int64 { return s.GroupsCreated }},
	{name: "cwlogs_ship_split_events_total", typ: counter,
		help:  "Extra events made by splitting oversized messages.",
		value: func(s *ship.Stats) int64 { return s.Split }},
	{name: "cwlogs_ship_truncated_events_total", typ: counter,
		help:  "Oversized messages truncated.",
		value: func(s *ship.Stats) int64 { return s.Truncated }},
	{name: "cwlogs_ship_clamped_events_total", typ: counter,
		help:  "Events whose timestamp was moved into the accepted range.",
		value: func(s *ship.Stats) int64 { return s.Clamped }},
	{name: "cwlogs_ship_last_error_timestamp_seconds", typ: gauge,
		help: "When the last error of a request, a creation or a loss happened, in seconds since the epoch; 0 if none.",
		last: func(s *ship.Stats) time.Time { return s.LastErrorTime }},
}

// spoolFamilies maps every field of spool.Stats but LastError (not
// exposed: only its time) to a family, in the order they are written.
// Recovered is a gauge: the pump may lower it (see spool.Stats).
var spoolFamilies = []family[spool.Stats]{
	{name: "cwlogs_spool_offered_records_total", typ: counter,
		help:  "Records offered to the spool (each Log or LogContext call, each line of Write).",
		value: func(s *spool.Stats) int64 { return s.Offered }},
	{name: "cwlogs_spool_accepted_records_total", typ: counter,
		help:  "Records written to the spool.",
		value: func(s *spool.Stats) int64 { return s.Accepted }},
	{name: "cwlogs_spool_accepted_bytes_total", typ: counter,
		help:  "Size on disk of the records written to the spool (message + 24 bytes each).",
		value: func(s *spool.Stats) int64 { return s.AcceptedBytes }},
	{name: "cwlogs_spool_delivered_records_total", typ: counter,
		help:  "Records whose delivery the destination confirmed.",
		value: func(s *spool.Stats) int64 { return s.Delivered }},
	{name: "cwlogs_spool_dropped_records_total", typ: counter,
		help: "Records dropped, by reason.",
		reasons: []reason[spool.Stats]{
			{"closed", func(s *spool.Stats) int64 { return s.Dropped.Closed }},
			{"corrupt", func(s *spool.Stats) int64 { return s.Dropped.Corrupt }},
			{"empty", func(s *spool.Stats) int64 { return s.Dropped.Empty }},
			{"full", func(s *spool.Stats) int64 { return s.Dropped.Full }},
			{"oldest", func(s *spool.Stats) int64 { return s.Dropped.Oldest }},
			{"refused", func(s *spool.Stats) int64 { return s.Dropped.Refused }},
			{"replay_limit", func(s *spool.Stats) int64 { return s.Dropped.ReplayLimit }},
			{"too_large", func(s *spool.Stats) int64 { return s.Dropped.TooLarge }},
			{"write_error", func(s *spool.Stats) int64 { return s.Dropped.WriteError }},
		}},
	{name: "cwlogs_spool_pending_records", typ: gauge,
		help:  "Records on disk not yet delivered nor dropped.",
		value: func(s *spool.Stats) int64 { return s.Pending }},
	{name: "cwlogs_spool_recovered_records", typ: gauge,
		help:  "Records found on disk at Open, left undelivered by an earlier spool (lowered when the pump reads an unreadable segment's end).",
		value: func(s *spool.Stats) int64 { return s.Recovered }},
	{name: "cwlogs_spool_disk_bytes", typ: gauge,
		help:  "Size of the segment files.",
		value: func(s *spool.Stats) int64 { return s.DiskBytes }},
	{name: "cwlogs_spool_segments", typ: gauge,
		help:  "Number of segment files.",
		value: func(s *spool.Stats) int64 { return int64(s.Segments) }},
	{name: "cwlogs_spool_checkpoints_total", typ: counter,
		help:  "Checkpoints written after a successful Flush of the destination.",
		value: func(s *spool.Stats) int64 { return s.Checkpoints }},
	{name: "cwlogs_spool_handed_records_total", typ: counter,
		help:  "Records handed to the destination (replays included).",
		value: func(s *spool.Stats) int64 { return s.Handed }},
	{name: "cwlogs_spool_replayed_records_total", typ: counter,
		help:  "Records handed again after a failed delivery.",
		value: func(s *spool.Stats) int64 { return s.Replayed }},
	{name: "cwlogs_spool_failures_total", typ: counter,
		help:  "Failed deliveries, each followed by a pause and a replay.",
		value: func(s *spool.Stats) int64 { return s.Failures }},
	{name: "cwlogs_spool_torn_bytes_total", typ: counter,
		help:  "Bytes cut at Open from the end of the last segment, or skipped in a segment whose end could not be read.",
		value: func(s *spool.Stats) int64 { return s.TornBytes }},
	{name: "cwlogs_spool_last_error_timestamp_seconds", typ: gauge,
		help: "When the last error was reported, in seconds since the epoch; 0 if none.",
		last: func(s *spool.Stats) time.Time { return s.LastErrorTime }},
}
