package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs/internal/atomicfile"
)

// recover reads the directory: the checkpoint, the segments after it (the
// ones before are deleted), the end of the last segment (a torn record is
// cut), and opens the last segment for writing.
func (s *Spool) recover() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return &Error{Op: "open", Path: s.dir, Err: err}
	}
	var firsts []uint64
	bounds := map[uint64]int64{} // segments with an end marker: the size it gives (0: unknown)
	for _, e := range entries {
		name := e.Name()
		if first, ok := parseSegName(name); ok && e.Type().IsRegular() {
			firsts = append(firsts, first)
		} else if first, ok := parseSegName(strings.TrimSuffix(name, endSuffix)); ok && strings.HasSuffix(name, endSuffix) {
			// Its presence counts; only a regular file is read (opening a
			// FIFO would block Open).
			bounds[first] = 0
			if e.Type().IsRegular() {
				bounds[first] = markedSize(filepath.Join(s.dir, name))
			}
		} else if atomicfile.IsTemp(name, CheckpointFile) || isMarkerTemp(name) {
			os.Remove(filepath.Join(s.dir, name)) // left by a crash while writing the checkpoint or an end marker
		}
	}
	slices.Sort(firsts)
	for first := range bounds {
		if _, found := slices.BinarySearch(firsts, first); !found {
			os.Remove(s.segPath(first) + endSuffix) // its segment was deleted
		}
	}
	ckpt, haveCkpt, err := readCheckpoint(s.dir)
	if err != nil {
		// Start from the first segment: records may be sent twice, none is lost.
		s.reportLocked(&Error{Op: "checkpoint", Path: filepath.Join(s.dir, CheckpointFile), Err: err})
		haveCkpt = false
	}
	if haveCkpt {
		// The segments before the checkpoint's were delivered (a crash came
		// before their deletion).
		i := 0
		for ; i < len(firsts) && firsts[i] < ckpt.Segment; i++ {
			removeSeg(s.segPath(firsts[i]))
		}
		firsts = firsts[i:]
	}
	for i, first := range firsts {
		path := s.segPath(first)
		fi, err := os.Stat(path)
		if err != nil {
			return &Error{Op: "open", Path: path, Err: err}
		}
		// With an end marker, its records may end well before the next
		// segment's first one (see boundLastLocked).
		marked, endBound := bounds[first]
		seg := &segment{first: first, path: path, size: fi.Size(), endBound: endBound}
		if marked > seg.size {
			// Cut behind the spool's back since the marker was written (the
			// segment is not written to again): the bytes cut are read as
			// missing, so that the pump counts the most records they held,
			// rather than take the file's end for the end of its records.
			// DiskBytes counts them until the segment is deleted.
			seg.size = marked
		}
		if i+1 < len(firsts) {
			seg.end = firsts[i+1]
		}
		if seg.size < segHeaderSize {
			if i+1 == len(firsts) {
				// Created by a crash before its header was written: no record.
				os.Remove(path)
				continue
			}
			// Not the last: its records, if it had any, are lost; the pump
			// counts them (seg.end).
		} else if seg.headerOK, err = checkVersion(path); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Op != "read" {
				return err
			}
			// Its header cannot be read: the pump tries to read its records,
			// and skips them if that keeps failing, rather than the Spool
			// not opening (then every record would be lost). The last one is
			// not written to again, and its records after the checkpoint
			// must be read now (recoverLast), to find where they end.
		}
		s.segs = append(s.segs, seg)
		s.diskBytes += seg.size
	}
	// The reading position: the checkpoint, or the first segment.
	pos := position{Segment: 0, Offset: segHeaderSize, Seq: 0}
	if haveCkpt {
		pos = ckpt
	}
	if len(s.segs) > 0 && (!haveCkpt || s.segs[0].first > ckpt.Segment) {
		// No checkpoint, or its segment was dropped (DropOldest, and the
		// records counted then): from the first segment.
		pos = position{Segment: s.segs[0].first, Offset: segHeaderSize, Seq: max(s.segs[0].first, pos.Seq)}
	}
	s.nextSeq = pos.Seq
	if n := len(s.segs); n > 0 {
		last := s.segs[n-1]
		gone, err := s.recoverLast(last, pos)
		if err != nil {
			return err
		}
		if last.end > pos.Seq {
			s.st.Recovered = int64(last.end - pos.Seq)
		}
		if gone {
			s.segs = s.segs[:n-1]
		}
	}
	if len(s.segs) == 0 {
		pos = position{Segment: s.nextSeq, Offset: segHeaderSize, Seq: s.nextSeq}
	}
	s.st.Pending = s.st.Recovered
	s.ckpt, s.readSeq = pos, pos.Seq
	return nil
}

