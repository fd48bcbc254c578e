package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// policiesDoc is a data protection policy masking email addresses and a custom employee id.
const policiesDoc = `{"Name":"cli-policy","Version":"2021-06-01",` +
	`"Configuration":{"CustomDataIdentifier":[{"Name":"EmployeeId","Regex":"EMP-\\d{4}"}]},"Statement":[` +
	`{"Sid":"audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress","EmployeeId"],"Operation":{"Audit":{"FindingsDestination":{}}}},` +
	`{"Sid":"redact","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress","EmployeeId"],"Operation":{"Deidentify":{"MaskConfig":{}}}}]}`

// TestAWSCLIPolicies drives the data protection, account and index policy operations
// through AWS CLI v1 (Debian's AWS CLI v2, 2.9.19, has the three data protection commands
// but predates account and index policies: TestAWSCLIPoliciesV2 runs those three through
// it), in 16 invocations (about 0.6 s each) against a server with strict credentials:
// a group's policy masking what get-log-events shows unless --unmask, the policy read back
// by ARN, the dataProtectionStatus and inheritedProperties describe-log-groups shows, an
// account data protection policy and a subscription filter policy with selection criteria,
// the index policy commands and describe-field-indexes, the recorded errors, and deletes.
// The other answers are checked by the unit tests.
func TestAWSCLIPolicies(t *testing.T) {
	t.Parallel() // beside the other CLI tests
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	ctx := context.Background()
	c := newClient(t, srv.URL())
	const arn = "arn:aws:logs:us-east-1:" + testAccountID + ":log-group:app"
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "app"}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: "app", LogStreamName: "s"}); err != nil {
		t.Fatal(err)
	}

	var put struct {
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		PolicyDocument     string `json:"policyDocument"`
		LastUpdatedTime    int64  `json:"lastUpdatedTime"`
	}
	cli.ok(t, &put, "put-data-protection-policy", "--log-group-identifier", "app", "--policy-document", policiesDoc)
	if put.LogGroupIdentifier != "app" || put.PolicyDocument != policiesDoc || put.LastUpdatedTime <= 0 {
		t.Errorf("put-data-protection-policy: %+v", put)
	}
	const msg = `{"user":"jane@example.com","employee":"EMP-1234","path":"/x"}`
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "app", LogStreamName: "s",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: msg}}}); err != nil {
		t.Fatal(err)
	}
	var events struct {
		Events []struct {
			Message string `json:"message"`
		} `json:"events"`
	}
	cli.ok(t, &events, "get-log-events", "--log-group-name", "app", "--log-stream-name", "s")
	if len(events.Events) != 1 || events.Events[0].Message != `{"user":"****************","employee":"********","path":"/x"}` {
		t.Errorf("get-log-events: %+v", events.Events)
	}
	cli.ok(t, &events, "get-log-events", "--log-group-name", "app", "--log-stream-name", "s", "--unmask")
	if len(events.Events) != 1 || events.Events[0].Message != msg {
		t.Errorf("get-log-events --unmask: %+v", events.Events)
	}
	var got struct {
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		PolicyDocument     string `json:"policyDocument"`
	}
	cli.ok(t, &got, "get-data-protection-policy", "--log-group-identifier", arn)
	if got.LogGroupIdentifier != "app" || got.PolicyDocument != policiesDoc {
		t.Errorf("get-data-protection-policy by ARN: %+v", got)
	}
	cli.fail(t, "ValidationException", "GetDataProtectionPolicy",
		"1 validation error detected: Value '"+arn+":*' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*",
		"get-data-protection-policy", "--log-group-identifier", arn+":*")
	cli.fail(t, "InvalidParameterException", "PutDataProtectionPolicy", "arn:aws:dataprotection::aws:data-identifier/PhoneNumber is not a valid Data Identifier",
		"put-data-protection-policy", "--log-group-identifier", "app", "--policy-document",
		strings.ReplaceAll(policiesDoc, "EmailAddress", "PhoneNumber"))

	var putAcct struct {
		AccountPolicy map[string]any `json:"accountPolicy"`
	}
	cli.ok(t, &putAcct, "put-account-policy", "--policy-name", "acct", "--policy-type", "DATA_PROTECTION_POLICY", "--scope", "ALL",
		"--policy-document", policiesDoc)
	if p := putAcct.AccountPolicy; p["policyName"] != "acct" || p["policyDocument"] != policiesDoc || p["policyType"] != "DATA_PROTECTION_POLICY" ||
		p["scope"] != "ALL" || p["accountId"] != nil {
		t.Errorf("put-account-policy: %v", p)
	}
	cli.ok(t, &putAcct, "put-account-policy", "--policy-name", "sub", "--policy-type", "SUBSCRIPTION_FILTER_POLICY",
		"--selection-criteria", `LogGroupName NOT IN ["app"]`,
		"--policy-document", `{"DestinationArn":"arn:aws:lambda:us-east-1:`+testAccountID+`:function:f","FilterPattern":"","Distribution":"Random"}`)
	var acct struct {
		AccountPolicies []struct {
			PolicyName        string `json:"policyName"`
			PolicyType        string `json:"policyType"`
			Scope             string `json:"scope"`
			SelectionCriteria string `json:"selectionCriteria"`
			AccountID         string `json:"accountId"`
		} `json:"accountPolicies"`
	}
	cli.ok(t, &acct, "describe-account-policies", "--policy-type", "SUBSCRIPTION_FILTER_POLICY")
	if p := acct.AccountPolicies; len(p) != 1 || p[0].PolicyName != "sub" || p[0].Scope != "ALL" ||
		p[0].SelectionCriteria != `LogGroupName NOT IN ["app"]` || p[0].AccountID != testAccountID {
		t.Errorf("describe-account-policies: %+v", p)
	}
	var groups struct {
		LogGroups []struct {
			DataProtectionStatus string   `json:"dataProtectionStatus"`
			InheritedProperties  []string `json:"inheritedProperties"`
		} `json:"logGroups"`
	}
	cli.ok(t, &groups, "describe-log-groups", "--log-group-name-prefix", "app")
	if g := groups.LogGroups; len(g) != 1 || g[0].DataProtectionStatus != "ACTIVATED" || strings.Join(g[0].InheritedProperties, ",") != "ACCOUNT_DATA_PROTECTION" {
		t.Errorf("describe-log-groups: %+v", g)
	}

	const indexDoc = `{"Fields":["user"]}`
	var idx struct {
		IndexPolicy struct {
			LogGroupIdentifier string `json:"logGroupIdentifier"`
			PolicyDocument     string `json:"policyDocument"`
			Source             string `json:"source"`
		} `json:"indexPolicy"`
	}
	cli.ok(t, &idx, "put-index-policy", "--log-group-identifier", "app", "--policy-document", indexDoc)
	if p := idx.IndexPolicy; p.LogGroupIdentifier != arn || p.PolicyDocument != indexDoc || p.Source != "LOG_GROUP" {
		t.Errorf("put-index-policy: %+v", p)
	}
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "app", LogStreamName: "s",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: msg}}}); err != nil {
		t.Fatal(err)
	}
	var fields struct {
		FieldIndexes []struct {
			LogGroupIdentifier string `json:"logGroupIdentifier"`
			FieldIndexName     string `json:"fieldIndexName"`
			FirstEventTime     int64  `json:"firstEventTime"`
			Type               string `json:"type"`
		} `json:"fieldIndexes"`
	}
	cli.ok(t, &fields, "describe-field-indexes", "--log-group-identifiers", arn)
	var names []string
	for _, f := range fields.FieldIndexes {
		if f.LogGroupIdentifier != arn || f.FirstEventTime <= 0 || f.Type != "FIELD_INDEX" {
			t.Errorf("describe-field-indexes entry: %+v", f)
		}
		names = append(names, f.FieldIndexName)
	}
	if strings.Join(names, ",") != "@logStream,user" {
		t.Errorf("describe-field-indexes: %v", names)
	}
	cli.ok(t, nil, "delete-index-policy", "--log-group-identifier", arn)

	cli.ok(t, nil, "delete-account-policy", "--policy-name", "acct", "--policy-type", "DATA_PROTECTION_POLICY")
	cli.ok(t, nil, "delete-data-protection-policy", "--log-group-identifier", "app")
	groups.LogGroups = nil
	cli.ok(t, &groups, "describe-log-groups", "--log-group-name-prefix", "app")
	if g := groups.LogGroups; len(g) != 1 || g[0].DataProtectionStatus != "DELETED" || g[0].InheritedProperties != nil {
		t.Errorf("describe-log-groups after the deletes: %+v", g)
	}
}

