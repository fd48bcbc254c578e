package localserver

import (
	"net/http"
	"testing"
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
