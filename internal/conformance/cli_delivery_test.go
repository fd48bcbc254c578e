package conformance

import (
	"slices"
	"testing"
)

// CLI output shapes of the delivery operations.
type (
	cliDeliverySource struct {
		Name                        string            `json:"name"`
		Arn                         string            `json:"arn"`
		ResourceArns                []string          `json:"resourceArns"`
		Service                     string            `json:"service"`
		LogType                     string            `json:"logType"`
		DeliverySourceConfiguration map[string]string `json:"deliverySourceConfiguration"`
	}
	cliDeliveryDestination struct {
		Name                             string `json:"name"`
		Arn                              string `json:"arn"`
		DeliveryDestinationType          string `json:"deliveryDestinationType"`
		OutputFormat                     string `json:"outputFormat"`
		DeliveryDestinationConfiguration *struct {
			DestinationResourceArn string `json:"destinationResourceArn"`
		} `json:"deliveryDestinationConfiguration"`
	}
	cliDelivery struct {
		ID                      string   `json:"id"`
		Arn                     string   `json:"arn"`
		DeliverySourceName      string   `json:"deliverySourceName"`
		DeliveryDestinationArn  string   `json:"deliveryDestinationArn"`
		DeliveryDestinationType string   `json:"deliveryDestinationType"`
		RecordFields            []string `json:"recordFields"`
		FieldDelimiter          *string  `json:"fieldDelimiter"`
		S3DeliveryConfiguration *struct {
			SuffixPath               string `json:"suffixPath"`
			EnableHiveCompatiblePath bool   `json:"enableHiveCompatiblePath"`
		} `json:"s3DeliveryConfiguration"`
	}
)

