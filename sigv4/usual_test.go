package sigv4

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

// TestUsualHeadersMatchGeneralPath: for header maps made only of the usual keys (signed or
// never signed) with odd values, the fast path is taken and writes exactly what the general
// path writes; one other key, or a usual one spelt otherwise, sends it to the general path.
func TestUsualHeadersMatchGeneralPath(t *testing.T) {
	keys := []string{"Content-Type", "X-Amz-Target", "Content-Encoding", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
		"X-Amzn-Logs-Format", "User-Agent", "Authorization", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "Host", "Content-Length"}
	others := []string{"content-type", "X-Amz-Date-Extra", "Accept", "X-Amz-Meta-A", "A", "CONTENT-ENCODING", "host", "x-amz-date"}
	values := []string{"application/x-amz-json-1.1", "  lead", "trail  ", "in   ner", "\ttab\t", "a  b   c", "", "x,y",
		"ünï  côdé", " \t mixed \t  ", "\u00a0nbsp\u00a0", "end\u0085", "\x7f", "é"}
	hosts := []string{"logs.us-east-1.amazonaws.com", " spaced  host ", "127.0.0.1:4566", "h\u00a0"}
	var amzDate [16]byte
	formatAmzDate(&amzDate, testTime)
	rng := rand.New(rand.NewPCG(3, 4))
	fast := 0
	for i := range 20000 {
		h := http.Header{"X-Amz-Date": {"ignored: the signer writes amzDate"}}
		for range rng.IntN(len(keys) + 1) {
			k := keys[rng.IntN(len(keys))]
			switch n := rng.IntN(4); n {
			case 0:
				h[k] = nil
			default:
				for range n {
					h[k] = append(h[k], values[rng.IntN(len(values))])
				}
			}
		}
		other := i%4 == 0
		if other {
			h[others[rng.IntN(len(others))]] = []string{values[rng.IntN(len(values))]}
		}
		host := hosts[rng.IntN(len(hosts))]
		contentLength := []int64{0, 1, 1024, -1}[rng.IntN(4)]

		got, gotStart, gotEnd, ok := appendUsualHeaders([]byte("prefix\n"), h, host, contentLength, &amzDate)
		if ok == other {
			t.Fatalf("headers %q: fast path taken = %v", h, ok)
		}
		if !ok {
			if string(got) != "prefix\n" {
				t.Fatalf("headers %q: the fast path refused but appended %q", h, got)
			}
			continue
		}
		fast++
		hdrs, _ := collectHeaders(nil, nil, h, contentLength)
		want, wantStart, wantEnd := appendCanonicalHeaders([]byte("prefix\n"), hdrs, host, contentLength, &amzDate)
		if !bytes.Equal(got, want) || gotStart != wantStart || gotEnd != wantEnd {
			t.Fatalf("headers %q, host %q, content length %d:\nfast path %q (signed %d:%d)\ngeneral   %q (signed %d:%d)",
				h, host, contentLength, got, gotStart, gotEnd, want, wantStart, wantEnd)
		}
	}
	if fast < 10000 {
		t.Fatalf("only %d maps took the fast path", fast)
	}
}

// TestSigningKeyAcrossDays: one signer signing across midnight, back and forth, and after
// the verifier's use of its key cache, signs as a new signer does each time.
func TestSigningKeyAcrossDays(t *testing.T) {
	body := []byte(`{}`)
	midnight := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	times := []time.Time{midnight.Add(-time.Second), midnight, midnight.Add(-time.Second), midnight.Add(36 * time.Hour), midnight}
	s := NewSigner()
	for i, at := range times {
		if i == 3 { // the verifier keys its lookups by the date string
			s.keyCache().get(testCreds.AccessKeyID, testCreds.SecretAccessKey, at.Format("20060102"), "us-east-1", "logs")
		}
		r, fresh := newLogsRequest(t, body), newLogsRequest(t, body)
		if err := s.SignRequest(r, body, testCreds, "logs", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		if err := NewSigner().SignRequest(fresh, body, testCreds, "logs", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		if got, want := r.Header.Get("Authorization"), fresh.Header.Get("Authorization"); got != want {
			t.Fatalf("at %v: %s, a new signer %s", at, got, want)
		}
		if got, want := r.Header.Get("X-Amz-Date"), at.UTC().Format(TimeFormat); got != want {
			t.Fatalf("at %v: X-Amz-Date %s, want %s", at, got, want)
		}
	}
}
