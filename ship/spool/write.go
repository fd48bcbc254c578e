package spool

import (
	"bytes"
	"context"

	"github.com/cwlogs/cwlogs/internal/linecut"
)

// Write implements io.Writer: each complete line of p (without its "\n"
// and a trailing "\r") becomes one record stamped with the current time
// (Options.Now). Empty lines are skipped. An unfinished last line is kept in
// memory until its newline arrives, or Flush, Sync or Close; one that
// reaches MaxMessageBytes is written as it stands (cut between UTF-8
// characters) and the rest of the line becomes a new record. Write returns
// len(p) and nil once the lines are handled, the records refused being
// counted in Stats as Log counts them (with SyncAlways, it returns the
// error of a failed sync that covered any of its lines, such as that of
// the segment a roll closed after its first lines; a sync that covered
// only records that other calls wrote between its lines, while it waited
// for room, counts too). With OnFull Block it may wait for
// room, like Log. After Close, Write returns 0 and ErrClosed; when Close
// starts during a Write, Write returns len(p) and ErrClosed. Either way every
// line of p not taken, the unfinished last one included, is counted in
// Stats.Dropped.Closed. The records of one Write are written to their
// segment together (one write per segment and per 64 KiB), as one Log
// writes one.
func (s *Spool) Write(p []byte) (int, error) {
	s.lockWrite(context.Background())
	defer s.unlockWrite()
	// The lines are staged and written together, under one hold of s.mu
	// (released only for a Block wait, and every readChunk bytes: see
	// writeChunkLocked).
	var b staged
	ts := s.c.now().UnixMilli() // not under s.mu: Options.Now is the caller's
	s.mu.Lock()
	if s.closing {
		s.refuseLinesLocked(p)
		s.mu.Unlock()
		return 0, ErrClosed
	}
	var err error
	data := p
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			s.partial = append(s.partial, data...)
			err = s.spillLocked(ts, &b)
			break
		}
		line := data[:i]
		data = data[i+1:]
		if len(s.partial) > 0 {
			line = append(s.partial, line...)
			s.partial = s.partial[:0]
		}
		if err = s.writeLineLocked(ts, line, &b); err == ErrClosed {
			s.refuseLinesLocked(data)
			break
		}
	}
	_ = s.writeStagedLocked(&b)
	s.mu.Unlock()
	if b.end > 0 {
		s.signal()
	}
	if err == ErrClosed {
		return len(p), err
	}
	if s.c.sync == SyncAlways && b.end > 0 {
		return len(p), s.syncSpan(b.from, b.end)
	}
	return len(p), nil
}

// writeLineLocked stages one line as a record, or as several when it is
// longer than MaxMessageBytes. It returns ErrClosed when Close refused it
// (the pieces refused are counted), else nil: other refusals are counted
// in Stats.
func (s *Spool) writeLineLocked(ts int64, line []byte, b *staged) error {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	for len(line) > 0 {
		piece := s.cut(line)
		err := stageLocked(context.Background(), s, b, ts, piece, appendLog)
		line = line[len(piece):]
		if err == nil {
			s.writeChunkLocked(b)
		}
		if err == ErrClosed {
			for len(line) > 0 { // count the pieces left
				p := s.cut(line)
				s.refuseLinesLocked(p)
				line = line[len(p):]
			}
			return err
		}
	}
	return nil
}

// writeChunkLocked writes the records b holds once they reach readChunk
// bytes, and lets s.mu go for a moment: a long Write (many lines, or one
// line cut into many records) neither holds the pump and Log back nor
// keeps a second copy of its lines in s.wbuf.
func (s *Spool) writeChunkLocked(b *staged) {
	if b.bytes < readChunk {
		return
	}
	_ = s.writeStagedLocked(b) // a failure is counted
	s.mu.Unlock()
	s.signal()
	s.mu.Lock()
}

// cut returns the first piece of line to write as a record: all of it, or
// at most MaxMessageBytes cut between UTF-8 characters.
func (s *Spool) cut(line []byte) []byte {
	if len(line) <= s.c.maxMessage {
		return line
	}
	piece := line[:s.c.maxMessage]
	if k := linecut.Keep(piece); k < len(piece) {
		piece = piece[:len(piece)-k]
	}
	return piece
}

// spillLocked stages the unfinished line while it is longer than the
// limit, in pieces cut between UTF-8 characters; the rest stays unfinished.
func (s *Spool) spillLocked(ts int64, b *staged) error {
	for len(s.partial) > s.c.maxMessage {
		piece := s.cut(s.partial)
		err := s.writeLineLocked(ts, piece, b)
		// The piece is in s.wbuf (or refused): its bytes may be reused.
		s.partial = s.partial[:copy(s.partial, s.partial[len(piece):])]
		if err == ErrClosed {
			s.refuseLinesLocked(s.partial)
			s.partial = s.partial[:0]
			return err
		}
	}
	if cap(s.partial) > 2*s.c.maxMessage+readChunk {
		s.partial = append([]byte(nil), s.partial...)
	}
	return nil
}

// refuseLinesLocked counts the lines of p, the unfinished last one
// included, as records offered after Close.
func (s *Spool) refuseLinesLocked(p []byte) {
	n := int64(0)
	for len(p) > 0 {
		line := p
		p = nil
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, p = line[:i], line[i+1:]
		}
		if k := len(line); k > 0 && line[k-1] == '\r' {
			line = line[:k-1]
		}
		if len(line) > 0 {
			n++
		}
	}
	s.st.Offered += n
	s.st.Dropped.Closed += n
}

// flushPartial writes Write's unfinished line, if any, for Flush and Sync:
// when Close has started (ErrClosed: Close writes it) or ctx ends first, the
// line stays unfinished.
func (s *Spool) flushPartial(ctx context.Context) error {
	return s.writePartial(ctx, appendRetain)
}

// writePartial writes Write's unfinished line with mode (see appendMode).
func (s *Spool) writePartial(ctx context.Context, mode appendMode) error {
	lctx := ctx
	if mode != appendRetain {
		// Close's: a Write it waits for ends soon, as Close started.
		lctx = context.Background()
	}
	if err := s.lockWrite(lctx); err != nil {
		return err // the line stays, for a later Flush or Close
	}
	defer s.unlockWrite()
	n := len(s.partial)
	line := s.partial
	if n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		s.partial = s.partial[:0]
		return nil
	}
	end, err := appendMsg(ctx, s, s.c.now().UnixMilli(), line, mode)
	switch {
	case err == errRetained:
		return ErrClosed // the line stays, for Close
	case mode == appendRetain && err != nil && err == ctx.Err():
		return err // the line stays, for a later Flush or Close
	}
	s.partial = s.partial[:0]
	if err == nil && s.c.sync == SyncAlways {
		return s.syncTo(end)
	}
	return err
}

// lockWrite takes Write's lock (s.wsem), waiting for it until ctx ends:
// a Write may wait for room for long (OnFull Block).
func (s *Spool) lockWrite(ctx context.Context) error {
	select {
	case s.wsem <- struct{}{}:
		return nil
	default:
	}
	select {
	case s.wsem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Spool) unlockWrite() { <-s.wsem }
