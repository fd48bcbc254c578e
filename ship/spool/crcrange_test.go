package spool

import (
	"hash/crc32"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestCRCIndex: the checksum of a range from prefix checksums is the
// checksum of its bytes, for ranges asked for in the order a search asks
// (starts growing, ends anywhere after them) and out of it, across and
// within strides, at the end of the file, with the bytes taken from the
// search's buffer or read.
func TestCRCIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 3*readChunk+777)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	path := filepath.Join(t.TempDir(), segName(0))
	if err := writeFile(path, data); err != nil {
		t.Fatal(err)
	}
	limit := int64(len(data))
	for _, tc := range []struct {
		name   string
		ranges func() [][2]int64
	}{
		{"growing starts, long ranges", func() (rs [][2]int64) {
			for from := int64(0); from < limit-1; from += 1 + rng.Int64N(700) {
				rs = append(rs, [2]int64{from, from + 1 + rng.Int64N(limit-from)})
			}
			return rs
		}},
		{"short ranges within a stride", func() (rs [][2]int64) {
			for from := int64(5); from < limit-crcStride; from += 301 {
				rs = append(rs, [2]int64{from, from + 1 + rng.Int64N(crcStride-1)})
			}
			return rs
		}},
		{"stride boundaries and the end", func() (rs [][2]int64) {
			return [][2]int64{{0, crcStride}, {crcStride, 2 * crcStride}, {crcStride - 1, crcStride + 1}, {0, limit}, {limit - 1, limit}, {7, limit}}
		}},
		{"random order", func() (rs [][2]int64) {
			for range 200 {
				from := rng.Int64N(limit - 1)
				rs = append(rs, [2]int64{from, from + 1 + rng.Int64N(limit-from)})
			}
			return rs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			near := &segReader{}
			near.reset(path)
			x := &crcIndex{}
			x.r.reset(path)
			for i, r := range tc.ranges() {
				if i%2 == 0 {
					// As the search does: near's buffer holds the header
					// before from (and up to a chunk after it).
					if _, err := near.peek(max(r[0]-4, 0), recordHeaderSize, limit); err != nil {
						t.Fatal(err)
					}
				}
				x.forget(r[0])
				got, err := x.checksum(near, r[0], r[1], limit)
				if err != nil {
					t.Fatal(err)
				}
				if want := crc32.Checksum(data[r[0]:r[1]], castagnoli); got != want {
					t.Fatalf("checksum of [%d, %d) = %#x, want %#x", r[0], r[1], got, want)
				}
			}
		})
	}
}

// TestXPow8n: multiplying the CRC register by x^(8n) is running n zero
// bytes through it.
func TestXPow8n(t *testing.T) {
	zeros := make([]byte, 70000)
	for _, n := range []int64{0, 1, 2, 3, 7, 8, 511, 512, 4096, 65537, 69999} {
		for _, r := range []uint32{1, 0xffffffff, 0x12345678} {
			if got, want := gfMul(xPow8n(n), r), crcRaw(r, zeros[:n]); got != want {
				t.Errorf("register %#x after %d zero bytes: %#x, want %#x", r, n, got, want)
			}
		}
	}
}
