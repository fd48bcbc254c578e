package conformance

import (
	"slices"
	"testing"
)

// CLI output shapes of the metric and subscription filter operations.
type (
	cliMetricFilter struct {
		FilterName            string `json:"filterName"`
		FilterPattern         string `json:"filterPattern"`
		LogGroupName          string `json:"logGroupName"`
		CreationTime          int64  `json:"creationTime"`
		MetricTransformations []struct {
			MetricName      string            `json:"metricName"`
			MetricNamespace string            `json:"metricNamespace"`
			MetricValue     string            `json:"metricValue"`
			DefaultValue    *float64          `json:"defaultValue"`
			Dimensions      map[string]string `json:"dimensions"`
			Unit            string            `json:"unit"`
		} `json:"metricTransformations"`
	}
	cliMetricFilters struct {
		MetricFilters []cliMetricFilter `json:"metricFilters"`
		NextToken     string            `json:"NextToken"`
	}
	cliSubscriptionFilters struct {
		SubscriptionFilters []struct {
			FilterName     string `json:"filterName"`
			LogGroupName   string `json:"logGroupName"`
			FilterPattern  string `json:"filterPattern"`
			DestinationArn string `json:"destinationArn"`
			RoleArn        string `json:"roleArn"`
			Distribution   string `json:"distribution"`
			CreationTime   int64  `json:"creationTime"`
		} `json:"subscriptionFilters"`
		NextToken string `json:"NextToken"`
	}
	cliTestMetricFilter struct {
		Matches []struct {
			EventNumber     int64             `json:"eventNumber"`
			EventMessage    string            `json:"eventMessage"`
			ExtractedValues map[string]string `json:"extractedValues"`
		} `json:"matches"`
	}
)

// names lists the (group, filter) pairs of a DescribeMetricFilters answer.
func (m cliMetricFilters) names() []string {
	var n []string
	for _, f := range m.MetricFilters {
		n = append(n, f.LogGroupName+" "+f.FilterName)
	}
	return n
}

const cliLambdaArn = "arn:aws:lambda:us-east-1:123456789012:function:conf-sink"

// metricFilters puts, lists, tests and deletes metric filters with the CLI. It runs after
// the PutLogEvents step (nothing here reads events) while /conf/app and /conf/billing exist.
func (s *cliScript) metricFilters(t *testing.T) {
	cli := s.cli
	put := func(group, name, pattern, transformation string) {
		t.Helper()
		cli.ok(t, nil, "put-metric-filter", "--log-group-name", group, "--filter-name", name,
			"--filter-pattern", pattern, "--metric-transformations", transformation)
	}
	describe := func(args ...string) cliMetricFilters {
		t.Helper()
		var out cliMetricFilters
		cli.ok(t, &out, append([]string{"describe-metric-filters"}, args...)...)
		return out
	}
	put(cliGroupApp, "errors", "ERROR", "metricName=Errors,metricNamespace=Conf,metricValue=1,defaultValue=0")
	put(cliGroupApp, "server-errors", "{ $.status >= 500 }", "metricName=ServerStatus,metricNamespace=Conf,metricValue=$.status,unit=None")
	put("/conf/billing", "errors", "ERROR", "metricName=Errors,metricNamespace=Billing,metricValue=1")
	// Putting a filter of the same name again replaces it.
	put(cliGroupApp, "errors", "?ERROR ?FATAL", "metricName=Errors,metricNamespace=Conf,metricValue=1,defaultValue=0")

	app := describe("--log-group-name", cliGroupApp)
	equalStrings(t, "filters of /conf/app", app.names(), []string{cliGroupApp + " errors", cliGroupApp + " server-errors"})
	if len(app.MetricFilters) == 2 {
		e, se := app.MetricFilters[0], app.MetricFilters[1]
		if e.FilterPattern != "?ERROR ?FATAL" || len(e.MetricTransformations) != 1 ||
			e.MetricTransformations[0].DefaultValue == nil || *e.MetricTransformations[0].DefaultValue != 0 {
			t.Errorf("errors after the second put: %+v", e)
		}
		if len(se.MetricTransformations) != 1 || se.MetricTransformations[0].MetricValue != "$.status" ||
			se.MetricTransformations[0].Unit != "None" || se.CreationTime <= 0 {
			t.Errorf("server-errors: %+v", se)
		}
	}
	equalStrings(t, "prefix serv", describe("--log-group-name", cliGroupApp, "--filter-name-prefix", "serv").names(),
		[]string{cliGroupApp + " server-errors"})
	equalStrings(t, "metric Errors in Billing", describe("--metric-name", "Errors", "--metric-namespace", "Billing").names(),
		[]string{"/conf/billing errors"})

	// The CLI follows nextToken across pages of one filter.
	all := describe("--page-size", "1")
	got := all.names()
	slices.Sort(got)
	equalStrings(t, "all filters, pages of 1", got, []string{"/conf/app errors", "/conf/app server-errors", "/conf/billing errors"})

	var counts struct {
		LogGroups []struct {
			MetricFilterCount int `json:"metricFilterCount"`
		} `json:"logGroups"`
	}
	cli.ok(t, &counts, "describe-log-groups", "--log-group-name-prefix", cliGroupApp)
	if len(counts.LogGroups) != 1 || counts.LogGroups[0].MetricFilterCount != 2 {
		t.Errorf("metricFilterCount of %s: %+v, want 2", cliGroupApp, counts.LogGroups)
	}

	var tested cliTestMetricFilter
	messages := []string{
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.0" 200 2326`,
		`10.0.0.2 - bob [10/Oct/2000:13:55:37 -0700] "POST /api HTTP/1.1" 404 12`,
	}
	cli.ok(t, &tested, append([]string{"test-metric-filter", "--filter-pattern", "[ip, id, user, timestamp, request, status_code = 4*, bytes]",
		"--log-event-messages"}, messages...)...)
	if len(tested.Matches) != 1 || tested.Matches[0].EventMessage != messages[1] ||
		tested.Matches[0].ExtractedValues["$user"] != "bob" || tested.Matches[0].ExtractedValues["$status_code"] != "404" ||
		tested.Matches[0].ExtractedValues["$request"] != "POST /api HTTP/1.1" {
		t.Errorf("test-metric-filter: %+v", tested.Matches)
	}
	cli.fail(t, codeInvalid, "TestMetricFilter", "Invalid metric filter pattern*",
		"test-metric-filter", "--filter-pattern", "{ $.status >= }", "--log-event-messages", "x")

	cli.fail(t, codeRNF, "PutMetricFilter", msgRNFGroup, "put-metric-filter", "--log-group-name", "/no/such",
		"--filter-name", "f", "--filter-pattern", "x", "--metric-transformations", "metricName=M,metricNamespace=N,metricValue=1")
	cli.ok(t, nil, "delete-metric-filter", "--log-group-name", cliGroupApp, "--filter-name", "server-errors")
	cli.fail(t, codeRNF, "DeleteMetricFilter", "The specified metric filter does not exist.",
		"delete-metric-filter", "--log-group-name", cliGroupApp, "--filter-name", "server-errors")
	equalStrings(t, "after delete", describe("--log-group-name", cliGroupApp).names(), []string{cliGroupApp + " errors"})
}

