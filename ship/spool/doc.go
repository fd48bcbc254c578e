// Package spool is a durable queue on disk in front of a
// [github.com/cwlogs/cwlogs/ship.Shipper] (or any [Destination]): store and
// forward for programs that lose their connection for hours or days and may
// restart meanwhile, such as edge gateways. Events logged to a [Spool] are
// written to segment files in a directory before [Spool.Log] returns; a pump
// reads them back in order and hands them to the destination, and moves its
// checkpoint only after the destination's Flush confirms their delivery.
// Nothing is loaded whole: memory stays bounded whatever is on disk. Standard
// library only.
//
//	s, _ := ship.New(client, "my-app", "gateway-7", nil)
//	sp, err := spool.Open("/var/lib/my-app/spool", s, &spool.Options{OnFull: spool.DropOldest})
//	...
//	sp.Log(time.Now(), "door opened") // on disk when it returns
//	...
//	sp.Close(ctx) // then s.Close(ctx)
//
// # On disk
//
// The directory holds segment files (%020d.seg, named after the sequence
// number of their first record), a checkpoint file and a lock file (and,
// beside a segment whose end Open could not read, or an empty one it could
// not remove, an end marker: see What survives what). Each
// record carries its length, a sequence number, its timestamp and a CRC-32C
// of all that and the message, so that a torn or damaged record is told from
// a whole one. One segment is written at a time; it is closed at
// [Options.SegmentBytes] (8 MiB) and a new one started. The segments
// together are bounded by [Options.MaxBytes] (256 MiB); a new record that
// would pass it follows [Options.OnFull]: Block (wait for room, with ctx),
// DropNewest (refused with [ErrFull]) or DropOldest (the oldest segment is
// deleted, its undelivered records counted and reported). A directory is
// used by one Spool at a time: it is locked (flock on unix, an unshared
// handle on Windows; no lock elsewhere), and a second Open, from this
// process or another, fails with an [*Error] wrapping [ErrLocked].
//
// # Delivery
//
// The pump hands records to the destination with LogContext and flushes it
// every [Options.FlushInterval] (5 s), after [Options.FlushBytes] (1 MiB,
// one full PutLogEvents batch), on [Spool.Flush] and on Close. Only when
// Flush returns nil does it write the checkpoint (atomically: temporary
// file, sync, rename, directory sync) and delete the segments it has passed.
// When Flush fails — a *ship.FlushError, the shipper having dropped events
// after its own retries ([ship.Options].MaxElapsedTime), or any other error —
// nothing is lost: the pump goes back to the checkpoint and sends the same
// records again after a pause ([Options.InitialBackoff], doubling up to
// [Options.MaxBackoff]), however long the outage, and across restarts: Open
// resumes from the checkpoint. Delivery is therefore at least once, and a
// record may arrive more than once:
//
//   - after a failed Flush, the records of its window (at most FlushBytes)
//     that the shipper did store are sent again ([Stats].Replayed counts
//     them);
//   - after a crash, or a Close whose ctx ended, the records handed over
//     since the last checkpoint are sent again by the next Open;
//   - as with ship alone, a batch whose answer was lost is sent again.
//
// A record the destination refuses for good — ship's ErrOutOfRange (an
// event older than the shipper's Retention, 14 days by default, which a long
// outage makes likely), ErrTooLarge, ErrEmpty, or an error wrapping
// [ErrRefused] — is dropped, counted in [Stats].Dropped.Refused and reported,
// not retried. So are events the service itself rejects as too old or
// expired (older than the log group's retention; rejectedLogEventsInfo)
// while it stores the rest of their batch: when the shipper's Flush fails
// with a *ship.FlushError whose every lost event its Rejected counts as too
// old or expired (in one batch or several), the window is not sent again
// (that would store the rest again, and be rejected again, forever); the
// oldest records of the window are counted
// as refused, as many as were rejected. Other Flush failures, too-new
// events (a clock ahead) among them, make the window be sent again; bound
// the replays with [Options.MaxReplays] when a destination may fail one
// window for good in another way. Setting the shipper's Retention to the
// log group's retention, when shorter than 14 days, refuses expired events
// before they are sent.
//
// Records of one Spool are handed over in order; with the shipper's
// Concurrency 1 they are stored in order, replays aside.
//
// A Spool is an io.Writer of lines ([Spool.Write]) with a Flush that returns
// nil once what was written is delivered, so it is also a
// [github.com/cwlogs/cwlogs/ship/follow.Destination]: a followed file can go
// through a spool too.
//
// # What survives what
//
//   - A crash of the process (panic, kill -9, OOM killer): every record Log
//     accepted, whatever [Options.Sync], as it is in the operating system's
//     cache once written. A record being written when the process died is cut
//     at the next Open: Log had not returned for it.
//   - A power loss or a kernel crash: with SyncAlways, every record Log
//     accepted (Log returns after fsync; concurrent calls share one); with
//     SyncPeriodic (the default), all but those accepted during the last
//     SyncInterval (1 s); with SyncNever, whatever the system had written
//     back (typically all but the last 30 s on Linux). [Spool.Sync] forces
//     the records accepted so far to disk whatever the policy. A failed
//     fsync is returned to every call whose records it covered, even when
//     a later fsync succeeds (Linux may have dropped the data whose
//     write-back failed), and by Sync until they are delivered. The checkpoint
//     is synced too (except with SyncNever) and only ever covers delivered
//     records: after a power loss records may be sent again, never skipped.
//   - Damaged data (a torn end, a power loss that left zeros or stale
//     blocks, a flipped bit): at Open, the end of the last segment is cut at
//     the last whole record ([Stats].TornBytes; reported as a
//     [*CorruptError] with Truncated set); elsewhere, the pump skips damaged
//     bytes, a damaged record header included, to the next record that
//     validates, searched byte by byte: its checksum (over header and
//     message) matches, its length is plausible, and its sequence number is
//     greater than the one expected, by no more than the skipped bytes can
//     hold. It counts the records lost exactly from the sequence numbers
//     around the damage ([Stats].Dropped.Corrupt, a *CorruptError): damage
//     costs the records whose bytes it touched. Damaged bytes that happen to
//     form a record that validates are vanishingly unlikely (odds under
//     2^-61 over a whole 8 MiB segment), except stale blocks of another
//     spool's segments, whose sequence numbers may be close to this one's:
//     their records would be delivered in place of the ones they replaced. A
//     message may hold a well-formed record (logged on purpose), which the
//     search meets when the header of the record holding it is damaged: the
//     record found is checked against those that follow (of two that
//     disagree, the smaller sequence number wins, the later record of two
//     with the same one), so that one such record cannot make the pump skip
//     the real records after it or take the place of one (two crafted to
//     agree, in a record whose header is damaged, or one in the last record
//     written, which no record follows yet, can; the loss is still counted).
//     The search is linear in the bytes (about 25 ms for 8 MiB of damaged
//     bytes), a message crafted with a plausible record header every few
//     bytes included (about 30 ms for 1 MiB of them: a header claiming a
//     long message is checked without reading all of it).
//   - A segment that cannot be read (an I/O error from a failing disk): the
//     pump reports each failed read (an [*Error] with Op "read"), delivers
//     the records it read before (a Flush, then the checkpoint), and tries
//     again after a pause, as after a failed delivery (InitialBackoff,
//     doubling up to MaxBackoff); a read of a chunk that fails is tried
//     again with only the bytes of the record wanted, so that the records
//     before a bad block are read. After 8 failed reads in a row at one
//     place (a failed delivery of the records read before it starts the
//     count again) it skips the record there, when its header can be
//     read, else the records up to the next record that validates (as
//     after damaged bytes), searched from the next readable multiple of
//     4 KiB (a failed read through the page cache fails a page; a Close
//     that gives up ends the search, and the records after stay on disk),
//     else the records the segment holds from there; it counts them in
//     [Stats].Dropped.Corrupt and reports a [*CorruptError] whose Err is
//     the read error, and delivery goes on with the next records (those
//     after the skipped ones, of the next segment, or written later to the
//     same one). A record after a skipped
//     one that cannot be read either is skipped at once (a bad block holds
//     several). With the default backoff the first skip comes after one to
//     two minutes of failures. Open too leaves to the pump a segment it
//     cannot read, and does not fail for it (the application's logging
//     goes on), the last one included, whose records after the checkpoint
//     it reads to find where they end: when that read fails, Open reports
//     it, writes no more to that segment and starts a new one for new
//     records, numbered past any sequence number the unreadable bytes can
//     hold (records are numbered one after the other and take at least 25
//     bytes each: the first number not read, plus the unread bytes / 25), so
//     that the records read from them still come first, in order. Until the
//     pump reads that segment's last record, [Stats].Recovered and Pending
//     count as many records as that bound allows; the pump then takes the
//     numbers no record had off both, and leaves a torn end at the end
//     uncounted, as Open would have cut it. A file beside the segment
//     (its name and ".end") keeps the bound's nature, and the segment's
//     size, for later Opens: a segment that can be read again then
//     delivers its records, each once and in order, before the newer ones,
//     and the numbers after its last record are not counted lost. Records
//     of it that stay unreadable up to its end, or that were cut from its
//     file since, are counted as the most their bytes can hold (the real
//     number is not known), as are its records that DropOldest deletes
//     unread. Nor does Open fail when the last segment cannot be opened for
//     writing, synced, or cut back to its last whole record: it reports the
//     error and starts a new segment (a torn end left in place is skipped
//     by the pump). A segment file removed or cut short behind the spool's
//     back is damage at once.
//   - A full file system: Log returns an [*Error] (Op "write", wrapping the
//     system's error, e.g. ENOSPC), the record is counted in
//     Stats.Dropped.WriteError, and the segment is cut back to its last whole
//     record (the lines of a Write that the failed write stored whole are
//     kept, the others counted). Set MaxBytes below the free space so that
//     OnFull decides instead.
//
// No record is lost silently: [Stats] accounts for every record offered and
// every record found on disk (see its identities), each loss is counted by
// reason, and [Options.OnError] receives a report of each. [Spool.Close]
// returns a [*CloseError] counting the records left on disk (sent at the
// next Open) and what was dropped.
//
// # Compared with Fluent Bit's filesystem storage
//
// Fluent Bit's storage.type filesystem keeps chunks of about 2 MB in files,
// bounded per output by storage.total_limit_size, which discards the oldest
// chunk when reached: like DropOldest here, with a segment for a chunk. The
// differences: a chunk is retried as a whole, up to the output's Retry_Limit
// (1 by default), then discarded (or, in recent versions, set aside in a
// dead-letter directory with storage.keep.rejected); here records are sent
// again until delivered (or MaxReplays), from a checkpoint taken after each
// confirmed Flush, so that a replay repeats at most FlushBytes rather than a
// whole chunk. Its checksums (storage.checksum) are off by default, and a
// chunk whose layout is damaged is discarded whole; here every record has a
// checksum, and damage costs only the records it touched, counted exactly.
// Its storage.sync is normal (no fsync per write) or full; here the three
// policies say what survives a power loss. And every drop is counted by
// reason in Stats and reported to OnError, where Fluent Bit logs errors and
// exposes storage metrics.
package spool
