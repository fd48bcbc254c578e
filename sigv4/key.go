package sigv4

import (
	"crypto/sha256"
	"encoding"
	"hash"
	"sync"
	"sync/atomic"
)

// hmacSHA256 computes HMAC-SHA256(key, msg) without allocating for keys up to 64 bytes and
// messages that fit the stack buffer; longer messages fall back to a heap buffer.
func hmacSHA256(key, msg []byte) [32]byte {
	var k [64]byte
	if len(key) > 64 {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var stack [64 + 256]byte
	var in []byte
	if 64+len(msg) <= len(stack) {
		in = stack[:64+len(msg)]
	} else {
		in = make([]byte, 64+len(msg))
	}
	for i := range 64 {
		in[i] = k[i] ^ 0x36
	}
	copy(in[64:], msg)
	inner := sha256.Sum256(in)
	var out [64 + 32]byte
	for i := range 64 {
		out[i] = k[i] ^ 0x5c
	}
	copy(out[64:], inner[:])
	return sha256.Sum256(out[:])
}

// DeriveKey returns the SigV4 signing key for secret, date (YYYYMMDD), region and service.
func DeriveKey(secret, date, region, service string) [32]byte {
	var kb [4 + 128]byte
	k := append(kb[:0], "AWS4"...)
	k = append(k, secret...)
	kDate := hmacSHA256(k, []byte(date))
	kRegion := hmacSHA256(kDate[:], []byte(region))
	kService := hmacSHA256(kRegion[:], []byte(service))
	return hmacSHA256(kService[:], []byte("aws4_request"))
}

type cacheKey struct {
	accessKeyID, secret, date, region, service string
}

// signingKey is a derived key with its HMAC pads already hashed: the SHA-256 states after
// the inner (key XOR ipad) and outer (key XOR opad) blocks, marshaled, save two SHA-256 blocks
// per signature.
type signingKey struct {
	inner, outer []byte // marshaled SHA-256 states
}

func newSigningKey(k [32]byte) *signingKey {
	sk := new(signingKey)
	var pad [64]byte
	for i := range pad {
		pad[i] = 0x36
	}
	for i, c := range k {
		pad[i] ^= c
	}
	sk.inner = padState(&pad)
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	sk.outer = padState(&pad)
	return sk
}

func padState(pad *[64]byte) []byte {
	h := sha256.New()
	h.Write(pad[:])
	st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("sigv4: SHA-256 state cannot be marshaled: " + err.Error())
	}
	return st
}

// appendSign appends HMAC-SHA256(key, msg) to dst, computed with h, a SHA-256 hash from
// sha256.New whose state it replaces. Give dst room for 32 bytes: h is an interface, so a
// buffer on the stack would escape.
func (k *signingKey) appendSign(h hash.Hash, dst, msg []byte) []byte {
	u := h.(encoding.BinaryUnmarshaler)
	if u.UnmarshalBinary(k.inner) != nil {
		panic("sigv4: SHA-256 state cannot be restored")
	}
	h.Write(msg)
	start := len(dst)
	dst = h.Sum(dst)
	if u.UnmarshalBinary(k.outer) != nil {
		panic("sigv4: SHA-256 state cannot be restored")
	}
	h.Write(dst[start:])
	return h.Sum(dst[:start])
}

// keyCache caches derived signing keys. A hit costs one map lookup under a read lock instead
// of four HMACs (the last key used: a few string comparisons). It is bounded: when full it
// is emptied.
type keyCache struct {
	last atomic.Pointer[cachedKey] // the most recently used key: the common case, lock-free
	mu   sync.RWMutex
	m    map[cacheKey]*signingKey
}

type cachedKey struct {
	cacheKey
	key *signingKey
}

const maxCachedKeys = 64

func (c *keyCache) get(accessKeyID, secret string, dateBytes []byte, region, service string) *signingKey {
	if l := c.last.Load(); l != nil && l.accessKeyID == accessKeyID && l.secret == secret && l.date == string(dateBytes) &&
		l.region == region && l.service == service {
		return l.key
	}
	date := string(dateBytes)
	ck := cacheKey{accessKeyID, secret, date, region, service}
	c.mu.RLock()
	k, ok := c.m[ck]
	c.mu.RUnlock()
	if ok {
		c.last.Store(&cachedKey{ck, k})
		return k
	}
	k = newSigningKey(DeriveKey(secret, date, region, service))
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = make(map[cacheKey]*signingKey)
	}
	c.m[ck] = k
	c.mu.Unlock()
	c.last.Store(&cachedKey{ck, k})
	return k
}
