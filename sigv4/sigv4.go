// Package sigv4 signs and verifies HTTP requests with AWS Signature Version 4.
//
// It is the successor of the Electric Imp library AWSRequestV4 1.0.2, usable on its own for
// any AWS service that takes header-signed requests (the JSON protocols in particular). Unlike
// the original it signs X-Amz-Date and X-Amz-Security-Token, canonicalises paths, queries and
// header values as the specification requires, keeps no per-request state on the signer (so one
// [Signer] may be shared by many goroutines), and never touches headers other than the ones it
// sets.
//
// The signatures are byte-for-byte those of aws-sdk-go-v2's aws/signer/v4 for the same request,
// credentials and time (a differential test in internal/interop checks this on thousands of
// randomized requests). The official test vectors pass, including the path-normalization cases
// when [Signer.NormalizeURIPath] is set.
//
// [Verifier] checks signatures on the server side, as the local CloudWatch Logs server does:
// [Verifier.CheckHeaders] first, with what the headers alone tell (so that a request without
// a valid key is refused before its body is read), then [Verifier.VerifyBody] with the body;
// or [Verifier.Verify] for both at once.
// [Verifier.SessionToken] makes temporary keys valid only with their session token.
//
// Hashing is crypto/sha256's, except on amd64 processors with the SHA extensions, where the
// package calls their SHA-256 block function itself (a small request's signature hashes four
// short messages, and this saves crypto/sha256's bookkeeping on each). In FIPS 140-3 mode
// (GODEBUG=fips140=on), with GODEBUG=cpu.sha=off and with the purego build tag, crypto/sha256
// does all the hashing.
package sigv4

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Algorithm is the only signing algorithm this package implements.
const Algorithm = "AWS4-HMAC-SHA256"

// EmptyPayloadHash is the hex SHA-256 of an empty body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TimeFormat is the layout of X-Amz-Date.
const TimeFormat = "20060102T150405Z"

// Credentials are the keys a request is signed with.
// Their String and GoString methods never reveal the secret key or the session token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // empty for long-term credentials
}

// String implements fmt.Stringer without revealing secrets.
func (c Credentials) String() string {
	s := "sigv4.Credentials{AccessKeyID: " + strconv.Quote(c.AccessKeyID) + ", SecretAccessKey: " + redact(c.SecretAccessKey)
	if c.SessionToken != "" {
		s += ", SessionToken: " + redact(c.SessionToken)
	}
	return s + "}"
}

// GoString implements fmt.GoStringer without revealing secrets (for %#v).
func (c Credentials) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints String (%q quoted), so that
// no verb (%d and %x print a struct's string fields otherwise) shows a secret.
func (c Credentials) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// MarshalJSON encodes the credentials as their String, secrets redacted, so that a
// logger encoding values with encoding/json cannot reveal them.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	io.WriteString(f, s)
}