// TestAWSCLIPoliciesV2 runs the data protection commands of Debian's AWS CLI v2 (2.9.19,
// which has no account or index policy commands) against the server: 3 invocations.
func TestAWSCLIPoliciesV2(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 2)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	if err := newClient(t, srv.URL()).CreateLogGroup(context.Background(), &cwlogs.CreateLogGroupInput{LogGroupName: "app"}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		PolicyDocument     string `json:"policyDocument"`
		LastUpdatedTime    int64  `json:"lastUpdatedTime"`
	}
	cli.ok(t, &out, "put-data-protection-policy", "--log-group-identifier", "app", "--policy-document", policiesDoc)
	if out.LogGroupIdentifier != "app" || out.PolicyDocument != policiesDoc || out.LastUpdatedTime <= 0 {
		t.Errorf("put-data-protection-policy: %+v", out)
	}
	cli.ok(t, nil, "delete-data-protection-policy", "--log-group-identifier", "app")
	var after struct {
		LogGroupIdentifier string  `json:"logGroupIdentifier"`
		PolicyDocument     *string `json:"policyDocument"`
	}
	cli.ok(t, &after, "get-data-protection-policy", "--log-group-identifier", "app")
	if after.LogGroupIdentifier != "app" || after.PolicyDocument != nil {
		t.Errorf("get-data-protection-policy after delete: %+v", after)
	}
}
