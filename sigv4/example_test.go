package sigv4_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// Sign a CloudWatch Logs request with a fixed clock, then verify it as a server would.
func Example() {
	body := []byte(`{"logGroupName":"testLogGroup"}`)
	req, _ := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")

	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	signer := sigv4.NewSigner()
	if err := signer.SignRequest(req, body, creds, "logs", "us-east-1", at); err != nil {
		panic(err)
	}
	fmt.Println(req.Header.Get("X-Amz-Date"))
	fmt.Println(req.Header.Get("Authorization"))

	// On the server side: r.Host is the Host header that arrived.
	req.Host = req.URL.Host
	v := &sigv4.Verifier{
		Credentials: func(id string) (string, bool) { return creds.SecretAccessKey, id == creds.AccessKeyID },
		Now:         func() time.Time { return at.Add(time.Minute) },
	}
	id, err := v.Verify(req, body)
	fmt.Println(id.Region, id.Service, err)
	// Output:
	// 20261127T120000Z
	// AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/logs/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=f23f9dcd0c0573488e2220d242c1de02624c2ed05b3b28f68b006badbd4cc2a0
	// us-east-1 logs <nil>
}

// A receiver checks what the headers alone can tell before reading a body: a request
// without a signature (or with an unknown key, or out of the time window) is refused
// without a byte of its body being read.
func ExampleVerifier_CheckHeaders() {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	v := &sigv4.Verifier{
		Credentials: func(id string) (string, bool) { return "secret", id == "AKIDEXAMPLE" },
		Now:         func() time.Time { return at },
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := v.CheckHeaders(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest) // the body is never read
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if _, err := v.VerifyBody(r, c, body); err != nil { // the headers are not checked again
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	req := httptest.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", strings.NewReader(`{}`))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 400 sigv4: MissingAuthenticationTokenException: Request is missing Authentication Token
}

// A Verifier with SessionToken accepts a temporary key only with its session token.
func ExampleVerifier_sessionToken() {
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	temp := sigv4.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "temp-secret", SessionToken: "session-token"}
	v := &sigv4.Verifier{
		Credentials:  func(id string) (string, bool) { return temp.SecretAccessKey, id == temp.AccessKeyID },
		SessionToken: func(id string) (string, bool) { return temp.SessionToken, id == temp.AccessKeyID },
		Now:          func() time.Time { return at },
	}
	for _, token := range []string{"session-token", "", "another"} {
		c := temp
		c.SessionToken = token
		req, _ := http.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", strings.NewReader(`{}`))
		if err := sigv4.NewSigner().SignRequest(req, []byte(`{}`), c, "logs", "us-east-1", at); err != nil {
			panic(err)
		}
		req.Host = req.URL.Host
		_, err := v.Verify(req, []byte(`{}`))
		fmt.Printf("token %q: %v\n", token, err)
	}
	// Output:
	// token "session-token": <nil>
	// token "": sigv4: UnrecognizedClientException: The security token included in the request is invalid.
	// token "another": sigv4: UnrecognizedClientException: The security token included in the request is invalid.
}
