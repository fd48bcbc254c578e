package interop

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKQueryDefinitions runs saved Logs Insights queries through aws-sdk-go-v2's
// client against the local server: PutQueryDefinition (the SDK fills in clientToken),
// an explicit clientToken repeated, DescribeQueryDefinitions by prefix and language and
// page by page, an update replacing every value, DeleteQueryDefinition, and the typed
// ResourceNotFoundException and InvalidParameterException.
func TestServerSDKQueryDefinitions(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"sdk/errors", "sdk/latency", "other/top"} {
		out, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
			Name:          aws.String(name),
			QueryString:   aws.String(fmt.Sprintf("fields @message | limit %d", i+1)),
			LogGroupNames: []string{"/sdk/app"},
			Parameters:    []types.QueryParameter{{Name: aws.String("level"), DefaultValue: aws.String("ERROR")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.QueryDefinitionId))
	}
	if ids[0] == ids[1] {
		t.Fatalf("two creates answered the same id %s (the SDK's client tokens differ)", ids[0])
	}

	// A create retried with its token answers the same definition.
	token := "sdk-retry-token-0123456789abcdef-0123"
	var retried []string
	for range 2 {
		out, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
			Name: aws.String("sdk/retried"), QueryString: aws.String("stats count(*)"), ClientToken: aws.String(token),
			QueryLanguage: types.QueryLanguageSql,
		})
		if err != nil {
			t.Fatal(err)
		}
		retried = append(retried, aws.ToString(out.QueryDefinitionId))
	}
	if retried[0] != retried[1] {
		t.Errorf("a retried create answered %v", retried)
	}

	// Page through the "sdk/" definitions one at a time.
	var names []string
	in := &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("sdk/"), MaxResults: aws.Int32(1)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("DescribeQueryDefinitions pages do not end")
		}
		out, err := c.DescribeQueryDefinitions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.QueryDefinitions {
			names = append(names, aws.ToString(d.Name)+":"+string(d.QueryLanguage))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if got := strings.Join(names, ","); got != "sdk/errors:CWLI,sdk/latency:CWLI,sdk/retried:SQL" {
		t.Errorf("sdk/ definitions = %s", got)
	}

	sqlOnly, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryLanguage: types.QueryLanguageSql})
	if err != nil {
		t.Fatal(err)
	}
	if len(sqlOnly.QueryDefinitions) != 1 || aws.ToString(sqlOnly.QueryDefinitions[0].QueryDefinitionId) != retried[0] {
		t.Errorf("SQL definitions = %+v", sqlOnly.QueryDefinitions)
	}

	// An update replaces every value: the log groups and parameters go.
	if _, err := c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
		QueryDefinitionId: aws.String(ids[0]), Name: aws.String("sdk/errors"), QueryString: aws.String("fields @timestamp"),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("sdk/errors")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.QueryDefinitions) != 1 {
		t.Fatalf("sdk/errors: %+v", got.QueryDefinitions)
	}
	d := got.QueryDefinitions[0]
	if aws.ToString(d.QueryString) != "fields @timestamp" || len(d.LogGroupNames) != 0 || len(d.Parameters) != 0 ||
		aws.ToInt64(d.LastModified) < time.Now().Add(-time.Minute).UnixMilli() {
		t.Errorf("after update: %+v", d)
	}
	other, err := c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("other/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.QueryDefinitions) != 1 || len(other.QueryDefinitions[0].Parameters) != 1 ||
		aws.ToString(other.QueryDefinitions[0].Parameters[0].DefaultValue) != "ERROR" || other.QueryDefinitions[0].LogGroupNames[0] != "/sdk/app" {
		t.Errorf("other/top: %+v", other.QueryDefinitions)
	}

	del, err := c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String(ids[0])})
	if err != nil || !del.Success {
		t.Fatalf("DeleteQueryDefinition: %+v, %v", del, err)
	}
	_, err = c.DeleteQueryDefinition(ctx, &cloudwatchlogs.DeleteQueryDefinitionInput{QueryDefinitionId: aws.String(ids[0])})
	wantErr[*types.ResourceNotFoundException](t, "delete twice", err, "The specified query definition does not exist.")
	_, err = c.PutQueryDefinition(ctx, &cloudwatchlogs.PutQueryDefinitionInput{
		QueryDefinitionId: aws.String(ids[0]), Name: aws.String("x"), QueryString: aws.String("q"),
	})
	wantErr[*types.ResourceNotFoundException](t, "update a deleted definition", err, "The specified query definition does not exist.")
	_, err = c.DescribeQueryDefinitions(ctx, &cloudwatchlogs.DescribeQueryDefinitionsInput{NextToken: aws.String("forged")})
	wantErr[*types.InvalidParameterException](t, "forged token", err, "The specified nextToken is invalid.")
}

// TestServerSDKGetLogGroupFields: GetLogGroupFields through aws-sdk-go-v2, by name and by
// ARN, with and without time, and its typed errors.
func TestServerSDKGetLogGroupFields(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "/sdk/fields"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now.Add(-3 * time.Minute).UnixMilli()), Message: aws.String(`{"level":"INFO","user":{"id":7}}`)},
		{Timestamp: aws.Int64(now.Add(-2 * time.Minute).UnixMilli()), Message: aws.String(`{"level":"ERROR"}`)},
		{Timestamp: aws.Int64(now.Add(-1 * time.Minute).UnixMilli()), Message: aws.String(`not json`)},
		{Timestamp: aws.Int64(now.Add(-1 * time.Minute).UnixMilli()), Message: aws.String(`{"level":"WARN","user":{"id":8}}`)},
	}}); err != nil {
		t.Fatal(err)
	}
	render := func(fs []types.LogGroupField) string {
		var out []string
		for _, f := range fs {
			out = append(out, fmt.Sprintf("%s=%d", aws.ToString(f.Name), f.Percent))
		}
		return strings.Join(out, ",")
	}
	const want = "@ingestionTime=100,@log=100,@logStream=100,@message=100,@timestamp=100,level=75,user.id=50"
	for _, in := range []*cloudwatchlogs.GetLogGroupFieldsInput{
		{LogGroupName: aws.String(group)},
		{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group)},
		{LogGroupName: aws.String(group), Time: aws.Int64(now.Add(-2 * time.Minute).Unix())},
	} {
		out, err := c.GetLogGroupFields(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(out.LogGroupFields); got != want {
			t.Errorf("%+v: fields %s, want %s", in, got, want)
		}
	}
	out, err := c.GetLogGroupFields(ctx, &cloudwatchlogs.GetLogGroupFieldsInput{LogGroupName: aws.String(group), Time: aws.Int64(now.Add(-time.Hour).Unix())})
	if err != nil || len(out.LogGroupFields) != 0 {
		t.Errorf("an hour ago: %+v, %v", out, err)
	}
	_, err = c.GetLogGroupFields(ctx, &cloudwatchlogs.GetLogGroupFieldsInput{LogGroupName: aws.String("/sdk/none")})
	wantErr[*types.ResourceNotFoundException](t, "unknown group", err, "The specified log group does not exist.")
	_, err = c.GetLogGroupFields(ctx, &cloudwatchlogs.GetLogGroupFieldsInput{})
	wantErr[*types.InvalidParameterException](t, "no group", err, "Either logGroupName or logGroupIdentifier must be specified.")
}