// TestAWSCLIDelivery drives the delivery operations through AWS CLI v1 (v2 2.9.19 predates
// them) against a server with strict credentials, in 19 invocations (about 0.6 s each):
// sources (the CLI's paginator walking pages of one; a conflict), destinations of three
// types, the destination policy, create/get/describe/update of deliveries, the tags given
// at creation, a used source refused, and deletes. The other answers are checked by the
// unit tests and TestMotoDifferentialDelivery.
func TestAWSCLIDelivery(t *testing.T) {
	t.Parallel() // beside TestAWSCLI and TestMotoDifferential
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	const (
		acct   = "arn:aws:logs:us-east-1:" + testAccountID + ":"
		cf     = "arn:aws:cloudfront::" + testAccountID + ":distribution/E1CLI"
		bus    = "arn:aws:events:us-east-1:" + testAccountID + ":event-bus/default"
		group  = acct + "log-group:/cli/vended"
		bucket = "arn:aws:s3:::cli-vended"
		policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"logs:CreateDelivery","Resource":"*"}]}`
	)

	var src struct {
		DeliverySource cliDeliverySource `json:"deliverySource"`
	}
	cli.ok(t, &src, "put-delivery-source", "--name", "cf", "--resource-arn", cf, "--log-type", "ACCESS_LOGS", "--tags", "team=a")
	if d := src.DeliverySource; d.Arn != acct+"delivery-source:cf" || !slices.Equal(d.ResourceArns, []string{cf}) || d.Service != "cloudfront" || d.LogType != "ACCESS_LOGS" {
		t.Errorf("put-delivery-source: %+v", d)
	}
	cli.ok(t, &src, "put-delivery-source", "--name", "bus", "--resource-arn", bus, "--log-type", "ERROR_LOGS",
		"--delivery-source-configuration", "samplingRate=50")
	if d := src.DeliverySource; d.Service != "events" || d.DeliverySourceConfiguration["samplingRate"] != "50" {
		t.Errorf("put-delivery-source bus: %+v", d)
	}
	var sources struct {
		DeliverySources []cliDeliverySource `json:"deliverySources"`
	}
	cli.ok(t, &sources, "describe-delivery-sources", "--page-size", "1")
	if len(sources.DeliverySources) != 2 || sources.DeliverySources[0].Name != "bus" || sources.DeliverySources[1].Name != "cf" {
		t.Errorf("describe-delivery-sources (pages of one): %+v", sources.DeliverySources)
	}
	cli.fail(t, "ConflictException", "PutDeliverySource", "This ResourceId has already been used in another Delivery Source in this account.",
		"put-delivery-source", "--name", "cf2", "--resource-arn", cf, "--log-type", "ACCESS_LOGS")

	putDest := func(args ...string) cliDeliveryDestination {
		t.Helper()
		var out struct {
			DeliveryDestination cliDeliveryDestination `json:"deliveryDestination"`
		}
		cli.ok(t, &out, append([]string{"put-delivery-destination"}, args...)...)
		return out.DeliveryDestination
	}
	if d := putDest("--name", "cwl", "--output-format", "json", "--delivery-destination-configuration", "destinationResourceArn="+group); d.Arn != acct+"delivery-destination:cwl" || d.DeliveryDestinationType != "CWL" || d.OutputFormat != "json" ||
		d.DeliveryDestinationConfiguration == nil || d.DeliveryDestinationConfiguration.DestinationResourceArn != group {
		t.Errorf("put-delivery-destination cwl: %+v", d)
	}
	if d := putDest("--name", "s3", "--delivery-destination-configuration", "destinationResourceArn="+bucket); d.DeliveryDestinationType != "S3" || d.OutputFormat != "" {
		t.Errorf("put-delivery-destination s3: %+v", d)
	}
	if d := putDest("--name", "xray", "--delivery-destination-type", "XRAY"); d.DeliveryDestinationType != "XRAY" || d.DeliveryDestinationConfiguration != nil {
		t.Errorf("put-delivery-destination xray: %+v", d)
	}

	policyOf := func(args ...string) *string {
		t.Helper()
		var out struct {
			Policy struct {
				DeliveryDestinationPolicy *string `json:"deliveryDestinationPolicy"`
			} `json:"policy"`
		}
		cli.ok(t, &out, append(args, "--delivery-destination-name", "s3")...)
		return out.Policy.DeliveryDestinationPolicy
	}
	if p := policyOf("put-delivery-destination-policy", "--delivery-destination-policy", policy); p == nil || *p != policy {
		t.Errorf("put-delivery-destination-policy: %v", p)
	}
	cli.ok(t, nil, "delete-delivery-destination-policy", "--delivery-destination-name", "s3")
	if p := policyOf("get-delivery-destination-policy"); p != nil {
		t.Errorf("get-delivery-destination-policy after delete: %q", *p)
	}

	delivery := func(args ...string) cliDelivery {
		t.Helper()
		var out struct {
			Delivery cliDelivery `json:"delivery"`
		}
		cli.ok(t, &out, args...)
		return out.Delivery
	}
	d := delivery("create-delivery", "--delivery-source-name", "cf", "--delivery-destination-arn", acct+"delivery-destination:s3",
		"--record-fields", "date", "time", "c-ip", "--field-delimiter", ",",
		"--s3-delivery-configuration", `{"suffixPath":"AWSLogs/{account-id}/CloudFront/","enableHiveCompatiblePath":true}`, "--tags", "k=v")
	if len(d.ID) != 16 || d.Arn != acct+"delivery:"+d.ID || d.DeliveryDestinationType != "S3" || !slices.Equal(d.RecordFields, []string{"date", "time", "c-ip"}) ||
		d.FieldDelimiter == nil || *d.FieldDelimiter != "," || d.S3DeliveryConfiguration == nil || !d.S3DeliveryConfiguration.EnableHiveCompatiblePath {
		t.Fatalf("create-delivery: %+v", d)
	}
	if d2 := delivery("create-delivery", "--delivery-source-name", "bus", "--delivery-destination-arn", acct+"delivery-destination:cwl"); d2.DeliveryDestinationType != "CWL" || d2.RecordFields != nil {
		t.Errorf("create-delivery bus: %+v", d2)
	}
	cli.ok(t, nil, "update-delivery-configuration", "--id", d.ID, "--field-delimiter", "\t", "--record-fields", "date")
	if g := delivery("get-delivery", "--id", d.ID); g.FieldDelimiter == nil || *g.FieldDelimiter != "\t" || !slices.Equal(g.RecordFields, []string{"date"}) || g.S3DeliveryConfiguration == nil {
		t.Errorf("get-delivery after update-delivery-configuration: %+v", g)
	}
	var all struct {
		Deliveries []cliDelivery `json:"deliveries"`
	}
	cli.ok(t, &all, "describe-deliveries", "--page-size", "1")
	if len(all.Deliveries) != 2 || all.Deliveries[0].DeliverySourceName != "bus" || all.Deliveries[1].ID != d.ID {
		t.Errorf("describe-deliveries: %+v", all.Deliveries)
	}
	var tags cliTags
	cli.ok(t, &tags, "list-tags-for-resource", "--resource-arn", d.Arn)
	if len(tags.Tags) != 1 || tags.Tags["k"] != "v" {
		t.Errorf("delivery tags: %v", tags.Tags)
	}

	cli.fail(t, "ConflictException", "DeleteDeliverySource", "Delivery Source cf is used by one or more deliveries; delete them first.",
		"delete-delivery-source", "--name", "cf")
	cli.ok(t, nil, "delete-delivery", "--id", d.ID)
	cli.ok(t, nil, "delete-delivery-source", "--name", "cf")
}
