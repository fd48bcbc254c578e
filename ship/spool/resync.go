package spool

import "encoding/binary"

// Resynchronisation: after damaged bytes, or bytes that cannot be read,
// where the next record starts is not known (the damage may have hit a
// record's length). The reader searches forward, byte by byte, for a record
// that validates:
//
//   - its length is 1–MaxMessageLimit and it ends before the limit;
//   - its sequence number s is greater than m, the sequence number expected
//     where the damage starts (off), and the records m..s-1, lost, fit in
//     the bytes skipped: (s-m)·minRecordSize ≤ at-off, every record taking
//     at least minRecordSize bytes;
//   - its CRC-32C, over its header and message, matches.
//
// The loss is then exact: the records m..s-1, counted from the sequence
// numbers (Stats.Dropped.Corrupt, a *CorruptError).
//
// The odds of a false match in damaged data (random bytes, zeros, a flipped
// bit, stale blocks of an older file): at one position, the length must fall
// in the 2^24 values of 2^32 allowed (2^-8), the sequence number in a window
// of at most (at-off)/25 values of 2^64 (2^19.4 in the default 8 MiB
// segment: 2^-44.6; 2^26.4 in the largest, 1 GiB: 2^-37.6; zeros have length
// 0, stale records of this spool smaller sequence numbers), and the
// checksum must match (2^-32): under 2^-84 per position in an 8 MiB
// segment, so under 2^-61 over all of its positions; under 2^-47 over a
// whole 1 GiB segment. A false match is not a practical concern for
// accidental damage.
//
// The exception: stale blocks of another spool's segment (another
// directory on the same file system, whose freed blocks a power loss left
// in this file, as FAT can). Their records are whole, and their sequence
// numbers, counted by that spool from 0 too, may fall in the window: the
// first one does, with the records chained after it, unless the real
// record after the stale blocks has a sequence number no greater (then the
// witness below takes it). Such records are delivered in place of the
// records they replaced; nothing in the format tells two spools apart.
//
// A message can hold anything, though, a well-formed record included (an
// application that logs a spool file, or an attacker who knows the format).
// Such a record inside a message is found only when the search starts before
// it: when the header of the record that holds it is damaged (the records
// whose header validates are walked whole, their messages never searched).
// To keep such a record with a later sequence number from making the reader
// skip the real records after it, a candidate is checked against what
// follows (witness): the reader walks the chain of records that follow it
// (each right after the last, the next sequence number) to where the chain
// breaks, then searches on for the next record that validates. A record
// inside the message of record k cannot chain across the end of record k
// (its checksum would cover bytes of the next record, which the application
// would have to predict), so the search finds the real record that follows
// k, whose sequence number is not greater than the impostor's (it is k+1,
// the impostor's at least k+1): the reader then takes that one instead (the
// smaller sequence number, or the later record of two with the same one)
// and checks it the same way. Defeating this takes a message crafted with
// two well-formed records with consistent sequence numbers, in a record
// whose header is damaged, or a crafted record in a second damaged header
// after the first, or one crafted record in the last record before the
// limit (no record follows yet to refute it: the pump delivers it in place
// of the next one, Open cuts the rest of the message as a torn end); it
// never makes the reader deliver a record twice or out
// of order (sequence numbers only grow), and the loss it causes is still
// counted exactly.
//
// Cost: the search reads each damaged byte once, plus the chain after the
// candidate and the bytes up to the next candidate, which the pump reads
// again as it goes on: linear in the bytes, with a checksum computed only for
// a position whose length and sequence number are plausible (see the odds).
// A message crafted with many plausible headers claiming long lengths, in a
// record whose header is damaged, would cost a checksum over each claimed
// length (minutes for a 1 MiB message): a candidate claiming more than
// crcDirectMax bytes is checked from prefix checksums instead (crcrange.go),
// at most 2·crcStride bytes of checksum whatever its length, so that such
// a message costs about a microsecond per plausible header.

// minRecordSize is the size of the smallest record (a 1-byte message).
const minRecordSize = recordHeaderSize + 1

// resyncAlign is the step of the search over bytes that cannot be read: a
// failing read of a file through the page cache fails a whole page (4 KiB on
// most systems), so the search goes on at the next multiple of it.
const resyncAlign = 4096

// candidate is a record that validates, found by the search.
type candidate struct {
	at  int64
	seq uint64
	n   int
}

