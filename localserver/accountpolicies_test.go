package localserver

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestParseSelectionCriteria: the documented forms parse; anything else is refused with
// the position of the problem.
func TestParseSelectionCriteria(t *testing.T) {
	tests := []struct {
		src     string
		want    string // "attr not values" or an error substring after "!"
		matches []string
		misses  []string
	}{
		{`LogGroupName NOT IN []`, "LogGroupName true []", []string{"any"}, nil},
		{`LogGroupName NOT IN ["tf-acc-1"]`, "LogGroupName true [tf-acc-1]", []string{"other"}, []string{"tf-acc-1"}},
		{`LogGroupName IN ["log-group-1", "log-group-2"]`, "LogGroupName false [log-group-1 log-group-2]", []string{"log-group-2"}, []string{"log-group-3", "log-group"}},
		{`LogGroupNamePrefix NOT IN ["/aws/prefix1", "/aws/prefix2"]`, "LogGroupNamePrefix true [/aws/prefix1 /aws/prefix2]", []string{"/aws/other"}, []string{"/aws/prefix1/x"}},
		{`LogGroupNamePrefix IN ["my-log"]`, "LogGroupNamePrefix false [my-log]", []string{"my-logging"}, []string{"my-lo"}},
		{"  LogGroupNamePrefix\tIN[\"a\",\"b\"]  ", "LogGroupNamePrefix false [a b]", []string{"b1"}, nil},
		{`LogGroupName IN ["quote \" inside"]`, `LogGroupName false [quote " inside]`, nil, nil},
		{`DataSourceName = "amazon_vpc" AND DataSourceType = "flow"`, "DataSource false [amazon_vpc flow]", nil, []string{"amazon_vpc"}},
		{``, "!at character 1: expected LogGroupName, LogGroupNamePrefix or DataSourceName", nil, nil},
		{`LogGroupName = "x"`, "!at character 14: expected IN or NOT IN after LogGroupName", nil, nil},
		{`LogGroupName NOT ["x"]`, "!expected IN after NOT", nil, nil},
		{`LogGroupName IN "x"`, "!expected [", nil, nil},
		{`LogGroupName IN ["x"`, "!unterminated list", nil, nil},
		{`LogGroupName IN ["x" "y"]`, "!expected , or ]", nil, nil},
		{`LogGroupName IN ['x']`, "!expected a double-quoted string", nil, nil},
		{`LogGroupName IN ["x`, "!unterminated string", nil, nil},
		{`LogGroupName IN ["\q"]`, "!malformed string", nil, nil},
		{`LogGroupName IN ["x"] extra`, "!unexpected text after the list", nil, nil},
		{`logGroupName IN ["x"]`, "!expected LogGroupName", nil, nil},
		{`DataSourceName = "a" OR DataSourceType = "b"`, "!expected AND", nil, nil},
		{`DataSourceName = "a" AND DataSourceType "b"`, "!expected =", nil, nil},
		{`LogGroupName IN [` + strings.TrimSuffix(strings.Repeat(`"x",`, 51), ",") + `]`, "!at most 50 values", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			c, err := parseSelectionCriteria(tc.src)
			if sub, ok := strings.CutPrefix(tc.want, "!"); ok {
				if err == nil || !strings.Contains(err.msg, sub) {
					t.Fatalf("got %v, %v; want error %q", c, err, sub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%s %v %v", c.attr, c.not, c.values); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for _, n := range tc.matches {
				if !c.matches(n) {
					t.Errorf("does not match %q", n)
				}
			}
			for _, n := range tc.misses {
				if c.matches(n) {
					t.Errorf("matches %q", n)
				}
			}
		})
	}
}

// TestSelectionCriteriaOverlap: the documentation's examples of overlapping criteria.
func TestSelectionCriteriaOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`LogGroupNamePrefix IN ["my-log"]`, `LogGroupNamePrefix IN ["my-logpprod"]`, true},
		{`LogGroupNamePrefix IN ["my-log"]`, `LogGroupNamePrefix IN ["my-logging"]`, true},
		{`LogGroupNamePrefix IN ["my-log"]`, `LogGroupNamePrefix IN ["other"]`, false},
		{`LogGroupNamePrefix IN ["my-log"]`, `LogGroupNamePrefix IN ["/my-log-prod"]`, false},
		{`LogGroupName IN ["a"]`, `LogGroupName IN ["b", "a"]`, true},
		{`LogGroupName IN ["a"]`, `LogGroupName IN ["b"]`, false},
		{`LogGroupName IN ["my-log-1"]`, `LogGroupNamePrefix IN ["my-log"]`, true},
		// "you can create an IN policy for the exact log group name /aws/lambda/function1"
		// beside a NOT IN policy for prefix /aws/lambda, but not an IN policy for /aws.
		{`LogGroupNamePrefix NOT IN ["/aws/lambda"]`, `LogGroupName IN ["/aws/lambda/function1"]`, false},
		{`LogGroupNamePrefix NOT IN ["/aws/lambda"]`, `LogGroupNamePrefix IN ["/aws"]`, true},
		{`LogGroupName NOT IN ["x"]`, `LogGroupName IN ["x"]`, false},
		{`LogGroupName NOT IN ["x"]`, `LogGroupNamePrefix IN ["x"]`, true},
		{`LogGroupName NOT IN ["x"]`, `LogGroupNamePrefix NOT IN ["y"]`, true},
		{`DataSourceName = "a" AND DataSourceType = "b"`, `DataSourceName = "a" AND DataSourceType = "b"`, true},
		{`DataSourceName = "a" AND DataSourceType = "b"`, `DataSourceName = "a" AND DataSourceType = "c"`, false},
		{`DataSourceName = "a" AND DataSourceType = "b"`, `LogGroupNamePrefix IN ["a"]`, false},
	}
	for _, tc := range tests {
		a, err := parseSelectionCriteria(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := parseSelectionCriteria(tc.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.overlaps(b); got != tc.want || b.overlaps(a) != tc.want {
			t.Errorf("%s / %s: overlaps %v (reversed %v), want %v", tc.a, tc.b, got, b.overlaps(a), tc.want)
		}
	}
}

const subscriptionPolicyDoc = `{"DestinationArn":"arn:aws:lambda:us-east-1:123456789012:function:f","FilterPattern":"","Distribution":"Random"}`

func acctPolicy(name, typ, doc string, criteria ...string) m {
	in := m{"policyName": name, "policyType": typ, "policyDocument": doc}
	if len(criteria) > 0 {
		in["selectionCriteria"] = criteria[0]
	}
	return in
}

// TestPutAccountPolicy: the AWS CLI's put-account-policy example answer, each type's
// document and selectionCriteria rules, and the model's shapes.
func TestPutAccountPolicy(t *testing.T) {
	s, clock := dpServer(t, Config{})
	doc := dpDoc("", "Address", "CreditCardNumber", "DriversLicense-US", "EmailAddress")
	r := mustOK(t, s, "PutAccountPolicy", m{"policyName": "Example_Data_Protection_Policy", "policyDocument": doc,
		"policyType": policyDataProtection, "scope": "ALL"})
	want := `{"accountPolicy":{"policyName":"Example_Data_Protection_Policy","policyDocument":` + quoteJSON(doc) +
		`,"lastUpdatedTime":` + itoa(nowMs()) + `,"policyType":"DATA_PROTECTION_POLICY","scope":"ALL"}}`
	if string(r.raw) != want {
		t.Errorf("put:\n got %s\nwant %s", r.raw, want)
	}
	clock.Add(time.Minute)
	r = mustOK(t, s, "PutAccountPolicy", acctPolicy("sub", policySubscription, subscriptionPolicyDoc, `LogGroupName NOT IN ["g"]`))
	if p := r.body["accountPolicy"].(map[string]any); p["selectionCriteria"] != `LogGroupName NOT IN ["g"]` || p["scope"] != "ALL" {
		t.Errorf("subscription policy: %s", r.raw)
	}
	idx := `{"Fields":["RequestId"]}`
	tests := []struct {
		name     string
		in       any
		wantType string
		wantMsg  string
	}{
		{"transformer", acctPolicy("t", policyTransformer, `{"transformerConfig":[]}`), "", ""},
		{"field index by data source", acctPolicy("ds", policyFieldIndex, idx, `DataSourceName = "amazon_vpc" AND DataSourceType = "flow"`), "", ""},
		{"metric extraction", acctPolicy("me", policyMetricExtraction, `{}`, `LogGroupNamePrefix NOT IN ["/aws/containerinsights"]`), "", ""},
		{"no name", m{"policyType": policyTransformer, "policyDocument": "{}"}, codeInvalidParameter,
			"1 validation error detected: Value null at 'policyName' failed to satisfy constraint: Member must not be null"},
		{"no type", m{"policyName": "x", "policyDocument": "{}"}, codeInvalidParameter,
			"1 validation error detected: Value null at 'policyType' failed to satisfy constraint: Member must not be null"},
		{"bad type", acctPolicy("x", "IAM_POLICY", "{}"), codeInvalidParameter,
			"1 validation error detected: Value 'IAM_POLICY' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [DATA_PROTECTION_POLICY, SUBSCRIPTION_FILTER_POLICY, FIELD_INDEX_POLICY, TRANSFORMER_POLICY, METRIC_EXTRACTION_POLICY]"},
		{"bad scope", m{"policyName": "x", "policyType": policyTransformer, "policyDocument": "{}", "scope": "SOME"}, codeInvalidParameter,
			"1 validation error detected: Value 'SOME' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [ALL]"},
		// The model's AccountPolicyDocument has no length constraint: "" is a document
		// that is not a JSON object.
		{"empty document", acctPolicy("x", policyTransformer, ""), codeInvalidParameter, msgPolicyNotJSON},
		{"empty data protection document", acctPolicy("x", policyDataProtection, ""), codeInvalidParameter,
			"The data protection policy document is not a valid JSON object."},
		{"aws/ name", acctPolicy("aws/x", policyTransformer, "{}"), codeInvalidParameter, "Policy names cannot start with aws/."},
		{"AWS/ name", acctPolicy("AWS/x", policyTransformer, "{}"), codeInvalidParameter, "Policy names cannot start with aws/."},
		{"empty name", acctPolicy("", policyTransformer, "{}"), codeInvalidParameter, "The policyName must not be empty."},
		{"document not JSON", acctPolicy("x", policyTransformer, "{"), codeInvalidParameter, msgPolicyNotJSON},
		{"bad data protection document", acctPolicy("Example_Data_Protection_Policy", policyDataProtection, dpDoc("", "PhoneNumber")), codeInvalidParameter,
			dpArn + "PhoneNumber is not a valid Data Identifier"},
		{"criteria on data protection", acctPolicy("Example_Data_Protection_Policy", policyDataProtection, doc, `LogGroupName IN ["g"]`), codeInvalidParameter,
			"selectionCriteria is not supported for policies of type DATA_PROTECTION_POLICY."},
		{"criteria too long", acctPolicy("x", policyTransformer, "{}", `LogGroupNamePrefix IN ["`+strings.Repeat("a", 25<<10)+`"]`), codeInvalidParameter,
			"~can be up to 25600"},
		{"criteria malformed", acctPolicy("x", policyTransformer, "{}", `LogGroupNamePrefix IN [`), codeInvalidParameter, "~Invalid selectionCriteria"},
		{"subscription takes only NOT IN names", acctPolicy("sub", policySubscription, subscriptionPolicyDoc, `LogGroupName IN ["g"]`), codeInvalidParameter,
			"This selectionCriteria is not supported for policies of type SUBSCRIPTION_FILTER_POLICY."},
		{"transformer takes only prefixes", acctPolicy("x", policyTransformer, "{}", `LogGroupName IN ["g"]`), codeInvalidParameter,
			"This selectionCriteria is not supported for policies of type TRANSFORMER_POLICY."},
		{"field index takes no NOT IN", acctPolicy("x", policyFieldIndex, idx, `LogGroupNamePrefix NOT IN ["g"]`), codeInvalidParameter,
			"This selectionCriteria is not supported for policies of type FIELD_INDEX_POLICY."},
		{"subscription without destination", acctPolicy("sub", policySubscription, `{"FilterPattern":""}`), codeInvalidParameter,
			"The subscription filter policy document must have a DestinationArn."},
		{"subscription kinesis without role", acctPolicy("sub", policySubscription, `{"DestinationArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s"}`),
			codeInvalidParameter, "destinationArn for vendor kinesis cannot be used without roleArn"},
		{"subscription pattern object (aws/aws-cli#8823)", acctPolicy("sub", policySubscription,
			`{"DestinationArn":"arn:aws:lambda:us-east-1:123456789012:function:f","FilterPattern":{"$.level":"audit"}}`),
			codeInvalidParameter, "The subscription filter policy document is malformed: member FilterPattern cannot be a JSON object."},
		{"subscription bad pattern", acctPolicy("sub", policySubscription, `{"DestinationArn":"arn:aws:lambda:us-east-1:123456789012:function:f","FilterPattern":"{ $.x = "}`),
			codeInvalidParameter, msgInvalidSubscriptionPattern},
		{"subscription bad distribution", acctPolicy("sub", policySubscription, `{"DestinationArn":"arn:aws:lambda:us-east-1:123456789012:function:f","Distribution":"All"}`),
			codeInvalidParameter, "The Distribution of a subscription filter policy must be one of Random, ByLogStream."},
		{"bad field index document", acctPolicy("x", policyFieldIndex, `{"Fields":[]}`), codeInvalidParameter,
			"The field index policy document must include at least one field index."},
		{"second data protection policy", acctPolicy("other", policyDataProtection, doc), codeLimitExceeded, msgLimitExceeded},
		{"second subscription policy", acctPolicy("sub2", policySubscription, subscriptionPolicyDoc), codeLimitExceeded, msgLimitExceeded},
		{"second unscoped transformer", acctPolicy("t2", policyTransformer, "{}"), codeLimitExceeded, msgLimitExceeded},
		{"scoped transformer beside an unscoped one", acctPolicy("t3", policyTransformer, "{}", `LogGroupNamePrefix IN ["a"]`), codeInvalidParameter,
			"An account policy of type TRANSFORMER_POLICY that applies to all log groups cannot coexist with one that applies to a subset of them."},
		{"same data source twice", acctPolicy("ds2", policyFieldIndex, idx, `DataSourceName = "amazon_vpc" AND DataSourceType = "flow"`), codeInvalidParameter,
			"The selectionCriteria overlaps that of account policy ds."},
		{"second NOT IN metric policy", acctPolicy("me2", policyMetricExtraction, "{}", `LogGroupName NOT IN ["x"]`), codeInvalidParameter,
			"The selectionCriteria overlaps that of account policy me."},
		{"metric IN inside the NOT IN", acctPolicy("me3", policyMetricExtraction, "{}", `LogGroupName IN ["/aws/containerinsights/x"]`), "", ""},
		{"unscoped metric beside scoped ones", acctPolicy("me4", policyMetricExtraction, "{}"), codeInvalidParameter,
			"An account policy of type METRIC_EXTRACTION_POLICY that applies to all log groups cannot coexist with one that applies to a subset of them."},
		{"update at the limit", acctPolicy("Example_Data_Protection_Policy", policyDataProtection, dpDoc("", "EmailAddress")), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "PutAccountPolicy", tc.in)
			if tc.wantType == "" {
				if r.status != 200 {
					t.Fatalf("got %d %s", r.status, r.raw)
				}
				return
			}
			checkAnswer(t, r, tc.wantType, tc.wantMsg)
		})
	}
}

