package localserver

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/cwlogs/cwlogs/internal/atomicfile"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Event payloads live outside SQLite, in append-only segment files under
// DataDir/segments (memory mode keeps the same segments as byte slices). SQLite keeps the
// metadata and the chunk index: a chunk row records (segment, offset, length, CRC-32C) of its
// packed events, and the segments table records, per segment, how many chunks and bytes are
// still referenced and the end offset of the last committed write.
//
// Writes (serialized by store.wmu): a PutLogEvents batch's chunks are packed into one buffer
// and appended to the current segment with a single pwrite; then the chunk rows are inserted
// and the transaction commits. The file write reaches the operating system before the commit,
// so a committed row always points at bytes that survive the process being killed. With
// Config.FullSync the segment is fsynced before the commit (and SQLite fsyncs its WAL).
// Without it, the checkpointer fsyncs the segments before every WAL checkpoint, so rows that
// reach the database file never point at unsynced payloads.
//
// Recovery: at startup every segment file is truncated to the end offset its committed row
// records, and files without a committed row are removed, so a crash between the write and
// the commit leaves no garbage. A segment whose bytes fall short of what was committed (only
// possible after a power loss without FullSync) loses the chunks beyond its end.
//
// Reclaiming space: when the last chunk of a segment is deleted (retention sweep,
// DeleteLogStream, DeleteLogGroup), its file is removed after the commit. A segment that
// still holds one live chunk keeps its whole file: space is reclaimed lazily, segment by
// segment. The current (open) segment is removed only once it has been rotated out.

// segmentDir is the directory under Config.DataDir holding segment files.
const segmentDir = "segments"

// Segment sizing and file handles.
const (
	// defaultSegmentSize is the size at which the writer starts a new segment.
	defaultSegmentSize = 256 << 20
	// maxOpenSegments bounds the read handles kept open (least recently used are closed),
	// so memory and descriptors do not grow with the amount stored.
	maxOpenSegments = 32
)

// errSegmentGone reports a read of a segment that has been removed: its chunks were all
// deleted after the reader found them.
var errSegmentGone = errors.New("localserver: segment removed")

// errSegmentsClosed: an append after the store was closed (a request still in flight
// when Shutdown's ctx ended, or served through ServeHTTP after Shutdown).
var errSegmentsClosed = errors.New("localserver: store closed")

// segments manages the segment files (or in-memory segments).
type segments struct {
	dir      string // "" in memory mode
	memory   bool
	fullSync bool
	maxSize  int64

	// Writer state, guarded by amu. Appends are serialized by amu but not by store.wmu, so
	// a request writes its payload while another one commits.
	amu      sync.Mutex
	cur      int64 // current segment id; 0 before the first append
	curSize  int64
	curF     *os.File
	nextID   int64
	inflight map[int64]int // appends per segment not yet committed or abandoned (see settle)
	closed   bool          // close ran: appends fail, settles are no-ops (under amu)

	mu      sync.Mutex
	open    map[int64]*segHandle // read handles
	clock   int64
	mem     map[int64]*memSegment
	unsync  []writeHandle // rotated-out write handles not yet fsynced (closed by syncAll, or remove)
	written bool          // appended since the last syncAll
}

type segHandle struct {
	f    *os.File
	refs int
	gone bool // dropped from open: close when refs reaches 0
	last int64
}

// memSegment is an in-memory segment: the appended buffers (each a private copy) and
// their start offsets, in order.
type memSegment struct {
	starts []int64
	blocks [][]byte
	size   int64
}

// add appends a copy of p.
func (m *memSegment) add(p []byte) {
	m.starts = append(m.starts, m.size)
	m.blocks = append(m.blocks, bytes.Clone(p))
	m.size += int64(len(p))
}

// cut drops everything at or after off (off is the start of an appended buffer).
func (m *memSegment) cut(off int64) {
	i, _ := slices.BinarySearch(m.starts, off)
	m.starts, m.blocks, m.size = m.starts[:i], m.blocks[:i], off
}

// slice returns the n bytes at off, which lie inside one appended buffer.
func (m *memSegment) slice(off, n int64) ([]byte, bool) {
	i, found := slices.BinarySearch(m.starts, off)
	if !found {
		i--
	}
	if i < 0 || i >= len(m.blocks) {
		return nil, false
	}
	b := m.blocks[i]
	lo := off - m.starts[i]
	if lo+n > int64(len(b)) {
		return nil, false
	}
	return b[lo : lo+n : lo+n], true
}

func segmentName(id int64) string { return fmt.Sprintf("%016d.seg", id) }

func (s *segments) path(id int64) string { return filepath.Join(s.dir, segmentName(id)) }

