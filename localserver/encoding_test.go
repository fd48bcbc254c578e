package localserver

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// agentRequest is a request as the Amazon CloudWatch agent and the OpenTelemetry
// Collector's awscloudwatchlogs exporter send PutLogEvents: the JSON body gzip-compressed
// before signing, with Content-Encoding and Content-Length set as headers (and so signed).
func agentRequest(t testing.TB, op, encoding string, sent []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://logs.local/", bytes.NewReader(sent))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", contentTypeJSON)
	r.Header.Set("X-Amz-Target", targetPrefix+op)
	r.Header.Set("Content-Encoding", encoding)
	r.Header.Set("Content-Length", fmt.Sprint(len(sent)))
	if err := testSigner.SignRequest(r, sent, testCreds, "logs", "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGzipRequestBodies: CloudWatch Logs accepts request bodies compressed with gzip
// (Content-Encoding: gzip): the Amazon CloudWatch agent and the OpenTelemetry Collector
// send every PutLogEvents above a few hundred bytes that way (their
// RequestCompressionHandler, aws/amazon-cloudwatch-agent#69). The server parsed the
// compressed bytes as JSON and refused them with SerializationException, so neither could
// ship logs to it. The signature covers the bytes as sent; the decompressed body is held to
// Config.MaxRequestBytes.
func TestGzipRequestBodies(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestBytes: 64 << 10, Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	setupStream(t, s, "g", "agent")
	put := func(msg string) []byte {
		return []byte(fmt.Sprintf(`{"logGroupName":"g","logStreamName":"agent","logEvents":[{"timestamp":%d,"message":%q}]}`, nowMs(), msg))
	}
	for _, tc := range []struct {
		name, op, encoding string
		sent               []byte
		status             int
		code               string
	}{
		{"PutLogEvents gzip", "PutLogEvents", "gzip", gzipped(t, put("compressed 1")), 200, ""},
		{"PutLogEvents GZIP", "PutLogEvents", "GZIP", gzipped(t, put("compressed 2")), 200, ""},
		{"PutLogEvents x-gzip", "PutLogEvents", "x-gzip", gzipped(t, put("compressed 3")), 200, ""},
		{"DescribeLogGroups gzip", "DescribeLogGroups", "gzip", gzipped(t, []byte(`{"logGroupNamePrefix":"g"}`)), 200, ""},
		{"identity", "PutLogEvents", "identity", put("plain"), 200, ""},
		{"gzip header, plain body", "PutLogEvents", "gzip", put("not compressed"), 400, codeSerialization},
		{"truncated gzip", "PutLogEvents", "gzip", gzipped(t, put("cut"))[:40], 400, codeSerialization},
		{"larger than the limit once decompressed", "PutLogEvents", "gzip", gzipped(t, put(strings.Repeat("x", 70<<10))), 413, codeRequestEntityTooLarge},
	} {
		r := do(t, s, agentRequest(t, tc.op, tc.encoding, tc.sent))
		if r.status != tc.status || r.errType() != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.code)
		}
	}
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "agent", "startFromHead": true})
	var got []string
	for _, e := range list(r.body["events"]) {
		got = append(got, e.(map[string]any)["message"].(string))
	}
	if want := "compressed 1,compressed 2,compressed 3,plain"; strings.Join(got, ",") != want {
		t.Errorf("stored %q, want %s", got, want)
	}
	// A body signed uncompressed but sent compressed is refused: the signature covers the
	// bytes received.
	plain := put("signed plain")
	req := agentRequest(t, "PutLogEvents", "gzip", plain)
	z := gzipped(t, plain)
	req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(z)), int64(len(z))
	if r := do(t, s, req); r.status != 400 || r.errType() != "InvalidSignatureException" {
		t.Errorf("signed before compression: %d %s", r.status, r.raw)
	}
}
