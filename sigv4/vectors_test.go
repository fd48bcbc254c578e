package sigv4

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// suiteDir is the official SigV4 test suite, read from the shared folder beside the checkout.
const suiteDir = "../../shared/testdata/sigv4-testsuite/v4"

type vectorContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Normalize        bool   `json:"normalize"`
	Region           string `json:"region"`
	Service          string `json:"service"`
	SignBody         bool   `json:"sign_body"`
	Timestamp        string `json:"timestamp"`
	OmitSessionToken bool   `json:"omit_session_token"`
}

// parseVectorRequest turns a request.txt into an *http.Request the way the suite's harness
// requires: decoded path, unfolded headers in order, Host routed to req.Host.
func parseVectorRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	path, query, _ := strings.Cut(target, "?")
	req := &http.Request{Method: method, Header: http.Header{}, URL: &url.URL{Scheme: "https", Path: path, RawQuery: query}}
	var lastKey string
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vs := req.Header[lastKey]
			vs[len(vs)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, _ := strings.Cut(l, ":")
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "Host":
			req.Host = v
			req.URL.Host = v
			continue
		case "Content-Length":
			req.ContentLength = int64(len(body))
			continue
		}
		req.Header[ck] = append(req.Header[ck], v)
		lastKey = ck
	}
	return req, []byte(body)
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOfficialVectors(t *testing.T) {
	cases, err := os.ReadDir(suiteDir)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("SigV4 test suite missing: %v", err)
		}
		t.Skipf("SigV4 test suite not found: %v", err)
	}
	if len(cases) != 38 {
		t.Fatalf("found %d cases, want 38", len(cases))
	}
	for _, c := range cases {
		dir := filepath.Join(suiteDir, c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			var ctx vectorContext
			if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "context.json"))), &ctx); err != nil {
				t.Fatal(err)
			}
			req, body := parseVectorRequest(t, readFile(t, filepath.Join(dir, "request.txt")))
			ts, err := time.Parse(time.RFC3339, ctx.Timestamp)
			if err != nil {
				t.Fatal(err)
			}
			if ctx.SignBody {
				req.Header.Set("X-Amz-Content-Sha256", HashHex(body))
			}
			var gotCreq, gotSTS string
			s := &Signer{DisableURIPathEscaping: true, NormalizeURIPath: ctx.Normalize, DisableSessionToken: ctx.OmitSessionToken,
				Debug: func(c, sts string) { gotCreq, gotSTS = c, sts }}
			creds := Credentials{ctx.Credentials.AccessKeyID, ctx.Credentials.SecretAccessKey, ctx.Credentials.Token}
			if err := s.SignRequest(req, body, creds, ctx.Service, ctx.Region, ts); err != nil {
				t.Fatal(err)
			}
			if want := redactCanonicalToken([]byte(readFile(t, filepath.Join(dir, "header-canonical-request.txt")))); gotCreq != want { // Debug never shows the session token
				t.Errorf("canonical request:\n%s\nwant:\n%s", gotCreq, want)
			}
			if want := readFile(t, filepath.Join(dir, "header-string-to-sign.txt")); gotSTS != want {
				t.Errorf("string to sign:\n%s\nwant:\n%s", gotSTS, want)
			}
			want := readFile(t, filepath.Join(dir, "header-signature.txt"))
			if got := req.Header.Get("Authorization"); !strings.HasSuffix(got, "Signature="+want) {
				t.Errorf("Authorization = %s, want signature %s", got, want)
			}
			// The signed request must carry the headers the suite lists, with the same values.
			signed := readFile(t, filepath.Join(dir, "header-signed-request.txt"))
			for _, h := range []string{"X-Amz-Date", "Authorization", "X-Amz-Security-Token"} {
				if v := req.Header.Get(h); v != "" && !strings.Contains(signed, h+":"+v) {
					t.Errorf("signed request lacks %s:%s", h, v)
				}
			}
			// And the verifier must accept what the signer produced.
			v := &Verifier{Credentials: func(id string) (string, bool) { return creds.SecretAccessKey, id == creds.AccessKeyID },
				Now: func() time.Time { return ts }, Signer: &Signer{DisableURIPathEscaping: true, NormalizeURIPath: ctx.Normalize}}
			if _, err := v.Verify(req, body); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
