package sigv4

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"
)

func BenchmarkSignRequest(b *testing.B) {
	for _, n := range []int{0, 1 << 10} {
		body := bytes.Repeat([]byte("a"), n)
		b.Run(map[int]string{0: "empty", 1 << 10: "1KiB"}[n], func(b *testing.B) {
			r := newLogsRequest(b, body)
			s := NewSigner()
			b.ReportAllocs()
			for b.Loop() {
				_ = s.SignRequest(r, body, testCreds, "logs", "us-east-1", testTime)
			}
		})
	}
}

// BenchmarkVerify measures server-side verification of a signed request: the header
// checks alone (what a receiver pays before reading a body), and the whole of Verify.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	r := newLogsRequest(b, body)
	if err := NewSigner().SignRequest(r, body, testCreds, "logs", "us-east-1", testTime); err != nil {
		b.Fatal(err)
	}
	r.Host = r.URL.Host
	v := &Verifier{
		Credentials: func(string) (string, bool) { return testCreds.SecretAccessKey, true },
		Now:         func() time.Time { return testTime }, RequireSigned: []string{"x-amz-target"},
	}
	b.Run("CheckHeaders", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.CheckHeaders(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(r, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What a receiver that checks the headers before reading the body does: the two
	// steps, the headers checked once.
	b.Run("CheckHeaders+VerifyBody", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := v.CheckHeaders(r)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := v.VerifyBody(r, c, body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSignRequestHashing is the hashing of BenchmarkSignRequest/1KiB done one message
// after another with the signer's own SHA-256 (where it uses the SHA extensions): the body,
// the canonical request and the HMAC of the string to sign. SignRequest itself runs four of
// these blocks interleaved with the body's, and so takes less time for them.
func BenchmarkSignRequestHashing(b *testing.B) {
	body := bytes.Repeat([]byte("a"), 1<<10)
	s := &Signer{}
	var creq, sts []byte
	s.Debug = func(c, t string) { creq, sts = []byte(c), []byte(t) }
	if err := s.SignRequest(newLogsRequest(b, body), body, testCreds, "logs", "us-east-1", testTime); err != nil {
		b.Fatal(err)
	}
	day, _ := splitUnix(testTime.Unix())
	key, _ := s.keyCache().forDay(testCreds.AccessKeyID, testCreds.SecretAccessKey, day, "us-east-1", "logs")
	b.ReportAllocs()
	for b.Loop() {
		_ = sum256(body)
		_ = sum256(creq)
		_ = key.sign(sts)
	}
}

// BenchmarkSHA256 compares the signer's own SHA-256 (the SHA extensions' block function) with
// crypto/sha256 on the short messages of a signature, and two interleaved streams with one:
// "std" and "own" hash 32 bytes; "hmac-std" and "hmac-own" are the HMAC of a 135-byte string
// to sign from the cached pad states; "blocks-1" is 16 blocks, "blocks-2" 16 blocks of each of
// two streams at once.
func BenchmarkSHA256(b *testing.B) {
	if !useSHANI {
		b.Skip("no SHA extensions here, or FIPS 140-3 mode, or GODEBUG turns them off")
	}
	msg := bytes.Repeat([]byte("s"), 1024)
	var k [32]byte
	key := newSigningKey(k, cacheKey{date: "20261128", region: "us-east-1", service: "logs"})
	b.Run("std", func(b *testing.B) {
		for b.Loop() {
			_ = sha256.Sum256(msg[:32])
		}
	})
	b.Run("own", func(b *testing.B) {
		for b.Loop() {
			_ = sum256(msg[:32])
		}
	})
	b.Run("hmac-std", func(b *testing.B) {
		for b.Loop() {
			_ = key.signStd(msg[:135])
		}
	})
	b.Run("hmac-own", func(b *testing.B) {
		for b.Loop() {
			_ = key.signSHANI(msg[:135])
		}
	})
	b.Run("blocks-1", func(b *testing.B) {
		for b.Loop() {
			st := sha256IV
			blockSHANI(&st, msg)
		}
	})
	b.Run("blocks-2", func(b *testing.B) {
		for b.Loop() {
			a, c := sha256IV, sha256IV
			hashPair(&a, msg, &c, msg)
		}
	})
}