func redact(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// ErrNoCredentials is returned when the access key ID or the secret key is empty.
var ErrNoCredentials = errors.New("sigv4: access key ID and secret access key are required")

// HashHex returns the lowercase hex SHA-256 of body, the payload hash SignHTTP expects.
func HashHex(body []byte) string {
	sum := sum256(body)
	var h [64]byte
	encodeHex32(&h, &sum)
	return string(h[:])
}

// Signer signs requests. The zero value is ready to use; a Signer is safe for concurrent use
// and caches derived signing keys per (access key, secret, date, region, service).
type Signer struct {
	// DisableURIPathEscaping signs the request path as it is escaped on the wire instead of
	// escaping it a second time. Set it for S3; leave it false for every other service.
	DisableURIPathEscaping bool
	// NormalizeURIPath removes dot segments and duplicate slashes from the canonical path
	// (RFC 3986), as some signers do for non-S3 services. aws-sdk-go-v2 does not, so the
	// default (false) matches it.
	NormalizeURIPath bool
	// DisableSessionToken leaves X-Amz-Security-Token unset and unsigned.
	DisableSessionToken bool
	// Debug, when set, receives the canonical request and the string to sign of every
	// signature computed, never a key: the value of an x-amz-security-token line reads
	// <redacted>. For tests and troubleshooting.
	Debug func(canonicalRequest, stringToSign string)

	// keys is allocated on first use and held by pointer, so that printing a Signer shows
	// an address, never the cached secrets or signing keys.
	keys atomic.Pointer[keyCache]
}

// keyCache returns the signer's key cache, creating it on first use.
func (s *Signer) keyCache() *keyCache {
	if c := s.keys.Load(); c != nil {
		return c
	}
	s.keys.CompareAndSwap(nil, new(keyCache))
	return s.keys.Load()
}

// NewSigner returns a Signer with the default settings.
func NewSigner() *Signer { return &Signer{} }

// ignoredHeaders are never signed, matched on the exact key as aws-sdk-go-v2 does.
func ignoredHeader(k string) bool {
	switch k {
	case "Authorization", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding":
		return true
	}
	return false
}

// SignHTTP signs r in place with the hex SHA-256 payloadHash of its body (use
// [EmptyPayloadHash] for no body) for the given service, region and signing time.
//
// It sets X-Amz-Date, X-Amz-Security-Token (when creds has a session token) and Authorization.
// Signed are: host (r.Host, else r.URL.Host; a default port is stripped and written back to
// r.Host), content-length when r.ContentLength > 0, and every entry of r.Header except
// Authorization, User-Agent, X-Amzn-Trace-Id, Expect, Transfer-Encoding, Host and
// Content-Length. Repeated values are joined with commas in order; values are trimmed and inner
// runs of spaces collapsed. The query is canonicalised but r.URL is not modified.
func (s *Signer) SignHTTP(r *http.Request, creds Credentials, payloadHash, service, region string, t time.Time) error {
	if len(payloadHash) != 64 {
		return errors.New("sigv4: payload hash must be 64 hex digits")
	}
	var ph [64]byte
	copy(ph[:], payloadHash)
	return s.signPayload(r, creds, signedPayload{hash: &ph}, service, region, t)
}

// SignRequest is SignHTTP with the payload hash computed from body, without allocating for it.
// body must be the exact bytes sent.
func (s *Signer) SignRequest(r *http.Request, body []byte, creds Credentials, service, region string, t time.Time) error {
	return s.signPayload(r, creds, signedPayload{body: body}, service, region, t)
}

// signedPayload is what a signature covers of the body: its hex SHA-256 given, or the body,
// hashed once the canonical request's head is written, interleaved with the hashing of that
// head.
type signedPayload struct {
	hash *[64]byte // as given to SignHTTP
	body []byte    // when hash is nil
}

// ErrTimeOutOfRange is returned for a signing time outside the years 0000-9999, which
// X-Amz-Date cannot express.
var ErrTimeOutOfRange = errors.New("sigv4: signing time outside the years 0000-9999")

func (s *Signer) signPayload(r *http.Request, creds Credentials, p signedPayload, service, region string, t time.Time) error {
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return ErrNoCredentials
	}
	day, sec := splitUnix(t.Unix())
	key, ok := s.keyCache().forDay(creds.AccessKeyID, creds.SecretAccessKey, day, region, service)
	if !ok {
		return ErrTimeOutOfRange
	}
	var amzDate [16]byte
	joinAmzDate(&amzDate, key.date, sec)
	s.sign(r, key, creds.SessionToken, p, &amzDate)
	return nil
}

type header struct {
	prefix uint64 // lower's first 8 bytes, big-endian, zero-padded: orders as lower does
	lower  []byte // the lowercased name
	key    string // as in the map (canonical MIME form normally)
	values []string
	kind   uint8 // 0 map entry, 1 host, 2 content-length, 3 the signer's own X-Amz-Date
}

func newHeader(lower []byte, key string, values []string, kind uint8) header {
	return header{prefix: namePrefix(lower), lower: lower, key: key, values: values, kind: kind}
}

// namePrefix returns the first 8 bytes of name, big-endian, zero-padded.
func namePrefix(name []byte) uint64 {
	if len(name) >= 8 {
		return binary.BigEndian.Uint64(name)
	}
	var p [8]byte
	copy(p[:], name)
	return binary.BigEndian.Uint64(p[:])
}

