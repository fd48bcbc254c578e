package interop

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cwlogs/cwlogs/sigv4"
)

// sdkPresigned presigns a DescribeLogGroups request with aws-sdk-go-v2's PresignHTTP and
// returns it as a client sends it: the presigned URL, the signed headers, the body.
func sdkPresigned(t *testing.T, endpoint string, body []byte, creds aws.Credentials, hoist bool, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
	signer := sdkv4.NewSigner(func(o *sdkv4.SignerOptions) { o.DisableHeaderHoisting = !hoist })
	u, hdr, err := signer.PresignHTTP(context.Background(), creds, r, sigv4.HashHex(body), "logs", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			sent.Header[k] = vs
		}
	}
	sent.Host = sent.URL.Host // what a server sees
	return sent
}

// TestVerifierAcceptsSDKPresigned: sigv4.Verifier accepts requests presigned by
// aws-sdk-go-v2 (query-string SigV4), with X-Amz-* headers hoisted into the query (the
// SDK's default) or not, with and without a session token, and refuses them changed. It
// answered every presigned request MissingAuthenticationTokenException.
func TestVerifierAcceptsSDKPresigned(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"logGroupNamePrefix":"a"}`)
	v := &sigv4.Verifier{
		Credentials: func(id string) (string, bool) { return sdkSecret, id == sdkAccessKeyID || id == "ASIASDKTEMP" },
		Now:         func() time.Time { return at.Add(time.Minute) },
		Service:     "logs",
	}
	for _, hoist := range []bool{true, false} {
		for _, creds := range []aws.Credentials{
			{AccessKeyID: sdkAccessKeyID, SecretAccessKey: sdkSecret},
			{AccessKeyID: "ASIASDKTEMP", SecretAccessKey: sdkSecret, SessionToken: "IQoJb3JpZ2luX2Vj/+=="},
		} {
			name := creds.AccessKeyID
			if hoist {
				name += " hoisted"
			}
			r := sdkPresigned(t, "https://logs.us-east-1.amazonaws.com/", body, creds, hoist, at)
			if hoist != strings.Contains(r.URL.RawQuery, "X-Amz-Target=") {
				t.Fatalf("%s: query %s", name, r.URL.RawQuery)
			}
			if _, err := v.Verify(r, body); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if _, err := v.Verify(r, []byte(`{"logGroupNamePrefix":"b"}`)); err == nil {
				t.Errorf("%s: another body accepted", name)
			}
		}
	}
}

// TestServerServesSDKPresigned: the local server serves a request presigned by
// aws-sdk-go-v2 with its X-Amz-Target header kept as a header.
func TestServerServesSDKPresigned(t *testing.T) {
	url := startStrictServer(t)
	body := []byte("{}")
	r := sdkPresigned(t, url+"/", body, aws.Credentials{AccessKeyID: sdkAccessKeyID, SecretAccessKey: sdkSecret}, false, time.Now())
	r.Host = ""
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"logGroups"`) {
		t.Fatalf("%d %s", res.StatusCode, raw)
	}
}
