package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestCredentialsAfterSendCancelled: when the caller's context ends while a retry fetches
// its credentials, after an earlier attempt that may have been acted on, the call's
// *OpError says that the context ended (errors.Is(err, context.Canceled)), as a transport
// failure does, so that a program (the CLI's "interrupted") tells it from a credentials
// failure. The error used to hide the context's error behind the credentials error's.
func TestCredentialsAfterSendCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(503)
		fmt.Fprint(w, `{"__type":"ServiceUnavailableException"}`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	provider := CredentialsProviderFunc(func(pctx context.Context) (Credentials, error) {
		if calls.Add(1) == 1 {
			// Expired at once: the retry fetches them again.
			return Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", Expires: time.Now().Add(-time.Hour)}, nil
		}
		cancel() // Ctrl-C while, say, an STS call is under way
		<-pctx.Done()
		return Credentials{}, fmt.Errorf("sts: %w", pctx.Err())
	})
	c, err := New("us-east-1", "", "", WithEndpoint(srv.URL), WithCredentialsProvider(provider),
		WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}), WithMaxAttempts(3))
	if err != nil {
		t.Fatal(err)
	}
	err = c.CreateLogStream(ctx, &CreateLogStreamInput{LogGroupName: "g", LogStreamName: "s"})
	var oe *OpError
	var ce *CredentialsError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &oe) || oe.NotSent || errors.As(err, &ce) {
		t.Fatalf("error %v (%T): want an *OpError, NotSent false, matching context.Canceled, without a *CredentialsError", err, err)
	}
	if calls.Load() != 2 {
		t.Errorf("provider called %d times, want 2", calls.Load())
	}
}
