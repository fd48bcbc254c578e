package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKPattern runs the Logs Insights pattern command through aws-sdk-go-v2's
// client: one row per pattern, most frequent first, with the documented fields and
// @tokens as a JSON array of PatternToken-like objects; pattern over an Infrequent
// Access group is the SDK's InvalidParameterException.
func TestServerSDKPattern(t *testing.T) {
	srv := startStrictServer(t)
	c := sdkClient(srv, sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "sdk-pattern"
	for _, in := range []*cloudwatchlogs.CreateLogGroupInput{
		{LogGroupName: aws.String(group)},
		{LogGroupName: aws.String("sdk-pattern-ia"), LogGroupClass: types.LogGroupClassInfrequentAccess},
	} {
		if _, err := c.CreateLogGroup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	var evs []types.InputLogEvent
	for i := range 9 {
		msg := fmt.Sprintf("[INFO] Request time: %d ms", 100+i)
		if i%3 == 0 {
			msg = fmt.Sprintf("[ERROR] upstream 10.0.0.%d refused", i)
		}
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()), Message: aws.String(msg)})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	in := &cloudwatchlogs.StartQueryInput{LogGroupIdentifiers: []string{group}, StartTime: aws.Int64(base.Unix() - 60),
		EndTime: aws.Int64(base.Unix() + 60), QueryString: aws.String("pattern @message")}
	rows, _ := sdkQueryResults(t, ctx, c, in)
	var got []string
	var tokens string
	for _, row := range rows {
		f := map[string]string{}
		for _, rf := range row {
			f[aws.ToString(rf.Field)] = aws.ToString(rf.Value)
		}
		got = append(got, f["@sampleCount"]+" "+f["@ratio"]+" "+f["@severityLabel"]+" "+f["@pattern"])
		if tokens == "" {
			tokens = f["@tokens"]
		}
	}
	want := []string{
		"6 0.67 INFO [INFO] Request time: <Number-1> ms",
		"3 0.33 ERROR [ERROR] upstream <IPAddress-1> refused",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pattern @message:\n got %q\nwant %q", got, want)
	}
	var toks []struct {
		TokenString          string           `json:"tokenString"`
		IsDynamic            bool             `json:"isDynamic"`
		DynamicTokenPosition int              `json:"dynamicTokenPosition"`
		Enumerations         map[string]int64 `json:"enumerations"`
		InferredTokenName    string           `json:"inferredTokenName"`
	}
	if err := json.Unmarshal([]byte(tokens), &toks); err != nil {
		t.Fatalf("@tokens %s: %v", tokens, err)
	}
	var dyn int
	for _, tk := range toks {
		if tk.IsDynamic {
			dyn++
			if tk.TokenString != "<*>" || tk.DynamicTokenPosition != 1 || tk.InferredTokenName != "Number-1" || len(tk.Enumerations) != 6 {
				t.Errorf("dynamic token %+v", tk)
			}
		}
	}
	if dyn != 1 {
		t.Errorf("%d dynamic tokens in %s", dyn, tokens)
	}

	in.LogGroupIdentifiers = []string{group, "sdk-pattern-ia"}
	_, err := c.StartQuery(ctx, in)
	wantErrContains[*types.InvalidParameterException](t, "pattern over Infrequent Access", err, "sdk-pattern-ia is of the INFREQUENT_ACCESS class")
}