// bufPool holds buffers for canonical requests too long for the stack buffer, and for the
// lowercased header names of appendAnyHeaders.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// appendAnyHeaders appends the canonical header block and the signed-header list of any
// header map, as appendCanonicalHeaders does, and returns the bounds of the list inside b.
func appendAnyHeaders(b []byte, h http.Header, host string, contentLength int64, amzDate *[16]byte) ([]byte, int, int) {
	var arr [8]header // on the stack while it fits
	names := bufPool.Get().(*[]byte)
	var hdrs []header
	hdrs, *names = collectHeaders(arr[:0], (*names)[:0], h, contentLength)
	b, start, end := appendCanonicalHeaders(b, hdrs, host, contentLength, amzDate)
	bufPool.Put(names)
	return b, start, end
}

// signedValues holds, in one allocation, what the signer sets in the header map: the backing
// array of the values' slices (X-Amz-Date, X-Amz-Security-Token, Authorization) and the bytes
// of the X-Amz-Date and Authorization values, which fit its 352-byte size class with an access
// key, a scope and a list of signed headers of usual lengths.
type signedValues struct {
	vals [3]string
	text [352 - unsafe.Sizeof([3]string{})]byte
}

// sign signs r with key, the payload and the X-Amz-Date value amzDate (of key's day).
func (s *Signer) sign(r *http.Request, key *signingKey, sessionToken string, p signedPayload, amzDate *[16]byte) {
	// One allocation holds the backing array of the headers the signer sets and the bytes of
	// the X-Amz-Date and Authorization values. X-Amz-Date is in the map (so that it is
	// signed) before its string exists: its canonical line is written from amzDate, and the
	// value is filled in at the end through the shared backing array.
	sv := new(signedValues)
	vals := sv.vals[:]
	r.Header["X-Amz-Date"] = vals[0:1:1]
	if sessionToken != "" && !s.DisableSessionToken {
		vals[1] = sessionToken
		r.Header["X-Amz-Security-Token"] = vals[1:2:2]
	}
	host := sanitizeHost(r)

	// The canonical request, then the string to sign after it: on the stack while they surely
	// fit, else in a pooled buffer (a session token from STS or SSO alone can take more than a
	// kilobyte).
	if len(sessionToken)+3*len(r.URL.Path)+3*len(r.URL.RawQuery)+len(host) <= 512 {
		var creq [1024]byte
		s.signWith(creq[:0], r, key, sv, host, p, amzDate)
		return
	}
	pooled := bufPool.Get().(*[]byte)
	*pooled = s.signWith((*pooled)[:0], r, key, sv, host, p, amzDate)
	bufPool.Put(pooled)
}

// signWith is sign after the session token and the host, with buf for the canonical
// request; it returns buf, emptied, for reuse.
func (s *Signer) signWith(buf []byte, r *http.Request, key *signingKey, sv *signedValues, host string, p signedPayload, amzDate *[16]byte) []byte {
	buf = append(buf, r.Method...)
	buf = append(buf, '\n')
	buf = s.appendCanonicalURI(buf, r.URL)
	buf = append(buf, '\n')
	buf = appendCanonicalQuery(buf, r.URL.RawQuery, "")
	buf = append(buf, '\n')

	buf, signedStart, signedEnd, ok := appendUsualHeaders(buf, r.Header, host, r.ContentLength, amzDate)
	if !ok {
		buf, signedStart, signedEnd = appendAnyHeaders(buf, r.Header, host, r.ContentLength, amzDate)
	}
	buf = append(buf, '\n')
	var ahead hashesAhead
	payloadHash := p.hash
	if payloadHash == nil {
		bodyHash := ahead.hashBody(p.body, buf, key, amzDate)
		payloadHash = new([64]byte) // on the stack: it does not escape
		encodeHex32(payloadHash, &bodyHash)
	}
	buf = append(buf, payloadHash[:]...)

	sig := s.signature(buf, key, amzDate[:], &ahead)

	// X-Amz-Date value, then the Authorization value, in one string: in sv's own bytes when
	// they fit (the usual case), else in a string of its own.
	signed := buf[signedStart:signedEnd]
	n := len(amzDate) + len(key.credential) + len(signed) + len(", Signature=") + len(sig)
	tmp := sv.text[:0]
	if n > len(sv.text) {
		tmp = make([]byte, 0, n)
	}
	tmp = append(tmp, amzDate[:]...)
	tmp = append(tmp, key.credential...)
	tmp = append(tmp, signed...)
	tmp = append(tmp, ", Signature="...)
	tmp = append(tmp, sig[:]...)
	// The bytes are never written again: sv is this request's alone.
	values := unsafe.String(&tmp[0], len(tmp))
	vals := sv.vals[:]
	vals[0] = values[:len(amzDate)]
	vals[2] = values[len(amzDate):]
	r.Header["Authorization"] = vals[2:3:3]
	return buf[:0]
}

