package conformance

import (
	"fmt"
	"testing"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// The operations Terraform and CDK reach after the log group and filter ones
// (AssociateKmsKey and DisassociateKmsKey, ListLogGroups, and the resource policy
// operations), differentially against moto_server with the machinery of
// TestMotoDifferential (runDiffSide, compareTrees) and a table of their own, as
// motodiff_filters_test.go does for the filters. moto implements neither AssociateKmsKey,
// DisassociateKmsKey nor ListLogGroups (an HTML 500 page), and keeps resource policies
// without checking them. Where both servers agree the answers must be identical; every
// difference is listed with the side that follows AWS.

func opsDiffScript() []diffStep {
	const key = "arn:aws:kms:us-east-1:" + testAccountID + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	groupArn := "arn:aws:logs:us-east-1:" + testAccountID + ":log-group:/ops/kms"
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["route53.amazonaws.com"]},"Action":"logs:PutLogEvents","Resource":"*"}]}`
	const doc2 = `{"Statement":[{"Action":"logs:*","Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Resource":"*"}]}`
	steps := []diffStep{
		s("create group kms", "CreateLogGroup", map[string]any{"logGroupName": "/ops/kms"}),
		s("associate kms key", "AssociateKmsKey", map[string]any{"logGroupName": "/ops/kms", "kmsKeyId": key}),
		s("describe group with key", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/ops/kms"}),
		s("associate kms key by arn", "AssociateKmsKey", map[string]any{"resourceIdentifier": groupArn, "kmsKeyId": key}),
		s("associate kms key both targets", "AssociateKmsKey", map[string]any{"logGroupName": "/ops/kms", "resourceIdentifier": groupArn, "kmsKeyId": key}),
		s("associate kms key no target", "AssociateKmsKey", map[string]any{"kmsKeyId": key}),
		s("associate kms key without key", "AssociateKmsKey", map[string]any{"logGroupName": "/ops/kms"}),
		s("associate kms key id not arn", "AssociateKmsKey", map[string]any{"logGroupName": "/ops/kms", "kmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}),
		s("associate kms key missing group", "AssociateKmsKey", map[string]any{"logGroupName": "/ops/missing", "kmsKeyId": key}),
		s("associate kms key query results", "AssociateKmsKey", map[string]any{"resourceIdentifier": "arn:aws:logs:us-east-1:" + testAccountID + ":query-result:*", "kmsKeyId": key}),
		s("disassociate kms key", "DisassociateKmsKey", map[string]any{"logGroupName": "/ops/kms"}),
		s("disassociate kms key again", "DisassociateKmsKey", map[string]any{"logGroupName": "/ops/kms"}),
		s("describe group without key", "DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/ops/kms"}),
		s("disassociate kms key missing group", "DisassociateKmsKey", map[string]any{"logGroupName": "/ops/missing"}),

		// ListLogGroups.
		s("create group list tagged", "CreateLogGroup", map[string]any{"logGroupName": "/ops/list/tagged", "tags": map[string]any{"env": "prod"}}),
		s("create group list ia", "CreateLogGroup", map[string]any{"logGroupName": "/ops/list/ia", "logGroupClass": "INFREQUENT_ACCESS"}),
		s("list log groups", "ListLogGroups", map[string]any{}),
		s("list log groups by pattern", "ListLogGroups", map[string]any{"logGroupNamePattern": "^/ops/list"}),
		s("list log groups by class", "ListLogGroups", map[string]any{"logGroupClass": "INFREQUENT_ACCESS"}),
		s("list log groups by tag", "ListLogGroups", map[string]any{"logGroupTags": []any{map[string]any{"key": "env", "values": []any{"prod"}}}}),
		saving(s("list log groups limit 1", "ListLogGroups", map[string]any{"limit": 1}), map[string]string{"listToken": "nextToken"}),
		s("list log groups page 2", "ListLogGroups", map[string]any{"limit": 1, "nextToken": "$listToken"}),
		s("list log groups limit 1001", "ListLogGroups", map[string]any{"limit": 1001}),
		s("list log groups pattern too short", "ListLogGroups", map[string]any{"logGroupNamePattern": "ab"}),

		// Resource policies.
		s("put resource policy a", "PutResourcePolicy", map[string]any{"policyName": "a", "policyDocument": doc}),
		s("put resource policy b", "PutResourcePolicy", map[string]any{"policyName": "b", "policyDocument": doc}),
		s("update resource policy a", "PutResourcePolicy", map[string]any{"policyName": "a", "policyDocument": doc2}),
		s("describe resource policies", "DescribeResourcePolicies", map[string]any{}),
		s("describe resource policies limit 1", "DescribeResourcePolicies", map[string]any{"limit": 1}),
		s("describe resource policies limit 51", "DescribeResourcePolicies", map[string]any{"limit": 51}),
		s("delete resource policy a", "DeleteResourcePolicy", map[string]any{"policyName": "a"}),
		s("delete resource policy a again", "DeleteResourcePolicy", map[string]any{"policyName": "a"}),
	}
	for i := range 9 { // with b, the limit of ten
		steps = append(steps, s(fmt.Sprintf("put resource policy %d", i), "PutResourcePolicy", map[string]any{"policyName": fmt.Sprintf("p%d", i), "policyDocument": doc}))
	}
	return append(steps,
		s("put resource policy over the limit", "PutResourcePolicy", map[string]any{"policyName": "eleventh", "policyDocument": doc}),
		s("update resource policy at the limit", "PutResourcePolicy", map[string]any{"policyName": "b", "policyDocument": doc2}),
		s("describe resource policies at the limit", "DescribeResourcePolicies", map[string]any{}),
		// Last: moto accepts these and its listing would differ from here on.
		s("put resource policy not json", "PutResourcePolicy", map[string]any{"policyName": "b", "policyDocument": "{not json"}),
		s("put resource policy without document", "PutResourcePolicy", map[string]any{"policyName": "b"}),
		s("put resource policy on a log group", "PutResourcePolicy", map[string]any{"resourceArn": groupArn, "policyDocument": doc}),
	)
}

// Step groups of opsDifferences.
var (
	kmsSteps = []string{"associate kms key", "associate kms key by arn", "associate kms key both targets",
		"associate kms key no target", "associate kms key without key", "associate kms key id not arn",
		"associate kms key missing group", "associate kms key query results", "disassociate kms key",
		"disassociate kms key again", "disassociate kms key missing group"}
	kmsOKSteps = []string{"associate kms key", "associate kms key by arn", "associate kms key query results",
		"disassociate kms key", "disassociate kms key again"}
	kmsErrSteps = []string{"associate kms key both targets", "associate kms key no target", "associate kms key without key",
		"associate kms key id not arn", "associate kms key missing group", "disassociate kms key missing group"}
	listOKSteps = []string{"list log groups", "list log groups by pattern", "list log groups by class", "list log groups by tag",
		"list log groups limit 1", "list log groups page 2"}
	listErrSteps = []string{"list log groups limit 1001", "list log groups pattern too short"}
	// Steps whose answer holds account-scoped policies.
	policySteps = []string{"put resource policy a", "put resource policy b", "update resource policy a", "put resource policy 0",
		"put resource policy 1", "put resource policy 2", "put resource policy 3", "put resource policy 4", "put resource policy 5",
		"put resource policy 6", "put resource policy 7", "put resource policy 8", "update resource policy at the limit"}
	describePolicySteps = []string{"describe resource policies", "describe resource policies at the limit"}
	policyRejectSteps   = []string{"put resource policy not json", "put resource policy without document"}
)

// opsDifferences is every expected difference of opsDiffScript.
var opsDifferences = []knownDiff{
	{steps: []string{"create group kms", "create group list tagged", "create group list ia", "delete resource policy a"}, path: "body", moto: `"(empty body)"`, ours: `{}`, follows: "uncertain",
		note: "Operations without output: whether AWS sends an empty body or {} is unrecorded (cloudwatch-logs-api.md §1)."},
	{steps: kmsSteps, path: "body", moto: `"(not JSON) <!doctype html>*"`, ours: "*", follows: "ours",
		note: "moto does not implement AssociateKmsKey or DisassociateKmsKey: it answers an HTML 500 page (local-emulators.md §2 lists what it serves)."},
	{steps: kmsOKSteps, path: "status", moto: "500", ours: "200", follows: "ours",
		note: "Associating a key (by logGroupName, by a log group ARN or for the account's query results) and disassociating it, again too, succeed on AWS " +
			"(the operations' documentation; idempotency verified live by a public CloudFormation provider)."},
	{steps: kmsErrSteps, path: "status", moto: "500", ours: "400", follows: "ours",
		note: "Both or neither target, a missing kmsKeyId (model: required), a key id instead of a key ARN (live AWS: \"The specified KMS Key Id could not be found.\", " +
			"hashicorp/terraform-provider-aws#25258) and a missing group (ResourceNotFoundException, in the model's errors) are client errors."},
	{steps: append(append([]string{}, listOKSteps...), listErrSteps...), path: "body", moto: `"(not JSON) <!doctype html>*"`, ours: "*", follows: "ours",
		note: "moto does not implement ListLogGroups (added to the API in 2025): it answers an HTML 500 page."},
	{steps: listOKSteps, path: "status", moto: "500", ours: "200", follows: "ours",
		note: "ListLogGroups lists LogGroupSummary entries (logGroupName, logGroupArn, logGroupClass) filtered by pattern, class and tags, paged by limit and nextToken (the model's ListLogGroupsRequest)."},
	{steps: listErrSteps, path: "status", moto: "500", ours: "400", follows: "ours",
		note: "limit is the model's ListLimit (1–1000) and logGroupNamePattern its LogGroupNameRegexPattern (3–129 characters, alternatives of 3–24): InvalidParameterException with the service's validation template."},
	{steps: policySteps, path: "body.resourcePolicy.policyScope", moto: "absent", ours: `"ACCOUNT"`, follows: "ours",
		note: "ResourcePolicy.policyScope is ACCOUNT for a policy put by name (the model; LocalStack's AWS-validated test_put_resource_policy snapshot); moto omits it."},
	{steps: describePolicySteps, path: "body.resourcePolicies[*].policyScope", moto: "absent", ours: `"ACCOUNT"`, follows: "ours",
		note: "The same in DescribeResourcePolicies (LocalStack's AWS-validated test_describe_resource_policies snapshot)."},
	{steps: []string{"describe resource policies limit 1"}, path: "body.nextToken", moto: "absent", ours: `"<token>"`, follows: "ours",
		note: "moto ignores limit and nextToken (its documentation says so); the model's DescribeResourcePoliciesRequest has both (limit 1–50)."},
	{steps: []string{"describe resource policies limit 1"}, path: "body.resourcePolicies", moto: "*", ours: "*", follows: "ours",
		note: "The listing of the previous row: moto both policies, cwlogs one."},
	{steps: []string{"describe resource policies limit 51"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "limit is the model's DescribeLimit, 1 to 50; moto does not check it."},
	{steps: []string{"describe resource policies limit 51"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row: moto lists the policies, cwlogs answers the service's validation template."},
	{steps: []string{"delete resource policy a again"}, path: "body.message", moto: `"Policy with name [a] does not exist"`, ours: `"Policy with name [a] does not exist."`, follows: "ours",
		note: "Live AWS ends the message with a period (LocalStack's AWS-validated test_delete_resource_policy_not_found: \"Policy with name [non-existent] does not exist.\")."},
	{steps: policyRejectSteps, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "policyDocument \"is formatted as a JSON string\" and \"is required\" (the model's documentation); live AWS parses it into a policy (it answers a normalized one). " +
			"moto stores anything, even no document (policyDocument null). AWS's wording for either refusal is unrecorded; cwlogs answers InvalidParameterException."},
	{steps: policyRejectSteps, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The bodies of the previous row."},
	{steps: []string{"put resource policy on a log group"}, path: "status", moto: "400", ours: "200", follows: "ours",
		note: "A resource-scoped policy (resourceArn, no policyName) does not count toward the ten account policies (\"a maximum of 10 policies without resourceARN and one per LogGroup resourceARN\"); " +
			"moto ignores resourceArn and refuses a nameless eleventh account policy with LimitExceededException."},
	{steps: []string{"put resource policy on a log group"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row: cwlogs answers the policy with policyScope RESOURCE, resourceArn and revisionId (the model's PutResourcePolicyResponse)."},
	{steps: []string{"describe group with key"}, path: "body.logGroups[0].kmsKeyId", moto: "absent", ours: `"arn:aws:kms:*"`, follows: "ours",
		note: "DescribeLogGroups shows the key AssociateKmsKey set (LogGroup.kmsKeyId); moto never set it."},
	{steps: []string{"describe group with key", "describe group without key"}, path: "body.logGroups[*].logGroupClass", moto: "absent", ours: `"STANDARD"`, follows: "ours",
		note: "As in TestMotoDifferential: logGroupClass defaults to STANDARD."},
	{steps: []string{"describe group with key", "describe group without key"}, path: "body.nextToken", moto: "null", ours: "absent", follows: "ours",
		note: "nextToken is omitted on the last page, never null."},
}

func TestMotoDifferentialOps(t *testing.T) {
	// Not parallel, as TestMotoDifferentialFilters: moto_server is shared and reset per test.
	moto := testpeer.Moto(t)
	ours := startServer(t).URL()
	runFeatureDiff(t, moto, ours, opsDiffScript(), opsDifferences)
}

// runFeatureDiff runs script against moto and ours and checks that the differences are
// exactly those listed in known: an unlisted one fails, and so does a listed one that no
// longer occurs.
func runFeatureDiff(t *testing.T, moto, ours string, script []diffStep, known []knownDiff) {
	t.Helper()
	names := stepNames(t, script)
	for _, k := range known {
		for _, s := range k.steps {
			if !names[s] {
				t.Errorf("difference table names unknown step %q", s)
			}
		}
	}
	motoRes := runDiffSide(t, moto, script)
	ourRes := runDiffSide(t, ours, script)
	var diffs []observedDiff
	for i, st := range script {
		maskMembers(motoRes[i].tree)
		maskMembers(ourRes[i].tree)
		compareTrees(st.name, "", motoRes[i].tree, ourRes[i].tree, true, true, &diffs)
		if testing.Verbose() {
			t.Logf("%s %s\n  moto: %s\n  ours: %s", st.name, st.op, motoRes[i].raw, ourRes[i].raw)
		}
	}
	checkKnownDiffs(t, diffs, known, "")
}

// stepNames returns the set of the script's step names, failing on a name used twice.
func stepNames(t *testing.T, script []diffStep) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, st := range script {
		if names[st.name] {
			t.Fatalf("duplicate step name %q", st.name)
		}
		names[st.name] = true
	}
	return names
}

// checkKnownDiffs checks that diffs are exactly the differences listed in known: an unlisted
// one fails, and so does a listed one that no longer occurs (hint, if any, says what to do).
func checkKnownDiffs(t *testing.T, diffs []observedDiff, known []knownDiff, hint string) {
	t.Helper()
	used := make([]map[string]bool, len(known))
	for i := range used {
		used[i] = map[string]bool{}
	}
	for _, d := range diffs {
		found := false
		for i, k := range known {
			if k.matches(d) {
				used[i][d.step] = true
				found = true
			}
		}
		if !found {
			t.Errorf("unexpected difference: %s", d)
		}
	}
	for i, k := range known {
		for _, s := range k.steps {
			if !used[i][s] {
				t.Errorf("listed difference no longer occurs: step %q path %s (moto=%s ours=%s)%s", s, k.path, k.moto, k.ours, hint)
			}
		}
	}
}

// maskMembers masks, in place, the values the servers choose that runDiffSide's normalize
// does not know: a resource policy's lastUpdatedTime (compared by presence, as creationTime
// is) and revisionId.
func maskMembers(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "lastUpdatedTime":
				x[k] = "<time>"
			case "revisionId":
				x[k] = "<revision>"
			default:
				maskMembers(val)
			}
		}
	case []any:
		for _, val := range x {
			maskMembers(val)
		}
	}
}
