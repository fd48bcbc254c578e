package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCheckHeadersAgreesWithVerify: CheckHeaders refuses what Verify refuses before the
// body's hash, with the same error, and passes what only the body (or the signature over
// it) can refuse. The local server read the whole body before any check, so a request
// without a signature still cost it a body of up to 8 MiB.
func TestCheckHeadersAgreesWithVerify(t *testing.T) {
	body := []byte(`{"logGroupName":"g"}`)
	v := &Verifier{
		Credentials: func(id string) (string, bool) {
			return testCreds.SecretAccessKey, id == testCreds.AccessKeyID
		},
		Now: func() time.Time { return testTime }, Service: "logs", Region: "us-east-1",
		RequireSigned: []string{"x-amz-target"},
	}
	sign := func(c Credentials, region, service string, at time.Time, before func(r *http.Request)) *http.Request {
		r := newLogsRequest(t, body)
		if before != nil {
			before(r)
		}
		if err := NewSigner().SignRequest(r, body, c, service, region, at); err != nil {
			t.Fatal(err)
		}
		r.Host = r.URL.Host
		return r
	}
	ok := func(mutate func(r *http.Request)) func() *http.Request {
		return func() *http.Request {
			r := sign(testCreds, "us-east-1", "logs", testTime, nil)
			if mutate != nil {
				mutate(r)
			}
			return r
		}
	}
	tests := []struct {
		name string
		req  func() *http.Request
		sent []byte // the body received; nil: body
		// headerCode is CheckHeaders' error code, "" for none; bodyCode is Verify's when
		// CheckHeaders passes.
		headerCode, bodyCode string
	}{
		{name: "valid", req: ok(nil)},
		{name: "no Authorization", req: ok(func(r *http.Request) { r.Header.Del("Authorization") }), headerCode: CodeMissingAuthenticationToken},
		{name: "Bearer", req: ok(func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }), headerCode: CodeMissingAuthenticationToken},
		{name: "malformed", req: ok(func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential") }), headerCode: CodeIncompleteSignature},
		{name: "no date", req: ok(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), headerCode: CodeIncompleteSignature},
		{name: "expired", req: func() *http.Request { return sign(testCreds, "us-east-1", "logs", testTime.Add(-time.Hour), nil) }, headerCode: CodeInvalidSignature},
		{name: "not yet current", req: func() *http.Request { return sign(testCreds, "us-east-1", "logs", testTime.Add(time.Hour), nil) }, headerCode: CodeInvalidSignature},
		{name: "other region", req: func() *http.Request { return sign(testCreds, "eu-west-1", "logs", testTime, nil) }, headerCode: CodeInvalidSignature},
		{name: "other service", req: func() *http.Request { return sign(testCreds, "us-east-1", "s3", testTime, nil) }, headerCode: CodeInvalidSignature},
		{name: "unknown key", req: func() *http.Request {
			return sign(Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "x"}, "us-east-1", "logs", testTime, nil)
		}, headerCode: CodeUnrecognizedClient},
		{name: "signature not hex", req: ok(func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-64]+strings.Repeat("Z", 64))
		}), headerCode: CodeInvalidSignature},
		{name: "X-Amz-Target not signed", req: func() *http.Request {
			r := sign(testCreds, "us-east-1", "logs", testTime, func(r *http.Request) { r.Header.Del("X-Amz-Target") })
			r.Header.Set("X-Amz-Target", "Logs_20140328.DeleteLogGroup")
			return r
		}, headerCode: CodeInvalidSignature},
		{name: "tampered body", req: ok(nil), sent: []byte(`{"logGroupName":"h"}`), bodyCode: CodeInvalidSignature},
		{name: "content hash of another body", req: ok(func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", HashHex([]byte("x"))) }), bodyCode: CodeInvalidSignature},
		{name: "wrong secret", req: func() *http.Request {
			return sign(Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: "wrong"}, "us-east-1", "logs", testTime, nil)
		}, bodyCode: CodeInvalidSignature},
		{name: "tampered signed header", req: ok(func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }), bodyCode: CodeInvalidSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req()
			sent := body
			if tc.sent != nil {
				sent = tc.sent
			}
			c, herr := v.CheckHeaders(r)
			vid, verr := v.Verify(r, sent)
			if got := errCode(herr); got != tc.headerCode {
				t.Fatalf("CheckHeaders: %v, want code %q", herr, tc.headerCode)
			}
			if tc.headerCode != "" {
				if herr.Error() != verr.Error() {
					t.Fatalf("CheckHeaders: %v\nVerify:       %v\nwant the same error", herr, verr)
				}
				return
			}
			if got := errCode(verr); got != tc.bodyCode {
				t.Fatalf("Verify: %v, want code %q", verr, tc.bodyCode)
			}
			// The two steps a receiver takes, the headers checked once, answer as Verify.
			bid, berr := v.VerifyBody(r, c, sent)
			if bid == nil || bid.AccessKeyID != testCreds.AccessKeyID || bid.Region != "us-east-1" {
				t.Fatalf("VerifyBody identity %+v", bid)
			}
			if errCode(berr) != tc.bodyCode || (berr != nil && berr.Error() != verr.Error()) || *bid != *vid {
				t.Fatalf("VerifyBody: %+v, %v; Verify: %+v, %v", bid, berr, vid, verr)
			}
		})
	}
}

