package localserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// handSigned builds a request signed by hand from the SigV4 specification, so that a test
// chooses exactly which headers are signed, and adds headers after signing: what an
// attacker who saw a signed request, or a client with its own signer, sends.
type handSigned struct {
	op        string            // X-Amz-Target operation, signed; "" for none
	signed    map[string]string // further headers, signed (canonical names)
	unsigned  map[string]string // headers added after signing (canonical names)
	query     url.Values        // query parameters, signed
	rawQuery  string            // appended to the query after signing
	presign   bool              // signature in the query string instead of Authorization
	body      []byte
	accessKey string // "" for testCreds
	secret    string // used when accessKey is set
}

func (h handSigned) request(t *testing.T, at time.Time) *http.Request {
	t.Helper()
	akid, secret := testCreds.AccessKeyID, testCreds.SecretAccessKey
	if h.accessKey != "" {
		akid, secret = h.accessKey, h.secret
	}
	amz := at.UTC().Format(sigv4.TimeFormat)
	scope := amz[:8] + "/us-east-1/logs/aws4_request"
	hdr := map[string]string{"Content-Type": contentTypeJSON}
	if h.op != "" {
		hdr["X-Amz-Target"] = targetPrefix + h.op
	}
	if !h.presign {
		hdr["X-Amz-Date"] = amz
	}
	for k, v := range h.signed {
		hdr[k] = v
	}
	names := []string{"host"}
	for k := range hdr {
		names = append(names, strings.ToLower(k))
	}
	slices.Sort(names)
	signedList := strings.Join(names, ";")
	q := url.Values{}
	for k, v := range h.query {
		q[k] = v
	}
	if h.presign {
		q.Set("X-Amz-Algorithm", sigv4.Algorithm)
		q.Set("X-Amz-Credential", akid+"/"+scope)
		q.Set("X-Amz-Date", amz)
		q.Set("X-Amz-SignedHeaders", signedList)
	}
	query := strings.ReplaceAll(q.Encode(), "+", "%20")
	var creq strings.Builder
	creq.WriteString("POST\n/\n" + query + "\n")
	for _, n := range names {
		v := "logs.local"
		if n != "host" {
			v = hdr[http.CanonicalHeaderKey(n)]
		}
		creq.WriteString(n + ":" + v + "\n")
	}
	creq.WriteString("\n" + signedList + "\n" + sigv4.HashHex(h.body))
	sts := sigv4.Algorithm + "\n" + amz + "\n" + scope + "\n" + sigv4.HashHex([]byte(creq.String()))
	key := sigv4.DeriveKey(secret, amz[:8], "us-east-1", "logs")
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte(sts))
	sig := hex.EncodeToString(mac.Sum(nil))
	if h.presign {
		if query != "" {
			query += "&"
		}
		query += "X-Amz-Signature=" + sig
	}
	if h.rawQuery != "" {
		if query != "" {
			query += "&"
		}
		query += h.rawQuery
	}
	u := "http://logs.local/"
	if query != "" {
		u += "?" + query
	}
	r, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(h.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	if !h.presign {
		r.Header.Set("Authorization", sigv4.Algorithm+" Credential="+akid+"/"+scope+", SignedHeaders="+signedList+", Signature="+sig)
	}
	for k, v := range h.unsigned {
		r.Header.Set(k, v)
	}
	return r
}

