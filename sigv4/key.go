package sigv4

import (
	"crypto/sha256"
	"encoding"
	"math"
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
// per signature. It keeps the parts of a signature that depend on the key alone.
type signingKey struct {
	inner, outer []byte   // marshaled SHA-256 states, for crypto/sha256
	innerState   shaState // the same states, for the SHA extensions (when useSHANI)
	outerState   shaState
	date         string // YYYYMMDD
	scope        string // date/region/service/aws4_request
	credential   string // "AWS4-HMAC-SHA256 Credential=" access key "/" scope ", SignedHeaders="
}

func newSigningKey(k [32]byte, ck cacheKey) *signingKey {
	sk := new(signingKey)
	var pad [64]byte
	for i := range pad {
		pad[i] = 0x36
	}
	for i, c := range k {
		pad[i] ^= c
	}
	sk.inner = padState(&pad)
	if useSHANI {
		sk.innerState = sha256IV
		blockSHANI(&sk.innerState, pad[:])
	}
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	sk.outer = padState(&pad)
	if useSHANI {
		sk.outerState = sha256IV
		blockSHANI(&sk.outerState, pad[:])
	}
	sk.date = ck.date
	sk.scope = ck.date + "/" + ck.region + "/" + ck.service + "/aws4_request"
	sk.credential = Algorithm + " Credential=" + ck.accessKeyID + "/" + sk.scope + ", SignedHeaders="
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

// sign returns HMAC-SHA256(key, msg).
func (k *signingKey) sign(msg []byte) [32]byte {
	if useSHANI {
		return k.signSHANI(msg)
	}
	return k.signStd(msg)
}

// signSHANI is sign with the SHA extensions: the pads' states are copied, not unmarshaled.
func (k *signingKey) signSHANI(msg []byte) [32]byte {
	st := k.innerState
	inner := st.finish(msg, 64)
	st = k.outerState
	return st.finish(inner[:], 64)
}

// signFrom is sign for an inner hash begun ahead: st is the inner state after the pad and the
// first done bytes of msg. Only for useSHANI.
func (k *signingKey) signFrom(st *shaState, done int, msg []byte) [32]byte {
	inner := st.finish(msg[done:], 64+done)
	outer := k.outerState
	return outer.finish(inner[:], 64)
}

// signStd is sign with crypto/sha256. The hash lives on the stack: its calls are
// devirtualized, so sha256.New does not allocate.
func (k *signingKey) signStd(msg []byte) [32]byte {
	h := sha256.New()
	u := h.(encoding.BinaryUnmarshaler)
	if u.UnmarshalBinary(k.inner) != nil {
		panic("sigv4: SHA-256 state cannot be restored")
	}
	h.Write(msg)
	var sum [32]byte
	h.Sum(sum[:0])
	if u.UnmarshalBinary(k.outer) != nil {
		panic("sigv4: SHA-256 state cannot be restored")
	}
	h.Write(sum[:])
	h.Sum(sum[:0])
	return sum
}

// keyCache caches derived signing keys. A hit costs one map lookup under a read lock instead
// of four HMACs (the last key used: a few comparisons). It is bounded: when full it
// is emptied.
type keyCache struct {
	// The most recently used keys, the common case, lock-free: the signer's, found by day,
	// and the verifier's, found by date, kept apart so that a Signer that both signs and
	// verifies does not make each evict the other.
	lastByDay, lastByDate atomic.Pointer[cachedKey]
	mu                    sync.RWMutex
	m                     map[cacheKey]*signingKey
}

type cachedKey struct {
	cacheKey
	day int64 // of date, in days since 1970-01-01, in lastByDay; noDay in lastByDate
	key *signingKey
}

const noDay = math.MinInt64

const maxCachedKeys = 64

// forDay returns the key for the day (in days since 1970-01-01), and reports false for a
// day outside the years 0000-9999.
func (c *keyCache) forDay(accessKeyID, secret string, day int64, region, service string) (*signingKey, bool) {
	if l := c.lastByDay.Load(); l != nil && l.day == day && l.accessKeyID == accessKeyID && l.secret == secret &&
		l.region == region && l.service == service {
		return l.key, true
	}
	var date [8]byte
	if !formatDate(&date, day) {
		return nil, false
	}
	return c.lookup(cacheKey{accessKeyID, secret, string(date[:]), region, service}, day), true
}

// get returns the key for the date (YYYYMMDD).
func (c *keyCache) get(accessKeyID, secret, date, region, service string) *signingKey {
	if l := c.lastByDate.Load(); l != nil && l.accessKeyID == accessKeyID && l.secret == secret && l.date == date &&
		l.region == region && l.service == service {
		return l.key
	}
	return c.lookup(cacheKey{accessKeyID, secret, date, region, service}, noDay)
}

// lookup returns the key of ck, deriving it when it is not cached, and makes it the last
// used by day (day is ck's date as a day) or, when day is noDay, by date.
func (c *keyCache) lookup(ck cacheKey, day int64) *signingKey {
	c.mu.RLock()
	k, ok := c.m[ck]
	c.mu.RUnlock()
	if !ok {
		k = newSigningKey(DeriveKey(ck.secret, ck.date, ck.region, ck.service), ck)
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxCachedKeys {
			c.m = make(map[cacheKey]*signingKey)
		}
		c.m[ck] = k
		c.mu.Unlock()
	}
	if day == noDay {
		c.lastByDate.Store(&cachedKey{ck, day, k})
	} else {
		c.lastByDay.Store(&cachedKey{ck, day, k})
	}
	return k
}