// signature computes the hex signature of the canonical request creq, signed at amzDate
// with key, finishing the hashes that ahead (which may be nil) has begun. The string to sign
// is built in creq's spare capacity, overwriting what is there (the caller's buffer past
// len(creq) must be free), or on the stack when that is short.
func (s *Signer) signature(creq []byte, key *signingKey, amzDate []byte, ahead *hashesAhead) [64]byte {
	var creqHash [32]byte
	if ahead != nil && ahead.creqDone > 0 {
		creqHash = ahead.creq.finish(creq[ahead.creqDone:], ahead.creqDone)
	} else {
		creqHash = sum256(creq)
	}
	// Enough for a region and a service of 50 bytes together; longer ones make append grow it.
	const stsMax = len(Algorithm+"\n") + 16 + 1 + 8 + 1 + 64 + 1 + 64
	sts := creq[len(creq):]
	if cap(sts) < stsMax {
		var stsBuf [256]byte
		sts = stsBuf[:0]
	}
	sts = append(sts, Algorithm+"\n"...)
	sts = append(sts, amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, key.scope...)
	sts = append(sts, '\n')
	sts = appendHex32(sts, &creqHash)
	var mac [32]byte
	if ahead != nil && ahead.stsDone > 0 {
		mac = key.signFrom(&ahead.sts, ahead.stsDone, sts)
	} else {
		mac = key.sign(sts)
	}
	if s.Debug != nil {
		s.Debug(redactCanonicalToken(creq), string(sts))
	}
	var out [64]byte
	encodeHex32(&out, &mac)
	return out
}

// redactCanonicalToken returns the canonical request creq with the value of its
// x-amz-security-token line (a session token, a secret) replaced, for Debug.
func redactCanonicalToken(creq []byte) string {
	const name = "\nx-amz-security-token:"
	i := bytes.Index(creq, []byte(name))
	if i < 0 {
		return string(creq)
	}
	start := i + len(name)
	end := bytes.IndexByte(creq[start:], '\n')
	if end < 0 {
		end = len(creq) - start
	}
	return string(creq[:start]) + "<redacted>" + string(creq[start+end:])
}

// splitUnix splits a Unix time into days since 1970-01-01 and seconds into that day.
func splitUnix(t int64) (day, sec int64) {
	day, sec = t/86400, t%86400
	if sec < 0 {
		day, sec = day-1, sec+86400
	}
	return day, sec
}

// formatDate writes the day (days since 1970-01-01) as YYYYMMDD, and reports false for
// years outside 0000-9999.
func formatDate(dst *[8]byte, day int64) bool {
	y, m, d := civilFromDays(day)
	if y < 0 || y > 9999 {
		return false
	}
	b := append(dst[:0], digitPairs[2*(y/100):2*(y/100)+2]...)
	b = appendPair(b, int(y%100))
	b = appendPair(b, m)
	_ = appendPair(b, d)
	return true
}

