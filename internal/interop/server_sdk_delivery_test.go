package interop

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKDelivery runs the delivery APIs through aws-sdk-go-v2's client against the
// local server, as Terraform's aws_cloudwatch_log_delivery_source, _delivery_destination,
// _delivery_destination_policy and aws_cloudwatch_log_delivery resources call them: the
// answers decode into the SDK's types (an X-Ray destination without configuration, a
// delivery's S3 configuration), the SDK's paginators walk pages of one, tags are read with
// ListTagsForResource, and the errors are the SDK's typed ConflictException,
// ValidationException and ResourceNotFoundException.
func TestServerSDKDelivery(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const acct = "arn:aws:logs:us-east-1:" + sdkAccount + ":"
	for _, name := range []string{"sdk-b", "sdk-a"} {
		out, err := c.PutDeliverySource(ctx, &cloudwatchlogs.PutDeliverySourceInput{
			Name:        aws.String(name),
			ResourceArn: aws.String("arn:aws:bedrock-agentcore:us-east-1:" + sdkAccount + ":runtime/" + name),
			LogType:     aws.String("APPLICATION_LOGS"),
			Tags:        map[string]string{"owner": name},
		})
		if err != nil {
			t.Fatal(err)
		}
		if s := out.DeliverySource; aws.ToString(s.Arn) != acct+"delivery-source:"+name || aws.ToString(s.Service) != "bedrock-agentcore" || len(s.ResourceArns) != 1 {
			t.Errorf("PutDeliverySource %s: %+v", name, s)
		}
	}
	var names []string
	for p := cloudwatchlogs.NewDescribeDeliverySourcesPaginator(c, &cloudwatchlogs.DescribeDeliverySourcesInput{Limit: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.DeliverySources {
			names = append(names, aws.ToString(s.Name))
		}
	}
	if !slices.Equal(names, []string{"sdk-a", "sdk-b"}) {
		t.Errorf("DescribeDeliverySources pages: %v", names)
	}

	s3, err := c.PutDeliveryDestination(ctx, &cloudwatchlogs.PutDeliveryDestinationInput{
		Name:                             aws.String("sdk-s3"),
		OutputFormat:                     types.OutputFormatParquet,
		DeliveryDestinationConfiguration: &types.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String("arn:aws:s3:::sdk-bucket")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := s3.DeliveryDestination; d.DeliveryDestinationType != types.DeliveryDestinationTypeS3 || d.OutputFormat != types.OutputFormatParquet {
		t.Errorf("PutDeliveryDestination s3: %+v", d)
	}
	xray, err := c.PutDeliveryDestination(ctx, &cloudwatchlogs.PutDeliveryDestinationInput{
		Name: aws.String("sdk-xray"), DeliveryDestinationType: types.DeliveryDestinationTypeXray,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := xray.DeliveryDestination; d.DeliveryDestinationType != types.DeliveryDestinationTypeXray || d.DeliveryDestinationConfiguration != nil || d.OutputFormat != "" {
		t.Errorf("PutDeliveryDestination xray: %+v", d)
	}
	_, err = c.PutDeliveryDestination(ctx, &cloudwatchlogs.PutDeliveryDestinationInput{
		Name: aws.String("sdk-s3"), OutputFormat: types.OutputFormatJson,
		DeliveryDestinationConfiguration: &types.DeliveryDestinationConfiguration{DestinationResourceArn: aws.String("arn:aws:s3:::sdk-bucket")},
	})
	wantErr[*types.ValidationException](t, "new output format", err,
		"Update to existing Delivery Destination with new Output Format is not allowed. Please create a new Delivery Destination instead.")
	pol, err := c.GetDeliveryDestinationPolicy(ctx, &cloudwatchlogs.GetDeliveryDestinationPolicyInput{DeliveryDestinationName: aws.String("sdk-s3")})
	if err != nil || pol.Policy == nil || pol.Policy.DeliveryDestinationPolicy != nil {
		t.Errorf("GetDeliveryDestinationPolicy without a policy: %+v %v", pol, err)
	}

	created, err := c.CreateDelivery(ctx, &cloudwatchlogs.CreateDeliveryInput{
		DeliverySourceName:      aws.String("sdk-a"),
		DeliveryDestinationArn:  s3.DeliveryDestination.Arn,
		RecordFields:            []string{"event_timestamp", "event_message"},
		S3DeliveryConfiguration: &types.S3DeliveryConfiguration{SuffixPath: aws.String("sdk/"), EnableHiveCompatiblePath: aws.Bool(true)},
		Tags:                    map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := created.Delivery.Id
	if _, err := c.CreateDelivery(ctx, &cloudwatchlogs.CreateDeliveryInput{DeliverySourceName: aws.String("sdk-b"), DeliveryDestinationArn: s3.DeliveryDestination.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateDelivery(ctx, &cloudwatchlogs.CreateDeliveryInput{DeliverySourceName: aws.String("sdk-a"), DeliveryDestinationArn: s3.DeliveryDestination.Arn})
	wantErr[*types.ConflictException](t, "second delivery of a pair", err, "The specified Delivery already exists")
	if _, err := c.UpdateDeliveryConfiguration(ctx, &cloudwatchlogs.UpdateDeliveryConfigurationInput{Id: id, FieldDelimiter: aws.String("|")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetDelivery(ctx, &cloudwatchlogs.GetDeliveryInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Delivery; aws.ToString(d.FieldDelimiter) != "|" || !slices.Equal(d.RecordFields, []string{"event_timestamp", "event_message"}) ||
		d.S3DeliveryConfiguration == nil || !aws.ToBool(d.S3DeliveryConfiguration.EnableHiveCompatiblePath) || d.DeliveryDestinationType != types.DeliveryDestinationTypeS3 {
		t.Errorf("GetDelivery: %+v", d)
	}
	var ids []string
	for p := cloudwatchlogs.NewDescribeDeliveriesPaginator(c, &cloudwatchlogs.DescribeDeliveriesInput{Limit: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Deliveries {
			ids = append(ids, aws.ToString(d.DeliverySourceName))
		}
	}
	if !slices.Equal(ids, []string{"sdk-a", "sdk-b"}) {
		t.Errorf("DescribeDeliveries pages: %v", ids)
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: created.Delivery.Arn})
	if err != nil || tags.Tags["k"] != "v" || len(tags.Tags) != 1 {
		t.Errorf("ListTagsForResource of the delivery: %+v %v", tags, err)
	}

	_, err = c.DeleteDeliverySource(ctx, &cloudwatchlogs.DeleteDeliverySourceInput{Name: aws.String("sdk-a")})
	wantErr[*types.ConflictException](t, "delete a used source", err, "Delivery Source sdk-a is used by one or more deliveries; delete them first.")
	if _, err := c.DeleteDelivery(ctx, &cloudwatchlogs.DeleteDeliveryInput{Id: id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDelivery(ctx, &cloudwatchlogs.GetDeliveryInput{Id: id})
	wantErr[*types.ResourceNotFoundException](t, "deleted delivery", err, "Requested Delivery does not exist in this account.")
	if _, err := c.DeleteDeliverySource(ctx, &cloudwatchlogs.DeleteDeliverySourceInput{Name: aws.String("sdk-a")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDeliverySource(ctx, &cloudwatchlogs.GetDeliverySourceInput{Name: aws.String("sdk-a")})
	wantErr[*types.ResourceNotFoundException](t, "deleted source", err, "Requested Delivery Source does not exist in this account.")
}
