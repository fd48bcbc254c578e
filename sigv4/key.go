package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
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

// signingKey is a derived key with a pool of HMAC states keyed with it: crypto/hmac keeps
// the key's inner and outer pads precomputed, which saves two SHA-256 blocks per signature.
type signingKey struct {
	key  [32]byte
	macs sync.Pool // of hash.Hash
}

func newSigningKey(k [32]byte) *signingKey {
	sk := &signingKey{key: k}
	sk.macs.New = func() any { return hmac.New(sha256.New, sk.key[:]) }
	return sk
}

// appendSign appends HMAC-SHA256(key, msg) to dst (give it room for 32 bytes to avoid an
// allocation: the hash is an interface, so a stack array would escape).
func (k *signingKey) appendSign(dst, msg []byte) []byte {
	h := k.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	dst = h.Sum(dst)
	k.macs.Put(h)
	return dst
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