// openSegments prepares the segment store. committed maps every segment id with a committed
// row to its committed end offset. It truncates longer files, removes files without a row,
// and returns the actual size of segments shorter than committed (missing files: 0).
func openSegments(dir string, memory, fullSync bool, committed map[int64]int64) (*segments, map[int64]int64, error) {
	s := &segments{dir: dir, memory: memory, fullSync: fullSync, maxSize: defaultSegmentSize,
		open: map[int64]*segHandle{}, mem: map[int64]*memSegment{}, inflight: map[int64]int{}}
	for id := range committed {
		s.nextID = max(s.nextID, id)
	}
	short := map[int64]int64{}
	if memory {
		for id := range committed { // a fresh in-memory database has no segments
			short[id] = 0
		}
		s.nextID++
		return s, short, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("localserver: segment directory %q: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("localserver: segment directory %q: %w", dir, err)
	}
	seen := map[int64]bool{}
	for _, e := range ents {
		name := e.Name()
		id, err := strconv.ParseInt(strings.TrimSuffix(name, ".seg"), 10, 64)
		if !strings.HasSuffix(name, ".seg") || err != nil || id <= 0 || e.IsDir() {
			continue // not ours
		}
		s.nextID = max(s.nextID, id)
		end, ok := committed[id]
		if !ok {
			// Written but never committed (crash before the commit), or left over after its
			// row was deleted: nothing refers to it.
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, nil, fmt.Errorf("localserver: remove orphan segment: %w", err)
			}
			continue
		}
		seen[id] = true
		info, err := e.Info()
		if err != nil {
			return nil, nil, err
		}
		switch {
		case info.Size() > end:
			if err := os.Truncate(filepath.Join(dir, name), end); err != nil {
				return nil, nil, fmt.Errorf("localserver: truncate segment %s: %w", name, err)
			}
		case info.Size() < end:
			short[id] = info.Size()
		}
	}
	for id := range committed {
		if !seen[id] {
			short[id] = 0
		}
	}
	s.nextID++
	if fullSync {
		atomicfile.SyncDir(dir)
	}
	return s, short, nil
}

// resume makes id (with committed size size) the current segment, so appends continue it.
func (s *segments) resume(id, size int64) error {
	if s.memory || size >= s.maxSize {
		return nil
	}
	f, err := os.OpenFile(s.path(id), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("localserver: open segment %d: %w", id, err)
	}
	s.cur, s.curSize, s.curF = id, size, f
	return nil
}

// append writes p at the end of the current segment, starting a new segment first when p
// would take the current one past its size limit (FullSync: and fsyncs it). It returns where
// p was written and the id of the segment rotated out (0 if none). A successful append must
// be followed by settle once the transaction recording it has committed or failed: until
// then its segment is never removed.
func (s *segments) append(p []byte) (seg, off, rotated int64, err error) {
	s.amu.Lock()
	defer s.amu.Unlock()
	if s.closed {
		return 0, 0, 0, errSegmentsClosed
	}
	if s.cur == 0 || (s.curSize > 0 && s.curSize+int64(len(p)) > s.maxSize) {
		rotated = s.cur
		if err := s.rotate(); err != nil {
			return 0, 0, 0, err
		}
	}
	seg, off = s.cur, s.curSize
	if s.memory {
		s.mu.Lock()
		s.mem[seg].add(p)
		s.mu.Unlock()
	} else {
		if _, err := s.curF.WriteAt(p, off); err != nil {
			s.curF.Truncate(off)
			return 0, 0, rotated, fmt.Errorf("localserver: write segment %d: %w", seg, err)
		}
		if s.fullSync {
			if err := s.curF.Sync(); err != nil {
				s.curF.Truncate(off)
				return 0, 0, rotated, fmt.Errorf("localserver: sync segment %d: %w", seg, err)
			}
		}
		s.mu.Lock()
		s.written = true
		s.mu.Unlock()
	}
	s.curSize += int64(len(p))
	s.inflight[seg]++
	return seg, off, rotated, nil
}

// settle ends an append of n bytes at off in seg: committed, or abandoned (undo), in which
// case the bytes are cut off when they are still the segment's tail (otherwise they stay as
// unreferenced garbage until the segment is removed).
func (s *segments) settle(seg, off, n int64, undo bool) {
	s.amu.Lock()
	defer s.amu.Unlock()
	if s.closed {
		return
	}
	if s.inflight[seg]--; s.inflight[seg] <= 0 {
		delete(s.inflight, seg)
	}
	if !undo || seg != s.cur || off+n != s.curSize {
		return
	}
	s.curSize = off
	if s.memory {
		s.mu.Lock()
		s.mem[seg].cut(off)
		s.mu.Unlock()
		return
	}
	s.curF.Truncate(off)
}

// busy reports whether seg may not be removed: it is the current segment or an append to it
// has not been settled.
func (s *segments) busy(seg int64) bool {
	s.amu.Lock()
	defer s.amu.Unlock()
	return seg == s.cur || s.inflight[seg] > 0
}