// TestUnsignedTargetRefused: X-Amz-Target chooses the operation, so a request must sign it
// (every AWS SDK and the AWS CLI do). The server ran whatever operation an unsigned
// X-Amz-Target named: anyone who saw a signed request (a CreateLogGroup, say) could send
// it again within the 5-minute window as DeleteLogGroup, or name any operation on a
// presigned URL whose X-Amz-Target the SDK had hoisted into the (signed) query string.
func TestUnsignedTargetRefused(t *testing.T) {
	const msg = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
	body := []byte(`{"logGroupName":"victim"}`)
	for _, tc := range []struct {
		name   string
		req    handSigned
		status int
		code   string
	}{
		{"target signed", handSigned{op: "DescribeLogGroups", body: []byte("{}")}, 200, ""},
		{"target signed, presigned", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}")}, 200, ""},
		{"target added after signing", handSigned{unsigned: map[string]string{"X-Amz-Target": targetPrefix + "DeleteLogGroup"}, body: body},
			400, sigv4.CodeInvalidSignature},
		{"target empty and unsigned", handSigned{unsigned: map[string]string{"X-Amz-Target": ""}, body: body},
			400, sigv4.CodeInvalidSignature},
		{"presigned, target added after signing", handSigned{presign: true, unsigned: map[string]string{"X-Amz-Target": targetPrefix + "DeleteLogGroup"}, body: body},
			400, sigv4.CodeInvalidSignature},
		{"presigned, target hoisted into the query and another in a header", handSigned{presign: true,
			query:    url.Values{"X-Amz-Target": {targetPrefix + "CreateLogGroup"}},
			unsigned: map[string]string{"X-Amz-Target": targetPrefix + "DeleteLogGroup"}, body: body},
			400, sigv4.CodeInvalidSignature},
		// Without the header the operation is unknown, as before.
		{"no target", handSigned{body: body}, 400, codeUnknownOperation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := verifyingServer(t)
			mustOK(t, s, "CreateLogGroup", m{"logGroupName": "victim"})
			r := do(t, s, tc.req.request(t, testNow))
			if r.status != tc.status || r.errType() != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.raw, tc.status, tc.code)
			}
			if tc.code == sigv4.CodeInvalidSignature && r.message() != msg {
				t.Errorf("message %q, want %q", r.message(), msg)
			}
			d := mustOK(t, s, "DescribeLogGroups", m{"logGroupNamePrefix": "victim"})
			if n := len(list(d.body["logGroups"])); n != 1 {
				t.Errorf("the log group is gone")
			}
		})
	}
	// Without configured credentials nothing is verified, and the target need not be signed.
	s := newTestServer(t, Config{})
	r := do(t, s, handSigned{unsigned: map[string]string{"X-Amz-Target": targetPrefix + "DescribeLogGroups"}, body: []byte("{}")}.request(t, testNow))
	if r.status != 200 {
		t.Errorf("any-signature mode, unsigned target: %d %s", r.status, r.raw)
	}
}

