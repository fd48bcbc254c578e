package spool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// testSeg is a segment built in memory: its bytes, and where each record
// starts (offs[i] for sequence number first+i; offs[len] is the end).
type testSeg struct {
	data  []byte
	first uint64
	msgs  []string
	offs  []int64
}

func buildSeg(first uint64, msgs []string) *testSeg {
	s := &testSeg{data: segHeader(), first: first, msgs: msgs}
	for i, m := range msgs {
		s.offs = append(s.offs, int64(len(s.data)))
		s.data = appendRecord(s.data, first+uint64(i), int64(i), m)
	}
	s.offs = append(s.offs, int64(len(s.data)))
	return s
}

// readResult is what reading a segment as the pump does gave.
type readResult struct {
	seqs []uint64
	msgs []string
	lost uint64 // sequence numbers missing before the last record read
}

// readSeg reads data from its first record as the pump does, from minSeq.
func readSeg(t testing.TB, data []byte, minSeq uint64) readResult {
	t.Helper()
	path := filepath.Join(t.TempDir(), segName(minSeq))
	if err := writeFile(path, data); err != nil {
		t.Fatal(err)
	}
	r := &segReader{}
	r.reset(path)
	var res readResult
	next := minSeq
	for off, size := int64(segHeaderSize), int64(len(data)); off < size; {
		rec, at, n, ok, err := r.next(off, size, next)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		res.seqs = append(res.seqs, rec.seq)
		res.msgs = append(res.msgs, string(rec.msg))
		res.lost += rec.seq - next
		off, next = at+int64(n), rec.seq+1
	}
	return res
}

// impostor is a message holding a well-formed record of sequence number seq
// with bytes of padding around it.
func impostor(seq uint64, pad int) string {
	b := bytes.Repeat([]byte{'p'}, pad)
	b = appendRecord(b, seq, 7, "impostor")
	return string(append(b, bytes.Repeat([]byte{'q'}, pad)...))
}