// TestVerifyBodyRechecksTheTime: VerifyBody refuses a request whose time left the skew
// window while its body was read, as Verify then would.
func TestVerifyBodyRechecksTheTime(t *testing.T) {
	body := []byte(`{"logGroupName":"g"}`)
	r := newLogsRequest(t, body)
	if err := NewSigner().SignRequest(r, body, testCreds, "logs", "us-east-1", testTime); err != nil {
		t.Fatal(err)
	}
	r.Host = r.URL.Host
	now := testTime
	v := &Verifier{Credentials: func(string) (string, bool) { return testCreds.SecretAccessKey, true }, Now: func() time.Time { return now }}
	c, err := v.CheckHeaders(r)
	if err != nil {
		t.Fatal(err)
	}
	now = testTime.Add(6 * time.Minute)
	_, berr := v.VerifyBody(r, c, body)
	_, verr := v.Verify(r, body)
	if berr == nil || verr == nil || berr.Error() != verr.Error() || !strings.Contains(berr.Error(), "InvalidSignatureException: Signature expired") {
		t.Fatalf("VerifyBody: %v; Verify: %v; want the same expiry", berr, verr)
	}
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ve *VerifyError
	if !errors.As(err, &ve) {
		return "not a *VerifyError: " + err.Error()
	}
	return ve.Code
}

// TestVerifySessionToken: a key configured with a session token (temporary credentials)
// is accepted only with that token, in the X-Amz-Security-Token header or, presigned, the
// query; other keys are accepted with or without one. The verifier accepted any token,
// or none, with a temporary key's secret.
func TestVerifySessionToken(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+=="
	body := []byte(`{}`)
	temp := Credentials{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: token}
	long := testCreds
	secrets := map[string]string{temp.AccessKeyID: temp.SecretAccessKey, long.AccessKeyID: long.SecretAccessKey}
	tokens := map[string]string{temp.AccessKeyID: token}
	v := &Verifier{
		Credentials:  func(id string) (string, bool) { s, ok := secrets[id]; return s, ok },
		SessionToken: func(id string) (string, bool) { s, ok := tokens[id]; return s, ok },
		Now:          func() time.Time { return testTime },
	}
	sign := func(c Credentials, after func(r *http.Request)) *http.Request {
		r := newLogsRequest(t, body)
		if err := NewSigner().SignRequest(r, body, c, "logs", "us-east-1", testTime); err != nil {
			t.Fatal(err)
		}
		r.Host = r.URL.Host
		if after != nil {
			after(r)
		}
		return r
	}
	withToken := func(c Credentials, tok string) Credentials { c.SessionToken = tok; return c }
	// presigned is a request with its signature parts in the query (the signature itself
	// is not checked by CheckHeaders).
	presigned := func(c Credentials, toks ...string) *http.Request {
		q := url.Values{}
		q.Set("X-Amz-Algorithm", Algorithm)
		q.Set("X-Amz-Credential", c.AccessKeyID+"/20150830/us-east-1/logs/aws4_request")
		q.Set("X-Amz-Date", testTime.Format(TimeFormat))
		q.Set("X-Amz-SignedHeaders", "host")
		q.Set("X-Amz-Signature", strings.Repeat("0", 64))
		q["X-Amz-Security-Token"] = toks
		r := newLogsRequest(t, body)
		r.URL.RawQuery = q.Encode()
		r.Host = r.URL.Host
		return r
	}
	tests := []struct {
		name    string
		r       *http.Request
		headers bool   // CheckHeaders only (the signature is not a real one)
		want    string // error code; "" for accepted
	}{
		{name: "temporary key with its token", r: sign(temp, nil)},
		{name: "temporary key without a token", r: sign(withToken(temp, ""), nil), want: CodeUnrecognizedClient},
		{name: "temporary key with another token", r: sign(withToken(temp, "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+=X"), nil), want: CodeUnrecognizedClient},
		{name: "temporary key with its token and more", r: sign(withToken(temp, token+"x"), nil), want: CodeUnrecognizedClient},
		{name: "temporary key with a prefix of its token", r: sign(withToken(temp, token[:10]), nil), want: CodeUnrecognizedClient},
		{name: "temporary key, token added after signing", r: sign(withToken(temp, ""), func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", token) })},
		{name: "temporary key, token twice", r: sign(temp, func(r *http.Request) { r.Header.Add("X-Amz-Security-Token", token) }), want: CodeUnrecognizedClient},
		{name: "temporary key, token in the query of a header-signed request", r: sign(withToken(temp, ""), func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Security-Token=" + url.QueryEscape(token)
		}), want: CodeUnrecognizedClient},
		{name: "long-term key without a token", r: sign(long, nil)},
		{name: "long-term key with a token", r: sign(withToken(long, "anything"), nil)},
		{name: "presigned temporary key with its token", r: presigned(temp, token), headers: true},
		{name: "presigned temporary key without a token", r: presigned(temp), headers: true, want: CodeUnrecognizedClient},
		{name: "presigned temporary key with another token", r: presigned(temp, "x"), headers: true, want: CodeUnrecognizedClient},
		{name: "presigned temporary key, token in the header only", r: func() *http.Request {
			r := presigned(temp)
			r.Header.Set("X-Amz-Security-Token", token)
			return r
		}(), headers: true, want: CodeUnrecognizedClient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.CheckHeaders(tc.r)
			if !tc.headers && err == nil {
				_, err = v.Verify(tc.r, body)
			}
			if got := errCode(err); got != tc.want {
				t.Fatalf("got %v, want code %q", err, tc.want)
			}
			if err != nil {
				if err.Error() != "sigv4: "+CodeUnrecognizedClient+": "+msgInvalidToken {
					t.Fatalf("message %q", err)
				}
				if strings.Contains(err.Error(), token[:10]) {
					t.Fatalf("the token is in the error: %v", err)
				}
			}
		})
	}
	// Without Credentials nothing is verified, tokens included.
	open := &Verifier{SessionToken: v.SessionToken, Now: v.Now}
	if _, err := open.Verify(sign(withToken(temp, "wrong"), nil), body); err != nil {
		t.Errorf("no Credentials, wrong token: %v", err)
	}
}