// checkVersion reads a segment's header: it refuses a segment of another
// format version, which this package must not take for damaged data, and
// reports whether the header is whole and valid (a damaged one is the
// pump's to report).
func checkVersion(path string) (ok bool, err error) {
	f, err := openSegment(path)
	if err != nil {
		// As a header that cannot be read (Op "read"): left to the pump.
		return false, &Error{Op: "read", Path: path, Err: err}
	}
	defer f.Close()
	h := make([]byte, segHeaderSize)
	if _, err := f.ReadAt(h, 0); err != nil {
		return false, &Error{Op: "read", Path: path, Err: err}
	}
	switch err := checkSegHeader(h); {
	case errors.Is(err, errSegVersion):
		return false, &Error{Op: "open", Path: path, Err: err}
	case err != nil:
		return false, nil
	}
	return true, nil
}

// recoverLast scans the last segment from the checkpoint (or its start),
// cuts a torn end, sets nextSeq, and opens the segment for writing when new
// records may follow its last one. gone reports that it removed the segment,
// which held no record and could not be written to.
func (s *Spool) recoverLast(seg *segment, pos position) (gone bool, err error) {
	from, minSeq := int64(segHeaderSize), seg.first
	if pos.Segment == seg.first {
		// The records before the checkpoint were delivered.
		from, minSeq = pos.Offset, pos.Seq
	}
	res := scanResult{end: from, nextSeq: minSeq}
	if from < seg.size {
		var err error
		if res, err = scan(seg.path, from, seg.size, minSeq); err != nil {
			s.boundLastLocked(seg, pos, res, err)
			return false, nil
		}
	}
	if seg.endBound {
		// An earlier Open could not read its end, and no record was written
		// after it; now it can: the end is exact.
		os.Remove(seg.path + endSuffix)
		seg.endBound = false
	}
	if res.end < seg.size {
		// A torn end: the record being written when the process or the
		// machine stopped (or what a power loss left in its place). Cut it.
		torn := seg.size - res.end
		if err := truncateSeg(seg.path, res.end); err != nil {
			// A failing disk: rather than not open, leave it (the pump reads
			// up to it) and write new records to a new segment.
			s.reportLocked(&Error{Op: "open", Path: seg.path, Err: err})
			seg.torn = res.end
		} else {
			s.diskBytes -= torn
			seg.size = res.end
		}
		s.st.TornBytes += torn
		s.reportLocked(&CorruptError{Path: seg.path, Offset: res.end, Bytes: torn, Truncated: true})
	}
	seg.end = res.nextSeq
	s.nextSeq = max(seg.end, pos.Seq)
	// Append to it unless the checkpoint lies past its records (a power loss
	// kept the checkpoint, not all the records, which were delivered: new
	// records there would be skipped), its header is damaged, it is full,
	// its torn end could not be cut, or it cannot be opened for writing and
	// synced (a failing disk: rather than not open, the next records go to a
	// new segment).
	if seg.torn == 0 && !(pos.Segment == seg.first && pos.Offset > seg.size) && seg.size < s.c.segmentBytes && seg.headerOK {
		f, err := openAppend(seg.path)
		if err != nil {
			err = &Error{Op: "open", Path: seg.path, Err: err}
		} else if s.c.sync != SyncNever {
			if serr := f.Sync(); serr != nil {
				f.Close()
				err = &Error{Op: "sync", Path: seg.path, Err: serr}
			}
		}
		if err == nil {
			s.f = f
			return false, nil
		}
		s.reportLocked(err)
	}
	if s.nextSeq == seg.first {
		// No record in it, and it cannot be written to (its header is
		// damaged, a power loss as it was created, or see above): remove it,
		// so that its name serves again rather than skip a sequence number
		// that no record has; a damaged header is a torn end.
		if removeEmpty(seg.path) == nil {
			s.diskBytes -= seg.size
			if !seg.headerOK {
				recEnd := min(res.end, seg.size) // up to a torn end left in place, counted above
				s.st.TornBytes += recEnd
				s.reportLocked(&CorruptError{Path: seg.path, Offset: 0, Bytes: recEnd, Truncated: true})
			}
			return true, nil
		}
		s.nextSeq++ // the next segment needs a name of its own
		// No record has the number skipped: the pump passes it, so that the
		// checkpoint reaches the next record's number, which a Flush waits
		// for; and so do later Opens, for which the next segment's first is
		// its end, through the end marker.
		seg.gapEnd = s.nextSeq
		s.markEndLocked(seg, seg.gapEnd)
	}
	return false, nil
}

