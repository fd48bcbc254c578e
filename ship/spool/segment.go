package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// segment is a segment file of the spool.
type segment struct {
	first uint64 // the sequence number of its first record, its name
	path  string
	// size is the number of bytes of the file that hold whole records: the
	// end of what the pump may read. For the segment being written it grows
	// under Spool.mu after each write.
	size int64
	// end is the sequence number after its last record: for a segment written
	// by this Spool the exact one; for one found at Open, the next segment's
	// first (the last one is scanned). Records between the last one read and
	// end are missing (damaged).
	end uint64
	// dropped: deleted by OnFull DropOldest (the pump may hold records of it).
	dropped bool
	// unsynced: closed with records that no sync covered (SyncNever); the
	// next sync (Spool.Sync) syncs it.
	unsynced bool
	// headerOK: found at Open with a whole and valid header (checkVersion);
	// only such a last segment is written to again.
	headerOK bool
	// endBound: found at Open with an end marker (see endSuffix), or the
	// last one, whose end Open could not read (see Spool.boundLastLocked):
	// end is only an upper bound, the next segment's first, above any
	// sequence number its unreadable bytes can hold; the numbers between
	// its last record and end may belong to no record. The pump makes end
	// exact when it reads its last record (settleBound).
	endBound bool
	// gapEnd: once the pump made the end of an endBound segment exact, the
	// bound: the numbers from end to it belong to no record, and the pump
	// passes them at the segment's end (so that the checkpoint reaches the
	// next record's number, which a Flush may wait for); 0 if none.
	gapEnd uint64
	// torn: where a torn end left in the file starts (0: none): one Open
	// could not cut (see Spool.recoverLast), or one the pump found at the
	// end of an endBound segment; the pump reads up to it, as if cut.
	torn int64
}

// segReadFile is a segment file opened for reading: an *os.File.
type segReadFile interface {
	io.ReaderAt
	io.Closer
}

// openSegment opens a segment file for reading; a variable for tests
// (read faults).
var openSegment = func(path string) (segReadFile, error) { return os.Open(path) }

// readChunk is how much the segment reader reads at a time.
const readChunk = 64 << 10

// segReader reads one segment file through a buffer of readChunk bytes (more
// only for a larger record). The file is opened for each read and closed
// right after, so that no handle is held while the pump waits for the
// destination: a segment that DropOldest deletes frees its space at once,
// on every system.
type segReader struct {
	path   string
	buf    []byte // bytes of the file from bufOff
	bufOff int64
	// crc: during a resync search, the prefix checksums it keeps (see
	// crcrange.go).
	crc *crcIndex
	// done, when closed, ends a search over bytes that cannot be read
	// (the pump's: Close gave up), which may take a failed read per page.
	done <-chan struct{}
	// failEnd: the end of the last chunk whose read failed (the bytes that
	// cannot be read lie before it). Up to it, a read stops at the end of
	// the page holding the bytes wanted, rather than fail again for each
	// record, or each byte that a search goes through.
	failEnd int64
}

// reset points the reader at another file.
func (r *segReader) reset(path string) {
	r.path = path
	r.buf = r.buf[:0]
	r.bufOff = 0
	r.failEnd = 0
}

