package localserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// authCase is one request the verified-mode server must refuse as AWS does:
// HTTP 400 with exactly this code and message.
type authCase struct {
	name      string
	req       func(t *testing.T) *http.Request
	code, msg string
}

// checkAuthCases sends each case to s and compares the whole answer.
func checkAuthCases(t *testing.T, s *Server, cases []authCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, tc.req(t))
			want := (&apiError{Code: tc.code, Message: tc.msg}).body()
			if r.status != http.StatusBadRequest || string(r.raw) != string(want) || r.header.Get("X-Amzn-Errortype") != tc.code {
				t.Errorf("got %d %s (X-Amzn-Errortype %q)\nwant 400 %s", r.status, r.raw, r.header.Get("X-Amzn-Errortype"), want)
			}
		})
	}
}

// describeSigned is a DescribeLogGroups request signed with the test credentials at the
// server's time; mutate changes it after signing.
func describeSigned(mutate func(r *http.Request)) func(t *testing.T) *http.Request {
	return func(t *testing.T) *http.Request {
		r := signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), testCreds, testNow)
		if mutate != nil {
			mutate(r)
		}
		return r
	}
}

func verifyingServer(t *testing.T) *Server {
	return newTestServer(t, Config{Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
}

// TestMissingAuthenticationAsAWS: AWS's JSON services answer a request that carries no
// SigV4 signature "Request is missing Authentication Token"; the server said "Missing
// Authentication Token" (API Gateway's words), and answered an Authorization header of
// another scheme IncompleteSignatureException.
func TestMissingAuthenticationAsAWS(t *testing.T) {
	const missing = "Request is missing Authentication Token"
	checkAuthCases(t, verifyingServer(t), []authCase{
		{"no Authorization", describeSigned(func(r *http.Request) { r.Header.Del("Authorization") }), codeMissingAuthentication, missing},
		{"empty Authorization", describeSigned(func(r *http.Request) { r.Header.Set("Authorization", "") }), codeMissingAuthentication, missing},
		{"Bearer token", describeSigned(func(r *http.Request) { r.Header.Set("Authorization", "Bearer eyJhbGciOi.x.y") }), codeMissingAuthentication, missing},
		{"SigV2", describeSigned(func(r *http.Request) { r.Header.Set("Authorization", "AWS AKIDEXAMPLE:c2lnbmF0dXJl") }), codeMissingAuthentication, missing},
		{"AWS4 without dash", describeSigned(func(r *http.Request) { r.Header.Set("Authorization", "AWS4") }), codeMissingAuthentication, missing},
	})
	// Without credentials configured the server still wants a SigV4 header.
	checkAuthCases(t, newTestServer(t, Config{}), []authCase{
		{"Bearer token, any-signature mode", describeSigned(func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }), codeMissingAuthentication, missing},
	})
}

// setAuth replaces the Authorization header of a signed request; the X-Amz-Date set by the
// signer stays.
func setAuth(v string) func(t *testing.T) *http.Request {
	return describeSigned(func(r *http.Request) { r.Header.Set("Authorization", v) })
}

// TestIncompleteSignatureAsAWS: a malformed Authorization header is answered with AWS's
// IncompleteSignatureException messages, in AWS's order of checks (DynamoDB answers
// recorded by dynalite, and "not a valid key=value pair" answers of STS, CloudFormation,
// Cloud9 and DynamoDB quoted in client issues). The server answered messages of its own,
// split components on commas only (AWS also on spaces: "Credential= AKID/…" is two
// components), checked the algorithm and credential before the date, and did not say
// which of the components and the date were missing.
func TestIncompleteSignatureAsAWS(t *testing.T) {
	const (
		cred      = "AKIDEXAMPLE/20250601/us-east-1/logs/aws4_request"
		sig       = "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		reqCred   = "Authorization header requires 'Credential' parameter."
		reqSig    = "Authorization header requires 'Signature' parameter."
		reqSigned = "Authorization header requires 'SignedHeaders' parameter."
		reqDate   = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	)
	noDate := func(v string) func(t *testing.T) *http.Request {
		return describeSigned(func(r *http.Request) { r.Header.Set("Authorization", v); r.Header.Del("X-Amz-Date") })
	}
	withDate := func(date, v string) func(t *testing.T) *http.Request {
		return describeSigned(func(r *http.Request) { r.Header.Set("Authorization", v); r.Header.Set("X-Amz-Date", date) })
	}
	checkAuthCases(t, verifyingServer(t), []authCase{
		{"algorithm only, no date", noDate("AWS4-"), sigv4.CodeIncompleteSignature,
			reqCred + " " + reqSig + " " + reqSigned + " " + reqDate + " Authorization=AWS4-"},
		{"algorithm only", setAuth("AWS4-HMAC-SHA256"), sigv4.CodeIncompleteSignature,
			reqCred + " " + reqSig + " " + reqSigned + " Authorization=AWS4-HMAC-SHA256"},
		{"components separated by spaces", setAuth("AWS4- Signature=b Credential=a"), sigv4.CodeIncompleteSignature,
			reqSigned + " Authorization=AWS4- Signature=b Credential=a"},
		{"components separated by a comma", setAuth("AWS4- Signature=b,Credential=a"), sigv4.CodeIncompleteSignature,
			reqSigned + " Authorization=AWS4- Signature=b,Credential=a"},
		{"date only missing", noDate("AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host, " + sig), sigv4.CodeIncompleteSignature,
			reqDate + " Authorization=AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host, " + sig},
		{"space after Credential=", setAuth("AWS4-HMAC-SHA256 Credential= " + cred + ", SignedHeaders=host, " + sig), sigv4.CodeIncompleteSignature,
			"'" + cred + "' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= " + cred + ", SignedHeaders=host, " + sig + "'."},
		{"component without =", setAuth("AWS4-HMAC-SHA256 " + sig + ",    Credential,    SignedHeaders"), sigv4.CodeIncompleteSignature,
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 " + sig + ",    Credential,    SignedHeaders'."},
		{"X-Amz-Date not ISO 8601 basic", withDate("201", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host, "+sig), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"X-Amz-Date as an HTTP date", withDate("Sun, 01 Jun 2025 12:00:00 GMT", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host, "+sig), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got 'Sun, 01 Jun 2025 12:00:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"unsupported algorithm", setAuth("AWS4-HMAC-SHA25 Credential=" + cred + ", SignedHeaders=host, " + sig), sigv4.CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now)."},
		{"credential of four elements", setAuth("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, " + sig), sigv4.CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
		// AWS judges the time before the algorithm and the credential.
		{"expired and malformed", withDate("20250601T115000Z", "AWS4-HMAC-SHA1 Credential=a/b, SignedHeaders=host, "+sig), sigv4.CodeInvalidSignature,
			"Signature expired: 20250601T115000Z is now earlier than 20250601T115500Z (20250601T120000Z - 5 min.)"},
	})
}

// TestInvalidSignatureAsAWS: refusals AWS answers InvalidSignatureException, with its
// messages: host not among the signed headers (the server said IncompleteSignature "'Host'
// must be a signed header."), every fault of the credential scope in one message (the
// server named the first only, in its own words for the date, and refused an unknown
// terminator as IncompleteSignature), and a signature that is not 64 lowercase hex digits,
// which AWS compares and finds different (the server: IncompleteSignature). An empty access
// key ID is an unknown key, with or without configured credentials.
func TestInvalidSignatureAsAWS(t *testing.T) {
	const sig = "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	replace := func(old, new string) func(t *testing.T) *http.Request {
		return describeSigned(func(r *http.Request) {
			a := r.Header.Get("Authorization")
			if !strings.Contains(a, old) {
				t.Fatalf("%q not in %q", old, a)
			}
			r.Header.Set("Authorization", strings.Replace(a, old, new, 1))
		})
	}
	signature := func(r *http.Request) string {
		_, s, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
		return s
	}
	hostMsg := "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	mismatch := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	cases := []authCase{
		{"host not signed", replace(";host;", ";"), sigv4.CodeInvalidSignature, hostMsg},
		{"no signed headers", setAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250601/us-east-1/logs/aws4_request, SignedHeaders=, " + sig), sigv4.CodeInvalidSignature, hostMsg},
		{"scope date", replace("/20250601/", "/20250602/"), sigv4.CodeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20250602' != '20250601', from '20250601T120000Z'."},
		{"terminator", replace("/aws4_request", "/aws5_request"), sigv4.CodeInvalidSignature,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{"every scope element", setAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/b/C/d/e, SignedHeaders=host, " + sig), sigv4.CodeInvalidSignature,
			"Credential should be scoped to a valid region, not 'C'. Credential should be scoped to correct service: 'logs'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20250601', from '20250601T120000Z'."},
		{"signature in upper case", describeSigned(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), signature(r), strings.ToUpper(signature(r)), 1))
		}), sigv4.CodeInvalidSignature, mismatch},
		{"signature truncated", describeSigned(func(r *http.Request) {
			r.Header.Set("Authorization", strings.TrimSuffix(r.Header.Get("Authorization"), signature(r)[60:]))
		}), sigv4.CodeInvalidSignature, mismatch},
		{"empty access key ID", replace("Credential=AKIDEXAMPLE/", "Credential=/"), sigv4.CodeUnrecognizedClient,
			"The security token included in the request is invalid."},
	}
	checkAuthCases(t, verifyingServer(t), cases)
	// Without configured credentials the form is checked all the same (the signature
	// cannot be, and "host not signed" is refused before it).
	checkAuthCases(t, newTestServer(t, Config{}), []authCase{cases[0], cases[2], cases[4], cases[5], cases[7]})
}

// TestContentSHA256MustMatchBody: a request carrying X-Amz-Content-Sha256 (botocore and
// aws-c-auth sign its value as the payload hash) is served only when the header is the
// body's hash. The server accepted a header naming another body, signed or not, when the
// signature was over the body received.
func TestContentSHA256MustMatchBody(t *testing.T) {
	body := []byte(`{"logGroupNamePrefix":"a"}`)
	other := sigv4.HashHex([]byte(`{"logGroupNamePrefix":"b"}`))
	build := func(header string, signHeader bool) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, "http://logs.local/", strings.NewReader(string(body)))
			r.Header.Set("Content-Type", contentTypeJSON)
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
			if signHeader {
				r.Header.Set("X-Amz-Content-Sha256", header)
			}
			if err := testSigner.SignHTTP(r, testCreds, sigv4.HashHex(body), "logs", "us-east-1", testNow); err != nil {
				t.Fatal(err)
			}
			if !signHeader {
				r.Header.Set("X-Amz-Content-Sha256", header)
			}
			return r
		}
	}
	s := verifyingServer(t)
	for _, tc := range []struct {
		name   string
		header string
		signed bool
	}{
		{"signed, the body's hash", sigv4.HashHex(body), true},
		{"signed, in upper case", strings.ToUpper(sigv4.HashHex(body)), true},
		{"unsigned, the body's hash", sigv4.HashHex(body), false},
	} {
		if r := do(t, s, build(tc.header, tc.signed)(t)); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	const msg = "The provided 'x-amz-content-sha256' header does not match what was computed."
	checkAuthCases(t, s, []authCase{
		{"signed, another body's hash", build(other, true), sigv4.CodeInvalidSignature, msg},
		{"unsigned, another body's hash", build(other, false), sigv4.CodeInvalidSignature, msg},
		{"UNSIGNED-PAYLOAD", build("UNSIGNED-PAYLOAD", true), sigv4.CodeInvalidSignature, msg},
	})
}

