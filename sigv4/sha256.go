package sigv4

import (
	"crypto/sha256"
	"encoding/binary"
)

// The signer hashes with crypto/sha256, except on amd64 processors with the SHA extensions
// (and outside FIPS 140-3 mode), where it calls their block function itself: a signature of a
// small request hashes four short messages, and crypto/sha256's bookkeeping per message
// (digest copies, padding through Write, marshaled HMAC states) costs about as much as
// hashing a block. That block function and a hex encoder (sha256_amd64.s) are the only code
// here that is not Go; the padding, lengths and HMAC around them are in this file, and the
// tests compare all of it with crypto/sha256, crypto/hmac and encoding/hex. GODEBUG=fips140=on
// and the purego build tag keep the signer on crypto/sha256.

// shaState is a SHA-256 chaining value.
type shaState [8]uint32

// sha256IV is SHA-256's initial chaining value (FIPS 180-4, 5.3.3).
var sha256IV = shaState{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// sha256K are SHA-256's round constants (FIPS 180-4, 4.2.2), read by the block function.
var sha256K = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// sha256Flip is the PSHUFB mask that turns each 4-byte word of a block big-endian.
var sha256Flip = [16]byte{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12}

// maxBytesPerCall bounds the bytes of one blockSHANI call (about 45 µs of hashing): assembly
// is not preemptible, so a long body is hashed in several calls, as crypto/sha256 does.
const maxBytesPerCall = 64 << 10

// sum256 returns SHA-256(p).
func sum256(p []byte) [32]byte {
	if !useSHANI {
		return sha256.Sum256(p)
	}
	st := sha256IV
	return st.finish(p, 0)
}

// sum returns the digest of a finished state.
func (st *shaState) sum() [32]byte {
	var out [32]byte
	for i, v := range st {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// finish hashes p and the padding into st, which has already absorbed prefix bytes (a
// multiple of 64), and returns the digest. Only for useSHANI.
func (st *shaState) finish(p []byte, prefix int) [32]byte {
	n := len(p) &^ 63
	for i := 0; i < n; i += maxBytesPerCall {
		blockSHANI(st, p[i:min(i+maxBytesPerCall, n)])
	}
	var tail [64]byte
	r := copy(tail[:], p[n:])
	tail[r] = 0x80
	if r >= 56 { // no room for the length: it takes a block of its own
		blockSHANI(st, tail[:])
		tail = [64]byte{}
	}
	binary.BigEndian.PutUint64(tail[56:], uint64(prefix+len(p))*8)
	blockSHANI(st, tail[:])
	return st.sum()
}
