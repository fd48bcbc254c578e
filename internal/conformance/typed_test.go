package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/cwlogs/cwlogs"
)

// TestTypedDescribeLogGroupsMembers: the typed DescribeLogGroups sends logGroupIdentifiers
// (names and ARNs) and decodes deletionProtectionEnabled, which the local server returns
// as AWS does; before, both were out of reach of the typed API.
func TestTypedDescribeLogGroupsMembers(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, startServer(t).URL())
	for _, g := range []string{"a", "b", "c"} {
		if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: g}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Action(ctx, "PutLogGroupDeletionProtection", map[string]any{
		"logGroupIdentifier": "b", "deletionProtectionEnabled": true}); err != nil {
		t.Fatal(err)
	}
	arnB := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":log-group:b"
	out, err := c.DescribeLogGroups(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a", arnB}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, g := range out.LogGroups {
		got[g.LogGroupName] = g.DeletionProtectionEnabled
	}
	if len(got) != 2 || got["a"] || !got["b"] {
		t.Fatalf("groups and their deletion protection: %v, want map[a:false b:true]", got)
	}
	var ve *cwlogs.ValidationError
	if _, err := c.DescribeLogGroups(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a"}, LogGroupNamePrefix: "a"}); !errors.As(err, &ve) {
		t.Fatalf("identifiers with a prefix: %v, want a *cwlogs.ValidationError before sending", err)
	}
}