// TestEmptySecretRefused: a configured access key with an empty secret (say, from an unset
// environment variable) let anyone who knew the key ID, which every request shows, sign
// requests by hand and be served. New refuses such a configuration, without showing a
// secret, and the verifier treats such a key as unknown.
func TestEmptySecretRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		creds   Secrets
		wantErr string // "" for New to succeed
	}{
		{"key with a secret", Secrets{"AKIDGOOD": "s3cr3t-value"}, ""},
		{"empty secret", Secrets{"AKIDGOOD": "s3cr3t-value", "AKIDEMPTY": ""}, `localserver: Config.Credentials: empty secret access key for "AKIDEMPTY"`},
		{"empty access key ID", Secrets{"": "s3cr3t-value"}, "localserver: Config.Credentials: empty access key ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Config{Memory: true, Credentials: tc.creds})
			if err == nil {
				s.Shutdown(t.Context())
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("New: %v, want %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3cr3t"):
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
	// The verifier on its own: a key looked up with an empty secret is unknown.
	s := verifyingServer(t)
	s.verifier.Credentials = func(id string) (string, bool) { return "", id == "AKIDEMPTY" }
	r := do(t, s, handSigned{op: "DescribeLogGroups", body: []byte("{}"), accessKey: "AKIDEMPTY", secret: ""}.request(t, testNow))
	if r.status != 400 || r.errType() != sigv4.CodeUnrecognizedClient {
		t.Errorf("signed with the empty secret: %d %s", r.status, r.raw)
	}
}

// TestUnparsableQueryRefused: query parameters that net/url cannot parse (a bad escape, a
// ';' separator) are left out of the canonical query, and past url's limit on the number
// of parameters (10,000) none is in it: the verifier accepted such a query with a
// signature that covered none of it, presigned or not. The server reads no parameter, but
// a proxy or handler that forwards or parses the raw query would act on unsigned ones.
func TestUnparsableQueryRefused(t *testing.T) {
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	many := strings.Repeat("x=1&", 10_000) + "x=1"
	for _, tc := range []struct {
		name   string
		req    handSigned
		status int
		code   string
	}{
		{"signed query", handSigned{op: "DescribeLogGroups", query: url.Values{"a": {"b c"}, "d": {"%;&="}}, body: []byte("{}")}, 200, ""},
		{"presigned", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}")}, 200, ""},
		{"bad escape added", handSigned{op: "DescribeLogGroups", rawQuery: "a=%zz", body: []byte("{}")}, 400, sigv4.CodeInvalidSignature},
		{"';' pair added", handSigned{op: "DescribeLogGroups", rawQuery: "a=1;b=2", body: []byte("{}")}, 400, sigv4.CodeInvalidSignature},
		{"10,001 parameters added", handSigned{op: "DescribeLogGroups", rawQuery: many, body: []byte("{}")}, 400, sigv4.CodeInvalidSignature},
		{"presigned, bad escape added", handSigned{op: "DescribeLogGroups", presign: true, rawQuery: "a=%zz", body: []byte("{}")}, 400, sigv4.CodeInvalidSignature},
		{"presigned, ';' pair added", handSigned{op: "DescribeLogGroups", presign: true, rawQuery: "a=1;b=2", body: []byte("{}")}, 400, sigv4.CodeInvalidSignature},
		// Past the limit the query says nothing, not even that it is presigned.
		{"presigned, 10,001 parameters added", handSigned{op: "DescribeLogGroups", presign: true, rawQuery: many, body: []byte("{}")}, 400, codeMissingAuthentication},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, verifyingServer(t), tc.req.request(t, testNow))
			if r.status != tc.status || r.errType() != tc.code {
				t.Fatalf("%d %s, want %d %s", r.status, r.raw, tc.status, tc.code)
			}
			if tc.code == sigv4.CodeInvalidSignature && r.message() != mismatch {
				t.Errorf("message %q", r.message())
			}
		})
	}
}

// TestPresignedSignatureOnce: X-Amz-Signature is the one query parameter a presigned
// signature does not cover. The verifier read its first value and ignored any other, so a
// second value could be appended to a presigned URL and ride along unsigned.
func TestPresignedSignatureOnce(t *testing.T) {
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	junk := "X-Amz-Signature=" + strings.Repeat("0", 64)
	for _, tc := range []struct {
		name   string
		req    handSigned
		mod    func(u *url.URL)
		status int
		code   string
	}{
		{"once", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}")}, nil, 200, ""},
		{"another value after", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}"), rawQuery: junk}, nil, 400, sigv4.CodeInvalidSignature},
		{"the same value twice", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}")},
			func(u *url.URL) {
				_, sig, _ := strings.Cut(u.RawQuery, "X-Amz-Signature=")
				u.RawQuery += "&X-Amz-Signature=" + sig
			}, 400, sigv4.CodeInvalidSignature},
		{"another value before", handSigned{op: "DescribeLogGroups", presign: true, body: []byte("{}")},
			func(u *url.URL) { u.RawQuery = junk + "&" + u.RawQuery }, 400, sigv4.CodeInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req.request(t, testNow)
			if tc.mod != nil {
				tc.mod(r.URL)
			}
			res := do(t, verifyingServer(t), r)
			if res.status != tc.status || res.errType() != tc.code {
				t.Fatalf("%d %s, want %d %s", res.status, res.raw, tc.status, tc.code)
			}
			if tc.code != "" && res.message() != mismatch {
				t.Errorf("message %q", res.message())
			}
		})
	}
}
