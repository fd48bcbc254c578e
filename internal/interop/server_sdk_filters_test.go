package interop

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// sdkMetricFilters drives the metric filter operations through aws-sdk-go-v2: its
// serializers (floats, maps, enums), its paginator over the server's tokens and its typed
// errors. group must exist.
func sdkMetricFilters(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group string) {
	put := func(name, pattern string, tr types.MetricTransformation) error {
		_, err := c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(group),
			FilterName: aws.String(name), FilterPattern: aws.String(pattern), MetricTransformations: []types.MetricTransformation{tr}})
		return err
	}
	filters := []struct {
		name, pattern string
		tr            types.MetricTransformation
	}{
		{"errors", "ERROR", types.MetricTransformation{MetricName: aws.String("Errors"), MetricNamespace: aws.String("SDK"),
			MetricValue: aws.String("1"), DefaultValue: aws.Float64(0.5)}},
		{"latency", "{ $.latency > 0 }", types.MetricTransformation{MetricName: aws.String("Latency"), MetricNamespace: aws.String("SDK"),
			MetricValue: aws.String("$.latency"), Unit: types.StandardUnitMilliseconds, Dimensions: map[string]string{"Path": "$.path"}}},
		{"status", "[ip, user, status, bytes]", types.MetricTransformation{MetricName: aws.String("Bytes"), MetricNamespace: aws.String("SDK/web"),
			MetricValue: aws.String("$bytes"), Unit: types.StandardUnitBytes}},
	}
	for _, f := range filters {
		if err := put(f.name, f.pattern, f.tr); err != nil {
			t.Fatalf("put %s: %v", f.name, err)
		}
	}

	// Pages of one: the SDK's paginator follows the server's tokens to the end.
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c, &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(group), Limit: aws.Int32(1)})
	var got []types.MetricFilter
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > len(filters) {
			t.Fatal("DescribeMetricFilters paginator does not terminate")
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.MetricFilters...)
	}
	if len(got) != len(filters) {
		t.Fatalf("paginator: %d filters, want %d", len(got), len(filters))
	}
	for i, f := range filters {
		g := got[i]
		if aws.ToString(g.FilterName) != f.name || aws.ToString(g.FilterPattern) != f.pattern || aws.ToString(g.LogGroupName) != group ||
			aws.ToInt64(g.CreationTime) <= 0 || len(g.MetricTransformations) != 1 {
			t.Errorf("filter %d: %s, want %s", i, asJSON(g), f.name)
			continue
		}
		tr := g.MetricTransformations[0]
		if aws.ToString(tr.MetricName) != aws.ToString(f.tr.MetricName) || aws.ToString(tr.MetricValue) != aws.ToString(f.tr.MetricValue) ||
			!equalFloat(tr.DefaultValue, f.tr.DefaultValue) || tr.Unit != f.tr.Unit || !maps.Equal(tr.Dimensions, f.tr.Dimensions) {
			t.Errorf("%s: transformation %s, want %s", f.name, asJSON(tr), asJSON(f.tr))
		}
	}

	byMetric, err := c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{
		MetricName: aws.String("Bytes"), MetricNamespace: aws.String("SDK/web")})
	if err != nil || len(byMetric.MetricFilters) != 1 || aws.ToString(byMetric.MetricFilters[0].FilterName) != "status" {
		t.Errorf("by metric Bytes in SDK/web: %+v %v", byMetric, err)
	}

	tested, err := c.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String("{ $.latency > 100 }"),
		LogEventMessages: []string{`{"latency": 50}`, `{"latency": 250, "path": "/api"}`, "not json"}})
	if err != nil || len(tested.Matches) != 1 || aws.ToString(tested.Matches[0].EventMessage) != `{"latency": 250, "path": "/api"}` ||
		tested.Matches[0].ExtractedValues["$.latency"] != "250" {
		t.Errorf("TestMetricFilter: %+v %v", tested, err)
	}

	err = put("literal-dimension", "{ $.latency > 0 }", types.MetricTransformation{MetricName: aws.String("L"), MetricNamespace: aws.String("SDK"),
		MetricValue: aws.String("1"), Dimensions: map[string]string{"Env": "prod"}})
	wantErr[*types.InvalidParameterException](t, "literal dimension", err, "Invalid metric transformation: dimension value must be valid selector")
	_, err = c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/sdk/missing"), FilterName: aws.String("f"),
		FilterPattern: aws.String(""), MetricTransformations: []types.MetricTransformation{filters[0].tr}})
	wantErr[*types.ResourceNotFoundException](t, "missing group", err, "The specified log group does not exist.")

	if _, err := c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("latency")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("latency")})
	wantErr[*types.ResourceNotFoundException](t, "deleted filter", err, "The specified metric filter does not exist.")
}

// sdkSubscriptionFilters drives the subscription filter operations through aws-sdk-go-v2.
func sdkSubscriptionFilters(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group string) {
	const lambda = "arn:aws:lambda:us-east-1:" + sdkAccount + ":function:sink"
	put := func(name string, dist types.Distribution) error {
		in := &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name),
			FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(lambda), Distribution: dist}
		_, err := c.PutSubscriptionFilter(ctx, in)
		return err
	}
	if err := put("b-sink", types.DistributionRandom); err != nil {
		t.Fatal(err)
	}
	if err := put("a-sink", ""); err != nil {
		t.Fatal(err)
	}
	wantErr[*types.LimitExceededException](t, "third filter", put("c-sink", ""), "Resource limit exceeded.")

	p := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(c, &cloudwatchlogs.DescribeSubscriptionFiltersInput{
		LogGroupName: aws.String(group), Limit: aws.Int32(1)})
	var names []string
	var dists []types.Distribution
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 2 {
			t.Fatal("DescribeSubscriptionFilters paginator does not terminate")
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.SubscriptionFilters {
			names = append(names, aws.ToString(f.FilterName))
			dists = append(dists, f.Distribution)
		}
	}
	if !slices.Equal(names, []string{"a-sink", "b-sink"}) || !slices.Equal(dists, []types.Distribution{types.DistributionByLogStream, types.DistributionRandom}) {
		t.Errorf("subscription filters %q %q, want [a-sink b-sink] [ByLogStream Random]", names, dists)
	}
	for _, n := range []string{"a-sink", "b-sink"} {
		if _, err := c.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String("a-sink")})
	wantErr[*types.ResourceNotFoundException](t, "deleted subscription filter", err, "The specified subscription filter does not exist.")
}

func equalFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// asJSON shows an SDK value with its pointers followed, for error messages.
func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
