package interop

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cwlogs/cwlogs/localserver"
)

// aws-sdk-go-v2's StartLiveTail against the local server: the SDK sends it to the
// endpoint's host with the "stream-" prefix (the operation's hostPrefix), signed for that
// host; a dialer that connects every host to the server lets it arrive as sent, and the
// server, holding credentials, verifies that signature. The SDK reads the stream through
// GetStream().Events() and reports the SessionTimeoutException that ends it as a typed
// error. The group's data protection policy masks the events it reads.
func TestLiveTailSDK(t *testing.T) {
	const timeout = 3 * time.Second
	s := startStrictServerWith(t, func(c *localserver.Config) { c.LiveTailTimeout = timeout })
	serverAddr := strings.TrimPrefix(s.URL(), "http://")

	// Every name dials the server. The hosts asked for are recorded per request, not per
	// dial: a request may reuse a kept-alive connection dialed for an earlier one.
	var mu sync.Mutex
	var hosts []string
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, serverAddr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	recording := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		hosts = append(hosts, r.URL.Host)
		mu.Unlock()
		return tr.RoundTrip(r)
	})
	client := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://logs.sdk.test:4566"),
		Credentials:  credentials.NewStaticCredentialsProvider(sdkAccessKeyID, sdkSecret, ""),
		HTTPClient:   &http.Client{Transport: recording},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const group, stream = "/sdk/livetail", "app"
	arn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}

	t.Run("refusals", func(t *testing.T) {
		_, err := client.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{arn + "-missing"}})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("unknown group: %v, want ResourceNotFoundException", err)
		}
		_, err = client.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{arn}, LogEventFilterPattern: aws.String(`{ $.a = `)})
		var ip *types.InvalidParameterException
		if !errors.As(err, &ip) {
			t.Errorf("bad pattern: %v, want InvalidParameterException", err)
		}
	})

	t.Run("no host prefix", func(t *testing.T) {
		// The other way to reach a server on loopback: the host prefix turned off.
		direct := sdkClient(s.URL(), sdkAccessKeyID, sdkSecret)
		out, err := direct.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{LogGroupIdentifiers: []string{arn}},
			func(o *cloudwatchlogs.Options) { o.APIOptions = append(o.APIOptions, disableHostPrefix) })
		if err != nil {
			t.Fatalf("StartLiveTail: %v", err)
		}
		es := out.GetStream()
		defer es.Close()
		if ev, ok := <-es.Events(); !ok {
			t.Fatalf("no event: %v", es.Err())
		} else if _, isStart := ev.(*types.StartLiveTailResponseStreamMemberSessionStart); !isStart {
			t.Fatalf("first event %T, want sessionStart", ev)
		}
	})

	// A data protection policy masks the email addresses of the events tailed below.
	const policy = `{"Name":"p","Version":"2021-06-01","Statement":[` +
		`{"Sid":"audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}},` +
		`{"Sid":"redact","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Deidentify":{"MaskConfig":{}}}}]}`
	if _, err := client.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{
		LogGroupIdentifier: aws.String(group), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	out, err := client.StartLiveTail(ctx, &cloudwatchlogs.StartLiveTailInput{
		LogGroupIdentifiers:   []string{arn},
		LogStreamNamePrefixes: []string{"ap"},
		LogEventFilterPattern: aws.String("ERROR"),
	})
	if err != nil {
		t.Fatalf("StartLiveTail: %v", err)
	}
	es := out.GetStream()
	defer es.Close()
	mu.Lock()
	if last := hosts[len(hosts)-1]; !strings.HasPrefix(last, "stream-logs.sdk.test:") {
		t.Errorf("the SDK sent StartLiveTail to %q, want the stream- host prefix", last)
	}
	mu.Unlock()

	ev, ok := <-es.Events()
	ss, isStart := ev.(*types.StartLiveTailResponseStreamMemberSessionStart)
	if !ok || !isStart {
		t.Fatalf("first event %T (%v), want sessionStart; stream error %v", ev, ok, es.Err())
	}
	if !slices.Equal(ss.Value.LogGroupIdentifiers, []string{arn}) || aws.ToString(ss.Value.SessionId) == "" || aws.ToString(ss.Value.RequestId) == "" ||
		aws.ToString(ss.Value.LogEventFilterPattern) != "ERROR" || !slices.Equal(ss.Value.LogStreamNamePrefixes, []string{"ap"}) {
		t.Errorf("sessionStart %+v", ss.Value)
	}

	now := time.Now().UnixMilli()
	if _, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{
			{Timestamp: aws.Int64(now), Message: aws.String("ERROR one for jane@example.com")},
			{Timestamp: aws.Int64(now), Message: aws.String("INFO two")},
			{Timestamp: aws.Int64(now + 1), Message: aws.String("ERROR three")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	updates := 0
	for ev := range es.Events() {
		u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate)
		if !ok {
			t.Fatalf("event %T, want sessionUpdate", ev)
		}
		updates++
		if u.Value.SessionMetadata == nil || u.Value.SessionMetadata.Sampled {
			t.Errorf("sessionMetadata %+v", u.Value.SessionMetadata)
		}
		for _, e := range u.Value.SessionResults {
			got = append(got, aws.ToString(e.Message))
			if aws.ToString(e.LogStreamName) != stream || aws.ToString(e.LogGroupIdentifier) != arn || e.IngestionTime == nil || aws.ToInt64(e.Timestamp) < now {
				t.Errorf("event %+v", e)
			}
		}
	}
	if !slices.Equal(got, []string{"ERROR one for ****************", "ERROR three"}) {
		t.Errorf("tailed %q", got)
	}
	if updates < 2 {
		t.Errorf("%d updates in %v", updates, timeout)
	}
	var to *types.SessionTimeoutException
	if err := es.Err(); !errors.As(err, &to) {
		t.Errorf("the stream ended with %v, want SessionTimeoutException", err)
	}
	if d := time.Since(start); d < timeout || d > timeout+5*time.Second {
		t.Errorf("the session lasted %v, want about %v", d, timeout)
	}
}

// disableHostPrefix turns off the operation's endpoint host prefix ("stream-").
func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("DisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
