package interop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// sdkKmsKeys drives AssociateKmsKey and DisassociateKmsKey through aws-sdk-go-v2, by name and
// by ARN, and reads the key back with DescribeLogGroups. group must exist.
func sdkKmsKeys(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group string) {
	const key = "arn:aws:kms:us-east-1:" + sdkAccount + ":key/k2"
	groupArn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	keyOf := func() *string {
		out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{group}})
		if err != nil || len(out.LogGroups) != 1 {
			t.Fatalf("describe %s: %+v %v", group, out, err)
		}
		return out.LogGroups[0].KmsKeyId
	}
	if _, err := c.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(group), KmsKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	if k := aws.ToString(keyOf()); k != key {
		t.Errorf("kmsKeyId %q after AssociateKmsKey, want %q", k, key)
	}
	if _, err := c.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{ResourceIdentifier: aws.String(groupArn)}); err != nil {
		t.Fatal(err)
	}
	if k := keyOf(); k != nil {
		t.Errorf("kmsKeyId %q after DisassociateKmsKey", *k)
	}
	if _, err := c.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{ResourceIdentifier: aws.String(groupArn), KmsKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	if k := aws.ToString(keyOf()); k != key {
		t.Errorf("kmsKeyId %q after AssociateKmsKey by ARN, want %q", k, key)
	}
	_, err := c.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(group), KmsKeyId: aws.String("k2")})
	wantErr[*types.InvalidParameterException](t, "key id instead of ARN", err, "The specified KMS Key Id could not be found. '"+group+"'")
	_, err = c.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String("/sdk/missing")})
	wantErr[*types.ResourceNotFoundException](t, "missing group", err, "The specified log group does not exist.")
}

// sdkListLogGroups drives ListLogGroups through aws-sdk-go-v2 (which has no paginator for it
// in this version): pages of two by nextToken, the pattern, class and tag filters, the
// summaries' members and a typed validation error. It expects the groups TestServerSDK has
// created by then (its group, carrying the tag c, and /sdk/b, /sdk/c, /sdk/d, /zzz/e).
func sdkListLogGroups(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group string) {
	list := func(in cloudwatchlogs.ListLogGroupsInput) ([]types.LogGroupSummary, int) {
		var all []types.LogGroupSummary
		pages := 0
		for {
			out, err := c.ListLogGroups(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, out.LogGroups...)
			if out.NextToken == nil || pages > 10 {
				return all, pages
			}
			in.NextToken = out.NextToken
		}
	}
	names := func(gs []types.LogGroupSummary) []string {
		var out []string
		for _, g := range gs {
			out = append(out, aws.ToString(g.LogGroupName))
		}
		return out
	}
	all, pages := list(cloudwatchlogs.ListLogGroupsInput{Limit: aws.Int32(2)})
	if want := []string{group, "/sdk/b", "/sdk/c", "/sdk/d", "/zzz/e"}; !slices.Equal(names(all), want) || pages != 3 {
		t.Errorf("%d pages %q, want 3 pages %q", pages, names(all), want)
	}
	for _, g := range all {
		arn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + aws.ToString(g.LogGroupName)
		wantClass := types.LogGroupClassStandard
		if aws.ToString(g.LogGroupName) == "/sdk/d" {
			wantClass = types.LogGroupClassInfrequentAccess
		}
		if aws.ToString(g.LogGroupArn) != arn || g.LogGroupClass != wantClass {
			t.Errorf("summary %s, want arn %s class %s", asJSON(g), arn, wantClass)
		}
	}
	for _, tc := range []struct {
		name string
		in   cloudwatchlogs.ListLogGroupsInput
		want []string
	}{
		{"pattern", cloudwatchlogs.ListLogGroupsInput{LogGroupNamePattern: aws.String("^/zzz|/sdk/c")}, []string{"/sdk/c", "/zzz/e"}},
		{"class", cloudwatchlogs.ListLogGroupsInput{LogGroupClass: types.LogGroupClassInfrequentAccess}, []string{"/sdk/d"}},
		{"tag", cloudwatchlogs.ListLogGroupsInput{LogGroupTags: []types.TagFilter{{Key: aws.String("c"), Values: []string{"3"}}}}, []string{group}},
	} {
		if got, _ := list(tc.in); !slices.Equal(names(got), tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, names(got), tc.want)
		}
	}
	_, err := c.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{Limit: aws.Int32(1001)})
	wantErr[*types.InvalidParameterException](t, "limit 1001", err,
		"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, err = c.ListLogGroups(ctx, &cloudwatchlogs.ListLogGroupsInput{NextToken: aws.String("garbage")})
	wantErr[*types.InvalidParameterException](t, "bad token", err, "The specified nextToken is invalid.")
}

