package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAWSCLISmallOps runs put-bearer-token-authentication, list-aggregate-log-group-summaries
// and get-log-fields (all three known to AWS CLI v1 through botocore's current model)
// against a local server: the flag shown by describe-log-groups, the
// InvalidOperationException of a DELIVERY group, the summaries of the data sources the
// groups' cw:datasource:* tags name (paged by the CLI with --page-size 1) and the typed
// fields of a data source's events, with the ResourceNotFoundException of an unknown one.
// Set-up goes through the Go client: every CLI invocation costs about 2 s.
func TestAWSCLISmallOps(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	c := newClient(t, srv.URL())
	ts := time.Now().Add(-time.Minute).UnixMilli()
	for _, st := range []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName":"/cli/api-1","tags":{"cw:datasource:name":"myapp","cw:datasource:type":"access"}}`},
		{"CreateLogGroup", `{"logGroupName":"/cli/api-2","tags":{"cw:datasource:name":"myapp","cw:datasource:type":"access"}}`},
		{"CreateLogGroup", `{"logGroupName":"/cli/audit","tags":{"cw:datasource:name":"myapp","cw:datasource:type":"audit"}}`},
		{"CreateLogGroup", `{"logGroupName":"/cli/delivery","logGroupClass":"DELIVERY"}`},
		{"CreateLogStream", `{"logGroupName":"/cli/api-1","logStreamName":"s"}`},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/api-1","logStreamName":"s","logEvents":[{"timestamp":%d,"message":"{\"status\":200,\"req\":{\"id\":\"x\"}}"}]}`, ts)},
	} {
		if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
			t.Fatalf("%s: %v", st.op, err)
		}
	}

	cli.ok(t, nil, "put-bearer-token-authentication", "--log-group-identifier", "/cli/api-1", "--bearer-token-authentication-enabled")
	var groups struct {
		LogGroups []struct {
			LogGroupName                     string `json:"logGroupName"`
			BearerTokenAuthenticationEnabled *bool  `json:"bearerTokenAuthenticationEnabled"`
		} `json:"logGroups"`
	}
	cli.ok(t, &groups, "describe-log-groups", "--log-group-name-prefix", "/cli/api")
	if len(groups.LogGroups) != 2 || groups.LogGroups[0].BearerTokenAuthenticationEnabled == nil || !*groups.LogGroups[0].BearerTokenAuthenticationEnabled ||
		groups.LogGroups[1].BearerTokenAuthenticationEnabled != nil {
		t.Errorf("describe-log-groups: %+v", groups)
	}
	cli.fail(t, "InvalidOperationException", "PutBearerTokenAuthentication",
		"Bearer token authentication is not supported for log groups in the DELIVERY log class.",
		"put-bearer-token-authentication", "--log-group-identifier", "/cli/delivery", "--bearer-token-authentication-enabled")

	var sums struct {
		Summaries []struct {
			LogGroupCount       int64
			GroupingIdentifiers []struct{ Key, Value string }
		} `json:"aggregateLogGroupSummaries"`
	}
	cli.ok(t, &sums, "list-aggregate-log-group-summaries", "--group-by", "DATA_SOURCE_NAME_AND_TYPE", "--page-size", "1")
	if got := fmt.Sprint(sums.Summaries); got != "[{2 [{dataSource.Name myapp} {dataSource.Type access}]} {1 [{dataSource.Name myapp} {dataSource.Type audit}]}]" {
		t.Errorf("list-aggregate-log-group-summaries: %s", got)
	}

	var fields struct {
		LogFields []struct {
			LogFieldName string
			LogFieldType struct {
				Type   string
				Fields []struct {
					LogFieldName string
					LogFieldType struct{ Type string }
				}
			}
		}
	}
	cli.ok(t, &fields, "get-log-fields", "--data-source-name", "myapp", "--data-source-type", "access")
	if got := fmt.Sprint(fields.LogFields); got != "[{@ingestionTime {timestamp []}} {@log {string []}} {@logStream {string []}} {@message {string []}} {@timestamp {timestamp []}} "+
		"{req {struct [{id {string}}]}} {status {long []}}]" {
		t.Errorf("get-log-fields: %s", got)
	}
	cli.fail(t, "ResourceNotFoundException", "GetLogFields", "The specified data source does not exist.",
		"get-log-fields", "--data-source-name", "myapp", "--data-source-type", "nope")
}
