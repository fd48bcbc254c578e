package interop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKSmallOps runs PutBearerTokenAuthentication, ListAggregateLogGroupSummaries
// and GetLogFields through aws-sdk-go-v2's client (its model is newer than botocore's):
// the flag decodes as DescribeLogGroups' LogGroup.BearerTokenAuthenticationEnabled, a
// DELIVERY group's refusal is the typed InvalidOperationException, the SDK's paginator
// pages the summaries of the data sources the groups' cw:datasource:* tags name (and
// ListLogGroups' DataSources filter selects their groups), GetLogFields' nested
// LogFieldType decodes, and an unknown data source is the typed ResourceNotFoundException.
func TestServerSDKSmallOps(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	for _, g := range []struct {
		name, class, dsName, dsType string
	}{
		{"/sdk/api-1", "", "myapp", "access"},
		{"/sdk/api-2", "", "myapp", "access"},
		{"/sdk/audit", "", "myapp", "audit"},
		{"/sdk/batch", "", "batch", ""},
		{"/sdk/delivery", "DELIVERY", "", ""},
	} {
		in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g.name), LogGroupClass: types.LogGroupClass(g.class)}
		if g.dsName != "" {
			in.Tags = map[string]string{"cw:datasource:name": g.dsName}
			if g.dsType != "" {
				in.Tags["cw:datasource:type"] = g.dsType
			}
		}
		if _, err := c.CreateLogGroup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	// PutBearerTokenAuthentication, and the flag in DescribeLogGroups.
	if _, err := c.PutBearerTokenAuthentication(ctx, &cloudwatchlogs.PutBearerTokenAuthenticationInput{
		LogGroupIdentifier: aws.String("/sdk/api-1"), BearerTokenAuthenticationEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	dg, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/sdk/api")})
	if err != nil {
		t.Fatal(err)
	}
	if len(dg.LogGroups) != 2 || !aws.ToBool(dg.LogGroups[0].BearerTokenAuthenticationEnabled) || dg.LogGroups[1].BearerTokenAuthenticationEnabled != nil {
		t.Errorf("DescribeLogGroups: %d groups, flags %v %v", len(dg.LogGroups), dg.LogGroups[0].BearerTokenAuthenticationEnabled, dg.LogGroups[1].BearerTokenAuthenticationEnabled)
	}
	_, err = c.PutBearerTokenAuthentication(ctx, &cloudwatchlogs.PutBearerTokenAuthenticationInput{
		LogGroupIdentifier: aws.String("/sdk/delivery"), BearerTokenAuthenticationEnabled: aws.Bool(true)})
	var invalidOp *types.InvalidOperationException
	if !errors.As(err, &invalidOp) {
		t.Errorf("DELIVERY group: %v, want InvalidOperationException", err)
	}

	// ListAggregateLogGroupSummaries, a page at a time.
	p := cloudwatchlogs.NewListAggregateLogGroupSummariesPaginator(c, &cloudwatchlogs.ListAggregateLogGroupSummariesInput{
		GroupBy: types.ListAggregateLogGroupSummariesGroupByDataSourceNameAndType, Limit: aws.Int32(1)})
	var sums []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range page.AggregateLogGroupSummaries {
			var ids []string
			for _, id := range s.GroupingIdentifiers {
				ids = append(ids, aws.ToString(id.Key)+"="+aws.ToString(id.Value))
			}
			sums = append(sums, fmt.Sprintf("%d %s", aws.ToInt32(s.LogGroupCount), strings.Join(ids, ",")))
		}
	}
	want := "1 dataSource.Name=batch|2 dataSource.Name=myapp,dataSource.Type=access|1 dataSource.Name=myapp,dataSource.Type=audit"
	if got := strings.Join(sums, "|"); got != want || pages != 3 {
		t.Errorf("ListAggregateLogGroupSummaries: %q in %d pages, want %q in 3", got, pages, want)
	}
	lg, err := c.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{DataSources: []types.DataSourceFilter{{Name: aws.String("myapp"), Type: aws.String("audit")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lg.LogGroups) != 1 || aws.ToString(lg.LogGroups[0].LogGroupName) != "/sdk/audit" {
		t.Errorf("ListLogGroups by data source: %+v", lg.LogGroups)
	}

	// GetLogFields over the data source's events.
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/sdk/audit"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/sdk/audit"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(`{"who":{"ids":[1,2]}}`)}}}); err != nil {
		t.Fatal(err)
	}
	lf, err := c.GetLogFields(ctx, &cloudwatchlogs.GetLogFieldsInput{DataSourceName: aws.String("myapp"), DataSourceType: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	var who *types.LogFieldType
	for _, f := range lf.LogFields {
		if aws.ToString(f.LogFieldName) == "who" {
			who = f.LogFieldType
		}
	}
	if len(lf.LogFields) != 6 || who == nil || aws.ToString(who.Type) != "struct" || len(who.Fields) != 1 ||
		aws.ToString(who.Fields[0].LogFieldName) != "ids" || aws.ToString(who.Fields[0].LogFieldType.Type) != "array" ||
		aws.ToString(who.Fields[0].LogFieldType.Element.Type) != "long" {
		t.Errorf("GetLogFields: %d fields, who %+v", len(lf.LogFields), who)
	}
	_, err = c.GetLogFields(ctx, &cloudwatchlogs.GetLogFieldsInput{DataSourceName: aws.String("nope"), DataSourceType: aws.String("audit")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("unknown data source: %v, want ResourceNotFoundException", err)
	}
}
