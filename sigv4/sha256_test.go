package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"math/rand/v2"
	"testing"
)

// TestSum256 compares the signer's SHA-256 with crypto/sha256 at every length up to four
// blocks, with each length's last bytes on both sides of the padding's boundaries, and at
// some longer lengths.
func TestSum256(t *testing.T) {
	if !useSHANI {
		t.Skip("no SHA extensions here, or FIPS 140-3 mode, or GODEBUG turns them off: crypto/sha256 does the hashing")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<17+3)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	lengths := []int{1000, 1024, 4095, 4096, 65536 + 55, len(buf) - 3}
	for n := 0; n <= 256; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, off := range []int{0, 1, 3} { // unaligned inputs too
			p := buf[off : off+n]
			if got, want := sum256(p), sha256.Sum256(p); got != want {
				t.Fatalf("length %d at offset %d: got %x, want %x", n, off, got, want)
			}
		}
	}
}

// TestSigningKeySign compares the HMAC of the cached pad states with crypto/hmac, on both
// paths, for messages of every length around the block boundaries.
func TestSigningKeySign(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		var k [32]byte
		for i := range k {
			k[i] = byte(rng.Uint32())
		}
		sk := newSigningKey(k, cacheKey{date: "20261128", region: "us-east-1", service: "logs"})
		for n := range 300 {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			m := hmac.New(sha256.New, k[:])
			m.Write(msg)
			want := m.Sum(nil)
			if got := sk.signStd(msg); !bytes.Equal(got[:], want) {
				t.Fatalf("crypto/sha256 path, message of %d bytes: got %x, want %x", n, got, want)
			}
			if !useSHANI {
				continue
			}
			if got := sk.signSHANI(msg); !bytes.Equal(got[:], want) {
				t.Fatalf("SHA extensions path, message of %d bytes: got %x, want %x", n, got, want)
			}
		}
	}
}

// FuzzSum256 compares the signer's SHA-256 with crypto/sha256.
func FuzzSum256(f *testing.F) {
	f.Add([]byte(""))
	f.Add(bytes.Repeat([]byte("a"), 55))
	f.Add(bytes.Repeat([]byte("b"), 64))
	f.Add(bytes.Repeat([]byte("c"), 1024))
	f.Fuzz(func(t *testing.T, p []byte) {
		if got, want := sum256(p), sha256.Sum256(p); got != want {
			t.Fatalf("%d bytes: got %x, want %x", len(p), got, want)
		}
	})
}
