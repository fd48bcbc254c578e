package spool

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		seq  uint64
		ts   int64
		msg  string
	}{
		{"one byte", 0, 0, "x"},
		{"typical", 42, 1700000000123, "GET /index.html 200"},
		{"negative time", 7, -1, "before 1970"},
		{"max seq", 1<<64 - 1, 1<<63 - 1, "last"},
		{"binary", 3, 5, "\x00\xff\n\r"},
		{"long", 9, 9, strings.Repeat("é", 40000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := appendRecord([]byte("prefix"), tc.seq, tc.ts, tc.msg)[len("prefix"):]
			if len(b) != int(recordSize(tc.msg)) {
				t.Fatalf("%d bytes, recordSize says %d", len(b), recordSize(tc.msg))
			}
			r, n, err := decodeRecord(append(b, "trailing"...))
			if err != nil || n != len(b) || r.seq != tc.seq || r.ts != tc.ts || string(r.msg) != tc.msg {
				t.Fatalf("decode = %+v, %d, %v", r, n, err)
			}
		})
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	good := appendRecord(nil, 5, 6, "hello")
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	withLen := func(l uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[4:], l)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		err  error
		need int
	}{
		{"empty", nil, errShort, recordHeaderSize},
		{"header cut", good[:recordHeaderSize-1], errShort, recordHeaderSize},
		{"message cut", good[:len(good)-1], errShort, len(good)},
		{"crc flipped", flip(0), errBadRecord, 0},
		{"length flipped", flip(4), errBadRecord, 0},
		{"seq flipped", flip(8), errBadRecord, 0},
		{"time flipped", flip(16), errBadRecord, 0},
		{"message flipped", flip(len(good) - 1), errBadRecord, 0},
		{"zero length", withLen(0), errBadRecord, 0},
		{"length over the limit", withLen(MaxMessageLimit + 1), errBadRecord, 0},
		{"zeros", make([]byte, 64), errBadRecord, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, n, err := decodeRecord(tc.b)
			if err != tc.err || (err == errShort && n != tc.need) {
				t.Fatalf("decode = %d, %v; want %d, %v", n, err, tc.need, tc.err)
			}
		})
	}
}

func TestSegNames(t *testing.T) {
	for _, first := range []uint64{0, 1, 1234567890, 1<<64 - 1} {
		got, ok := parseSegName(segName(first))
		if !ok || got != first {
			t.Fatalf("parseSegName(segName(%d)) = %d, %v", first, got, ok)
		}
	}
	for _, name := range []string{"", "1.seg", "0000000000000000000a.seg", "00000000000000000001.log",
		"99999999999999999999.seg", "+0000000000000000001.seg", "checkpoint", "lock"} {
		if _, ok := parseSegName(name); ok {
			t.Errorf("parseSegName(%q) accepted", name)
		}
	}
}

func TestSegHeader(t *testing.T) {
	if err := checkSegHeader(segHeader()); err != nil {
		t.Fatal(err)
	}
	other := segHeader()
	other[7] = 2
	if err := checkSegHeader(other); err == nil || err == errBadRecord {
		t.Fatalf("version 2: %v, want errSegVersion", err)
	}
	for _, h := range [][]byte{nil, make([]byte, 8), []byte("cwspoo"), []byte("CWSPOOL\x01")} {
		if err := checkSegHeader(h); err != errBadRecord {
			t.Errorf("checkSegHeader(%q) = %v, want errBadRecord", h, err)
		}
	}
}

func TestCheckpointDecode(t *testing.T) {
	p := position{Segment: 100, Offset: 4096, Seq: 150}
	got, err := decodeCheckpoint(encodeCheckpoint(p))
	if err != nil || got != p {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"not JSON", "checkpoint"},
		{"other version", `{"version":2,"segment":0,"offset":8,"seq":0}`},
		{"unknown field", `{"version":1,"segment":0,"offset":8,"seq":0,"x":1}`},
		{"offset in the header", `{"version":1,"segment":0,"offset":7,"seq":0}`},
		{"seq before its segment", `{"version":1,"segment":10,"offset":8,"seq":9}`},
		{"trailing data", `{"version":1,"segment":0,"offset":8,"seq":0} {}`},
		{"negative", `{"version":1,"segment":-1,"offset":8,"seq":0}`},
		{"too large", `{"version":1,"segment":0,"offset":8,"seq":0}` + strings.Repeat(" ", maxCheckpointBytes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, err := decodeCheckpoint([]byte(tc.in)); err == nil {
				t.Fatalf("accepted: %+v", p)
			}
		})
	}
}

// FuzzDecodeRecord: the decoder never panics, never reads past its input,
// and what it accepts encodes back to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(appendRecord(nil, 1, 2, "hello"))
	f.Add(appendRecord(appendRecord(nil, 1, 2, "a"), 2, 3, "b"))
	f.Add(make([]byte, 30))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := decodeRecord(b)
		switch err {
		case nil:
			if n > len(b) || n != recordHeaderSize+len(r.msg) {
				t.Fatalf("n = %d for %d bytes, message %d", n, len(b), len(r.msg))
			}
			if re := appendRecord(nil, r.seq, r.ts, string(r.msg)); !bytes.Equal(re, b[:n]) {
				t.Fatalf("re-encoded %x, decoded from %x", re, b[:n])
			}
		case errShort:
			if n <= len(b) {
				t.Fatalf("short, but needs %d of %d bytes", n, len(b))
			}
		case errBadRecord:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzSegReader: whatever a segment file holds, reading it never panics,
// returns records in order of increasing sequence numbers, each one valid,
// within the file.
func FuzzSegReader(f *testing.F) {
	seg := segHeader()
	for i := range 5 {
		seg = appendRecord(seg, uint64(i), int64(i), strings.Repeat("m", i+1))
	}
	f.Add(seg, uint64(0))
	damaged := bytes.Clone(seg)
	damaged[40] ^= 0xff
	f.Add(damaged, uint64(0))
	f.Add(seg[:50], uint64(2))
	f.Fuzz(func(t *testing.T, data []byte, minSeq uint64) {
		path := t.TempDir() + "/f.seg"
		if err := writeFile(path, data); err != nil {
			t.Fatal(err)
		}
		r := &segReader{}
		r.reset(path)
		size := int64(len(data))
		next := minSeq
		for off := int64(segHeaderSize); off < size; {
			rec, at, n, ok, err := r.next(off, size, next)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if at < off || at+int64(n) > size || rec.seq < next {
				t.Fatalf("record %d at %d (+%d) from %d of %d, want seq ≥ %d", rec.seq, at, n, off, size, next)
			}
			if _, _, err := decodeRecord(data[at : at+int64(n)]); err != nil {
				t.Fatalf("returned an invalid record at %d: %v", at, err)
			}
			off, next = at+int64(n), rec.seq+1
			if next == 0 {
				break // the last sequence number
			}
		}
	})
}

// FuzzDecodeCheckpoint: never panics; what it accepts encodes back to an
// equal checkpoint.
func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add(encodeCheckpoint(position{Segment: 3, Offset: 100, Seq: 9}))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		q, err := decodeCheckpoint(encodeCheckpoint(p))
		if err != nil || q != p {
			t.Fatalf("%+v encodes to a checkpoint read as %+v, %v", p, q, err)
		}
	})
}
