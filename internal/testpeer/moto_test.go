package testpeer

import (
	"net/http"
	"strings"
	"testing"
)

func TestMotoStartsAndResets(t *testing.T) {
	ep := Moto(t)
	if !strings.HasPrefix(ep, "http://127.0.0.1:") {
		t.Fatalf("endpoint = %q, want a loopback http URL", ep)
	}
	// createGroup sends CreateLogGroup "g" to the peer and returns the status.
	createGroup := func() int {
		t.Helper()
		req, _ := http.NewRequest("POST", ep+"/", strings.NewReader(`{"logGroupName":"g"}`))
		req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A CloudWatch Logs call must be answered by the peer.
	if code := createGroup(); code != 200 {
		t.Fatalf("CreateLogGroup status = %d, want 200", code)
	}
	// The same group again conflicts, until a reset clears the state.
	if code := createGroup(); code != 400 {
		t.Fatalf("duplicate CreateLogGroup status = %d, want 400", code)
	}
	if ep2 := Moto(t); ep2 != ep {
		t.Fatalf("second Moto call gave %q, want the shared %q", ep2, ep)
	}
	if code := createGroup(); code != 200 {
		t.Fatalf("CreateLogGroup after reset status = %d, want 200", code)
	}
}