// openAppend opens the last segment found at Open for writing,
// truncateSeg cuts its torn end, and removeEmpty removes it when it holds
// no record: variables for tests (faults of a failing disk).
var (
	openAppend  = func(path string) (segFile, error) { return os.OpenFile(path, os.O_RDWR, 0o600) }
	truncateSeg = os.Truncate
	removeEmpty = os.Remove
)

func (s *Spool) segPath(first uint64) string { return filepath.Join(s.dir, segName(first)) }

// endSuffix names a segment's end marker: the file segName(first)+endSuffix
// says that when the next segment was started, the numbers before its
// first may belong to no record of this one: its end could not be read
// (see boundLastLocked), or it holds no record and could not be removed
// (see recoverLast). It holds the bound and the segment's size then, in
// decimal: the size tells a later Open that the file was cut since; the
// bound is for the curious. Its presence is what counts.
const endSuffix = ".end"

// boundLastLocked handles a last segment whose records after the reading
// position cannot all be read (scan failed with err after res): Open does
// not fail, which would stop the application's logging. The segment is not
// written to again, nor cut; its records are left to the pump, which
// delivers those it can read and skips the others as it does elsewhere
// (retries, then a *CorruptError). New records go to a new segment numbered
// past any sequence number the unreadable bytes can hold: records are
// consecutive and take at least minRecordSize bytes each, and the pump's
// resynchronisation accepts no record at offset at, after damage at off
// (where m was expected), numbered above m + (at-off)/minRecordSize, nor
// one that ends past size (so at ≤ size-minRecordSize), so none of the
// segment's records reaches res.nextSeq + (size-res.end)/minRecordSize.
// That bound becomes seg.end (endBound), counted in Stats.Recovered and
// Pending until the pump finds the real end, and an end marker records it
// for later Opens, for which the segment is no longer the last one: without
// it the numbers between its real end and the next segment would be counted
// lost.
func (s *Spool) boundLastLocked(seg *segment, pos position, res scanResult, err error) {
	s.reportLocked(&Error{Op: "read", Path: seg.path, Err: err})
	s.nextSeq = max(res.nextSeq+uint64((seg.size-res.end)/minRecordSize), pos.Seq)
	if s.nextSeq == seg.first {
		s.nextSeq++ // the next segment needs a name of its own
	}
	seg.end, seg.endBound = s.nextSeq, true
	s.markEndLocked(seg, seg.end)
}

// markEndLocked writes the end marker of seg, the last segment, which new
// records do not follow: its records end before bound, maybe well before
// (see boundLastLocked and recoverLast).
func (s *Spool) markEndLocked(seg *segment, bound uint64) {
	marker := seg.path + endSuffix
	data := markerData(bound, seg.size)
	if err := atomicfile.WriteFile(marker, data, s.c.sync != SyncNever); err != nil {
		// A later Open will count the numbers after its real end lost:
		// too many records counted, none lost silently.
		s.reportLocked(&Error{Op: "write", Path: marker, Err: err})
	}
}

// isMarkerTemp reports whether name is a temporary file that
// atomicfile.WriteFile makes for a segment's end marker (see
// markEndLocked), and not some other file named alike.
func isMarkerTemp(name string) bool {
	seg, _, ok := strings.Cut(name, endSuffix+".tmp")
	if _, isSeg := parseSegName(seg); !ok || !isSeg {
		return false
	}
	return atomicfile.IsTemp(name, seg+endSuffix)
}

// markerData is the content of an end marker (see endSuffix).
func markerData(bound uint64, size int64) []byte {
	return fmt.Appendf(nil, "%d %d\n", bound, size)
}

// maxSegFileBytes bounds a segment file's size: its records take at most
// MaxSegmentBytes, and a failed write that could not be cut back may have
// left part of one more write (at most readChunk bytes and a record) after
// them.
const maxSegFileBytes = MaxSegmentBytes + readChunk + recordHeaderSize + MaxMessageLimit

// maxMarkerBytes bounds what markedSize reads of an end marker: the bound
// and the size, in decimal, a space and a newline take at most 41 bytes.
const maxMarkerBytes = 64

// markedSize returns the segment size the end marker at path gives; 0
// when it cannot be read (see parseMarker).
func markedSize(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMarkerBytes+1))
	if err != nil {
		return 0
	}
	return parseMarker(b)
}

// parseMarker returns the segment size an end marker's bytes give (see
// markEndLocked); 0 when they are not a marker's. A size past
// maxSegFileBytes, which would count DiskBytes past any MaxBytes (or
// overflow it) until the segment is deleted, is no marker's.
func parseMarker(b []byte) int64 {
	if len(b) > maxMarkerBytes {
		return 0
	}
	var bound uint64
	var size int64
	if _, err := fmt.Sscanf(string(b), "%d %d", &bound, &size); err != nil || size < 0 || size > maxSegFileBytes {
		return 0
	}
	return size
}
