package interop

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

// sdkDPDoc is the document Terraform's aws_cloudwatch_log_data_protection_policy
// acceptance test puts (with a custom identifier added).
const sdkDPDoc = `{"Name":"Test","Version":"2021-06-01","Configuration":{"CustomDataIdentifier":[{"Name":"Ticket","Regex":"TKT-\\d+"}]},"Statement":[` +
	`{"Sid":"Audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress","Ticket"],"Operation":{"Audit":{"FindingsDestination":{}}}},` +
	`{"Sid":"Redact","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress","Ticket"],"Operation":{"Deidentify":{"MaskConfig":{}}}}]}`

// TestServerSDKPolicies runs the data protection, account and index policy operations
// through aws-sdk-go-v2's client as Terraform's aws_cloudwatch_log_data_protection_policy,
// aws_cloudwatch_log_account_policy and aws_cloudwatch_log_index_policy call them: the
// answers decode into the SDK's types, a group without a policy reads as Terraform's "not
// found" (no PolicyDocument, an empty list), GetLogEvents and FilterLogEvents mask unless
// Unmask, DescribeLogGroups decodes dataProtectionStatus and inheritedProperties, and the
// errors are the SDK's typed ResourceNotFoundException and InvalidParameterException (and a
// ValidationException, which GetDataProtectionPolicy's model does not list, as a
// smithy.APIError).
func TestServerSDKPolicies(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "sdk-policies"
	arn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:" + group
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}

	put, err := c.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group), PolicyDocument: aws.String(sdkDPDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.LogGroupIdentifier) != group || aws.ToString(put.PolicyDocument) != sdkDPDoc || aws.ToInt64(put.LastUpdatedTime) <= 0 {
		t.Errorf("PutDataProtectionPolicy: %+v", put)
	}
	const msg = "user a@b.io opened TKT-42"
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(msg)}}}); err != nil {
		t.Fatal(err)
	}
	for _, unmask := range []bool{false, true} {
		want := "user ****** opened ******"
		if unmask {
			want = msg
		}
		ev, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupIdentifier: aws.String(arn), LogStreamName: aws.String("s"), Unmask: unmask})
		if err != nil || len(ev.Events) != 1 || aws.ToString(ev.Events[0].Message) != want {
			t.Errorf("GetLogEvents unmask=%v: %+v %v", unmask, ev, err)
		}
		fl, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), Unmask: unmask})
		if err != nil || len(fl.Events) != 1 || aws.ToString(fl.Events[0].Message) != want {
			t.Errorf("FilterLogEvents unmask=%v: %+v %v", unmask, fl, err)
		}
	}

	acct, err := c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("sdk-acct"), PolicyType: types.PolicyTypeDataProtectionPolicy,
		PolicyDocument: aws.String(sdkDPDoc), Scope: types.ScopeAll})
	if err != nil {
		t.Fatal(err)
	}
	if p := acct.AccountPolicy; aws.ToString(p.PolicyName) != "sdk-acct" || p.PolicyType != types.PolicyTypeDataProtectionPolicy || p.Scope != types.ScopeAll {
		t.Errorf("PutAccountPolicy: %+v", p)
	}
	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups: %+v %v", groups, err)
	}
	if g := groups.LogGroups[0]; g.DataProtectionStatus != types.DataProtectionStatusActivated ||
		len(g.InheritedProperties) != 1 || g.InheritedProperties[0] != types.InheritedPropertyAccountDataProtection {
		t.Errorf("DescribeLogGroups: %+v", g)
	}
	desc, err := c.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{
		PolicyType: types.PolicyTypeDataProtectionPolicy, PolicyName: aws.String("sdk-acct")})
	if err != nil {
		t.Fatal(err)
	}
	if p := desc.AccountPolicies; len(p) != 1 || aws.ToString(p[0].AccountId) != sdkAccount || aws.ToString(p[0].PolicyDocument) != sdkDPDoc || desc.NextToken != nil {
		t.Errorf("DescribeAccountPolicies: %+v", desc)
	}
	if _, err := c.DeleteAccountPolicy(ctx, &cloudwatchlogs.DeleteAccountPolicyInput{PolicyName: aws.String("sdk-acct"), PolicyType: types.PolicyTypeDataProtectionPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAccountPolicy(ctx, &cloudwatchlogs.DeleteAccountPolicyInput{PolicyName: aws.String("sdk-acct"), PolicyType: types.PolicyTypeDataProtectionPolicy})
	wantErr[*types.ResourceNotFoundException](t, "DeleteAccountPolicy twice", err, "Policy with name [sdk-acct] does not exist.")

	_, err = c.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group),
		PolicyDocument: aws.String(strings.ReplaceAll(sdkDPDoc, "EmailAddress", "PhoneNumber"))})
	wantErr[*types.InvalidParameterException](t, "PhoneNumber", err, "arn:aws:dataprotection::aws:data-identifier/PhoneNumber is not a valid Data Identifier")
	_, err = c.GetDataProtectionPolicy(ctx, &cloudwatchlogs.GetDataProtectionPolicyInput{LogGroupIdentifier: aws.String(arn + ":*")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("GetDataProtectionPolicy with :*: %v", err)
	}
	if _, err := c.DeleteDataProtectionPolicy(ctx, &cloudwatchlogs.DeleteDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetDataProtectionPolicy(ctx, &cloudwatchlogs.GetDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group)})
	if err != nil || got.PolicyDocument != nil || aws.ToString(got.LogGroupIdentifier) != group {
		t.Errorf("GetDataProtectionPolicy after delete (Terraform's not found): %+v %v", got, err)
	}

	idx, err := c.PutIndexPolicy(ctx, &cloudwatchlogs.PutIndexPolicyInput{LogGroupIdentifier: aws.String(group), PolicyDocument: aws.String(`{"FieldsV2":{"user":{"type":"FACET"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if p := idx.IndexPolicy; aws.ToString(p.LogGroupIdentifier) != arn || p.Source != types.IndexSourceLogGroup || p.PolicyName != nil {
		t.Errorf("PutIndexPolicy: %+v", p)
	}
	ip, err := c.DescribeIndexPolicies(ctx, &cloudwatchlogs.DescribeIndexPoliciesInput{LogGroupIdentifiers: []string{group}})
	if err != nil || len(ip.IndexPolicies) != 1 || aws.ToInt64(ip.IndexPolicies[0].LastUpdateTime) <= 0 {
		t.Errorf("DescribeIndexPolicies: %+v %v", ip, err)
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(`{"user":"u1"}`)}}}); err != nil {
		t.Fatal(err)
	}
	fi, err := c.DescribeFieldIndexes(ctx, &cloudwatchlogs.DescribeFieldIndexesInput{LogGroupIdentifiers: []string{arn}})
	if err != nil || len(fi.FieldIndexes) != 2 {
		t.Fatalf("DescribeFieldIndexes: %+v %v", fi, err)
	}
	if f := fi.FieldIndexes[1]; aws.ToString(f.FieldIndexName) != "user" || f.Type != types.IndexTypeFacet || aws.ToInt64(f.FirstEventTime) <= 0 || f.LastScanTime != nil {
		t.Errorf("DescribeFieldIndexes user: %+v", f)
	}
	if _, err := c.DeleteIndexPolicy(ctx, &cloudwatchlogs.DeleteIndexPolicyInput{LogGroupIdentifier: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	ip, err = c.DescribeIndexPolicies(ctx, &cloudwatchlogs.DescribeIndexPoliciesInput{LogGroupIdentifiers: []string{group}})
	if err != nil || len(ip.IndexPolicies) != 0 {
		t.Errorf("DescribeIndexPolicies after delete (Terraform's not found): %+v %v", ip, err)
	}
	_, err = c.DeleteIndexPolicy(ctx, &cloudwatchlogs.DeleteIndexPolicyInput{LogGroupIdentifier: aws.String(group)})
	wantErr[*types.ResourceNotFoundException](t, "DeleteIndexPolicy twice", err, "The specified log group does not have a field index policy.")
}
