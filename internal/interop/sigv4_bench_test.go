package interop

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
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
			creds := sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
			r := logsRequest(b, body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.SignRequest(r, body, creds, "logs", "us-east-1", benchTime); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/sdk", func(b *testing.B) {
			s := sdkv4.NewSigner()
			creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
			r := logsRequest(b, body)
			ctx := context.Background()
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				h := sha256.Sum256(body)
				if err := s.SignHTTP(ctx, creds, r, hexString(h[:]), "logs", "us-east-1", benchTime); err != nil {
					b.Fatal(err)
				}
			}
		})
		if size.n == 1<<10 { // the -hash-given pair does not depend on the body's size
			b.Run(size.name+"/cwlogs-hash-given", func(b *testing.B) {
				s := sigv4.NewSigner()
				creds := sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
				r := logsRequest(b, body)
				ph := sigv4.HashHex(body)
				b.ReportAllocs()
				for b.Loop() {
					if err := s.SignHTTP(r, creds, ph, "logs", "us-east-1", benchTime); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(size.name+"/sdk-hash-given", func(b *testing.B) {
				s := sdkv4.NewSigner()
				creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
				r := logsRequest(b, body)
				ctx := context.Background()
				ph := sigv4.HashHex(body)
				b.ReportAllocs()
				for b.Loop() {
					if err := s.SignHTTP(ctx, creds, r, ph, "logs", "us-east-1", benchTime); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(size.name+"/sha256-floor", func(b *testing.B) {
			// The SHA-256 work every SigV4 signature of this request needs, done with the
			// standard library and nothing else: the body, the canonical request and the
			// HMAC of the string to sign, with the key's pads pre-hashed (as our signer keeps
			// them). No signer built on crypto/sha256 can be faster than this.
			var creq, sts []byte
			s := &sigv4.Signer{Debug: func(c, t string) { creq, sts = []byte(c), []byte(t) }}
			if err := s.SignRequest(logsRequest(b, body), body, sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, "logs", "us-east-1", benchTime); err != nil {
				b.Fatal(err)
			}
			key := sigv4.DeriveKey("SECRET", benchTime.Format("20060102"), "us-east-1", "logs")
			mac := hmac.New(sha256.New, key[:])
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
		b.Run(size.name+"/sha256-only", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_ = sha256.Sum256(body)
			}
		})
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, len(b)*2)
	for i, c := range b {
		out[i*2], out[i*2+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
