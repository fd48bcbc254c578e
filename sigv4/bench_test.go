package sigv4

import (
	"bytes"
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