func TestTokenMatches(t *testing.T) {
	for _, tc := range []struct {
		got  []string
		want string
		ok   bool
	}{
		{[]string{"t"}, "t", true},
		{[]string{"t"}, "u", false},
		{nil, "t", false},
		{[]string{""}, "t", false},
		{[]string{""}, "", false},
		{nil, "", false},
		{[]string{"t", "t"}, "t", false},
	} {
		if got := tokenMatches(tc.got, tc.want); got != tc.ok {
			t.Errorf("tokenMatches(%q, %q) = %v", tc.got, tc.want, got)
		}
	}
}

// FuzzCheckHeaders sends arbitrary signature parts (Authorization, X-Amz-Date, query
// string, session token) and checks that CheckHeaders and Verify agree: a request
// CheckHeaders refuses, Verify refuses with the same *VerifyError; one it passes, Verify
// refuses, if at all, as InvalidSignatureException (the body or the signature). No error
// shows the secret or the configured token.
func FuzzCheckHeaders(f *testing.F) {
	const secret, token = "fuzz-secret-key", "fuzz-session-token"
	r := newLogsRequest(f, []byte("{}"))
	if err := NewSigner().SignRequest(r, []byte("{}"), Credentials{AccessKeyID: "ASIAFUZZ", SecretAccessKey: secret, SessionToken: token}, "logs", "us-east-1", testTime); err != nil {
		f.Fatal(err)
	}
	f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), "", token, []byte("{}"))
	f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), "", "", []byte("{}"))
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFUZZ%2F20150830%2Fus-east-1%2Flogs%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00", token, []byte("x"))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b", "20150830T123600Z", "a=%zz", "", []byte{})
	f.Add("Bearer x", "", "", "t", []byte(nil))
	v := &Verifier{
		Credentials: func(id string) (string, bool) { return secret, strings.HasPrefix(id, "A") },
		SessionToken: func(id string) (string, bool) {
			return token, strings.HasPrefix(id, "ASIA")
		},
		Now: func() time.Time { return testTime }, Service: "logs", Region: "us-east-1",
		RequireSigned: []string{"x-amz-target"},
	}
	f.Fuzz(func(t *testing.T, authz, date, query, tok string, body []byte) {
		for _, s := range []string{authz, date, tok} {
			if !validHeaderValue(s) {
				t.Skip()
			}
		}
		r := newLogsRequest(t, body)
		r.Host = r.URL.Host
		r.URL.RawQuery = query
		for k, val := range map[string]string{"Authorization": authz, "X-Amz-Date": date, "X-Amz-Security-Token": tok} {
			if val != "" {
				r.Header.Set(k, val)
			}
		}
		_, herr := v.CheckHeaders(r)
		_, verr := v.Verify(r, body)
		for _, err := range []error{herr, verr} {
			if err == nil {
				continue
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if strings.Contains(ve.Message, secret) || strings.Contains(ve.Message, token) && !strings.Contains(authz+query+date, token) {
				t.Fatalf("a secret is in the error: %v", err)
			}
		}
		switch {
		case herr != nil && (verr == nil || verr.Error() != herr.Error()):
			t.Fatalf("CheckHeaders: %v\nVerify: %v", herr, verr)
		case herr == nil && verr != nil && errCode(verr) != CodeInvalidSignature:
			t.Fatalf("CheckHeaders passed, Verify: %v", verr)
		}
	})
}
