package conformance

import (
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// The metric filter and subscription filter operations, differentially against
// moto_server, with the machinery of TestMotoDifferential (runDiffSide, compareTrees) and
// a table of their own. moto stores metric filters in one list for the whole region and
// checks nearly nothing, so most rows are moto's faults; where both agree (the
// subscription filter limit, counted per group, and not-found answers, validation of
// names) the answers must be identical.

// filterDiffScript is the scripted sequence. A subscription filter's destination is a log
// group: moto checks that a destination exists and has no Lambda, Kinesis or Firehose of
// its own here, and the local server accepts any ARN.
func filterDiffScript() []diffStep {
	g, other := "/f/app", "/f/other"
	dest := "arn:aws:logs:us-east-1:" + testAccountID + ":log-group:/f/dest:*"
	mt := func(name, ns, value string, extra map[string]any) []any {
		t := map[string]any{"metricName": name, "metricNamespace": ns, "metricValue": value}
		for k, v := range extra {
			t[k] = v
		}
		return []any{t}
	}
	mf := func(group, name, pattern string, ts []any) map[string]any {
		return map[string]any{"logGroupName": group, "filterName": name, "filterPattern": pattern, "metricTransformations": ts}
	}
	sf := func(name, pattern string) map[string]any {
		return map[string]any{"logGroupName": g, "filterName": name, "filterPattern": pattern, "destinationArn": dest}
	}
	return []diffStep{
		s("create group app", "CreateLogGroup", map[string]any{"logGroupName": g}),
		s("create group other", "CreateLogGroup", map[string]any{"logGroupName": other}),
		s("create group dest", "CreateLogGroup", map[string]any{"logGroupName": "/f/dest"}),

		// Metric filters.
		s("put metric filter errors", "PutMetricFilter", mf(g, "errors", "ERROR", mt("Errors", "App", "1", map[string]any{"unit": "Count"}))),
		s("put metric filter latency", "PutMetricFilter", mf(g, "latency", "{ $.latency = * }", mt("Latency", "App", "$.latency", nil))),
		s("put metric filter other", "PutMetricFilter", mf(other, "errors", "ERROR", mt("Errors", "App", "1", nil))),
		s("put metric filter update", "PutMetricFilter", mf(g, "errors", "?ERROR ?WARN", mt("Errors", "App", "1", map[string]any{"unit": "Count"}))),
		s("describe metric filters of group", "DescribeMetricFilters", map[string]any{"logGroupName": g}),
		s("describe metric filters by prefix", "DescribeMetricFilters", map[string]any{"logGroupName": g, "filterNamePrefix": "lat"}),
		s("describe metric filters by metric", "DescribeMetricFilters", map[string]any{"metricName": "Errors", "metricNamespace": "App"}),
		saving(s("describe metric filters limit 1", "DescribeMetricFilters", map[string]any{"logGroupName": g, "limit": 1}),
			map[string]string{"mfToken": "nextToken"}),
		s("describe metric filters page 2", "DescribeMetricFilters", map[string]any{"logGroupName": g, "limit": 1, "nextToken": "$mfToken"}),
		s("describe metric filters token of another group", "DescribeMetricFilters", map[string]any{"logGroupName": other, "limit": 1, "nextToken": "$mfToken"}),
		s("describe metric filters prefix without group", "DescribeMetricFilters", map[string]any{"filterNamePrefix": "lat"}),
		s("describe metric filters name without namespace", "DescribeMetricFilters", map[string]any{"metricName": "Errors"}),
		s("describe metric filters namespace without name", "DescribeMetricFilters", map[string]any{"metricNamespace": "App"}),
		s("describe metric filters metric name too long", "DescribeMetricFilters", map[string]any{"metricName": strings.Repeat("X", 256), "metricNamespace": "App"}),
		s("describe metric filters prefix too long", "DescribeMetricFilters", map[string]any{"filterNamePrefix": strings.Repeat("X", 513)}),
		s("describe metric filters of missing group", "DescribeMetricFilters", map[string]any{"logGroupName": "/f/missing"}),
		s("describe groups with filters", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/f/"}),
		s("put metric filter in missing group", "PutMetricFilter", mf("/f/missing", "x", "ERROR", mt("Errors", "App", "1", nil))),
		s("put metric filter two transformations", "PutMetricFilter", mf(g, "x", "ERROR", append(mt("A", "App", "1", nil), mt("B", "App", "1", nil)...))),
		s("put metric filter name too long", "PutMetricFilter", mf(g, strings.Repeat("X", 513), "ERROR", mt("A", "App", "1", nil))),
		s("put metric filter bad pattern", "PutMetricFilter", mf(g, "bad", "{ $.a = ", mt("A", "App", "1", nil))),
		s("put metric filter literal dimension", "PutMetricFilter", mf(g, "dims", "{ $.latency = * }",
			mt("Latency", "App", "$.latency", map[string]any{"dimensions": map[string]any{"Env": "prod"}}))),
		s("put metric filter dimensions and system fields", "PutMetricFilter", map[string]any{"logGroupName": g, "filterName": "dims",
			"filterPattern": "{ $.latency = * }", "emitSystemFieldDimensions": []any{"@aws.account", "@aws.region"},
			"metricTransformations": mt("Latency", "App", "$.latency", map[string]any{"dimensions": map[string]any{"A": "$.a", "B": "$.b"}})}),
		s("put metric filter namespace with colon", "PutMetricFilter", mf(g, "colon", "ERROR", mt("Errors", "A.B-c_d/1#2:ns", "1", nil))),
		s("describe metric filters by namespace with colon", "DescribeMetricFilters", map[string]any{"metricName": "Errors", "metricNamespace": "A.B-c_d/1#2:ns"}),
		s("put metric filter bad unit", "PutMetricFilter", mf(g, "unit", "ERROR", mt("Errors", "App", "1", map[string]any{"unit": "Parsecs"}))),
		s("test metric filter", "TestMetricFilter", map[string]any{"filterPattern": "ERROR", "logEventMessages": []any{"ERROR x", "INFO y"}}),
		s("delete metric filter latency", "DeleteMetricFilter", map[string]any{"logGroupName": g, "filterName": "latency"}),
		s("delete metric filter latency again", "DeleteMetricFilter", map[string]any{"logGroupName": g, "filterName": "latency"}),
		s("delete metric filter of missing group", "DeleteMetricFilter", map[string]any{"logGroupName": "/f/missing", "filterName": "errors"}),

		// Subscription filters.
		s("put subscription filter one", "PutSubscriptionFilter", sf("one", "")),
		s("put subscription filter two", "PutSubscriptionFilter", sf("two", "ERROR")),
		s("put subscription filter three", "PutSubscriptionFilter", sf("three", "")),
		s("update subscription filter at the limit", "PutSubscriptionFilter", sf("one", "WARN")),
		s("describe subscription filters", "DescribeSubscriptionFilters", map[string]any{"logGroupName": g}),
		s("describe subscription filters of missing group", "DescribeSubscriptionFilters", map[string]any{"logGroupName": "/f/missing"}),
		s("put subscription filter in missing group", "PutSubscriptionFilter", map[string]any{"logGroupName": "/f/missing", "filterName": "x", "filterPattern": "", "destinationArn": dest}),
		s("delete subscription filter two", "DeleteSubscriptionFilter", map[string]any{"logGroupName": g, "filterName": "two"}),
		s("delete subscription filter two again", "DeleteSubscriptionFilter", map[string]any{"logGroupName": g, "filterName": "two"}),
		s("delete subscription filter of missing group", "DeleteSubscriptionFilter", map[string]any{"logGroupName": "/f/missing", "filterName": "two"}),
		s("put subscription filter one in other group", "PutSubscriptionFilter", map[string]any{"logGroupName": other, "filterName": "one", "filterPattern": "", "destinationArn": dest}),
		s("put subscription filter two in other group", "PutSubscriptionFilter", map[string]any{"logGroupName": other, "filterName": "two", "filterPattern": "", "destinationArn": dest}),
		s("put subscription filter three in other group", "PutSubscriptionFilter", map[string]any{"logGroupName": other, "filterName": "three", "filterPattern": "", "destinationArn": dest}),
		saving(s("describe subscription filters limit 1", "DescribeSubscriptionFilters", map[string]any{"logGroupName": other, "limit": 1}),
			map[string]string{"sfToken": "nextToken"}),
		s("describe subscription filters page 2", "DescribeSubscriptionFilters", map[string]any{"logGroupName": other, "limit": 1, "nextToken": "$sfToken"}),
		s("describe subscription filters token of another group", "DescribeSubscriptionFilters", map[string]any{"logGroupName": g, "limit": 1, "nextToken": "$sfToken"}),
		s("describe subscription filters by prefix", "DescribeSubscriptionFilters", map[string]any{"logGroupName": other, "filterNamePrefix": "tw"}),
		s("describe subscription filters limit 51", "DescribeSubscriptionFilters", map[string]any{"logGroupName": other, "limit": 51}),

		// Deleting a group deletes its filters.
		s("delete group app", "DeleteLogGroup", map[string]any{"logGroupName": g}),
		s("describe metric filters after group delete", "DescribeMetricFilters", map[string]any{}),
	}
}

// filterDifferences is every expected difference of filterDiffScript.
var filterDifferences = []knownDiff{
	{steps: []string{"create group app", "create group other", "create group dest", "put metric filter errors", "put metric filter latency",
		"put metric filter other", "put metric filter update", "delete metric filter latency", "put subscription filter one",
		"put subscription filter two", "delete subscription filter two", "put metric filter namespace with colon", "put subscription filter one in other group",
		"put subscription filter two in other group", "delete group app"},
		path: "body", moto: `"(empty body)"`, ours: `{}`, follows: "uncertain",
		note: "Operations without output: whether AWS sends an empty body or {} is unrecorded (cloudwatch-logs-api.md §1)."},
	{steps: []string{"describe metric filters of group", "describe metric filters by prefix", "describe metric filters by metric",
		"describe metric filters limit 1", "describe metric filters by namespace with colon", "describe metric filters after group delete"},
		path: "body.metricFilters*", moto: "*", ours: "*", follows: "ours",
		note: "moto keeps one list of metric filters per region: a put with an existing name appends a second filter instead of replacing it, " +
			"a deleted group's filters stay listed, the list is in insertion order (AWS: ASCII-sorted by filter name), and it has no " +
			"creationTime or applyOnTransformedLogs (both in LocalStack's AWS-validated snapshots)."},
	{steps: []string{"describe metric filters of group", "describe metric filters by prefix", "describe metric filters by metric",
		"describe metric filters prefix without group", "describe metric filters by namespace with colon", "describe metric filters after group delete"},
		path: "body.nextToken", moto: "null", ours: "absent", follows: "ours",
		note: "nextToken is omitted on the last page, never null (cloudwatch-logs-api.md §1)."},
	{steps: []string{"describe metric filters limit 1"}, path: "body.nextToken", moto: "null", ours: `"<token>"`, follows: "ours",
		note: "moto ignores limit and answers every filter on one page."},
	{steps: []string{"describe metric filters page 2"}, path: "body.metricFilters", moto: "*", ours: "*", follows: "ours",
		note: "moto ignores limit and nextToken and answers its whole list again; cwlogs answers the page after the token's."},
	{steps: []string{"describe metric filters page 2", "describe metric filters token of another group"}, path: "body.nextToken",
		moto: `"<token sent>"`, ours: "absent", follows: "ours",
		note: "moto echoes the nextToken it was sent (here the placeholder for the token it never answered), so a client paging on it sees the same token forever; AWS omits nextToken on the last page (cloudwatch-logs-api.md §8)."},
	{steps: []string{"describe metric filters token of another group"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A token answered for one log group's listing is refused for another's with InvalidParameterException \"The specified nextToken is invalid.\" (AWS's text for a bad token, local-emulators.md §1), as DescribeLogStreams refuses a token of another group; moto ignores nextToken."},
	{steps: []string{"describe metric filters token of another group"}, path: "body*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"describe metric filters prefix without group"}, path: "body.metricFilters", moto: "*", ours: "*", follows: "ours",
		note: "filterNamePrefix is used only with logGroupName (the model's DescribeMetricFiltersRequest.filterNamePrefix: \"CloudWatch Logs uses the value that you set here only if you also include the logGroupName parameter in your request\"); moto applies it to every group's filters."},
	{steps: []string{"describe metric filters name without namespace", "describe metric filters namespace without name"}, path: "body.message",
		moto: `"1 validation error detected: Value 'None' at 'metric*' *"`, ours: `"1 validation error detected: Value null at 'metric*' *"`, follows: "ours",
		note: "Same constraint text; moto prints Python's None where the service's template says null for an absent member (cloudwatch-logs-api.md §7)."},
	{steps: []string{"describe metric filters metric name too long", "describe metric filters prefix too long"}, path: "body.message",
		moto: `"1 validation error detected: Value '*' at '*' failed to satisfy constraint: *imum length of *."`,
		ours: `"1 validation error detected: Value '*' at '*' failed to satisfy constraint: Member must have length less than or equal to *"`, follows: "ours",
		note: "Live AWS words both \"Member must have length less than or equal to N\" (LocalStack's AWS-validated test_describe_metric_filters_invalid_parameters, which sends the prefix without a group)."},
	{steps: []string{"describe metric filters of missing group", "put metric filter in missing group"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A missing group is ResourceNotFoundException \"The specified log group does not exist.\" (seen from live AWS for DescribeMetricFilters, turbot/steampipe-plugin-aws#1419); moto never looks the group up."},
	{steps: []string{"describe metric filters of missing group", "put metric filter in missing group"}, path: "body*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"describe groups with filters"}, path: "body.logGroups[*].metricFilterCount", moto: "0", ours: "*", follows: "ours",
		note: "metricFilterCount counts the group's metric filters; moto always answers 0."},
	{steps: []string{"describe groups with filters"}, path: "body.logGroups[*].logGroupClass", moto: "absent", ours: `"STANDARD"`, follows: "ours",
		note: "As in TestMotoDifferential: logGroupClass defaults to STANDARD."},
	{steps: []string{"describe groups with filters"}, path: "body.nextToken", moto: "null", ours: "absent", follows: "ours",
		note: "nextToken is omitted on the last page, never null."},
	{steps: []string{"put metric filter two transformations"}, path: "body.message",
		moto: `"1 validation error detected: Value '[*]' at 'metricTransformations' failed to satisfy constraint: Fixed number of 1 item."`,
		ours: `"1 validation error detected: Value '[MetricTransformation(metricName=A, *)]' at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1"`, follows: "ours",
		note: "Live AWS renders the list as Java's toString and says \"Member must have length less than or equal to 1\" (LocalStack's AWS-validated test_put_metric_filter_too_many_transformations)."},
	{steps: []string{"put metric filter name too long"}, path: "body.message",
		moto: `"1 validation error detected: Value '*' at 'filterName' failed to satisfy constraint: Minimum length of 1. Maximum length of 512."`,
		ours: `"1 validation error detected: Value '*' at 'filterName' failed to satisfy constraint: Member must have length less than or equal to 512"`, follows: "ours",
		note: "Live AWS words the constraint \"Member must have length less than or equal to 512\" (LocalStack's AWS-validated test_put_metric_filter_invalid_filter_name)."},
	{steps: []string{"put metric filter bad pattern"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "An unparsable pattern is InvalidParameterException \"Invalid metric filter pattern\" (relayed from AWS in aws/aws-cdk#16278); moto stores any pattern."},
	{steps: []string{"put metric filter bad pattern"}, path: "body", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"put metric filter literal dimension"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A dimension whose value is a literal, not a selector, is InvalidParameterException \"Invalid metric transformation: dimension value must be valid selector\" (recorded from live AWS by several users); moto stores any dimensions."},
	{steps: []string{"put metric filter dimensions and system fields"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "emitSystemFieldDimensions \"count toward the total dimension limit for metric filters\" of three (the model's PutMetricFilterRequest); AWS's wording is unrecorded. moto ignores the member."},
	{steps: []string{"put metric filter bad unit"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "unit is the model's StandardUnit enum; cwlogs answers the service's validation template (AWS's exact text for this member is unrecorded); moto stores any unit."},
	{steps: []string{"delete metric filter of missing group"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A missing group is ResourceNotFoundException \"The specified log group does not exist.\" (the model lists it for DeleteMetricFilter, and live AWS answers it so for DeleteSubscriptionFilter, which moto matches below); moto never looks the group up."},
	{steps: []string{"put metric filter literal dimension", "put metric filter dimensions and system fields", "put metric filter bad unit",
		"delete metric filter of missing group"}, path: "body", moto: `"(empty body)"`, ours: "*", follows: "ours",
		note: "The bodies of the four previous rows: moto answers nothing, cwlogs the error."},
	{steps: []string{"test metric filter"}, path: "*", moto: "*", ours: "*", follows: "ours",
		note: "moto does not implement TestMetricFilter."},
	{steps: []string{"delete metric filter latency again"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "Deleting a missing metric filter is ResourceNotFoundException (the model lists it); moto silently succeeds. The message mirrors AWS's recorded \"The specified subscription filter does not exist.\""},
	{steps: []string{"delete metric filter latency again"}, path: "body", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"update subscription filter at the limit"}, path: "status", moto: "400", ours: "200", follows: "ours",
		note: "Updating one of a group's two subscription filters is allowed (PutSubscriptionFilter: \"If you are updating an existing filter, you must specify the correct name\"); moto checks the limit before looking for the name (getmoto/moto#10269)."},
	{steps: []string{"update subscription filter at the limit"}, path: "body*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row: moto answers LimitExceededException \"Resource limit exceeded.\"."},
	{steps: []string{"describe subscription filters limit 1"}, path: "body.nextToken", moto: "absent", ours: `"<token>"`, follows: "ours",
		note: "moto ignores limit and nextToken: it answers every subscription filter on one page."},
	{steps: []string{"describe subscription filters limit 1", "describe subscription filters page 2"}, path: "body.subscriptionFilters",
		moto: "*", ours: "*", follows: "ours", note: "The listings of the previous row: moto both filters on each page, cwlogs one a page."},
	{steps: []string{"describe subscription filters by prefix"}, path: "body.subscriptionFilters", moto: "*", ours: "*", follows: "ours",
		note: "filterNamePrefix restricts the listing (the model's DescribeSubscriptionFiltersRequest.filterNamePrefix, \"The prefix to match\"); moto ignores it."},
	{steps: []string{"describe subscription filters token of another group"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A token answered for one log group is refused for another with InvalidParameterException \"The specified nextToken is invalid.\"; moto ignores nextToken."},
	{steps: []string{"describe subscription filters limit 51"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "limit is the model's DescribeLimit, 1 to 50; moto does not check it."},
	{steps: []string{"describe subscription filters token of another group", "describe subscription filters limit 51"}, path: "body.*",
		moto: "*", ours: "*", follows: "ours", note: "The bodies of the two previous rows: moto lists filters, cwlogs answers the error."},
	{steps: []string{"describe subscription filters"}, path: "body.subscriptionFilters[0].filterPattern", moto: `""`, ours: `"WARN"`, follows: "ours",
		note: "The update that moto refused."},
	{steps: []string{"describe subscription filters"}, path: "body.subscriptionFilters[*].roleArn", moto: "null", ours: "absent", follows: "ours",
		note: "Absent members are omitted, never null (LocalStack's AWS-validated snapshot has no roleArn for a Lambda destination)."},
	{steps: []string{"describe subscription filters"}, path: "body.subscriptionFilters[*].applyOnTransformedLogs", moto: "absent", ours: "false", follows: "ours",
		note: "AWS answers applyOnTransformedLogs false (LocalStack's AWS-validated snapshot)."},
}

func TestMotoDifferentialFilters(t *testing.T) {
	// Not parallel: moto_server is shared and reset per test; this test runs to its end
	// before the parallel TestMotoDifferential resumes.
	moto := testpeer.Moto(t)
	ours := startServer(t).URL()
	runFeatureDiff(t, moto, ours, filterDiffScript(), filterDifferences)
}
