package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/secrettest"
)

var (
	testCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	testTime  = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
)

func newLogsRequest(t testing.TB, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
	return r
}

func TestSignLogsRequestKnownAnswer(t *testing.T) {
	body := []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1440938160000,"message":"hi"}]}`)
	r := newLogsRequest(t, body)
	var creq string
	s := &Signer{Debug: func(c, _ string) { creq = c }}
	if err := s.SignRequest(r, body, testCreds, "logs", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	wantCreq := "POST\n/\n\ncontent-length:" + fmt.Sprint(len(body)) + "\ncontent-type:application/x-amz-json-1.1\nhost:logs.us-east-1.amazonaws.com\n" +
		"x-amz-date:20150830T123600Z\nx-amz-target:Logs_20140328.PutLogEvents\n\ncontent-length;content-type;host;x-amz-date;x-amz-target\n" + HashHex(body)
	if creq != wantCreq {
		t.Fatalf("canonical request:\n%s\nwant:\n%s", creq, wantCreq)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/logs/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=") {
		t.Fatalf("Authorization = %s", auth)
	}
	if got := r.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
		t.Fatalf("X-Amz-Date = %q", got)
	}
	// SignHTTP with the precomputed hash gives the same signature.
	r2 := newLogsRequest(t, body)
	if err := s.SignHTTP(r2, testCreds, HashHex(body), "logs", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	if r2.Header.Get("Authorization") != auth {
		t.Fatalf("SignHTTP and SignRequest differ:\n%s\n%s", r2.Header.Get("Authorization"), auth)
	}
}

func TestSignSessionTokenIsSigned(t *testing.T) {
	r := newLogsRequest(t, nil)
	c := testCreds
	c.SessionToken = "TOKEN"
	if err := NewSigner().SignRequest(r, nil, c, "logs", "eu-west-1", testTime); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("X-Amz-Security-Token") != "TOKEN" {
		t.Fatal("session token header not set")
	}
	if !strings.Contains(r.Header.Get("Authorization"), "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,") {
		t.Fatalf("token not signed: %s", r.Header.Get("Authorization"))
	}
}

func TestSignDoesNotTouchOtherHeaders(t *testing.T) {
	r := newLogsRequest(t, nil)
	r.Header.Set("User-Agent", "x")
	before := r.Header.Clone()
	if err := NewSigner().SignRequest(r, nil, testCreds, "logs", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	for k, v := range before {
		if got := r.Header[k]; strings.Join(got, ",") != strings.Join(v, ",") {
			t.Errorf("%s changed: %q -> %q", k, v, got)
		}
	}
	if strings.Contains(r.Header.Get("Authorization"), "user-agent") {
		t.Error("User-Agent must not be signed")
	}
	// Re-signing the same request replaces, never accumulates, the signer's headers.
	if err := NewSigner().SignRequest(r, nil, testCreds, "logs", "us-east-1", testTime.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(r.Header["Authorization"]) != 1 || len(r.Header["X-Amz-Date"]) != 1 {
		t.Fatalf("headers accumulated: %v", r.Header)
	}
	if strings.Contains(r.Header.Get("Authorization"), "authorization") {
		t.Fatal("Authorization signed on re-sign")
	}
}

func TestDefaultPortStripped(t *testing.T) {
	for _, tc := range []struct{ url, host string }{
		{"https://logs.us-east-1.amazonaws.com:443/", "logs.us-east-1.amazonaws.com"},
		{"http://127.0.0.1:80/", "127.0.0.1"},
		{"http://127.0.0.1:4566/", "127.0.0.1:4566"},
		{"https://[::1]:443/", "::1"},
		{"http://[::1]:8080/", "[::1]:8080"},
	} {
		r, _ := http.NewRequest("POST", tc.url, nil)
		var creq string
		s := &Signer{Debug: func(c, _ string) { creq = c }}
		if err := s.SignRequest(r, nil, testCreds, "logs", "us-east-1", testTime); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(creq, "\nhost:"+tc.host+"\n") {
			t.Errorf("%s: canonical request %q lacks host %s", tc.url, creq, tc.host)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	r := newLogsRequest(t, nil)
	if err := NewSigner().SignRequest(r, nil, Credentials{AccessKeyID: "A"}, "logs", "us-east-1", testTime); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("err = %v", err)
	}
	if err := NewSigner().SignHTTP(r, testCreds, "abc", "logs", "us-east-1", testTime); err == nil {
		t.Fatal("short payload hash accepted")
	}
}

// TestCredentialsNeverPrinted formats credentials with every fmt verb, alone, by
// pointer and nested, and encodes them with encoding/json. %d, %x and %X printed the
// struct's string fields, secrets included, before Credentials implemented
// fmt.Formatter, and json.Marshal printed them before it implemented json.Marshaler
// (a security review found %d).
func TestCredentialsNeverPrinted(t *testing.T) {
	c := Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRETKEY", SessionToken: "SESSIONTOKEN"}
	out := secrettest.Render(c, &c, struct{ C Credentials }{c}, []Credentials{c})
	if strings.Contains(out, "SECRETKEY") || strings.Contains(out, "SESSIONTOKEN") {
		t.Errorf("a secret is printed:\n%s", out)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, c); !strings.Contains(out, "AKID") {
			t.Errorf("%s hides the key id: %s", f, out)
		}
	}
}

// TestDebugNeverShowsTheSessionToken: the canonical request Debug receives had the
// x-amz-security-token line with its value (a secrets audit found it); the server's
// Verifier runs the same hook on clients' requests.
func TestDebugNeverShowsTheSessionToken(t *testing.T) {
	var got []string
	s := &Signer{Debug: func(creq, sts string) { got = append(got, creq, sts) }}
	r, _ := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", strings.NewReader("{}"))
	if err := s.SignRequest(r, []byte("{}"), Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRETKEY", SessionToken: "SESSIONTOKEN"},
		"logs", "us-east-1", time.Unix(1_700_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.Contains(got[0], "\nx-amz-security-token:<redacted>\n") {
		t.Fatalf("Debug got %q, want the token line redacted", got)
	}
	for _, s := range got {
		if strings.Contains(s, "SESSIONTOKEN") || strings.Contains(s, "SECRETKEY") {
			t.Errorf("Debug shows a secret: %s", s)
		}
	}
}

func TestSignAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	body := bytes.Repeat([]byte("x"), 1024)
	withToken := func(n int) Credentials {
		c := testCreds
		c.SessionToken = strings.Repeat("T", n)
		return c
	}
	for _, tc := range []struct {
		name    string
		creds   Credentials
		path    string
		headers int // extra headers to sign
		want    float64
	}{
		// The slices of the X-Amz-Date and Authorization values, and their bytes, in one.
		{"long-term credentials", testCreds, "/", 0, 1},
		{"a short session token", withToken(300), "/", 0, 1},
		{"an STS-sized session token", withToken(1500), "/", 0, 1},
		{"a long path", testCreds, "/" + strings.Repeat("p/", 600), 0, 1},
		// An Authorization value too long for that allocation takes a second.
		{"a long list of signed headers", testCreds, "/", 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newLogsRequest(t, body)
			r.URL.Path = tc.path
			for i := range tc.headers {
				r.Header.Set(fmt.Sprintf("X-Extra-Header-With-A-Long-Name-%02d", i), "v")
			}
			s := NewSigner()
			allocs := testing.AllocsPerRun(200, func() {
				if err := s.SignRequest(r, body, tc.creds, "logs", "us-east-1", testTime); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > tc.want {
				t.Fatalf("SignRequest allocates %.1f times per call, want %.0f", allocs, tc.want)
			}
		})
	}
}

func TestConcurrentSigningIsDeterministic(t *testing.T) {
	s := NewSigner()
	body := []byte(`{}`)
	ref := newLogsRequest(t, body)
	if err := s.SignRequest(ref, body, testCreds, "logs", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	want := ref.Header.Get("Authorization")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				region := "us-east-1"
				if (g+i)%3 == 0 {
					region = "eu-west-1"
				}
				r := newLogsRequest(t, body)
				if err := s.SignRequest(r, body, testCreds, "logs", region, testTime); err != nil {
					t.Error(err)
					return
				}
				if region == "us-east-1" && r.Header.Get("Authorization") != want {
					t.Errorf("signature differs under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDeriveKeyCacheSeparatesSecrets(t *testing.T) {
	s := NewSigner()
	a := newLogsRequest(t, nil)
	b := newLogsRequest(t, nil)
	other := testCreds
	other.SecretAccessKey = "another"
	_ = s.SignRequest(a, nil, testCreds, "logs", "us-east-1", testTime)
	_ = s.SignRequest(b, nil, other, "logs", "us-east-1", testTime)
	if a.Header.Get("Authorization") == b.Header.Get("Authorization") {
		t.Fatal("a changed secret reused the cached key")
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/": "/", "//example//": "/example/", "/example1/example2/../..": "/", "/./example": "/example",
		"/a/b/../c/": "/a/c/", "/a/./b": "/a/b", "/../a": "/a",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}