// TestResync: the reader skips damaged bytes to the next real record and
// loses exactly the records whose bytes are damaged, a record inside a
// message included.
func TestResync(t *testing.T) {
	plain := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("message %03d %s", i, bytes.Repeat([]byte{'x'}, i%7))
		}
		return out
	}
	const first = 1000
	for _, tc := range []struct {
		name   string
		msgs   []string
		damage func(s *testSeg) // damages s.data
		lost   []int            // records lost (index in msgs)
	}{
		{
			name: "length of one header in the middle",
			msgs: plain(40),
			damage: func(s *testSeg) {
				binary.LittleEndian.PutUint32(s.data[s.offs[20]+4:], 3) // shorter, plausible
			},
			lost: []int{20},
		},
		{
			name:   "whole header zeroed",
			msgs:   plain(40),
			damage: func(s *testSeg) { clear(s.data[s.offs[20] : s.offs[20]+recordHeaderSize]) },
			lost:   []int{20},
		},
		{
			name: "sequence number of one header",
			msgs: plain(40),
			damage: func(s *testSeg) {
				binary.LittleEndian.PutUint64(s.data[s.offs[20]+8:], first+30)
			},
			lost: []int{20},
		},
		{
			name: "across several records",
			msgs: plain(40),
			damage: func(s *testSeg) {
				for i := s.offs[10] + 5; i < s.offs[14]+3; i++ {
					s.data[i] ^= 0x5a
				}
			},
			lost: rangeOf(10, 15),
		},
		{
			name: "two damaged places with one whole record between",
			msgs: plain(40),
			damage: func(s *testSeg) {
				s.data[s.offs[10]+2] ^= 1
				s.data[s.offs[12]+6] ^= 1
			},
			lost: []int{10, 12},
		},
		{
			name: "record inside the message of a record whose header is damaged",
			msgs: func() []string {
				m := plain(40)
				m[20] = impostor(first+25, 200) // a later sequence number
				return m
			}(),
			damage: func(s *testSeg) { s.data[s.offs[20]+5] ^= 0x10 },
			lost:   []int{20},
		},
		{
			// The impostor claims the sequence number of the real record
			// after the one holding it: the witness finds that record,
			// with the same sequence number, right after the message.
			name: "record inside a message with the next sequence number",
			msgs: func() []string {
				m := plain(40)
				m[20] = impostor(first+21, 200)
				return m
			}(),
			damage: func(s *testSeg) { s.data[s.offs[20]+5] ^= 0x10 },
			lost:   []int{20},
		},
		{
			name: "record inside a message, the header after it damaged too",
			msgs: func() []string {
				m := plain(40)
				m[20] = impostor(first+22, 60)
				return m
			}(),
			damage: func(s *testSeg) {
				s.data[s.offs[20]+5] ^= 0x10
				s.data[s.offs[22]+1] ^= 0x10
			},
			lost: []int{20, 22},
		},
		{
			name: "record inside a message whose header is whole",
			msgs: func() []string {
				m := plain(40)
				m[20] = impostor(first+21, 60)
				return m
			}(),
			damage: func(s *testSeg) { s.data[s.offs[19]+5] ^= 0x10 },
			lost:   []int{19},
		},
		{
			// Messages longer than crcDirectMax: checked from prefix
			// checksums (crcrange.go).
			name: "long messages, damage across several records",
			msgs: func() []string {
				m := plain(20)
				for i := range m {
					m[i] += string(bytes.Repeat([]byte{byte('a' + i)}, crcDirectMax+100*i))
				}
				return m
			}(),
			damage: func(s *testSeg) {
				for i := s.offs[5] + 3; i < s.offs[8]+2; i++ {
					s.data[i] ^= 0x33
				}
			},
			lost: rangeOf(5, 9),
		},
		{
			name: "long message holding a record claiming a long message",
			msgs: func() []string {
				m := plain(40)
				m[20] = string(appendRecord([]byte("pad"), first+22, 7, bytes.Repeat([]byte{'i'}, 3*crcDirectMax))) + "tail"
				m[21] += string(bytes.Repeat([]byte{'b'}, 2*crcDirectMax))
				return m
			}(),
			damage: func(s *testSeg) { s.data[s.offs[20]+6] ^= 0x01 },
			lost:   []int{20},
		},
		{
			name:   "torn end",
			msgs:   plain(40),
			damage: func(s *testSeg) { s.data = s.data[:s.offs[39]+10] },
			lost:   []int{39},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := buildSeg(first, tc.msgs)
			tc.damage(s)
			got := readSeg(t, s.data, first)
			var want []string
			var wantSeqs []uint64
			for i, m := range tc.msgs {
				if !slices.Contains(tc.lost, i) {
					want = append(want, m)
					wantSeqs = append(wantSeqs, first+uint64(i))
				}
			}
			if !slices.Equal(got.msgs, want) || !slices.Equal(got.seqs, wantSeqs) {
				t.Fatalf("read records %v, want %v", got.seqs, wantSeqs)
			}
			// Missing before the last record read: those lost but at the end.
			var lost uint64
			for _, i := range tc.lost {
				if i < len(tc.msgs)-1 {
					lost++
				}
			}
			if got.lost != lost {
				t.Fatalf("lost %d records, want %d", got.lost, lost)
			}
		})
	}
}

