package sigv4_test

import (
	"bytes"
	"fmt"
	"net/http"
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
