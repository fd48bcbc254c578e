package spool

import "hash/crc32"

// Checksums of ranges of a segment file for the resync search, without
// reading each range: a candidate record claiming a long message would cost
// a checksum over all of it, and a message crafted with a plausible header
// every few bytes, each claiming megabytes, in a record whose header is
// damaged, would cost minutes. CRC-32C is linear: with Q(i) the raw CRC
// register after the bytes [base, i) from 0, the checksum of [i, j) is
//
//	^(Q(j) ^ (Q(i)^0xffffffff)·x^(8(j-i)) mod P)
//
// so the search keeps Q every crcStride bytes (from where it needs them to
// the farthest end a candidate claimed: at most MaxMessageLimit/crcStride
// values), and a candidate costs at most 2·crcStride bytes of checksum and
// a few multiplications modulo P, whatever its length.

// crcPoly is the Castagnoli polynomial P, bit-reversed (as hash/crc32
// computes it: x^0 is the top bit).
const crcPoly = 0x82f63b78

// crcStride is the distance between the prefix CRCs a crcIndex keeps.
const crcStride = 512

// crcDirectMax is the longest message whose checksum the search computes
// directly; a candidate claiming a longer one is checked with a crcIndex.
const crcDirectMax = 1024

// gfMul returns a·b modulo P (bit-reversed polynomials).
func gfMul(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2n[k] is x^(2^k) modulo P.
var x2n = func() (t [64]uint32) {
	t[0] = 1 << 30 // x
	for k := 1; k < len(t); k++ {
		t[k] = gfMul(t[k-1], t[k-1])
	}
	return t
}()

// xPow8n returns x^(8n) modulo P: the factor that n zero bytes apply to
// the CRC register.
func xPow8n(n int64) uint32 {
	p := uint32(1) << 31 // 1
	for k := 3; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = gfMul(x2n[k], p)
		}
	}
	return p
}

// crcRaw returns the raw CRC-32C register r after the bytes b (no
// inversion before or after).
func crcRaw(r uint32, b []byte) uint32 { return ^crc32.Update(^r, castagnoli, b) }

// crcIndex gives the checksum of ranges of a segment file from prefix CRCs
// (see above), over a window that moves forward: it reads the file through
// a segReader of its own, so that the search's buffer stays put.
type crcIndex struct {
	r     segReader
	start int64    // the offset of cps[0], the base of Q when cps was first filled
	cps   []uint32 // cps[i] = Q(start + i·crcStride)
}

// checksum returns the CRC-32C of the bytes [from, to) of the file, which
// lie before limit. Bytes that near (the search's reader) holds in its
// buffer are taken from it, the others read through the index's own reader
// (near's buffer stays put).
func (x *crcIndex) checksum(near *segReader, from, to, limit int64) (uint32, error) {
	qi, err := x.q(near, from, limit)
	if err != nil {
		return 0, err
	}
	qj, err := x.q(near, to, limit)
	if err != nil {
		return 0, err
	}
	return ^(qj ^ gfMul(xPow8n(to-from), qi^0xffffffff)), nil
}

// q returns Q(off), extending cps to off.
func (x *crcIndex) q(near *segReader, off, limit int64) (uint32, error) {
	if len(x.cps) == 0 || off < x.start {
		x.start, x.cps = off, append(x.cps[:0], 0)
	}
	i := int((off - x.start) / crcStride)
	for len(x.cps) <= i {
		k := len(x.cps) - 1
		at := x.start + int64(k)*crcStride
		b, err := x.bytes(near, at, crcStride, limit)
		if err != nil {
			return 0, err
		}
		x.cps = append(x.cps, crcRaw(x.cps[k], b))
	}
	at := x.start + int64(i)*crcStride
	if off == at {
		return x.cps[i], nil
	}
	b, err := x.bytes(near, at, int(off-at), limit)
	if err != nil {
		return 0, err
	}
	return crcRaw(x.cps[i], b), nil
}

// bytes returns the n bytes of the file at off: from near's buffer when it
// holds them, else read through x.r.
func (x *crcIndex) bytes(near *segReader, off int64, n int, limit int64) ([]byte, error) {
	if i := off - near.bufOff; i >= 0 && i+int64(n) <= int64(len(near.buf)) {
		return near.buf[i : i+int64(n)], nil
	}
	b, err := x.r.peek(off, n, limit)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// forget drops the prefix CRCs before off, which the search passed.
func (x *crcIndex) forget(off int64) {
	if k := int((off - x.start) / crcStride); k > 0 && k < len(x.cps) {
		x.cps = x.cps[k:]
		x.start += int64(k) * crcStride
	}
}