// TestAccountPolicyLimits: 20 prefix-scoped field index policies and 20 by data source; the
// 21st of each kind is LimitExceededException, an update is not; overlapping prefixes are
// refused; a policy for all log groups excludes the prefix ones.
func TestAccountPolicyLimits(t *testing.T) {
	s := newTestServer(t, Config{})
	idx := `{"Fields":["RequestId"]}`
	for i := range 20 {
		mustOK(t, s, "PutAccountPolicy", acctPolicy(fmt.Sprintf("p%02d", i), policyFieldIndex, idx, fmt.Sprintf(`LogGroupNamePrefix IN ["g%02d-"]`, i)))
		mustOK(t, s, "PutAccountPolicy", acctPolicy(fmt.Sprintf("d%02d", i), policyFieldIndex, idx, fmt.Sprintf(`DataSourceName = "n%d" AND DataSourceType = "t"`, i)))
	}
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("p20", policyFieldIndex, idx, `LogGroupNamePrefix IN ["h"]`)), codeLimitExceeded, msgLimitExceeded)
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("d20", policyFieldIndex, idx, `DataSourceName = "n20" AND DataSourceType = "t"`)), codeLimitExceeded, msgLimitExceeded)
	mustOK(t, s, "PutAccountPolicy", acctPolicy("p07", policyFieldIndex, idx, `LogGroupNamePrefix IN ["g07-x"]`))
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("p07", policyFieldIndex, idx, `LogGroupNamePrefix IN ["g08"]`)), codeInvalidParameter,
		"The selectionCriteria overlaps that of account policy p08.")
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("all", policyFieldIndex, idx)), codeInvalidParameter,
		"An account policy of type FIELD_INDEX_POLICY that applies to all log groups cannot coexist with one that applies to a subset of them.")
	for i := range 20 {
		mustOK(t, s, "DeleteAccountPolicy", m{"policyName": fmt.Sprintf("p%02d", i), "policyType": policyFieldIndex})
	}
	mustOK(t, s, "PutAccountPolicy", acctPolicy("all", policyFieldIndex, idx))
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("p00", policyFieldIndex, idx, `LogGroupNamePrefix IN ["z"]`)), codeInvalidParameter,
		"An account policy of type FIELD_INDEX_POLICY that applies to all log groups cannot coexist with one that applies to a subset of them.")
	for i := range 5 {
		mustOK(t, s, "PutAccountPolicy", acctPolicy(fmt.Sprintf("m%d", i), policyMetricExtraction, "{}", fmt.Sprintf(`LogGroupName IN ["m%d"]`, i)))
	}
	checkAnswer(t, call(t, s, "PutAccountPolicy", acctPolicy("m5", policyMetricExtraction, "{}", `LogGroupName IN ["m5"]`)), codeLimitExceeded, msgLimitExceeded)
}

