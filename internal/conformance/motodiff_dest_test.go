package conformance

// The destination operations (PutDestination, PutDestinationPolicy, DescribeDestinations,
// DeleteDestination, tagging by a destination's ARN, and a subscription filter sending to
// one) are the last steps of TestMotoDifferential's script, so that their differences are
// asserted with the others and listed in moto-diff.md.

const (
	diffDestTarget = "arn:aws:kinesis:us-east-1:" + testAccountID + ":stream/RecipientStream"
	diffDestRole   = "arn:aws:iam::" + testAccountID + ":role/CWLtoKinesisRole"
	diffDestPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}`
)

func diffDestArn(name string) string {
	return "arn:aws:logs:us-east-1:" + testAccountID + ":destination:" + name
}

// destDiffSteps are the destination steps; group is a log group the script created.
func destDiffSteps(group string) []diffStep {
	put := func(name string, extra map[string]any) map[string]any {
		body := map[string]any{"destinationName": name, "targetArn": diffDestTarget, "roleArn": diffDestRole}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	return []diffStep{
		s("put destination a", "PutDestination", put("dest-a", nil)),
		s("put destination b with tags", "PutDestination", put("dest-b", map[string]any{"tags": map[string]any{"team": "x"}})),
		s("put destination policy a", "PutDestinationPolicy", map[string]any{"destinationName": "dest-a", "accessPolicy": diffDestPolicy}),
		s("update destination a", "PutDestination", put("dest-a", map[string]any{"targetArn": diffDestTarget + "2"})),
		s("describe destinations", "DescribeDestinations", map[string]any{}),
		s("describe destinations by prefix", "DescribeDestinations", map[string]any{"DestinationNamePrefix": "dest-b"}),
		saving(s("describe destinations limit 1", "DescribeDestinations", map[string]any{"limit": 1}), map[string]string{"destToken": "nextToken"}),
		s("describe destinations page 2", "DescribeDestinations", map[string]any{"limit": 1, "nextToken": "$destToken"}),
		s("describe destinations limit 51", "DescribeDestinations", map[string]any{"limit": 51}),
		s("list destination tags", "ListTagsForResource", map[string]any{"resourceArn": diffDestArn("dest-b")}),
		s("tag destination", "TagResource", map[string]any{"resourceArn": diffDestArn("dest-b"), "tags": map[string]any{"env": "prod"}}),
		s("untag destination", "UntagResource", map[string]any{"resourceArn": diffDestArn("dest-b"), "tagKeys": []any{"team"}}),
		s("list destination tags after", "ListTagsForResource", map[string]any{"resourceArn": diffDestArn("dest-b")}),
		s("put destination name with colon", "PutDestination", put("a:b", nil)),
		s("put destination without role", "PutDestination", map[string]any{"destinationName": "dest-c", "targetArn": diffDestTarget}),
		s("put destination policy of missing", "PutDestinationPolicy", map[string]any{"destinationName": "missing", "accessPolicy": diffDestPolicy}),
		s("subscribe to destination", "PutSubscriptionFilter", map[string]any{"logGroupName": group, "filterName": "to-dest",
			"filterPattern": "", "destinationArn": diffDestArn("dest-a")}),
		s("delete destination a", "DeleteDestination", map[string]any{"destinationName": "dest-a"}),
		s("delete destination a again", "DeleteDestination", map[string]any{"destinationName": "dest-a"}),
		s("describe destinations after delete", "DescribeDestinations", map[string]any{}),
	}
}

// destDifferences is every expected difference of destDiffSteps (part of motoDifferences)
// but the two they share with the other steps: no output (noOutputSteps) and a null
// nextToken on the last page (nullTokenSteps).
var destDifferences = []knownDiff{
	{steps: []string{"put destination a", "put destination b with tags"}, path: "body.destination.accessPolicy", moto: "null", ours: "absent", follows: "ours",
		note: "A new destination has no access policy (\"By default, PutDestination does not set any access policy\"); AWS omits absent members, moto sends null " +
			"(Terraform's destination policy resource reads a missing accessPolicy as no policy either way)."},
	{steps: []string{"describe destinations", "describe destinations by prefix"}, path: "body.destinations[*].accessPolicy", moto: "null", ours: "absent", follows: "ours",
		note: "The same in DescribeDestinations."},
	{steps: []string{"describe destinations limit 1"}, path: "body.destinations", moto: "*", ours: "*", follows: "ours",
		note: "DescribeDestinations pages by limit (the model's DescribeLimit, 1–50) and nextToken; moto ignores limit and lists both destinations."},
	{steps: []string{"describe destinations limit 1"}, path: "body.nextToken", moto: "null", ours: `"<token>"`, follows: "ours",
		note: "The token of the previous row's second page; moto sends null."},
	{steps: []string{"describe destinations page 2"}, path: "status", moto: "500", ours: "200", follows: "ours",
		note: "The second page: moto, which gave no token, fails with an HTML 500 page on the placeholder sent instead; cwlogs lists the other destination."},
	{steps: []string{"describe destinations page 2"}, path: "body", moto: `"(not JSON) <!doctype html>*"`, ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"put destination name with colon", "put destination without role"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "destinationName is the model's DestinationName (1–512, pattern [^:*]*) and roleArn is required (PutDestinationRequest): InvalidParameterException " +
			"with the service's validation template; moto stores anything, even a name with ':' (whose ARN is then ambiguous) or no role (roleArn null)."},
	{steps: []string{"put destination name with colon", "put destination without role"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The bodies of the previous row."},
	{steps: []string{"put destination policy of missing", "delete destination a again"}, path: "body.message",
		moto: `"The specified log group does not exist."`, ours: `"The specified destination does not exist."`, follows: "uncertain",
		note: "Both answer ResourceNotFoundException for a missing destination; AWS's wording is unrecorded, and moto's names a log group."},
	{steps: []string{"subscribe to destination"}, path: "status", moto: "400", ours: "200", follows: "ours",
		note: "A logical destination created with PutDestination is a documented destinationArn of PutSubscriptionFilter; moto takes an arn:…:logs: ARN for a log group " +
			"and answers ResourceNotFoundException \"The specified log group does not exist.\" (here the destination exists)."},
	{steps: []string{"subscribe to destination"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"describe destinations after delete"}, path: "body.destinations", moto: "*", ours: "*", follows: "ours",
		note: "moto's listing also holds the two destinations it should have refused (a:b, and dest-c without roleArn)."},
}
