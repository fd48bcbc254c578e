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
	// A CloudWatch Logs call must be answered by the peer.
	body := strings.NewReader(`{"logGroupName":"g"}`)
	req, _ := http.NewRequest("POST", ep+"/", body)
	req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("CreateLogGroup status = %d, want 200", resp.StatusCode)
	}
	// The same group again conflicts, until a reset clears the state.
	req2, _ := http.NewRequest("POST", ep+"/", strings.NewReader(`{"logGroupName":"g"}`))
	req2.Header = req.Header.Clone()
	resp, err = http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("duplicate CreateLogGroup status = %d, want 400", resp.StatusCode)
	}
	if ep2 := Moto(t); ep2 != ep {
		t.Fatalf("second Moto call gave %q, want the shared %q", ep2, ep)
	}
	req3, _ := http.NewRequest("POST", ep+"/", strings.NewReader(`{"logGroupName":"g"}`))
	req3.Header = req.Header.Clone()
	resp, err = http.DefaultClient.Do(req3)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("CreateLogGroup after reset status = %d, want 200", resp.StatusCode)
	}
}
