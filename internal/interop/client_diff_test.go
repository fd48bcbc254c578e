package interop

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwlogs/cwlogs"
)

// captureRT records the last request's target, content type and body.
type captureRT struct {
	mu                  sync.Mutex
	target, ctype, body string
}

func (rt *captureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	rt.mu.Lock()
	rt.target, rt.ctype, rt.body = r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), string(b)
	rt.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2, Request: r}, nil
}

func randomMessage(r *rand.Rand) string {
	alphabet := []string{"a", "Z", " ", "\"", "\\", "\n", "\t", "\x00", "\x1f", "<", ">", "&", "é", "日", "🙂", "\u2028", "\u2029", "\x7f", "/"}
	var b strings.Builder
	for range 1 + r.IntN(40) {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestPutLogEventsBodyMatchesSDK sends the same random batches through cwlogs
// and through aws-sdk-go-v2's cloudwatchlogs client and requires the same
// target, content type and JSON document.
func TestPutLogEventsBodyMatchesSDK(t *testing.T) {
	ours, theirs := &captureRT{}, &captureRT{}
	c, err := cwlogs.New("us-east-1", "AKID", "SECRET", cwlogs.WithHTTPClient(&http.Client{Transport: ours}))
	if err != nil {
		t.Fatal(err)
	}
	sdk := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), HTTPClient: &http.Client{Transport: theirs}})
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for i := range 200 {
		n := 1 + r.IntN(20)
		evs := make([]cwlogs.InputLogEvent, n)
		sdkEvs := make([]types.InputLogEvent, n)
		ts := r.Int64N(1 << 45)
		for j := range evs {
			ts += r.Int64N(1000)
			evs[j] = cwlogs.InputLogEvent{Timestamp: ts, Message: randomMessage(r)}
			sdkEvs[j] = types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(evs[j].Message)}
		}
		token := ""
		if i%3 == 0 {
			token = "49590338271490256608559692538361571095921575989136588898"
		}
		in := &cwlogs.PutLogEventsInput{LogGroupName: "/app/g-1", LogStreamName: []string{"s", "s \"q\"", "é/日", "tab\there"}[i%4], LogEvents: evs, SequenceToken: token}
		sin := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(in.LogGroupName), LogStreamName: aws.String(in.LogStreamName), LogEvents: sdkEvs}
		if token != "" {
			sin.SequenceToken = aws.String(token)
		}
		if _, err := c.PutLogEvents(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := sdk.PutLogEvents(ctx, sin); err != nil {
			t.Fatal(err)
		}
		if ours.target != theirs.target || ours.ctype != theirs.ctype {
			t.Fatalf("headers: ours %q %q, sdk %q %q", ours.target, ours.ctype, theirs.target, theirs.ctype)
		}
		var a, b any
		if err := json.Unmarshal([]byte(ours.body), &a); err != nil {
			t.Fatalf("our body is not JSON: %v\n%s", err, ours.body)
		}
		if err := json.Unmarshal([]byte(theirs.body), &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("batch %d differs:\n ours %s\n sdk  %s", i, ours.body, theirs.body)
		}
	}
}