// resync searches [from, limit) for the record that resynchronises the
// reader after damaged (or unreadable) bytes at off, where sequence number
// minSeq was expected (see above). With skipBad, bytes that cannot be read
// are skipped to the next multiple of resyncAlign (until r.done is closed:
// then the read error is returned); otherwise a read error is returned.
// ok is false when no record validates before limit (at is limit).
func (r *segReader) resync(off, from, limit int64, minSeq uint64, skipBad bool) (rec record, at int64, n int, ok bool, err error) {
	defer func() { r.crc = nil }()
	c, ok, err := r.search(off, from, limit, minSeq, skipBad)
	if err != nil || !ok {
		return rec, limit, 0, false, err
	}
	for {
		w, ok := r.witness(off, limit, minSeq, c, skipBad)
		if !ok {
			break
		}
		c = w
	}
	// The search moved the buffer on: decode the record again.
	rec, n, err = r.decodeAt(c.at, limit)
	if err != nil || n == 0 {
		return rec, limit, 0, false, err // the file changed meanwhile
	}
	return rec, c.at, n, true, nil
}

// search returns the first record in [from, limit) that validates after
// damage at off where minSeq was expected.
func (r *segReader) search(off, from, limit int64, minSeq uint64, skipBad bool) (candidate, bool, error) {
	for at := from; at+minRecordSize <= limit; {
		b, err := r.peek(at, recordHeaderSize, limit)
		if err == nil {
			// Look through the bytes buffered (peek returns them all) for
			// a plausible header before reading more.
			i := 0
			for ; i+recordHeaderSize <= len(b) && !plausible(b[i:], at+int64(i), off, limit, minSeq); i++ {
			}
			if at += int64(i); i+recordHeaderSize > len(b) {
				continue // none: read on from at
			}
			var c candidate
			if c, err = r.check(b[i:], at, limit); err == nil {
				if c.n > 0 {
					return c, true, nil
				}
				at++
				continue
			}
		}
		if !skipBad {
			return candidate{}, false, err
		}
		select {
		case <-r.done:
			return candidate{}, false, err
		default:
		}
		at = alignUp(at + 1)
	}
	return candidate{}, false, nil
}

// check checks the checksum of the plausible record whose header h is at
// at: c.n is 0 when it does not match. A long message is checked with
// r.crc (see crcrange.go), which the search keeps from there on.
func (r *segReader) check(h []byte, at, limit int64) (c candidate, err error) {
	l := int64(binary.LittleEndian.Uint32(h[4:]))
	if l <= crcDirectMax {
		rec, n, err := r.decodeAt(at, limit)
		return candidate{at: at, seq: rec.seq, n: n}, err
	}
	want, seq := binary.LittleEndian.Uint32(h), binary.LittleEndian.Uint64(h[8:])
	if r.crc == nil {
		r.crc = &crcIndex{}
		r.crc.r.reset(r.path)
	}
	r.crc.forget(at)
	sum, err := r.crc.checksum(r, at+4, at+recordHeaderSize+l, limit)
	if err != nil || sum != want {
		return candidate{}, err
	}
	return candidate{at: at, seq: seq, n: int(recordHeaderSize + l)}, nil
}

// witness checks candidate c (see above): it walks the chain of records
// after c and searches on from where the chain breaks; it returns the
// record found there when its sequence number is not greater than c's (c
// is then a record inside a message, or that record is: the smaller one
// loses fewer records and never skips one; of two with the same sequence
// number, the later one is the real record that follows the message
// holding c, unless a second damaged header holds a crafted one). Bytes
// that cannot be read end the check.
func (r *segReader) witness(off, limit int64, minSeq uint64, c candidate, skipBad bool) (candidate, bool) {
	at, next := c.at+int64(c.n), c.seq+1
	for at+minRecordSize <= limit {
		rec, n, err := r.decodeAt(at, limit)
		if err != nil {
			return candidate{}, false
		}
		if n == 0 || rec.seq != next {
			break
		}
		at += int64(n)
		next++
	}
	w, ok, err := r.search(off, at, limit, minSeq, skipBad)
	if err != nil || !ok || w.seq > c.seq {
		return candidate{}, false
	}
	return w, true
}

// plausible reports whether the record header b at at may be the record
// that resynchronises the reader after damage at off where minSeq was
// expected: its length and sequence number (its checksum is checked next).
func plausible(b []byte, at, off, limit int64, minSeq uint64) bool {
	l := int64(binary.LittleEndian.Uint32(b[4:]))
	seq := binary.LittleEndian.Uint64(b[8:])
	return l >= 1 && l <= MaxMessageLimit && at+recordHeaderSize+l <= limit &&
		seq > minSeq && seq-minSeq <= uint64(at-off)/minRecordSize
}

// alignUp returns the first multiple of resyncAlign at or after off.
func alignUp(off int64) int64 { return (off + resyncAlign - 1) / resyncAlign * resyncAlign }
