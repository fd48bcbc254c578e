package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/localserver"
)

// Strict credentials configured on the servers under test: every request must be signed
// with them, so a passing suite proves that the client's signatures verify.
const (
	testAccessKeyID     = "AKIACONFORMANCE0001"
	testSecretAccessKey = "conformance/Secret+Key/0123456789abcdefEXAMPLE"
	testRegion          = "us-east-1"
	testAccountID       = "123456789012"
)

// startServer starts an in-memory localserver on 127.0.0.1:0 with strict credentials and
// returns it; it is shut down when t ends.
func startServer(t testing.TB) *localserver.Server {
	t.Helper()
	s, err := localserver.New(localserver.Config{
		Memory:      true,
		Credentials: map[string]string{testAccessKeyID: testSecretAccessKey},
		Region:      testRegion,
		AccountID:   testAccountID,
	})
	if err != nil {
		t.Fatalf("localserver.New: %v", err)
	}
	if err := s.Start(); err != nil {
		s.Shutdown(context.Background())
		t.Fatalf("localserver.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("localserver.Shutdown: %v", err)
		}
	})
	return s
}

// newClient returns a project client for endpoint with the test credentials and no retries
// (a conformance answer must be the first answer).
func newClient(t testing.TB, endpoint string) *cwlogs.Client {
	t.Helper()
	c, err := cwlogs.New(testRegion, testAccessKeyID, testSecretAccessKey,
		cwlogs.WithEndpoint(endpoint), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatalf("cwlogs.New: %v", err)
	}
	return c
}
