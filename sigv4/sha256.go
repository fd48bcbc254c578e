package sigv4

import (
	"crypto/sha256"
	"encoding/binary"
)

// The signer hashes with crypto/sha256, except on amd64 processors with the SHA extensions,
// where it calls their block function itself: a signature of a small request hashes four
// short messages, and crypto/sha256's bookkeeping per message (digest copies, padding through
// Write, marshaled HMAC states) costs about as much as hashing a block. Those block functions
// (of one stream, and of two interleaved) and a hex encoder (sha256_amd64.s) are the only
// code here that is not Go; the padding, lengths and HMAC around them are in this file, and
// the tests compare all of it with crypto/sha256, crypto/hmac and encoding/hex.
// GODEBUG=fips140=on, GODEBUG=cpu.sha=off and the purego build tag keep the signer on
// crypto/sha256 (see useSHANI).

// shaState is a SHA-256 chaining value.
type shaState [8]uint32

// sha256IV is SHA-256's initial chaining value (FIPS 180-4, 5.3.3).
var sha256IV = shaState{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// maxBytesPerCall bounds the bytes of one block function call, per stream (about 45 µs of
// hashing for one stream): assembly is not preemptible, so a long body is hashed in several
// calls, as crypto/sha256 does.
const maxBytesPerCall = 64 << 10

// sum256 returns SHA-256(p).
func sum256(p []byte) [32]byte {
	if !useSHANI {
		return sha256.Sum256(p)
	}
	st := sha256IV
	return st.finish(p, 0)
}

// hashPair hashes the first n bytes of pa into a and of pb into b, n being the whole blocks
// the shorter has, the two interleaved: while one hash waits on its last round the other's
// can run, so two take little more time than one. It returns n. Only for useSHANI.
func hashPair(a *shaState, pa []byte, b *shaState, pb []byte) int {
	n := min(len(pa), len(pb)) &^ 63
	for i := 0; i < n; i += maxBytesPerCall {
		j := min(i+maxBytesPerCall, n)
		blockSHANIx2(a, pa[i:j], b, pb[i:j])
	}
	return n
}

// hashesAhead holds the hashes of a signature begun while the body is hashed, interleaved
// with it: the canonical request's first blocks (all but its end, the payload hash, is known
// then) and the string to sign's first block (all but its end, the canonical request's hash).
type hashesAhead struct {
	creq, sts         shaState // sts is the HMAC's inner hash, after the key's pad
	creqDone, stsDone int      // bytes of each hashed, multiples of 64; 0 when not begun
}

// hashBody returns the SHA-256 of body. With the SHA extensions it also begins the hashes of
// the canonical request, whose bytes before the payload hash are creqHead, and of the string
// to sign for key at amzDate.
func (h *hashesAhead) hashBody(body, creqHead []byte, key *signingKey, amzDate *[16]byte) [32]byte {
	if !useSHANI {
		return sha256.Sum256(body)
	}
	st := sha256IV
	h.creq = sha256IV
	n := hashPair(&st, body, &h.creq, creqHead)
	h.creqDone = n
	// The string to sign's first block: the algorithm, the date and the scope, when they
	// fill it (a scope of 30 bytes or more; "20060102/us-east-1/logs/aws4_request" has 36).
	var head [128]byte
	b := append(head[:0], Algorithm+"\n"...)
	b = append(b, amzDate[:]...)
	b = append(b, '\n')
	b = append(b, key.scope[:min(len(key.scope), 64)]...)
	if len(b) >= 64 && len(body)-n >= 64 {
		h.sts = key.innerState
		hashPair(&st, body[n:n+64], &h.sts, b[:64])
		h.stsDone = 64
		n += 64
	}
	return st.finish(body[n:], n)
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
