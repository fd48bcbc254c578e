package interop

import (
	"context"
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