// TestDescribeDeleteAccountPolicies: the AWS CLI's describe-account-policies example shape
// (accountId included), filters, names reused across types, and deletion.
func TestDescribeDeleteAccountPolicies(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := dpDoc("", "EmailAddress")
	mustOK(t, s, "PutAccountPolicy", acctPolicy("shared", policyDataProtection, doc))
	mustOK(t, s, "PutAccountPolicy", acctPolicy("shared", policyTransformer, "{}", `LogGroupNamePrefix IN ["b"]`))
	mustOK(t, s, "PutAccountPolicy", acctPolicy("another", policyTransformer, "{}", `LogGroupNamePrefix IN ["a"]`))
	r := mustOK(t, s, "DescribeAccountPolicies", m{"policyType": policyDataProtection})
	want := `{"accountPolicies":[{"policyName":"shared","policyDocument":` + quoteJSON(doc) + `,"lastUpdatedTime":` + itoa(nowMs()) +
		`,"policyType":"DATA_PROTECTION_POLICY","scope":"ALL","accountId":"123456789012"}]}`
	if string(r.raw) != want {
		t.Errorf("describe:\n got %s\nwant %s", r.raw, want)
	}
	names := func(in m) []string {
		t.Helper()
		var out []string
		for _, p := range list(mustOK(t, s, "DescribeAccountPolicies", in).body["accountPolicies"]) {
			out = append(out, p.(map[string]any)["policyName"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		in   m
		want []string
	}{
		{m{"policyType": policyTransformer}, []string{"another", "shared"}},
		{m{"policyType": policyTransformer, "policyName": "shared"}, []string{"shared"}},
		{m{"policyType": policyTransformer, "policyName": "none"}, nil},
		{m{"policyType": policyTransformer, "accountIdentifiers": []string{"123456789012"}}, []string{"another", "shared"}},
		{m{"policyType": policyTransformer, "accountIdentifiers": []string{"999999999999"}}, nil},
		{m{"policyType": policySubscription}, nil},
	} {
		if got := names(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.in, got, tc.want)
		}
	}
	checkAnswer(t, call(t, s, "DescribeAccountPolicies", m{}), codeInvalidParameter,
		"1 validation error detected: Value null at 'policyType' failed to satisfy constraint: Member must not be null")
	checkAnswer(t, call(t, s, "DescribeAccountPolicies", m{"policyType": policyTransformer, "nextToken": "x"}), codeInvalidParameter, msgInvalidNextToken)
	checkAnswer(t, call(t, s, "DescribeAccountPolicies", m{"policyType": policyTransformer, "accountIdentifiers": []string{"1"}}), codeInvalidParameter,
		"~Member must have length greater than or equal to 12")

	checkAnswer(t, call(t, s, "DeleteAccountPolicy", m{"policyName": "shared", "policyType": policyTransformer}), "", "")
	if got := names(m{"policyType": policyDataProtection}); !slices.Equal(got, []string{"shared"}) {
		t.Errorf("deleting one type's policy took another's: %v", got)
	}
	checkAnswer(t, call(t, s, "DeleteAccountPolicy", m{"policyName": "shared", "policyType": policyTransformer}), codeResourceNotFound,
		"Policy with name [shared] does not exist.")
	checkAnswer(t, call(t, s, "DeleteAccountPolicy", m{"policyName": "shared"}), codeInvalidParameter,
		"1 validation error detected: Value null at 'policyType' failed to satisfy constraint: Member must not be null")
}

// TestAccountPolicyLimitsConcurrent: puts sent at once respect the limits, which are
// checked in the write transaction: one data protection policy of eight (the others
// LimitExceededException, and reads mask by the one stored), twenty prefix-scoped field
// index policies of twenty-five.
func TestAccountPolicyLimitsConcurrent(t *testing.T) {
	s := newTestServer(t, Config{})
	run := func(n int, in func(i int) m) (ok, limited int) {
		t.Helper()
		codes := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := call(t, s, "PutAccountPolicy", in(i))
				codes[i] = r.errType()
				if r.status == 200 {
					codes[i] = "ok"
				}
			}()
		}
		wg.Wait()
		for _, c := range codes {
			switch c {
			case "ok":
				ok++
			case codeLimitExceeded:
				limited++
			default:
				t.Errorf("answer %s", c)
			}
		}
		return ok, limited
	}
	if ok, limited := run(8, func(i int) m {
		return acctPolicy(fmt.Sprintf("dp%d", i), policyDataProtection, dpDoc("", "EmailAddress"))
	}); ok != 1 || limited != 7 {
		t.Errorf("data protection: %d stored, %d over the limit; want 1 and 7", ok, limited)
	}
	if n := len(list(mustOK(t, s, "DescribeAccountPolicies", m{"policyType": policyDataProtection}).body["accountPolicies"])); n != 1 {
		t.Errorf("%d data protection policies listed", n)
	}
	if vs := s.dataProtection().account; len(vs) != 1 {
		t.Errorf("snapshot has %d account versions, want 1", len(vs))
	}
	if ok, limited := run(25, func(i int) m {
		return acctPolicy(fmt.Sprintf("p%02d", i), policyFieldIndex, `{"Fields":["RequestId"]}`, fmt.Sprintf(`LogGroupNamePrefix IN ["p%02d-"]`, i))
	}); ok != 20 || limited != 5 {
		t.Errorf("field index: %d stored, %d over the limit; want 20 and 5", ok, limited)
	}
}