// FuzzResync: whatever damage a segment takes (bytes overwritten, and a
// flipped bit elsewhere when seed is odd; long messages when its bit 1 is
// set), reading
// it never panics, delivers each record once, in order, as written, counts
// as lost exactly the sequence numbers it did not deliver, and delivers
// every record whose bytes the damage did not touch.
func FuzzResync(f *testing.F) {
	f.Add(uint8(30), uint16(200), []byte{0xff, 0, 0, 0}, uint8(0))
	f.Add(uint8(50), uint16(8), make([]byte, 300), uint8(1))
	f.Add(uint8(20), uint16(400), []byte("\x19\x00\x00\x00"), uint8(2))
	f.Add(uint8(40), uint16(333), []byte{1}, uint8(3))
	f.Add(uint8(12), uint16(5000), []byte{0, 0, 0, 0, 0, 0}, uint8(6))
	f.Fuzz(func(t *testing.T, nrec uint8, at uint16, patch []byte, seed uint8) {
		rng := rand.New(rand.NewPCG(uint64(seed), 1))
		msgs := make([]string, int(nrec)%64+1)
		for i := range msgs {
			n := rng.IntN(40)
			if seed&2 != 0 { // some messages longer than crcDirectMax
				n = rng.IntN(3 * crcDirectMax)
			}
			msgs[i] = fmt.Sprintf("m%d-%s", i, bytes.Repeat([]byte{'z'}, n))
		}
		const first = 77
		s := buildSeg(first, msgs)
		off := segHeaderSize + int(at)%(len(s.data)-segHeaderSize)
		end := min(off+len(patch), len(s.data))
		copy(s.data[off:end], patch)
		damaged := [][2]int{{off, end}}
		if seed&1 != 0 { // and a flipped bit elsewhere
			i := segHeaderSize + rng.IntN(len(s.data)-segHeaderSize)
			s.data[i] ^= 1 << rng.IntN(8)
			damaged = append(damaged, [2]int{i, i + 1})
		}
		touched := func(i int) bool {
			for _, d := range damaged {
				if int(s.offs[i]) < d[1] && d[0] < int(s.offs[i+1]) {
					return true
				}
			}
			return false
		}
		got := readSeg(t, s.data, first)
		for k, seq := range got.seqs {
			if seq < first || seq >= first+uint64(len(msgs)) || (k > 0 && seq <= got.seqs[k-1]) {
				t.Fatalf("read sequence numbers %v", got.seqs)
			}
			if i := int(seq - first); got.msgs[k] != msgs[i] {
				t.Fatalf("record %d reads %q, written %q", seq, got.msgs[k], msgs[i])
			}
		}
		if n := len(got.seqs); n > 0 && got.lost != got.seqs[n-1]+1-first-uint64(n) {
			t.Fatalf("counted %d lost before %d, read %d records", got.lost, got.seqs[n-1], n)
		}
		for i := range msgs {
			if !touched(i) && !slices.Contains(got.seqs, first+uint64(i)) {
				t.Fatalf("record %d, not damaged (damage %v), not read: %v", i, damaged, got.seqs)
			}
		}
	})
}

// FuzzResyncImpostor: a message holding a well-formed record (any sequence
// number, anywhere in it), in a record whose header takes a flipped bit,
// costs that record alone: the record inside the message is never
// delivered, and every other record is, as written. The holder is not the
// last record: nothing would follow it to refute the record inside its
// message (see resync.go).
func FuzzResyncImpostor(f *testing.F) {
	f.Add(uint8(20), uint8(1), uint16(200), uint16(200), uint8(5*8+4))
	f.Add(uint8(20), uint8(5), uint16(200), uint16(0), uint8(4*8))
	f.Add(uint8(0), uint8(2), uint16(100), uint16(3), uint8(0))
	f.Add(uint8(38), uint8(1), uint16(30), uint16(30), uint8(23*8+7))
	f.Fuzz(func(t *testing.T, k, delta uint8, pre, post uint16, bit uint8) {
		const first, n = 500, 40
		msgs := make([]string, n)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("message %03d", i)
		}
		i := int(k) % (n - 1)
		m := bytes.Repeat([]byte{'p'}, int(pre)%2048)
		long := bytes.Repeat([]byte{'i'}, int(pre)*7%(3*crcDirectMax)) // longer than crcDirectMax at times
		m = appendRecord(m, first+uint64(i)+uint64(delta), 7, append([]byte("impostor"), long...))
		msgs[i] = string(append(m, bytes.Repeat([]byte{'q'}, int(post)%2048)...))
		s := buildSeg(first, msgs)
		s.data[s.offs[i]+int64(bit)%recordHeaderSize] ^= 1 << (bit % 8)
		got := readSeg(t, s.data, first)
		want := slices.Delete(slices.Clone(msgs), i, i+1)
		if !slices.Equal(got.msgs, want) {
			t.Fatalf("read %d records (sequence numbers %v), want all %d but %d", len(got.msgs), got.seqs, n, first+i)
		}
	})
}