// peek returns the bytes of the file from off, at least n of them unless
// limit comes first (then up to limit); they are valid until the next call.
func (r *segReader) peek(off int64, n int, limit int64) ([]byte, error) {
	if off < r.bufOff || off > r.bufOff+int64(len(r.buf)) {
		r.buf, r.bufOff = r.buf[:0], off
	}
	want := min(off+int64(n), limit)
	if have := r.bufOff + int64(len(r.buf)); have < want {
		// Keep the bytes from off, then read up to a chunk more.
		k := copy(r.buf, r.buf[off-r.bufOff:])
		r.buf, r.bufOff = r.buf[:k], off
		end := min(off+max(int64(n), readChunk), limit)
		if off < r.failEnd {
			end = min(end, alignUp(want))
		}
		if need := int(end - off); cap(r.buf) < need {
			nb := make([]byte, k, need)
			copy(nb, r.buf)
			r.buf = nb
		}
		f, err := openSegment(r.path)
		if err != nil {
			return nil, err
		}
		m, err := f.ReadAt(r.buf[k:end-off], off+int64(k))
		if err != nil && !errors.Is(err, io.EOF) {
			// The chunk could not be read whole (a bad block, maybe past
			// the bytes wanted; a read through the page cache returns the
			// bytes before it): read the bytes wanted that are missing.
			r.failEnd = max(r.failEnd, end)
			if off+int64(k+m) < want && end > want {
				var m2 int
				m2, err = f.ReadAt(r.buf[k+m:want-off], off+int64(k+m))
				m += m2
			}
		}
		f.Close()
		r.buf = r.buf[:k+m]
		if err != nil && off+int64(k+m) < want {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w: file shorter than %d bytes", io.ErrUnexpectedEOF, want)
			}
			return nil, err
		}
	}
	b := r.buf[off-r.bufOff:]
	if lim := limit - off; int64(len(b)) > lim {
		b = b[:lim]
	}
	return b, nil
}

// sizeAt returns the size of the record at off, whose sequence number is
// seq, from its header alone (its message may not be readable); false when
// the header cannot be read or is not one of such a record before limit.
func (r *segReader) sizeAt(off, limit int64, seq uint64) (int64, bool) {
	b, err := r.peek(off, recordHeaderSize, limit)
	if err != nil || len(b) < recordHeaderSize {
		return 0, false
	}
	l := int64(binary.LittleEndian.Uint32(b[4:]))
	n := recordHeaderSize + l
	if l == 0 || l > MaxMessageLimit || off+n > limit || binary.LittleEndian.Uint64(b[8:]) != seq {
		return 0, false
	}
	return n, true
}

// shrink lets go of a buffer grown for a large record.
func (r *segReader) shrink() {
	if cap(r.buf) > readChunk {
		r.buf, r.bufOff = nil, 0
	}
}

// next returns the record at off, or, when the bytes at off are not a valid
// record with a sequence number at least minSeq, the next record that
// resynchronises the reader after them (see resync): at is where the record
// starts (at > off when bytes were skipped), n its size. ok is false when no
// valid record starts in [off, limit).
func (r *segReader) next(off, limit int64, minSeq uint64) (rec record, at int64, n int, ok bool, err error) {
	rec, n, err = r.decodeAt(off, limit)
	if err != nil {
		return rec, off, 0, false, err
	}
	if n > 0 && rec.seq >= minSeq {
		return rec, off, n, true, nil
	}
	return r.resync(off, off+1, limit, minSeq, false)
}

// decodeAt decodes the record at off; n is 0 when the bytes there are not a
// whole valid record before limit.
func (r *segReader) decodeAt(off, limit int64) (record, int, error) {
	b, err := r.peek(off, recordHeaderSize, limit)
	if err != nil {
		return record{}, 0, err
	}
	rec, n, derr := decodeRecord(b)
	if derr == errShort && n > len(b) && off+int64(n) <= limit {
		if b, err = r.peek(off, n, limit); err != nil {
			return record{}, 0, err
		}
		rec, n, derr = decodeRecord(b)
	}
	if derr != nil {
		return record{}, 0, nil
	}
	return rec, n, nil
}

// scanResult is what scanning a segment found.
type scanResult struct {
	end     int64  // offset after the last valid record (from if none)
	nextSeq uint64 // sequence number after the last valid record (minSeq if none)
	records int64  // valid records
}

// scan reads a segment file from offset from to size, following damaged
// bytes to the next valid record as the pump does: it finds where the
// records end, so that a torn end can be cut.
func scan(path string, from, size int64, minSeq uint64) (scanResult, error) {
	res := scanResult{end: from, nextSeq: minSeq}
	r := &segReader{}
	r.reset(path)
	for off := from; off < size; {
		rec, at, n, ok, err := r.next(off, size, res.nextSeq)
		if err != nil {
			return res, err
		}
		if !ok {
			break
		}
		off = at + int64(n)
		res.end, res.nextSeq = off, rec.seq+1
		res.records++
	}
	return res, nil
}
