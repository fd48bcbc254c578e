package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"math/rand/v2"
	"strings"
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
	buf := randomBytes(rng, 1<<17+3)
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

// TestHashPair compares two hashes run interleaved with crypto/sha256, for lengths on both
// sides of each other and of the block boundaries.
func TestHashPair(t *testing.T) {
	if !useSHANI {
		t.Skip("no SHA extensions here, or FIPS 140-3 mode, or GODEBUG turns them off")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	buf := randomBytes(rng, 1<<17+200)
	lengths := []int{0, 1, 63, 64, 65, 127, 128, 191, 192, 300, 1024, 1<<16 + 64, 1<<17 + 100}
	for _, na := range lengths {
		for _, nb := range lengths {
			pa, pb := buf[:na], buf[37:37+nb]
			a, b := sha256IV, sha256IV
			n := hashPair(&a, pa, &b, pb)
			if want := min(na, nb) &^ 63; n != want {
				t.Fatalf("lengths %d and %d: hashed %d bytes of each, want %d", na, nb, n, want)
			}
			if got, want := a.finish(pa[n:], n), sha256.Sum256(pa); got != want {
				t.Fatalf("lengths %d and %d: the first is %x, want %x", na, nb, got, want)
			}
			if got, want := b.finish(pb[n:], n), sha256.Sum256(pb); got != want {
				t.Fatalf("lengths %d and %d: the second is %x, want %x", na, nb, got, want)
			}
		}
	}
}

// TestBlockSHANIx2 compares the two-stream block function with the one-stream one, from
// random states, on slices of unequal lengths (it hashes as many blocks as the shorter has)
// at any offset.
func TestBlockSHANIx2(t *testing.T) {
	if !useSHANI {
		t.Skip("no SHA extensions here, or FIPS 140-3 mode, or GODEBUG turns them off")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	buf := randomBytes(rng, 4096+64)
	for range 2000 {
		var a, b shaState
		for i := range a {
			a[i], b[i] = rng.Uint32(), rng.Uint32()
		}
		offA, offB := rng.IntN(64), rng.IntN(64)
		pa, pb := buf[offA:offA+rng.IntN(1024)], buf[offB:offB+rng.IntN(1024)]
		n := min(len(pa), len(pb)) &^ 63
		wantA, wantB := a, b
		blockSHANI(&wantA, pa[:n])
		blockSHANI(&wantB, pb[:n])
		blockSHANIx2(&a, pa, &b, pb)
		if a != wantA || b != wantB {
			t.Fatalf("lengths %d and %d: got %x and %x, want %x and %x", len(pa), len(pb), a, b, wantA, wantB)
		}
	}
}

// TestSignRequestHashesAhead compares SignRequest, which on the SHA extensions begins the
// canonical request's and the string to sign's hashes while it hashes the body, with SignHTTP
// given the body's hash, at body lengths around the block boundaries and the canonical
// request's length, and with scopes on both sides of filling the string to sign's first block.
func TestSignRequestHashesAhead(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16+5)
	lengths := []int{0, 1, 63, 64, 65, 127, 128, 191, 192, 193, 255, 256, 257, 300, 319, 320, 383, 384, 1024, 4096, len(big)}
	// Scopes of 25 to 36 bytes: the string to sign's first block is begun ahead from 30 on.
	scopes := []struct{ region, service string }{{"us-east-1", "logs"}, {"ap-southeast-2", "a-service-with-a-long-name"}}
	for n := 1; n <= 12; n++ {
		scopes = append(scopes, struct{ region, service string }{strings.Repeat("r", n), "s"})
	}
	for _, scope := range scopes {
		for _, n := range lengths {
			body := big[:n]
			for _, token := range []string{"", strings.Repeat("T", 700)} {
				creds := testCreds
				creds.SessionToken = token
				want := newLogsRequest(t, body)
				if err := NewSigner().SignHTTP(want, creds, HashHex(body), scope.service, scope.region, testTime); err != nil {
					t.Fatal(err)
				}
				got := newLogsRequest(t, body)
				if err := NewSigner().SignRequest(got, body, creds, scope.service, scope.region, testTime); err != nil {
					t.Fatal(err)
				}
				if g, w := got.Header.Get("Authorization"), want.Header.Get("Authorization"); g != w {
					t.Fatalf("%s/%s, body of %d bytes, token of %d: SignRequest gave\n%s\nSignHTTP\n%s", scope.region, scope.service, n, len(token), g, w)
				}
			}
		}
	}
}

// randomBytes returns n bytes drawn from rng.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