// subscriptionFilters puts, lists and deletes subscription filters with the CLI.
func (s *cliScript) subscriptionFilters(t *testing.T) {
	cli := s.cli
	describe := func() cliSubscriptionFilters {
		t.Helper()
		var out cliSubscriptionFilters
		cli.ok(t, &out, "describe-subscription-filters", "--log-group-name", cliGroupApp)
		return out
	}
	cli.ok(t, nil, "put-subscription-filter", "--log-group-name", cliGroupApp, "--filter-name", "to-lambda",
		"--filter-pattern", "ERROR", "--destination-arn", cliLambdaArn)
	cli.ok(t, nil, "put-subscription-filter", "--log-group-name", cliGroupApp, "--filter-name", "all-to-kinesis",
		"--filter-pattern", "", "--destination-arn", "arn:aws:kinesis:us-east-1:123456789012:stream/conf",
		"--role-arn", "arn:aws:iam::123456789012:role/cwl-to-kinesis", "--distribution", "Random")
	got := describe()
	var names []string
	for _, f := range got.SubscriptionFilters {
		names = append(names, f.FilterName)
	}
	equalStrings(t, "subscription filters", names, []string{"all-to-kinesis", "to-lambda"})
	if len(got.SubscriptionFilters) == 2 {
		k, l := got.SubscriptionFilters[0], got.SubscriptionFilters[1]
		if k.Distribution != "Random" || k.RoleArn == "" || k.FilterPattern != "" || k.LogGroupName != cliGroupApp || k.CreationTime <= 0 {
			t.Errorf("all-to-kinesis: %+v", k)
		}
		if l.Distribution != "ByLogStream" || l.DestinationArn != cliLambdaArn || l.FilterPattern != "ERROR" {
			t.Errorf("to-lambda: %+v", l)
		}
	}
	cli.fail(t, "LimitExceededException", "PutSubscriptionFilter", "Resource limit exceeded.",
		"put-subscription-filter", "--log-group-name", cliGroupApp, "--filter-name", "third",
		"--filter-pattern", "WARN", "--destination-arn", cliLambdaArn)
	cli.ok(t, nil, "delete-subscription-filter", "--log-group-name", cliGroupApp, "--filter-name", "to-lambda")
	cli.fail(t, codeRNF, "DeleteSubscriptionFilter", "The specified subscription filter does not exist.",
		"delete-subscription-filter", "--log-group-name", cliGroupApp, "--filter-name", "to-lambda")
	if left := describe().SubscriptionFilters; len(left) != 1 || left[0].FilterName != "all-to-kinesis" {
		t.Errorf("after delete: %+v", left)
	}
}
