package localserver_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/sigv4"
)

// A server that verifies signatures, with a long-term key and a temporary one (as STS
// issues: key, secret and session token), and a bound on the request body bytes held at
// once. The temporary key is accepted only with its token.
func ExampleConfig_temporaryCredentials() {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	srv, err := localserver.New(localserver.Config{
		Memory:      true,
		Now:         func() time.Time { return now },
		Credentials: localserver.Secrets{"AKIDEXAMPLE": "long-term-secret"},
		TemporaryCredentials: localserver.TemporaryCredentials{
			"ASIAEXAMPLE": {SecretAccessKey: "temporary-secret", SessionToken: "the-session-token"},
		},
		MaxInFlightBytes: 32 << 20,
	})
	if err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())
	fmt.Println(localserver.TemporaryCredentials{"ASIAEXAMPLE": {}}) // never the secrets

	send := func(creds sigv4.Credentials) {
		body := []byte("{}")
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
		if err := sigv4.NewSigner().SignRequest(r, body, creds, "logs", "us-east-1", now); err != nil {
			panic(err)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if code := w.Header().Get("X-Amzn-Errortype"); code != "" {
			fmt.Println(creds.AccessKeyID, w.Code, code)
		} else {
			fmt.Println(creds.AccessKeyID, w.Code)
		}
	}
	send(sigv4.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "temporary-secret", SessionToken: "the-session-token"})
	send(sigv4.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "temporary-secret"})
	send(sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "long-term-secret"})
	// Output:
	// localserver.TemporaryCredentials{1 keys}
	// ASIAEXAMPLE 200
	// ASIAEXAMPLE 400 UnrecognizedClientException
	// AKIDEXAMPLE 200
}