// joinAmzDate writes the X-Amz-Date of the day date (YYYYMMDD) at sec seconds into it.
func joinAmzDate(dst *[16]byte, date string, sec int64) {
	b := append(dst[:0], date...)
	b = append(b, 'T')
	b = appendPair(b, int(sec/3600))
	b = appendPair(b, int(sec/60%60))
	b = appendPair(b, int(sec%60))
	_ = append(b, 'Z')
}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's days_from_civil inverse).
func civilFromDays(days int64) (year int64, month, day int) {
	z := days + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

func appendPair(b []byte, v int) []byte { return append(b, digitPairs[2*v], digitPairs[2*v+1]) }

// encodeHex32 writes the lowercase hex of a SHA-256 sum.
func encodeHex32(dst *[64]byte, src *[32]byte) {
	if useSSSE3 {
		hexSSSE3(dst, src)
		return
	}
	encodeHex32Go(dst, src)
}

// encodeHex32Go is encodeHex32 in Go, eight bytes at a time, taken as two halves: the eight
// nibbles of each half are spread over the bytes of a uint64, then turned into digits at once.
func encodeHex32Go(dst *[64]byte, src *[32]byte) {
	for i := 0; i < 32; i += 8 {
		x := binary.BigEndian.Uint64(src[i:])
		binary.BigEndian.PutUint64(dst[2*i:], hex8(uint32(x>>32)))
		binary.BigEndian.PutUint64(dst[2*i+8:], hex8(uint32(x)))
	}
}

// hex8 returns the eight lowercase hex digits of x, most significant first, as the bytes of
// a big-endian uint64.
func hex8(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000ffff0000ffff
	v = (v | v<<8) & 0x00ff00ff00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f                           // one nibble per byte, in order
	letters := (v + 0x0606060606060606) >> 4 & 0x0101010101010101 // 1 where the nibble is 10-15
	return v + 0x3030303030303030 + letters*('a'-'0'-10)
}

func appendHex32(b []byte, src *[32]byte) []byte {
	n := len(b)
	b = slices.Grow(b, 64)[:n+64]
	encodeHex32((*[64]byte)(b[n:]), src)
	return b
}

// sanitizeHost returns the host to sign, stripping a default port as aws-sdk-go-v2 does
// (and writing the stripped value back to r.Host so that it is what is sent).
func sanitizeHost(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	port := portOnly(host)
	if port != "" && isDefaultPort(r.URL.Scheme, port) {
		host = stripPort(host)
		r.Host = host
	}
	return host
}

func stripPort(hostport string) string {
	colon := strings.IndexByte(hostport, ':')
	if colon == -1 {
		return hostport
	}
	if i := strings.IndexByte(hostport, ']'); i != -1 {
		return strings.TrimPrefix(hostport[:i], "[")
	}
	return hostport[:colon]
}

func portOnly(hostport string) string {
	colon := strings.IndexByte(hostport, ':')
	if colon == -1 {
		return ""
	}
	if i := strings.Index(hostport, "]:"); i != -1 {
		return hostport[i+len("]:"):]
	}
	if strings.Contains(hostport, "]") {
		return ""
	}
	return hostport[colon+1:]
}

func isDefaultPort(scheme, port string) bool {
	scheme = strings.ToLower(scheme)
	return (scheme == "http" && port == "80") || (scheme == "https" && port == "443")
}

// appendCanonicalURI appends the canonical path of u.
func (s *Signer) appendCanonicalURI(b []byte, u *url.URL) []byte {
	return s.appendCanonicalPath(b, uriPath(u), s.NormalizeURIPath)
}

// appendCanonicalPath appends the canonical form of the request path p,
// normalized (dot segments and duplicate slashes removed) when normalize is set.
func (s *Signer) appendCanonicalPath(b []byte, p string, normalize bool) []byte {
	if normalize {
		p = normalizePath(p)
	}
	if s.DisableURIPathEscaping {
		return append(b, p...)
	}
	return appendEscapePath(b, p)
}

// uriPath mirrors aws-sdk-go-v2's GetURIPath.
func uriPath(u *url.URL) string {
	var p string
	if u.Opaque != "" {
		opaque := u.Opaque
		if i := strings.IndexByte(opaque, '?'); i >= 0 {
			opaque = opaque[:i]
		}
		opaque = strings.TrimPrefix(opaque, "//")
		if i := strings.IndexByte(opaque, '/'); i >= 0 {
			p = opaque[i:]
		}
	} else if u.RawPath == "" && (u.Path == "/" || u.Path == "") {
		p = u.Path // fast path: EscapedPath allocates nothing here either, but skip the checks
	} else {
		p = u.EscapedPath()
	}
	if p == "" {
		p = "/"
	}
	return p
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// appendEscapePath percent-encodes every byte outside the unreserved set except '/'.
func appendEscapePath(b []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if isUnreserved(c) || c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return b
}

// normalizePath removes dot segments (RFC 3986 §5.2.4) and collapses duplicate slashes,
// keeping a trailing slash.
func normalizePath(p string) string {
	if p == "" || p == "/" {
		return "/"
	}
	trailing := strings.HasSuffix(p, "/")
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	np := "/" + strings.Join(out, "/")
	if trailing && np != "/" {
		np += "/"
	}
	return np
}

// appendCanonicalQuery appends the canonical query string of rawQuery: every key and value
// URI-encoded (space as %20), sorted by encoded key, then encoded value. The parameter named
// skip, if any, is left out.
func appendCanonicalQuery(b []byte, rawQuery, skip string) []byte {
	if rawQuery == "" {
		return b
	}
	q, _ := url.ParseQuery(rawQuery) // like url.URL.Query: malformed pairs are dropped
	type kv struct{ k, v string }
	params := make([]kv, 0, len(q))
	for k, vs := range q {
		if skip != "" && k == skip {
			continue
		}
		ek := encodeQueryComponent(k)
		for _, v := range vs {
			params = append(params, kv{ek, encodeQueryComponent(v)})
		}
	}
	slices.SortFunc(params, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

func encodeQueryComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// The headers an AWS JSON request usually carries, in canonical order (sorted by lowercased
// name). host and content-length come from the request, x-amz-date from the signer.
const (
	usualContentEncoding = iota
	usualContentLength
	usualContentType
	usualHost
	usualAmzContentSHA256
	usualAmzDate
	usualAmzSecurityToken
	usualAmzTarget
	usualAmznLogsFormat
	numUsual
)

// usualKeys are the map keys appendUsualHeaders knows, most likely first, with the id of
// the header they carry, or -1 for a header never signed or signed from the request.
var usualKeys = [...]struct {
	key string
	id  int
}{
	{"Content-Type", usualContentType},
	{"X-Amz-Target", usualAmzTarget},
	{"User-Agent", -1},
	{"Authorization", -1},
	{"X-Amz-Security-Token", usualAmzSecurityToken},
	{"Content-Encoding", usualContentEncoding},
	{"X-Amzn-Logs-Format", usualAmznLogsFormat},
	{"X-Amz-Content-Sha256", usualAmzContentSHA256},
	{"X-Amzn-Trace-Id", -1},
	{"Expect", -1},
	{"Transfer-Encoding", -1},
	{"Host", -1},
	{"Content-Length", -1},
}

var usualNames = [numUsual]string{
	"content-encoding", "content-length", "content-type", "host", "x-amz-content-sha256",
	"x-amz-date", "x-amz-security-token", "x-amz-target", "x-amzn-logs-format",
}

// appendUsualHeaders is [collectHeaders] and [appendCanonicalHeaders] for the common case
// in which every header of h to sign is one of the usual headers, with its name in canonical
// MIME form, and so needs neither lowercasing nor sorting nor merging. Otherwise it reports
// false, having appended nothing, and the general path must be taken; so it does when h
// lacks X-Amz-Date, which the signer sets before it signs.
func appendUsualHeaders(b []byte, h http.Header, host string, contentLength int64, amzDate *[16]byte) ([]byte, int, int, bool) {
	// The usual keys are looked up, most likely first, until every key of h is accounted for;
	// ranging over the map with a switch on each key measured the same.
	var vals [numUsual][]string
	present := uint16(1<<usualHost | 1<<usualAmzDate)
	if contentLength > 0 {
		present |= 1 << usualContentLength
	}
	if _, ok := h["X-Amz-Date"]; !ok { // the signer's own (its value is amzDate), set by the caller
		return b, 0, 0, false
	}
	left := len(h) - 1
	for _, u := range usualKeys {
		if left == 0 {
			break
		}
		if v, ok := h[u.key]; ok {
			left--
			if u.id >= 0 {
				vals[u.id] = v
				present |= 1 << u.id
			}
		}
	}
	if left != 0 { // another header to sign, or a usual one spelt otherwise
		return b, 0, 0, false
	}
	for set := present; set != 0; set &= set - 1 {
		id := bits.TrailingZeros16(set)
		b = append(b, usualPrefixes[id]...)
		switch id {
		case usualHost:
			b = appendStripSpaces(b, host)
		case usualContentLength:
			b = appendUint(b, uint64(contentLength))
		case usualAmzDate:
			b = append(b, amzDate[:]...)
		default:
			for i, v := range vals[id] {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendCleanValue(b, v)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	start := len(b)
	b = append(b, signedUsual(present)...)
	return b, start, len(b), true
}

// usualPrefixes are the usual headers' names followed by a colon, as their canonical lines
// begin.
var usualPrefixes = func() (p [numUsual]string) {
	for id, name := range usualNames {
		p[id] = name + ":"
	}
	return p
}()

// signedUsualLists caches the signed-header lists of appendUsualHeaders, by the set of
// headers present.
var signedUsualLists [1 << numUsual]atomic.Pointer[string]

// signedUsual returns the signed-header list of the usual headers whose bits are set in
// present.
func signedUsual(present uint16) string {
	if l := signedUsualLists[present].Load(); l != nil {
		return *l
	}
	var b []byte
	for id := range numUsual {
		if present&(1<<id) != 0 {
			if len(b) > 0 {
				b = append(b, ';')
			}
			b = append(b, usualNames[id]...)
		}
	}
	l := string(b)
	signedUsualLists[present].Store(&l)
	return l
}

// collectHeaders lists the headers to sign, sorted: host, content-length (when known) and the
// map's entries. Lowercased names not in [knownName] are written to names, which is returned
// for reuse.
func collectHeaders(hdrs []header, names []byte, h http.Header, contentLength int64) ([]header, []byte) {
	host, length := &usualHeaderNames[usualHost], &usualHeaderNames[usualContentLength]
	hdrs = append(hdrs, header{prefix: host.prefix, lower: host.lower, kind: 1})
	if contentLength > 0 {
		hdrs = append(hdrs, header{prefix: length.prefix, lower: length.lower, kind: 2})
	}
	for k, v := range h {
		if n := knownName(k); n != nil {
			kind := uint8(0)
			if n == &usualHeaderNames[usualAmzDate] {
				kind = 3
			}
			hdrs = append(hdrs, header{prefix: n.prefix, lower: n.lower, key: k, values: v, kind: kind})
			continue
		}
		if ignoredHeader(k) || equalFoldASCII(k, "content-length") || equalFoldASCII(k, "host") {
			continue
		}
		start := len(names)
		for i := 0; i < len(k); i++ {
			names = append(names, lowerASCII(k[i]))
		}
		hdrs = append(hdrs, newHeader(names[start:len(names):len(names)], k, v, 0))
	}
	if len(hdrs) > 12 {
		slices.SortFunc(hdrs, func(a, b header) int { return compareHeaders(&a, &b) })
		return hdrs, names
	}
	// Insertion sort: a request has a handful of headers, and this beats the generic sort
	// several times over.
	for i := 1; i < len(hdrs); i++ {
		for j := i; j > 0 && compareHeaders(&hdrs[j], &hdrs[j-1]) < 0; j-- {
			hdrs[j], hdrs[j-1] = hdrs[j-1], hdrs[j]
		}
	}
	return hdrs, names
}

// compareHeaders orders by lowercased name, then by the map key: a deterministic merge order
// for keys that differ only in case.
func compareHeaders(a, b *header) int {
	if a.prefix != b.prefix {
		if a.prefix < b.prefix {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(a.lower, b.lower); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// headerName is a lowercase header name with its sort prefix.
type headerName struct {
	lower  []byte
	prefix uint64
}

func newHeaderName(s string) headerName { return headerName{[]byte(s), namePrefix([]byte(s))} }

// usualHeaderNames are usualNames with their sort prefixes.
var usualHeaderNames = func() (n [numUsual]headerName) {
	for id, name := range usualNames {
		n[id] = newHeaderName(name)
	}
	return n
}()

// knownName returns the lowercase form of the usual headers' names in canonical MIME form
// (none of them ignored), without work per byte, or nil.
func knownName(k string) *headerName {
	id := -1
	switch k {
	case "Content-Type":
		id = usualContentType
	case "X-Amz-Date":
		id = usualAmzDate
	case "X-Amz-Target":
		id = usualAmzTarget
	case "X-Amz-Security-Token":
		id = usualAmzSecurityToken
	case "X-Amz-Content-Sha256":
		id = usualAmzContentSHA256
	case "Content-Encoding":
		id = usualContentEncoding
	case "X-Amzn-Logs-Format":
		id = usualAmznLogsFormat
	default:
		return nil
	}
	return &usualHeaderNames[id]
}

// appendCanonicalHeaders appends the canonical header block and the signed-header list, and
// returns the bounds of the list inside b.
func appendCanonicalHeaders(b []byte, hdrs []header, host string, contentLength int64, amzDate *[16]byte) ([]byte, int, int) {
	for i := 0; i < len(hdrs); i++ {
		h := &hdrs[i]
		b = append(b, h.lower...)
		b = append(b, ':')
		switch h.kind {
		case 1:
			b = appendStripSpaces(b, host)
		case 2:
			b = appendUint(b, uint64(contentLength))
		case 3:
			b = append(b, amzDate[:]...)
		default:
			first := true
			for {
				for _, v := range h.values {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = appendCleanValue(b, v)
				}
				if i+1 < len(hdrs) && hdrs[i+1].kind == 0 && bytes.Equal(hdrs[i+1].lower, h.lower) {
					i++
					h = &hdrs[i]
					continue
				}
				break
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	start := len(b)
	for i, h := range hdrs {
		if i > 0 && bytes.Equal(h.lower, hdrs[i-1].lower) {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h.lower...)
	}
	return b, start, len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func compareFoldASCII(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func equalFoldASCII(a, b string) bool { return len(a) == len(b) && compareFoldASCII(a, b) == 0 }

// appendStripSpaces appends s with leading and trailing ASCII spaces removed and inner runs
// of spaces collapsed (the host line is not TrimSpace'd further, as in aws-sdk-go-v2).
func appendStripSpaces(b []byte, s string) []byte {
	if strings.IndexByte(s, ' ') < 0 {
		return append(b, s...)
	}
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return appendCollapsed(b, s)
}

// appendUint appends v in decimal, two digits at a time.
func appendUint(b []byte, v uint64) []byte {
	var d [20]byte
	i := len(d)
	for v >= 100 {
		q := v / 100
		r := v - q*100
		i -= 2
		d[i], d[i+1] = digitPairs[2*r], digitPairs[2*r+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		d[i], d[i+1] = digitPairs[2*v], digitPairs[2*v+1]
	} else {
		i--
		d[i] = byte('0' + v)
	}
	return append(b, d[i:]...)
}

// appendCleanValue appends a header value trimmed of surrounding white space with inner runs
// of ASCII spaces collapsed to one.
func appendCleanValue(b []byte, v string) []byte {
	// Nothing to trim (the first and last bytes are ASCII, not white space) and no space.
	if n := len(v); n > 0 && ' ' < v[0] && v[0] < utf8.RuneSelf && ' ' < v[n-1] && v[n-1] < utf8.RuneSelf &&
		strings.IndexByte(v, ' ') < 0 {
		return append(b, v...)
	}
	return appendCollapsed(b, strings.TrimSpace(v))
}

func appendCollapsed(b []byte, s string) []byte {
	if !strings.Contains(s, "  ") {
		return append(b, s...)
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		b = append(b, c)
	}
	return b
}
