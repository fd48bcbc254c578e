package interop

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cwlogs/cwlogs/sigv4"
)

var benchTime = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func logsRequest(b *testing.B, body []byte) *http.Request {
	r, err := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
	return r
}

var (
	benchCreds    = sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
	benchSDKCreds = aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
)

// runSign benchmarks sign on one reused PutLogEvents request carrying body; throughput is
// reported when sign hashes the body.
func runSign(b *testing.B, body []byte, hashesBody bool, sign func(*http.Request) error) {
	r := logsRequest(b, body)
	if hashesBody {
		b.SetBytes(int64(len(body)))
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := sign(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignPutLogEvents signs a PutLogEvents request, hashing its body, with cwlogs/sigv4
// and with aws-sdk-go-v2's signer (reused signer, so both use their key caches). The
// -hash-given pair passes both signers the payload hash (the SDK signer's own API), which
// isolates canonicalisation and the signature; sha256-floor is the hashing alone.
func BenchmarkSignPutLogEvents(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}} {
		body := bytes.Repeat([]byte("a"), size.n)
		b.Run(size.name+"/cwlogs", func(b *testing.B) {
			s := sigv4.NewSigner()
			runSign(b, body, true, func(r *http.Request) error {
				return s.SignRequest(r, body, benchCreds, "logs", "us-east-1", benchTime)
			})
		})
		b.Run(size.name+"/sdk", func(b *testing.B) {
			s := sdkv4.NewSigner()
			runSign(b, body, true, func(r *http.Request) error {
				h := sha256.Sum256(body)
				return s.SignHTTP(context.Background(), benchSDKCreds, r, hexString(h[:]), "logs", "us-east-1", benchTime)
			})
		})
		if size.n == 1<<10 { // the -hash-given pair does not depend on the body's size
			ph := sigv4.HashHex(body)
			b.Run(size.name+"/cwlogs-hash-given", func(b *testing.B) {
				s := sigv4.NewSigner()
				runSign(b, body, false, func(r *http.Request) error {
					return s.SignHTTP(r, benchCreds, ph, "logs", "us-east-1", benchTime)
				})
			})
			b.Run(size.name+"/sdk-hash-given", func(b *testing.B) {
				s := sdkv4.NewSigner()
				runSign(b, body, false, func(r *http.Request) error {
					return s.SignHTTP(context.Background(), benchSDKCreds, r, ph, "logs", "us-east-1", benchTime)
				})
			})
		}
		b.Run(size.name+"/sha256-floor", func(b *testing.B) {
			// The SHA-256 work every SigV4 signature of this request needs, done with the
			// standard library and nothing else: the body, the canonical request and the
			// HMAC of the string to sign, with the key's pads pre-hashed (as our signer keeps
			// them). No signer built on crypto/sha256 can be faster than this. Ours, on amd64
			// with the SHA extensions, calls their block function itself, without
			// crypto/sha256's per-message bookkeeping, and so can be (its own hashing alone:
			// BenchmarkSignRequestHashing in package sigv4).
			creq, sts, mac := signingInputs(b, body)
			var sum [32]byte
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_ = sha256.Sum256(body)
				_ = sha256.Sum256(creq)
				mac.Reset()
				mac.Write(sts)
				mac.Sum(sum[:0])
			}
		})
		if size.n == 1<<10 {
			b.Run(size.name+"/required-work", func(b *testing.B) {
				// A reference for a signer of this request built on crypto/sha256: the
				// floor's hashing, plus what happens around it — hex of three digests, one
				// pass over the header map, a copy of the canonical request and of the string
				// to sign (known here in advance: no canonicalisation at all), two
				// allocations for the header values set (our signer makes do with one) and
				// the two map writes.
				creq, sts, mac := signingInputs(b, body)
				r := logsRequest(b, body)
				buf := make([]byte, 0, 2*len(creq))
				str := make([]byte, 0, 2*len(sts))
				auth := make([]byte, 0, 512)
				var sum [32]byte
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					bh := sha256.Sum256(body)
					buf = hex.AppendEncode(buf[:0], bh[:])
					n := 0
					for k, v := range r.Header {
						n += len(k) + len(v)
					}
					buf = append(buf[:0], creq...)
					ch := sha256.Sum256(buf)
					str = append(str[:0], sts[:len(sts)-64]...)
					str = hex.AppendEncode(str, ch[:])
					mac.Reset()
					mac.Write(str)
					mac.Sum(sum[:0])
					vals := make([]string, 3)
					auth = append(auth[:0], "20261127T120000ZAWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/logs/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature="...)
					auth = hex.AppendEncode(auth, sum[:])
					both := string(auth)
					vals[0], vals[2] = both[:16], both[16:]
					r.Header["X-Amz-Date"] = vals[0:1:1]
					r.Header["Authorization"] = vals[2:3:3]
					if n == 0 {
						b.Fatal("no header")
					}
				}
			})
		}
		b.Run(size.name+"/sha256-only", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_ = sha256.Sum256(body)
			}
		})
	}
}

// signingInputs returns the canonical request and the string to sign of our signature of
// the benchmark's PutLogEvents request carrying body, and an HMAC keyed with its signing key.
func signingInputs(b *testing.B, body []byte) (creq, sts []byte, mac hash.Hash) {
	s := &sigv4.Signer{Debug: func(c, t string) { creq, sts = []byte(c), []byte(t) }}
	if err := s.SignRequest(logsRequest(b, body), body, benchCreds, "logs", "us-east-1", benchTime); err != nil {
		b.Fatal(err)
	}
	key := sigv4.DeriveKey("SECRET", benchTime.Format("20060102"), "us-east-1", "logs")
	return creq, sts, hmac.New(sha256.New, key[:])
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2], out[i*2+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