func (s *segments) rotate() error {
	id := s.nextID
	if s.memory {
		s.mu.Lock()
		s.mem[id] = &memSegment{}
		s.mu.Unlock()
	} else {
		f, err := os.OpenFile(s.path(id), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("localserver: create segment: %w", err)
		}
		if s.fullSync {
			atomicfile.SyncDir(s.dir)
		}
		s.mu.Lock()
		if s.curF != nil {
			s.unsync = append(s.unsync, writeHandle{s.cur, s.curF})
		}
		s.curF = f
		s.mu.Unlock()
	}
	s.nextID++
	s.cur, s.curSize = id, 0
	return nil
}

// writeHandle is a rotated-out segment's write handle.
type writeHandle struct {
	id int64
	f  *os.File
}

// syncAll fsyncs everything appended so far (the checkpointer calls it before copying the
// WAL into the database file). Safe to call concurrently with append.
func (s *segments) syncAll() error {
	if s.memory {
		return nil
	}
	s.mu.Lock()
	cur := s.curF
	pending := s.unsync
	s.unsync = nil
	written := s.written
	s.written = false
	s.mu.Unlock()
	var errs []error
	for _, h := range pending {
		errs = append(errs, h.f.Sync(), h.f.Close())
	}
	if written && cur != nil {
		if err := cur.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// read returns the n bytes at off in segment seg, in a new buffer (events point into it). In
// memory mode the result aliases the segment (never modified below its committed end).
func (s *segments) read(seg, off, n int64) ([]byte, error) {
	if s.memory {
		s.mu.Lock()
		var data []byte
		ok := false
		if m := s.mem[seg]; m != nil {
			data, ok = m.slice(off, n)
		} else {
			s.mu.Unlock()
			return nil, errSegmentGone
		}
		s.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("localserver: segment %d: range %d+%d beyond its end", seg, off, n)
		}
		return data, nil
	}
	h, err := s.acquire(seg)
	if err != nil {
		return nil, err
	}
	defer s.release(h)
	buf := make([]byte, n)
	k, err := h.f.ReadAt(buf, off)
	if err == io.EOF && int64(k) < n {
		return nil, fmt.Errorf("localserver: segment %d: range %d+%d beyond its end", seg, off, n)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("localserver: read segment %d: %w", seg, err)
	}
	return buf, nil
}

func (s *segments) acquire(seg int64) (*segHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock++
	if h := s.open[seg]; h != nil {
		h.refs++
		h.last = s.clock
		return h, nil
	}
	f, err := os.Open(s.path(seg))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errSegmentGone
	}
	if err != nil {
		return nil, fmt.Errorf("localserver: open segment %d: %w", seg, err)
	}
	if len(s.open) >= maxOpenSegments {
		var lru int64
		var old *segHandle
		for id, h := range s.open {
			if h.refs == 0 && (old == nil || h.last < old.last) {
				lru, old = id, h
			}
		}
		if old != nil {
			s.dropLocked(lru)
		}
	}
	h := &segHandle{f: f, refs: 1, last: s.clock}
	s.open[seg] = h
	return h, nil
}

func (s *segments) release(h *segHandle) {
	s.mu.Lock()
	h.refs--
	if h.gone && h.refs == 0 {
		h.f.Close()
	}
	s.mu.Unlock()
}

func (s *segments) dropLocked(seg int64) {
	h := s.open[seg]
	if h == nil {
		return
	}
	delete(s.open, seg)
	h.gone = true
	if h.refs == 0 {
		h.f.Close()
	}
}

// remove deletes a segment none of whose chunks is referenced any more. Never called for
// the current segment.
func (s *segments) remove(seg int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memory {
		delete(s.mem, seg)
		return nil
	}
	s.dropLocked(seg)
	// A rotated-out write handle not yet synced would keep the file's blocks
	// allocated after the unlink, until the next checkpoint (on an idle server,
	// until shutdown): close it, unsynced, as the file goes.
	s.unsync = slices.DeleteFunc(s.unsync, func(h writeHandle) bool {
		if h.id == seg {
			h.f.Close()
			return true
		}
		return false
	})
	err := os.Remove(s.path(seg))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// close closes every file handle (after syncing, when FullSync).
func (s *segments) close() error {
	s.amu.Lock()
	s.closed = true
	s.amu.Unlock()
	var errs []error
	errs = append(errs, s.syncAll())
	s.mu.Lock()
	for id := range s.open {
		s.dropLocked(id)
	}
	s.mem = map[int64]*memSegment{}
	if s.curF != nil {
		errs = append(errs, s.curF.Close())
		s.curF = nil
	}
	s.mu.Unlock()
	return errors.Join(errs...)
}

// ids lists the segment files present (tests).
func (s *segments) ids() []int64 {
	var out []int64
	if s.memory {
		s.mu.Lock()
		for id := range s.mem {
			out = append(out, id)
		}
		s.mu.Unlock()
	} else {
		ents, _ := os.ReadDir(s.dir)
		for _, e := range ents {
			if id, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".seg"), 10, 64); err == nil {
				out = append(out, id)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
