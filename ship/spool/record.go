package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// A segment file is a header followed by records:
//
//	header  8 bytes: "cwspool" and the format version (1)
//	record  crc      uint32  CRC-32C (Castagnoli) of the rest of the record
//	        length   uint32  n, the message length, 1–MaxMessageLimit
//	        seq      uint64  the record's sequence number
//	        time     int64   the timestamp, milliseconds since the Unix epoch
//	        message  n bytes
//
// Integers are little-endian. Sequence numbers grow by one per record
// accepted, across segments; a segment is named after the sequence number
// of its first record (%020d.seg). The checksum covers the length, so a torn
// or overwritten length is caught like a torn message.
const (
	segHeaderSize    = 8
	recordHeaderSize = 24
	segVersion       = 1
	segSuffix        = ".seg"
)

var segMagic = [7]byte{'c', 'w', 's', 'p', 'o', 'o', 'l'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is a decoded record; msg aliases the bytes it was decoded from.
type record struct {
	seq uint64
	ts  int64
	msg []byte
}

// message is a record's message: a string (Log), or bytes (Write's lines,
// copied into the record without a string of their own).
type message interface{ ~string | ~[]byte }

// appendRecord appends the encoding of a record to b.
func appendRecord[M message](b []byte, seq uint64, ts int64, msg M) []byte {
	start := len(b)
	b = append(b, make([]byte, recordHeaderSize)...)
	h := b[start:]
	binary.LittleEndian.PutUint32(h[4:], uint32(len(msg)))
	binary.LittleEndian.PutUint64(h[8:], seq)
	binary.LittleEndian.PutUint64(h[16:], uint64(ts))
	b = append(b, msg...)
	binary.LittleEndian.PutUint32(b[start:], crc32.Checksum(b[start+4:], castagnoli))
	return b
}

// errShort: b ends before the record does; errBadRecord: b does not start
// with a valid record.
var (
	errShort     = errors.New("short record")
	errBadRecord = errors.New("bad record")
)

// decodeRecord decodes the record at the start of b. It returns the record
// and its encoded size; errShort with the size needed when b holds only a
// prefix of a record that may be valid (need is recordHeaderSize when even
// the header is incomplete); errBadRecord when the header's length is out of
// range or the checksum does not match.
func decodeRecord(b []byte) (r record, n int, err error) {
	if len(b) < recordHeaderSize {
		return r, recordHeaderSize, errShort
	}
	l := binary.LittleEndian.Uint32(b[4:])
	if l == 0 || l > MaxMessageLimit {
		return r, 0, errBadRecord
	}
	n = recordHeaderSize + int(l)
	if len(b) < n {
		return r, n, errShort
	}
	if crc32.Checksum(b[4:n], castagnoli) != binary.LittleEndian.Uint32(b) {
		return r, 0, errBadRecord
	}
	r.seq = binary.LittleEndian.Uint64(b[8:])
	r.ts = int64(binary.LittleEndian.Uint64(b[16:]))
	r.msg = b[recordHeaderSize:n]
	return r, n, nil
}

// recordSize is the encoded size of a record with message msg.
func recordSize[M message](msg M) int64 { return int64(recordHeaderSize + len(msg)) }

// segHeader returns a segment file's header.
func segHeader() []byte {
	h := make([]byte, segHeaderSize)
	copy(h, segMagic[:])
	h[7] = segVersion
	return h
}

// errSegVersion: a segment of a format version this package does not know.
var errSegVersion = errors.New("segment of an unknown format version")

// checkSegHeader checks a segment file's header: errBadRecord when it is not
// one (damaged), errSegVersion when it is one of another version.
func checkSegHeader(h []byte) error {
	if len(h) < segHeaderSize || string(h[:7]) != string(segMagic[:]) {
		return errBadRecord
	}
	if h[7] != segVersion {
		return fmt.Errorf("%w %d", errSegVersion, h[7])
	}
	return nil
}

// segName returns the file name of the segment whose first record is seq.
func segName(first uint64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

// parseSegName parses a segment file name; false for other names.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}