// presigned builds a DescribeLogGroups request whose signature is in the query string,
// computed here from the SigV4 specification: content-type, host and x-amz-target
// signed, the body's hash as the payload hash.
func presigned(t *testing.T, body []byte, creds sigv4.Credentials, at time.Time) *http.Request {
	t.Helper()
	date := at.UTC().Format("20060102")
	scope := date + "/us-east-1/logs/aws4_request"
	q := url.Values{
		"X-Amz-Algorithm":     {"AWS4-HMAC-SHA256"},
		"X-Amz-Credential":    {creds.AccessKeyID + "/" + scope},
		"X-Amz-Date":          {at.UTC().Format(sigv4.TimeFormat)},
		"X-Amz-Expires":       {"60"},
		"X-Amz-SignedHeaders": {"content-type;host;x-amz-target"},
	}
	if creds.SessionToken != "" {
		q.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	query := strings.ReplaceAll(q.Encode(), "+", "%20") // sorted by key, as the canonical query
	creq := "POST\n/\n" + query + "\ncontent-type:" + contentTypeJSON + "\nhost:logs.local\nx-amz-target:" + targetPrefix +
		"DescribeLogGroups\n\ncontent-type;host;x-amz-target\n" + sigv4.HashHex(body)
	sts := "AWS4-HMAC-SHA256\n" + at.UTC().Format(sigv4.TimeFormat) + "\n" + scope + "\n" + sigv4.HashHex([]byte(creq))
	key := sigv4.DeriveKey(creds.SecretAccessKey, date, "us-east-1", "logs")
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte(sts))
	r, err := http.NewRequest(http.MethodPost, "http://logs.local/?"+query+"&X-Amz-Signature="+hex.EncodeToString(mac.Sum(nil)), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", contentTypeJSON)
	r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
	return r
}

// TestPresignedRequests: a request signed in its query string (as AWS's JSON services
// accept, and aws-sdk-go-v2's PresignHTTP or botocore's SigV4QueryAuth produce) is
// verified like one signed in its Authorization header. The server answered every such
// request MissingAuthenticationTokenException, even a valid one. Malformed ones are
// answered as DynamoDB answers them (recorded by dynalite's tests).
func TestPresignedRequests(t *testing.T) {
	body := []byte("{}")
	s := newTestServer(t, Config{Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey, "ASIATEMP": "temp-secret"}})
	for name, r := range map[string]*http.Request{
		"long-term key":          presigned(t, body, testCreds, testNow),
		"temporary key":          presigned(t, body, sigv4.Credentials{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "tok/en+=="}, testNow),
		"X-Amz-Expires not read": presigned(t, body, testCreds, testNow.Add(-4*time.Minute)),
	} {
		if res := do(t, s, r); res.status != http.StatusOK {
			t.Errorf("%s: %d %s", name, res.status, res.raw)
		}
	}
	query := func(q string, authz string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "http://logs.local/?"+q, strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
			if authz != "" {
				r.Header.Set("Authorization", authz)
			}
			return r
		}
	}
	mutate := func(f func(r *http.Request)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { r := presigned(t, body, testCreds, testNow); f(r); return r }
	}
	must := func(p string) string { return "AWS query-string parameters must include '" + p + "'. " }
	mismatch := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	checkAuthCases(t, s, []authCase{
		{"both kinds", query("X-Amz-Algorithm", "X"), sigv4.CodeInvalidSignature,
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{"empty X-Amz-Algorithm", query("X-Amz-Algorithm", ""), sigv4.CodeIncompleteSignature,
			must("X-Amz-Algorithm") + must("X-Amz-Credential") + must("X-Amz-Signature") + must("X-Amz-SignedHeaders") + must("X-Amz-Date") + "Re-examine the query-string parameters."},
		{"no X-Amz-SignedHeaders", query("X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", ""), sigv4.CodeIncompleteSignature,
			must("X-Amz-SignedHeaders") + "Re-examine the query-string parameters."},
		{"no X-Amz-Algorithm", query("X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", ""), codeMissingAuthentication,
			"Request is missing Authentication Token"},
		{"misspelt X-Amz-Algorithm", query("X-Amz-Algorith", "X"), codeMissingAuthentication, "Request is missing Authentication Token"},
		{"tampered body", mutate(func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"limit":1}`)) }), sigv4.CodeInvalidSignature, mismatch},
		{"tampered target", mutate(func(r *http.Request) { r.Header.Set("X-Amz-Target", targetPrefix+"DeleteLogGroup") }), sigv4.CodeInvalidSignature, mismatch},
		{"parameter added", mutate(func(r *http.Request) { r.URL.RawQuery += "&x=1" }), sigv4.CodeInvalidSignature, mismatch},
		{"expired", func(t *testing.T) *http.Request { return presigned(t, body, testCreds, testNow.Add(-6*time.Minute)) }, sigv4.CodeInvalidSignature,
			"Signature expired: 20250601T115400Z is now earlier than 20250601T115500Z (20250601T120000Z - 5 min.)"},
		{"unknown key", func(t *testing.T) *http.Request {
			return presigned(t, body, sigv4.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "x"}, testNow)
		},
			sigv4.CodeUnrecognizedClient, "The security token included in the request is invalid."},
	})
}

// TestTemporaryCredentials: clients with temporary credentials (an ASIA… key and a session
// token, as from STS, SSO or an instance role) are served when their key is configured,
// whether they sign X-Amz-Security-Token (every SDK) or add it after signing (the
// post-sts-header-after test vector; some AWS services accept that), and the token is in
// neither answers nor the server's log, at any level, for served or refused requests.
func TestTemporaryCredentials(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+=="
	temp := sigv4.Credentials{AccessKeyID: "ASIATEMPEXAMPLE", SecretAccessKey: "temp-secret", SessionToken: token}
	var logs bytes.Buffer
	s := newTestServer(t, Config{
		Credentials: map[string]string{temp.AccessKeyID: temp.SecretAccessKey},
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	sign := func(c sigv4.Credentials, body string, tokenAfter bool) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://logs.local/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentTypeJSON)
		r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
		sc := c
		if tokenAfter {
			sc.SessionToken = ""
		}
		if err := testSigner.SignHTTP(r, sc, sigv4.HashHex([]byte(body)), "logs", "us-east-1", testNow); err != nil {
			t.Fatal(err)
		}
		if tokenAfter {
			r.Header.Set("X-Amz-Security-Token", c.SessionToken)
		}
		return r
	}
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
	}{
		{"token signed", sign(temp, "{}", false), 200},
		{"token added after signing", sign(temp, "{}", true), 200},
		{"presigned with a token", presigned(t, []byte("{}"), temp, testNow), 200},
		{"wrong secret", sign(sigv4.Credentials{AccessKeyID: temp.AccessKeyID, SecretAccessKey: "x", SessionToken: token}, "{}", false), 400},
		{"unknown key", sign(sigv4.Credentials{AccessKeyID: "ASIAOTHER", SecretAccessKey: "x", SessionToken: token}, "{}", false), 400},
		{"malformed header", func() *http.Request {
			r := sign(temp, "{}", false)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Credential=", "Credential= ", 1))
			return r
		}(), 400},
		{"bad body", sign(temp, "{", false), 400},
	} {
		r := do(t, s, tc.r)
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.raw, tc.status)
		}
		if strings.Contains(string(r.raw), token) || strings.Contains(fmt.Sprint(r.header), token) {
			t.Errorf("%s: the token is in the answer: %s", tc.name, r.raw)
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing logged; the check below would prove nothing")
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), temp.SecretAccessKey) {
		t.Errorf("a secret is in the log:\n%s", logs.String())
	}
}
