package conformance

import (
	"testing"
)

// cliDestination is a Destination as the AWS CLI prints it.
type cliDestination struct {
	DestinationName string `json:"destinationName"`
	TargetArn       string `json:"targetArn"`
	RoleArn         string `json:"roleArn"`
	AccessPolicy    string `json:"accessPolicy"`
	Arn             string `json:"arn"`
	CreationTime    int64  `json:"creationTime"`
}

// destinations drives the destination operations through the CLI: put-destination,
// put-destination-policy, describe-destinations (with its --destination-name-prefix, the
// model's capitalized DestinationNamePrefix), tagging by the destination's ARN, and
// delete-destination, again too.
func (s *cliScript) destinations(t *testing.T) {
	cli := s.cli
	const (
		target = "arn:aws:kinesis:us-east-1:123456789012:stream/RecipientStream"
		role   = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
		arn    = "arn:aws:logs:us-east-1:" + testAccountID + ":destination:central"
		policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"logs:PutSubscriptionFilter","Resource":"` + arn + `"}]}`
	)
	var put struct {
		Destination cliDestination `json:"destination"`
	}
	cli.ok(t, &put, "put-destination", "--destination-name", "central", "--target-arn", target, "--role-arn", role)
	if d := put.Destination; d.DestinationName != "central" || d.TargetArn != target || d.RoleArn != role || d.Arn != arn ||
		d.AccessPolicy != "" || d.CreationTime <= 0 {
		t.Errorf("put-destination: %+v", d)
	}
	cli.ok(t, nil, "put-destination-policy", "--destination-name", "central", "--access-policy", policy)
	var desc struct {
		Destinations []cliDestination `json:"destinations"`
	}
	cli.ok(t, &desc, "describe-destinations", "--destination-name-prefix", "cen")
	if len(desc.Destinations) != 1 || desc.Destinations[0].AccessPolicy != policy || desc.Destinations[0].CreationTime != put.Destination.CreationTime {
		t.Errorf("describe-destinations: %+v", desc.Destinations)
	}
	cli.ok(t, nil, "tag-resource", "--resource-arn", arn, "--tags", "team=central")
	var tags cliTags
	cli.ok(t, &tags, "list-tags-for-resource", "--resource-arn", arn)
	if len(tags.Tags) != 1 || tags.Tags["team"] != "central" {
		t.Errorf("destination tags: %v", tags.Tags)
	}
	cli.ok(t, nil, "delete-destination", "--destination-name", "central")
	cli.fail(t, codeRNF, "DeleteDestination", "The specified destination does not exist.", "delete-destination", "--destination-name", "central")
}