// sdkResourcePolicies drives PutResourcePolicy, DescribeResourcePolicies and
// DeleteResourcePolicy through aws-sdk-go-v2: account-scoped policies by name, a policy
// attached to group by resourceArn with its revisionId (as Terraform's
// aws_cloudwatch_log_resource_policy sends them), the limit of ten and the typed errors.
func sdkResourcePolicies(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group string) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},` +
		`"Action":"logs:PutLogEvents","Resource":"*"}]}`
	groupArn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	put, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("route53"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if p := put.ResourcePolicy; p == nil || aws.ToString(p.PolicyName) != "route53" || aws.ToString(p.PolicyDocument) != doc ||
		p.PolicyScope != types.PolicyScopeAccount || aws.ToInt64(p.LastUpdatedTime) <= 0 || put.RevisionId != nil {
		t.Errorf("account policy: %s", asJSON(put))
	}
	res, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{ResourceArn: aws.String(groupArn), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	rev := aws.ToString(res.RevisionId)
	if rev == "" || res.ResourcePolicy.PolicyScope != types.PolicyScopeResource || aws.ToString(res.ResourcePolicy.ResourceArn) != groupArn {
		t.Errorf("resource policy: %s", asJSON(res))
	}
	_, err = c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{ResourceArn: aws.String(groupArn), PolicyDocument: aws.String(doc),
		ExpectedRevisionId: aws.String("stale")})
	var oae *types.OperationAbortedException
	if !errors.As(err, &oae) {
		t.Errorf("stale revision: %v, want OperationAbortedException", err)
	}
	byArn, err := c.DescribeResourcePolicies(ctx, &cloudwatchlogs.DescribeResourcePoliciesInput{ResourceArn: aws.String(groupArn),
		PolicyScope: types.PolicyScopeResource})
	if err != nil || len(byArn.ResourcePolicies) != 1 || aws.ToString(byArn.ResourcePolicies[0].RevisionId) != rev {
		t.Errorf("describe by resource: %s %v", asJSON(byArn), err)
	}
	for i := range 9 {
		if _, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)),
			PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("eleventh"), PolicyDocument: aws.String(doc)},
		func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 }) // the SDK retries LimitExceededException
	wantErr[*types.LimitExceededException](t, "eleventh policy", err, "Resource limit exceeded.")
	var names []string
	in := &cloudwatchlogs.DescribeResourcePoliciesInput{Limit: aws.Int32(4)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("DescribeResourcePolicies pages do not end")
		}
		out, err := c.DescribeResourcePolicies(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.ResourcePolicies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if want := []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "route53"}; !slices.Equal(names, want) {
		t.Errorf("account policies %q, want %q", names, want)
	}
	if _, err := c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("route53")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: aws.String("route53")})
	wantErr[*types.ResourceNotFoundException](t, "deleted policy", err, "Policy with name [route53] does not exist.")
	if _, err := c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{ResourceArn: aws.String(groupArn),
		ExpectedRevisionId: aws.String(rev)}); err != nil {
		t.Fatal(err)
	}
}
