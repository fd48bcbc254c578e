package localserver

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	testCFArn      = "arn:aws:cloudfront::123456789012:distribution/E1Q5F5862X9VJ5"
	testBusArn     = "arn:aws:events:us-east-1:123456789012:event-bus/default"
	testGroupDest  = "arn:aws:logs:us-east-1:123456789012:log-group:vended"
	testBucketDest = "arn:aws:s3:::vended-bucket"
	testFHDest     = "arn:aws:firehose:us-east-1:123456789012:deliverystream/vended"
	testDDPolicy   = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowLogDeliveryActions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"logs:CreateDelivery","Resource":"*"}]}`
)

func dsArn(name string) string { return "arn:aws:logs:us-east-1:123456789012:delivery-source:" + name }
func ddArn(name string) string {
	return "arn:aws:logs:us-east-1:123456789012:delivery-destination:" + name
}
func dlvArn(id string) string { return "arn:aws:logs:us-east-1:123456789012:delivery:" + id }
func putSource(name, arn, logType string) m {
	return m{"name": name, "resourceArn": arn, "logType": logType}
}
func putDest(name, arn string) m {
	return m{"name": name, "deliveryDestinationConfiguration": m{"destinationResourceArn": arn}}
}

// deliveryFixture creates a source "cf" (CloudFront), destinations "cwl" (a log group),
// "s3" (a bucket) and "xray", and returns the id of a delivery cf → cwl.
func deliveryFixture(t *testing.T, s *Server) string {
	t.Helper()
	mustOK(t, s, "PutDeliverySource", putSource("cf", testCFArn, "ACCESS_LOGS"))
	mustOK(t, s, "PutDeliveryDestination", putDest("cwl", testGroupDest))
	mustOK(t, s, "PutDeliveryDestination", putDest("s3", testBucketDest))
	mustOK(t, s, "PutDeliveryDestination", m{"name": "xray", "deliveryDestinationType": "XRAY"})
	r := mustOK(t, s, "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("cwl")})
	return r.body["delivery"].(map[string]any)["id"].(string)
}

// TestDeliveryErrors: bad input to every delivery operation is refused with the model's
// ValidationException and the field named, a missing resource with
// ResourceNotFoundException, a conflicting one with ConflictException; none changes
// anything.
func TestDeliveryErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	id := deliveryFixture(t, s)
	tooMany := m{}
	for i := range 51 {
		tooMany[fmt.Sprintf("k%02d", i)] = "v"
	}
	manyFields := make([]string, 129)
	for i := range manyFields {
		manyFields[i] = "f"
	}
	cases := []struct {
		name, op string
		in       m
		code     string
		msg      string // substring; the whole message when it starts with "="
	}{
		// PutDeliverySource.
		{"source nothing", "PutDeliverySource", m{}, codeValidation, "=3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'resourceArn' failed to satisfy constraint: Member must not be null; Value null at 'logType' failed to satisfy constraint: Member must not be null"},
		{"source long name", "PutDeliverySource", putSource(strings.Repeat("n", 61), testCFArn, "ACCESS_LOGS"), codeValidation, "at 'name' failed to satisfy constraint: Member must have length less than or equal to 60"},
		{"source name with slash", "PutDeliverySource", putSource("a/b", testCFArn, "ACCESS_LOGS"), codeValidation, `=1 validation error detected: Value 'a/b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]*`},
		{"source bad log type", "PutDeliverySource", putSource("x", testCFArn, "ACCESS-LOGS"), codeValidation, `Value 'ACCESS-LOGS' at 'logType' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]*`},
		{"source empty log type", "PutDeliverySource", putSource("x", testCFArn, ""), codeValidation, "at 'logType' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"source 51 tags", "PutDeliverySource", m{"name": "x", "resourceArn": testCFArn, "logType": "ACCESS_LOGS", "tags": tooMany}, codeValidation, "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"source empty configuration value", "PutDeliverySource", m{"name": "x", "resourceArn": testCFArn, "logType": "ACCESS_LOGS", "deliverySourceConfiguration": m{"samplingRate": ""}},
			codeValidation, "Value '{samplingRate=}' at 'deliverySourceConfiguration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length greater than or equal to 1]"},
		{"source not an arn", "PutDeliverySource", putSource("x", "distribution/E1", "ACCESS_LOGS"), codeValidation, "=The resourceArn distribution/E1 is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)."},
		{"source of S3", "PutDeliverySource", putSource("x", "arn:aws:s3:::test-s3-bucket", "ACCESS_LOGS"), codeResourceNotFound, "=" + msgCannotAccessService},
		{"source of a log group", "PutDeliverySource", putSource("x", testGroupDest, "ACCESS_LOGS"), codeResourceNotFound, "=" + msgCannotAccessService},
		{"source bad service", "PutDeliverySource", putSource("x", "arn:aws:a.b:us-east-1:123456789012:thing/1", "ACCESS_LOGS"), codeValidation, "=The service a.b of the resourceArn arn:aws:a.b:us-east-1:123456789012:thing/1 is not a service name (the model's Service: 1-255 of [\\w_-])."},
		{"source same resource and type", "PutDeliverySource", putSource("cf2", testCFArn, "ACCESS_LOGS"), codeConflict, "=" + msgResourceIDUsed},
		{"source new resource", "PutDeliverySource", putSource("cf", "arn:aws:cloudfront::123456789012:distribution/E2", "ACCESS_LOGS"), codeConflict, "=" + msgSourceNewResource},
		{"source update with tags", "PutDeliverySource", m{"name": "cf", "resourceArn": testCFArn, "logType": "ACCESS_LOGS", "tags": m{"k": "v"}}, codeConflict, "=" + msgTagsOnUpdate},
		{"get source missing", "GetDeliverySource", m{"name": "foobar"}, codeResourceNotFound, "=" + msgDeliverySourceNotFound},
		{"get source without name", "GetDeliverySource", m{}, codeValidation, "Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"delete source missing", "DeleteDeliverySource", m{"name": "foobar"}, codeResourceNotFound, "=" + msgDeliverySourceNotFound},
		{"delete source in use", "DeleteDeliverySource", m{"name": "cf"}, codeConflict, "=Delivery Source cf is used by one or more deliveries; delete them first."},
		{"describe sources limit 0", "DescribeDeliverySources", m{"limit": 0}, codeValidation, "=1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"describe sources limit 51", "DescribeDeliverySources", m{"limit": 51}, codeValidation, "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"describe sources forged token", "DescribeDeliverySources", m{"nextToken": "garbage"}, codeValidation, "=" + msgInvalidNextToken},
		{"describe sources empty token", "DescribeDeliverySources", m{"nextToken": ""}, codeValidation, "at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},

		// PutDeliveryDestination.
		{"destination without name", "PutDeliveryDestination", m{"deliveryDestinationConfiguration": m{"destinationResourceArn": testGroupDest}}, codeValidation, "=1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"destination bad format", "PutDeliveryDestination", m{"name": "d", "outputFormat": "foobar", "deliveryDestinationConfiguration": m{"destinationResourceArn": testBucketDest}},
			codeValidation, "=1 validation error detected: Value 'foobar' at 'outputFormat' failed to satisfy constraint: Member must satisfy enum value set: [w3c, raw, json, plain, parquet]"},
		{"destination bad type", "PutDeliveryDestination", m{"name": "d", "deliveryDestinationType": "KINESIS"}, codeValidation, "Value 'KINESIS' at 'deliveryDestinationType' failed to satisfy constraint: Member must satisfy enum value set: [S3, CWL, FH, XRAY]"},
		{"destination configuration without arn", "PutDeliveryDestination", m{"name": "d", "deliveryDestinationConfiguration": m{}}, codeValidation, "Value null at 'deliveryDestinationConfiguration.destinationResourceArn' failed to satisfy constraint: Member must not be null"},
		{"destination neither", "PutDeliveryDestination", m{"name": "d"}, codeValidation, "=" + msgDestinationNeedsArn},
		{"destination S3 type without arn", "PutDeliveryDestination", m{"name": "d", "deliveryDestinationType": "S3"}, codeValidation, "=" + msgDestinationNeedsArn},
		{"destination kinesis stream", "PutDeliveryDestination", putDest("d", "arn:aws:kinesis:us-east-1:123456789012:stream/s"), codeValidation, "=The destinationResourceArn arn:aws:kinesis:us-east-1:123456789012:stream/s is neither a log group, an S3 bucket nor a Firehose delivery stream ARN."},
		{"destination log stream", "PutDeliveryDestination", putDest("d", "arn:aws:logs:us-east-1:123456789012:destination:x"), codeValidation, "is neither a log group"},
		{"destination type clash", "PutDeliveryDestination", m{"name": "d", "deliveryDestinationType": "XRAY", "deliveryDestinationConfiguration": m{"destinationResourceArn": testBucketDest}},
			codeValidation, "=The deliveryDestinationType XRAY does not match the destinationResourceArn arn:aws:s3:::vended-bucket, a S3 destination."},
		{"destination new format", "PutDeliveryDestination", m{"name": "cwl", "outputFormat": "json", "deliveryDestinationConfiguration": m{"destinationResourceArn": testGroupDest}}, codeValidation, "=" + msgDestinationNewFormat},
		{"destination new type", "PutDeliveryDestination", putDest("cwl", testBucketDest), codeValidation, "=" + msgDestinationNewType},
		{"destination update with tags", "PutDeliveryDestination", m{"name": "cwl", "tags": m{"k": "v"}, "deliveryDestinationConfiguration": m{"destinationResourceArn": testGroupDest}}, codeConflict, "=" + msgTagsOnUpdate},
		{"get destination missing", "GetDeliveryDestination", m{"name": "foobar"}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"delete destination missing", "DeleteDeliveryDestination", m{"name": "foobar"}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"delete destination in use", "DeleteDeliveryDestination", m{"name": "cwl"}, codeConflict, "=Delivery Destination cwl is used by one or more deliveries; delete them first."},
		{"describe destinations limit 51", "DescribeDeliveryDestinations", m{"limit": 51}, codeValidation, "at 'limit'"},
		{"describe destinations sources' token", "DescribeDeliveryDestinations", m{"nextToken": encodeScopedToken("VS", listScope("DescribeDeliverySources"), "cf")}, codeValidation, "=" + msgInvalidNextToken},

		// Policies.
		{"policy without policy", "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl"}, codeValidation, "Value null at 'deliveryDestinationPolicy' failed to satisfy constraint: Member must not be null"},
		{"policy too long", "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl", "deliveryDestinationPolicy": strings.Repeat("x", 51201)}, codeValidation, "Member must have length less than or equal to 51200"},
		{"policy not json", "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl", "deliveryDestinationPolicy": "{nope"}, codeValidation, "=" + msgInvalidDestPolicy},
		{"policy json array", "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl", "deliveryDestinationPolicy": "[]"}, codeValidation, "=" + msgInvalidDestPolicy},
		{"policy of missing", "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "foobar", "deliveryDestinationPolicy": testDDPolicy}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"get policy of missing", "GetDeliveryDestinationPolicy", m{"deliveryDestinationName": "foobar"}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"get policy bad name", "GetDeliveryDestinationPolicy", m{"deliveryDestinationName": "a:b"}, codeValidation, "at 'deliveryDestinationName'"},
		{"delete policy of missing", "DeleteDeliveryDestinationPolicy", m{"deliveryDestinationName": "foobar"}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},

		// Deliveries.
		{"create nothing", "CreateDelivery", m{}, codeValidation, "=2 validation errors detected: Value null at 'deliverySourceName' failed to satisfy constraint: Member must not be null; Value null at 'deliveryDestinationArn' failed to satisfy constraint: Member must not be null"},
		{"create 129 fields", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "recordFields": manyFields}, codeValidation, "at 'recordFields' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"create empty field", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "recordFields": []string{"date", ""}}, codeValidation, "Value '' at 'recordFields.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"create long delimiter", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "fieldDelimiter": "123456"}, codeValidation, "at 'fieldDelimiter' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"create empty suffix", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "s3DeliveryConfiguration": m{"suffixPath": ""}}, codeValidation, "at 's3DeliveryConfiguration.suffixPath' failed to satisfy constraint"},
		{"create source missing", "CreateDelivery", m{"deliverySourceName": "nope", "deliveryDestinationArn": ddArn("s3")}, codeResourceNotFound, "=" + msgDeliverySourceNotFound},
		{"create destination missing", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("nope")}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"create destination of another account", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": "arn:aws:logs:us-east-1:111122223333:delivery-destination:s3"}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"create destination not a delivery destination", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": dsArn("cf")}, codeResourceNotFound, "=" + msgDeliveryDestinationNotFound},
		{"create pair again", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("cwl")}, codeConflict, "=" + msgDeliveryExists},
		{"create s3 configuration to a log group", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("xray"), "s3DeliveryConfiguration": m{"suffixPath": "p/"}},
			codeValidation, "=s3DeliveryConfiguration is valid only for a delivery to an S3 delivery destination; " + ddArn("xray") + " is a XRAY destination."},
		{"create bad tag", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "tags": m{"a!": "v"}}, codeValidation, "Map keys must satisfy constraint"},
		{"get delivery missing", "GetDelivery", m{"id": "Nope1234"}, codeResourceNotFound, "=" + msgDeliveryNotFound},
		{"get delivery bad id", "GetDelivery", m{"id": "a-b"}, codeValidation, "=1 validation error detected: Value 'a-b' at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z]+$"},
		{"get delivery long id", "GetDelivery", m{"id": strings.Repeat("a", 65)}, codeValidation, "Member must have length less than or equal to 64"},
		{"delete delivery missing", "DeleteDelivery", m{"id": "Nope1234"}, codeResourceNotFound, "=" + msgDeliveryNotFound},
		{"delete delivery without id", "DeleteDelivery", m{}, codeValidation, "Value null at 'id'"},
		{"update missing", "UpdateDeliveryConfiguration", m{"id": "Nope1234", "fieldDelimiter": ","}, codeResourceNotFound, "=" + msgDeliveryNotFound},
		{"update s3 configuration of a log group delivery", "UpdateDeliveryConfiguration", m{"id": id, "s3DeliveryConfiguration": m{"enableHiveCompatiblePath": true}}, codeValidation, "is a CWL destination."},
		{"update long delimiter", "UpdateDeliveryConfiguration", m{"id": id, "fieldDelimiter": "123456"}, codeValidation, "at 'fieldDelimiter'"},
		{"describe deliveries limit 0", "DescribeDeliveries", m{"limit": 0}, codeValidation, "at 'limit'"},
		{"describe deliveries forged token", "DescribeDeliveries", m{"nextToken": "garbage"}, codeValidation, "=" + msgInvalidNextToken},
		{"bad json type", "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"), "s3DeliveryConfiguration": m{"enableHiveCompatiblePath": "yes"}}, codeSerialization, "s3DeliveryConfiguration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, c.op, c.in)
			msgOK := strings.Contains(r.message(), c.msg)
			if want, whole := strings.CutPrefix(c.msg, "="); whole {
				msgOK = r.message() == want
			}
			if r.status != 400 || r.errType() != c.code || !msgOK {
				t.Errorf("%s: %d %s %q, want %s with %q", c.op, r.status, r.errType(), r.message(), c.code, c.msg)
			}
		})
	}
	// Nothing changed: one source, three destinations, one delivery, as the fixture made them.
	if got := string(mustOK(t, s, "DescribeDeliverySources", m{}).raw); got != `{"deliverySources":[{"name":"cf","arn":"`+dsArn("cf")+
		`","resourceArns":["`+testCFArn+`"],"service":"cloudfront","logType":"ACCESS_LOGS"}]}` {
		t.Errorf("sources after the refusals: %s", got)
	}
	if ds, _ := pageItems(t, s, "DescribeDeliveryDestinations", m{}, "deliveryDestinations", 10); len(ds) != 3 || ds[0]["deliveryDestinationType"] != "CWL" || ds[0]["outputFormat"] != nil {
		t.Errorf("destinations after the refusals: %v", ds)
	}
	if r := mustOK(t, s, "GetDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl"}); string(r.raw) != `{"policy":{}}` {
		t.Errorf("policy after the refusals: %s", r.raw)
	}
	if dl, _ := pageItems(t, s, "DescribeDeliveries", m{}, "deliveries", 10); len(dl) != 1 || dl[0]["id"] != id || len(dl[0]) != 5 {
		t.Errorf("deliveries after the refusals: %v", dl)
	}
}

// TestDeliverySourceLifecycle: put (the answer's members, service from the ARN), get,
// update (new log type, configuration replaced), one resource with two log types, delete.
func TestDeliverySourceLifecycle(t *testing.T) {
	s := newTestServer(t, Config{})
	in := putSource("bus", testBusArn, "ERROR_LOGS")
	in["deliverySourceConfiguration"] = m{"samplingRate": "50", "b": "2"}
	in["tags"] = m{"team": "a"}
	want := `{"deliverySource":{"name":"bus","arn":"` + dsArn("bus") + `","resourceArns":["` + testBusArn +
		`"],"service":"events","logType":"ERROR_LOGS","deliverySourceConfiguration":{"b":"2","samplingRate":"50"}}}`
	if r := mustOK(t, s, "PutDeliverySource", in); string(r.raw) != want {
		t.Errorf("PutDeliverySource:\n got %s\nwant %s", r.raw, want)
	}
	if r := mustOK(t, s, "GetDeliverySource", m{"name": "bus"}); string(r.raw) != want {
		t.Errorf("GetDeliverySource:\n got %s\nwant %s", r.raw, want)
	}
	// The same resource with another log type is another source.
	mustOK(t, s, "PutDeliverySource", putSource("bus-info", testBusArn, "INFO_LOGS"))
	// An update without configuration drops it; the tags stay.
	r := mustOK(t, s, "PutDeliverySource", putSource("bus", testBusArn, "TRACE_LOGS"))
	if got := string(r.raw); strings.Contains(got, "deliverySourceConfiguration") || !strings.Contains(got, `"logType":"TRACE_LOGS"`) {
		t.Errorf("update: %s", got)
	}
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": dsArn("bus")}); string(r.raw) != `{"tags":{"team":"a"}}` {
		t.Errorf("tags after the update: %s", r.raw)
	}
	// Its old log type is free again.
	mustOK(t, s, "PutDeliverySource", putSource("bus-error", testBusArn, "ERROR_LOGS"))
	// Services the model's documentation names beside the nine moto knows are sources.
	mustOK(t, s, "PutDeliverySource", putSource("agent", "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/r-1", "APPLICATION_LOGS"))
	if r := mustOK(t, s, "GetDeliverySource", m{"name": "agent"}); r.body["deliverySource"].(map[string]any)["service"] != "bedrock-agentcore" {
		t.Errorf("service: %s", r.raw)
	}
	if r := mustOK(t, s, "DeleteDeliverySource", m{"name": "bus"}); string(r.raw) != "{}" {
		t.Errorf("DeleteDeliverySource answered %s", r.raw)
	}
	if r := call(t, s, "GetDeliverySource", m{"name": "bus"}); r.message() != msgDeliverySourceNotFound {
		t.Errorf("after delete: %s", r.raw)
	}
	// Created again, with a new resource: it is new, without the old tags.
	mustOK(t, s, "PutDeliverySource", putSource("bus", testCFArn, "ACCESS_LOGS"))
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": dsArn("bus")}); string(r.raw) != `{"tags":{}}` {
		t.Errorf("a source created again kept the old tags: %s", r.raw)
	}
}

// TestDeliveryDestinationLifecycle: the type derived from the resource (or XRAY given),
// outputFormat only when given and fixed once set, an update of the resource keeping the
// policy, the three policy operations, delete.
func TestDeliveryDestinationLifecycle(t *testing.T) {
	s := newTestServer(t, Config{})
	types := []struct{ name, arn, typ string }{
		{"cwl", testGroupDest, "CWL"},
		{"cwl-star", testGroupDest + ":*", "CWL"},
		{"s3", testBucketDest, "S3"},
		{"s3-prefix", testBucketDest + "/prefix/x", "S3"},
		{"fh", testFHDest, "FH"},
		{"cn", "arn:aws-cn:s3:::bucket-cn", "S3"},
	}
	for _, c := range types {
		want := `{"deliveryDestination":{"name":"` + c.name + `","arn":"` + ddArn(c.name) + `","deliveryDestinationType":"` + c.typ +
			`","deliveryDestinationConfiguration":{"destinationResourceArn":"` + c.arn + `"}}}`
		in := putDest(c.name, c.arn)
		in["deliveryDestinationType"] = c.typ // agreeing with the resource
		if r := mustOK(t, s, "PutDeliveryDestination", in); string(r.raw) != want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, r.raw, want)
		}
		if r := mustOK(t, s, "GetDeliveryDestination", m{"name": c.name}); string(r.raw) != want {
			t.Errorf("get %s:\n got %s\nwant %s", c.name, r.raw, want)
		}
	}
	if r := mustOK(t, s, "PutDeliveryDestination", m{"name": "xray", "deliveryDestinationType": "XRAY"}); string(r.raw) !=
		`{"deliveryDestination":{"name":"xray","arn":"`+ddArn("xray")+`","deliveryDestinationType":"XRAY"}}` {
		t.Errorf("XRAY: %s", r.raw)
	}

	// An output format is kept by an update that gives none and refused when changed.
	in := putDest("fmt", testBucketDest)
	in["outputFormat"] = "parquet"
	mustOK(t, s, "PutDeliveryDestination", in)
	r := mustOK(t, s, "PutDeliveryDestination", putDest("fmt", testBucketDest+"/other"))
	if d := r.body["deliveryDestination"].(map[string]any); d["outputFormat"] != "parquet" ||
		d["deliveryDestinationConfiguration"].(map[string]any)["destinationResourceArn"] != testBucketDest+"/other" {
		t.Errorf("update without outputFormat: %s", r.raw)
	}
	in["outputFormat"] = "parquet" // the same format again is no change
	mustOK(t, s, "PutDeliveryDestination", in)
	in["outputFormat"] = "json"
	if r := call(t, s, "PutDeliveryDestination", in); r.message() != msgDestinationNewFormat {
		t.Errorf("changed format: %s", r.raw)
	}
	// A destination without a format cannot get one either.
	in = putDest("s3", testBucketDest)
	in["outputFormat"] = "w3c"
	if r := call(t, s, "PutDeliveryDestination", in); r.message() != msgDestinationNewFormat {
		t.Errorf("a format for a destination created without: %s", r.raw)
	}

	// Policies: none, put (answered as sent), kept by an update, replaced, deleted (twice).
	getPolicy := func() string {
		t.Helper()
		return string(mustOK(t, s, "GetDeliveryDestinationPolicy", m{"deliveryDestinationName": "s3"}).raw)
	}
	if got := getPolicy(); got != `{"policy":{}}` {
		t.Errorf("no policy: %s", got)
	}
	withPolicy := `{"policy":{"deliveryDestinationPolicy":` + string(appendJSONString(nil, testDDPolicy)) + `}}`
	if r := mustOK(t, s, "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "s3", "deliveryDestinationPolicy": testDDPolicy}); string(r.raw) != withPolicy {
		t.Errorf("PutDeliveryDestinationPolicy:\n got %s\nwant %s", r.raw, withPolicy)
	}
	mustOK(t, s, "PutDeliveryDestination", putDest("s3", testBucketDest+"/moved"))
	if got := getPolicy(); got != withPolicy {
		t.Errorf("after an update: %s", got)
	}
	mustOK(t, s, "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "s3", "deliveryDestinationPolicy": `{"Statement":[]}`})
	if got := getPolicy(); got != `{"policy":{"deliveryDestinationPolicy":"{\"Statement\":[]}"}}` {
		t.Errorf("replaced: %s", got)
	}
	for range 2 {
		if r := mustOK(t, s, "DeleteDeliveryDestinationPolicy", m{"deliveryDestinationName": "s3"}); string(r.raw) != "{}" {
			t.Errorf("DeleteDeliveryDestinationPolicy answered %s", r.raw)
		}
		if got := getPolicy(); got != `{"policy":{}}` {
			t.Errorf("after delete: %s", got)
		}
	}
	if r := mustOK(t, s, "DeleteDeliveryDestination", m{"name": "s3"}); string(r.raw) != "{}" {
		t.Errorf("DeleteDeliveryDestination answered %s", r.raw)
	}
	if r := call(t, s, "GetDeliveryDestination", m{"name": "s3"}); r.message() != msgDeliveryDestinationNotFound {
		t.Errorf("after delete: %s", r.raw)
	}
}

// TestDeliveryLifecycle: create (members as given, the destination's type), get, update
// each configuration member, the source and destination held while the delivery lives,
// delete.
func TestDeliveryLifecycle(t *testing.T) {
	s := newTestServer(t, Config{})
	deliveryFixture(t, s)
	r := mustOK(t, s, "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3"),
		"recordFields": []string{"date", "time", "c-ip"}, "fieldDelimiter": ",",
		"s3DeliveryConfiguration": m{"suffixPath": "AWSLogs/{account-id}/CloudFront/", "enableHiveCompatiblePath": true},
		"tags":                    m{"k": "v"}})
	id := r.body["delivery"].(map[string]any)["id"].(string)
	if len(id) != 16 || strings.Trim(id, idAlphabet) != "" {
		t.Fatalf("id %q", id)
	}
	want := `{"delivery":{"id":"` + id + `","arn":"` + dlvArn(id) + `","deliverySourceName":"cf","deliveryDestinationArn":"` + ddArn("s3") +
		`","deliveryDestinationType":"S3","recordFields":["date","time","c-ip"],"fieldDelimiter":",",` +
		`"s3DeliveryConfiguration":{"suffixPath":"AWSLogs/{account-id}/CloudFront/","enableHiveCompatiblePath":true}}}`
	if string(r.raw) != want {
		t.Errorf("CreateDelivery:\n got %s\nwant %s", r.raw, want)
	}
	if r := mustOK(t, s, "GetDelivery", m{"id": id}); string(r.raw) != want {
		t.Errorf("GetDelivery:\n got %s\nwant %s", r.raw, want)
	}
	// Each member given replaces its value; the others stay.
	steps := []struct {
		in   m
		want string
	}{
		{m{"fieldDelimiter": ""}, `"recordFields":["date","time","c-ip"],"fieldDelimiter":"","s3DeliveryConfiguration":{"suffixPath":"AWSLogs/{account-id}/CloudFront/","enableHiveCompatiblePath":true}`},
		{m{"recordFields": []string{}}, `"recordFields":[],"fieldDelimiter":"","s3DeliveryConfiguration":{"suffixPath":"AWSLogs/{account-id}/CloudFront/","enableHiveCompatiblePath":true}`},
		{m{"s3DeliveryConfiguration": m{"enableHiveCompatiblePath": false}}, `"recordFields":[],"fieldDelimiter":"","s3DeliveryConfiguration":{"enableHiveCompatiblePath":false}`},
		{m{"recordFields": []string{"x\"y"}, "s3DeliveryConfiguration": m{"suffixPath": "p/"}}, `"recordFields":["x\"y"],"fieldDelimiter":"","s3DeliveryConfiguration":{"suffixPath":"p/"}`},
	}
	for i, st := range steps {
		st.in["id"] = id
		if r := mustOK(t, s, "UpdateDeliveryConfiguration", st.in); string(r.raw) != "{}" {
			t.Errorf("step %d answered %s", i, r.raw)
		}
		got := string(mustOK(t, s, "GetDelivery", m{"id": id}).raw)
		if !strings.HasSuffix(got, `"deliveryDestinationType":"S3",`+st.want+`}}`) {
			t.Errorf("step %d: %s, want …%s", i, got, st.want)
		}
	}
	// The source and the destination cannot go while deliveries use them.
	if r := call(t, s, "DeleteDeliveryDestination", m{"name": "s3"}); r.errType() != codeConflict {
		t.Errorf("delete a used destination: %s", r.raw)
	}
	mustOK(t, s, "DeleteDelivery", m{"id": id})
	if r := call(t, s, "GetDelivery", m{"id": id}); r.message() != msgDeliveryNotFound {
		t.Errorf("after delete: %s", r.raw)
	}
	mustOK(t, s, "DeleteDeliveryDestination", m{"name": "s3"})
	if r := call(t, s, "DeleteDeliverySource", m{"name": "cf"}); r.errType() != codeConflict {
		t.Errorf("the source is still used by cf → cwl: %s", r.raw)
	}
	// Created again, a delivery has a new id and none of the old tags.
	mustOK(t, s, "PutDeliveryDestination", putDest("s3", testBucketDest))
	r = mustOK(t, s, "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("s3")})
	id2 := r.body["delivery"].(map[string]any)["id"].(string)
	if id2 == id {
		t.Errorf("the same id %s again", id)
	}
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": dlvArn(id2)}); string(r.raw) != `{"tags":{}}` {
		t.Errorf("new delivery's tags: %s", r.raw)
	}
	// A destination ARN of another region of this account names the same destination and is
	// answered as given.
	mustOK(t, s, "PutDeliveryDestination", putDest("fh", testFHDest))
	other := "arn:aws:logs:eu-west-1:123456789012:delivery-destination:fh"
	r = mustOK(t, s, "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": other})
	if d := r.body["delivery"].(map[string]any); d["deliveryDestinationArn"] != other || d["deliveryDestinationType"] != "FH" {
		t.Errorf("another region's ARN: %s", r.raw)
	}
}

// TestDescribeDeliveriesPaging: sources and destinations in ASCII order of name,
// deliveries by source then destination name; pages of limit, tokens of one operation
// refused by another; the last page carries no token.
func TestDescribeDeliveriesPaging(t *testing.T) {
	s := newTestServer(t, Config{})
	srcs := []string{"b", "a-2", "A", "a_3", "a"}
	for i, n := range srcs {
		mustOK(t, s, "PutDeliverySource", putSource(n, fmt.Sprintf("arn:aws:cloudfront::123456789012:distribution/E%d", i), "ACCESS_LOGS"))
	}
	dsts := []string{"z", "Y", "x-1", "x"}
	for _, n := range dsts {
		mustOK(t, s, "PutDeliveryDestination", putDest(n, testBucketDest+"/"+n))
	}
	for _, p := range [][2]string{{"b", "x"}, {"a", "z"}, {"a", "x-1"}, {"a", "x"}, {"A", "Y"}, {"a-2", "x"}} {
		mustOK(t, s, "CreateDelivery", m{"deliverySourceName": p[0], "deliveryDestinationArn": ddArn(p[1])})
	}
	names := func(items []map[string]any, key ...string) string {
		var out []string
		for _, it := range items {
			var parts []string
			for _, k := range key {
				v, _ := it[k].(string)
				parts = append(parts, strings.TrimPrefix(v, ddArn("")))
			}
			out = append(out, strings.Join(parts, ">"))
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		op, key   string
		members   []string
		limit     int
		want      string
		wantPages int
	}{
		{"DescribeDeliverySources", "deliverySources", []string{"name"}, 0, "A,a,a-2,a_3,b", 1},
		{"DescribeDeliverySources", "deliverySources", []string{"name"}, 2, "A,a,a-2,a_3,b", 3},
		{"DescribeDeliverySources", "deliverySources", []string{"name"}, 5, "A,a,a-2,a_3,b", 1},
		{"DescribeDeliveryDestinations", "deliveryDestinations", []string{"name"}, 0, "Y,x,x-1,z", 1},
		{"DescribeDeliveryDestinations", "deliveryDestinations", []string{"name"}, 3, "Y,x,x-1,z", 2},
		{"DescribeDeliveries", "deliveries", []string{"deliverySourceName", "deliveryDestinationArn"}, 0, "A>Y,a>x,a>x-1,a>z,a-2>x,b>x", 1},
		{"DescribeDeliveries", "deliveries", []string{"deliverySourceName", "deliveryDestinationArn"}, 1, "A>Y,a>x,a>x-1,a>z,a-2>x,b>x", 6},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s limit %d", c.op, c.limit), func(t *testing.T) {
			in := m{}
			if c.limit > 0 {
				in["limit"] = c.limit
			}
			items, pages := pageItems(t, s, c.op, in, c.key, 20)
			if got := names(items, c.members...); got != c.want || pages != c.wantPages {
				t.Errorf("got %s in %d pages, want %s in %d", got, pages, c.want, c.wantPages)
			}
		})
	}
	tok := mustOK(t, s, "DescribeDeliveries", m{"limit": 1}).body["nextToken"]
	if r := call(t, s, "DescribeDeliverySources", m{"nextToken": tok}); r.errType() != codeValidation || r.message() != msgInvalidNextToken {
		t.Errorf("a DescribeDeliveries token for DescribeDeliverySources: %s", r.raw)
	}
}

// TestDeliveryTags: TagResource, UntagResource and ListTagsForResource on the three kinds
// of ARN (of any region of this account); tags given at creation; the 50-tag limit;
// missing resources; the other ARNs still reach ops_tags.go.
func TestDeliveryTags(t *testing.T) {
	s := newTestServer(t, Config{})
	in := putSource("cf", testCFArn, "ACCESS_LOGS")
	in["tags"] = m{"from": "source"}
	mustOK(t, s, "PutDeliverySource", in)
	in = putDest("cwl", testGroupDest)
	in["tags"] = m{"from": "destination"}
	mustOK(t, s, "PutDeliveryDestination", in)
	r := mustOK(t, s, "CreateDelivery", m{"deliverySourceName": "cf", "deliveryDestinationArn": ddArn("cwl"), "tags": m{"from": "delivery"}})
	id := r.body["delivery"].(map[string]any)["id"].(string)
	for _, c := range []struct{ arn, from, notFound string }{
		{dsArn("cf"), "source", msgDeliverySourceNotFound},
		{ddArn("cwl"), "destination", msgDeliveryDestinationNotFound},
		{dlvArn(id), "delivery", msgDeliveryNotFound},
	} {
		t.Run(c.from, func(t *testing.T) {
			list := func(arn string) string {
				t.Helper()
				return string(mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn}).raw)
			}
			if got := list(c.arn); got != `{"tags":{"from":"`+c.from+`"}}` {
				t.Errorf("at creation: %s", got)
			}
			mustOK(t, s, "TagResource", m{"resourceArn": c.arn, "tags": m{"env": "prod", "from": "tag"}})
			mustOK(t, s, "UntagResource", m{"resourceArn": c.arn, "tagKeys": []string{"from", "absent"}})
			if got := list(strings.Replace(c.arn, "us-east-1", "eu-west-1", 1)); got != `{"tags":{"env":"prod"}}` {
				t.Errorf("after tag and untag (eu-west-1 ARN): %s", got)
			}
			many := m{}
			for i := range 50 {
				many[fmt.Sprintf("k%02d", i)] = "v"
			}
			if r := call(t, s, "TagResource", m{"resourceArn": c.arn, "tags": many}); r.errType() != codeTooManyTags || r.body["resourceName"] != c.arn {
				t.Errorf("51st tag: %s", r.raw)
			}
			missing := c.arn[:strings.LastIndexByte(c.arn, ':')+1] + "Missing0"
			for _, op := range []struct {
				name string
				in   m
			}{
				{"TagResource", m{"resourceArn": missing, "tags": m{"k": "v"}}},
				{"UntagResource", m{"resourceArn": missing, "tagKeys": []string{"k"}}},
				{"ListTagsForResource", m{"resourceArn": missing}},
			} {
				if r := call(t, s, op.name, op.in); r.errType() != codeResourceNotFound || r.message() != c.notFound {
					t.Errorf("%s of a missing resource: %s", op.name, r.raw)
				}
			}
			if r := call(t, s, "TagResource", m{"resourceArn": c.arn}); r.errType() != codeInvalidParameter || !strings.Contains(r.message(), "Value null at 'tags'") {
				t.Errorf("TagResource without tags: %s", r.raw)
			}
		})
	}
	// Deleting a resource deletes its tags: a source created again has none.
	mustOK(t, s, "DeleteDelivery", m{"id": id})
	mustOK(t, s, "DeleteDeliverySource", m{"name": "cf"})
	mustOK(t, s, "PutDeliverySource", putSource("cf", testCFArn, "ACCESS_LOGS"))
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": dsArn("cf")}); string(r.raw) != `{"tags":{}}` {
		t.Errorf("tags of a source created again: %s", r.raw)
	}
	// ARNs that are not delivery resources of this account go to the log group path.
	for _, arn := range []string{
		"arn:aws:logs:us-east-1:111122223333:delivery-source:cf", // another account
		dsArn("cf") + ":*",
		dsArn("a/b"),
	} {
		if r := call(t, s, "ListTagsForResource", m{"resourceArn": arn}); r.status != 400 || r.errType() == codeResourceNotFound {
			t.Errorf("%s: %s", arn, r.raw)
		}
	}
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g", "tags": m{"group": "yes"}})
	if r := mustOK(t, s, "ListTagsForResource", m{"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:g"}); string(r.raw) != `{"tags":{"group":"yes"}}` {
		t.Errorf("log group tags: %s", r.raw)
	}
}

// TestDeliveriesPersist: sources, destinations (with policy), deliveries and their tags
// survive a restart on the same data directory.
func TestDeliveriesPersist(t *testing.T) {
	dir := t.TempDir()
	s := newTestServer(t, Config{DataDir: dir})
	id := deliveryFixture(t, s)
	mustOK(t, s, "PutDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl", "deliveryDestinationPolicy": testDDPolicy})
	mustOK(t, s, "TagResource", m{"resourceArn": dlvArn(id), "tags": m{"k": "v"}})
	before := map[string]string{}
	reads := []struct {
		op string
		in m
	}{
		{"DescribeDeliverySources", m{}}, {"DescribeDeliveryDestinations", m{}}, {"DescribeDeliveries", m{}},
		{"GetDeliveryDestinationPolicy", m{"deliveryDestinationName": "cwl"}}, {"ListTagsForResource", m{"resourceArn": dlvArn(id)}},
	}
	for _, rd := range reads {
		before[rd.op] = string(mustOK(t, s, rd.op, rd.in).raw)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Config{DataDir: dir})
	for _, rd := range reads {
		if got := string(mustOK(t, s2, rd.op, rd.in).raw); got != before[rd.op] {
			t.Errorf("%s after restart:\n got %s\nwant %s", rd.op, got, before[rd.op])
		}
	}
	if !strings.Contains(before["DescribeDeliveries"], id) || !strings.Contains(before["ListTagsForResource"], `"k":"v"`) {
		t.Errorf("the fixture is not what the test expects: %v", before)
	}
}

// TestMigrateDeliveries: a database of the schema version before the delivery tables is
// migrated and keeps its destinations.
func TestMigrateDeliveries(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	prev := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE delivery_sources") })
	if prev < 0 {
		t.Fatal("no migration creates delivery_sources")
	}
	if _, err := db.Exec(strings.Join(migrations[:prev], ";\n") + fmt.Sprintf("; PRAGMA user_version = %d", prev)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO destinations(name, target_arn, role_arn, creation_time) VALUES ('old', 't', 'r', 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := newTestServer(t, Config{DataDir: dir})
	deliveryFixture(t, s)
	if r := mustOK(t, s, "DescribeDestinations", m{}); len(list(r.body["destinations"])) != 1 {
		t.Errorf("destinations after migration: %s", r.raw)
	}
}

// TestDeliveryArnRegion: the ARNs answered are in the request's region and partition.
func TestDeliveryArnRegion(t *testing.T) {
	s := newTestServer(t, Config{AccountID: "111122223333"})
	if got, want := s.arnOf("cn-north-1", arnDeliverySource, "x"), "arn:aws-cn:logs:cn-north-1:111122223333:delivery-source:x"; got != want {
		t.Errorf("arnOf = %q, want %q", got, want)
	}
	r := mustOK(t, s, "PutDeliveryDestination", putDest("d", testBucketDest))
	if d := r.body["deliveryDestination"].(map[string]any); d["arn"] != "arn:aws:logs:us-east-1:111122223333:delivery-destination:d" {
		t.Errorf("arn: %s", r.raw)
	}
}

// TestNewDeliveryID: ids are 16 letters and digits, every one of the 62 used, none twice.
func TestNewDeliveryID(t *testing.T) {
	seen := map[string]bool{}
	chars := map[rune]bool{}
	for range 2000 {
		id := newDeliveryID()
		if len(id) != 16 || len(shDeliveryID.violations(id)) > 0 || seen[id] {
			t.Fatalf("id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
		for _, c := range id {
			chars[c] = true
		}
	}
	if len(chars) != len(idAlphabet) {
		t.Errorf("%d distinct characters in 32,000, want %d", len(chars), len(idAlphabet))
	}
}

// TestDestinationTypeOf: the type of each destination resource, and the refusals.
func TestDestinationTypeOf(t *testing.T) {
	cases := []struct{ arn, want string }{
		{testGroupDest, "CWL"},
		{testGroupDest + ":*", "CWL"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/x", "CWL"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:", ""},
		{"arn:aws:logs:us-east-1:123456789012:log-group:a b", ""},
		{"arn:aws:logs:us-east-1:123456789012:delivery-destination:d", ""},
		{testBucketDest, "S3"},
		{"arn:aws:s3:::b/p/q", "S3"},
		{"arn:aws:s3:::", ""},
		{"arn:aws:s3:::/x", ""},
		{testFHDest, "FH"},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/", ""},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s", ""},
		{"arn:aws:xray:us-east-1:123456789012:trace", ""},
		{"s3://bucket", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, ok := destinationTypeOf(c.arn)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("destinationTypeOf(%q) = %q, %v; want %q", c.arn, got, ok, c.want)
		}
	}
}

// FuzzSplitArn: an ARN splitArn takes re-joins into the input, with a partition, a
// service and a resource; a destination type is only found in such an ARN, of its
// service; neither panics.
func FuzzSplitArn(f *testing.F) {
	for _, s := range []string{testCFArn, testGroupDest + ":*", testBucketDest, testFHDest, "arn:aws:s3:::", "arn::::::", "arn:aws:logs"} {
		f.Add(s)
	}
	services := map[string]string{"CWL": "logs", "S3": "s3", "FH": "firehose"}
	f.Fuzz(func(t *testing.T, arn string) {
		p, ok := splitArn(arn)
		typ, typOK := destinationTypeOf(arn)
		if !ok {
			if typOK {
				t.Fatalf("%q is no ARN but has the destination type %s", arn, typ)
			}
			return
		}
		if p.partition == "" || p.service == "" || p.resource == "" ||
			"arn:"+p.partition+":"+p.service+":"+p.region+":"+p.account+":"+p.resource != arn {
			t.Fatalf("%q split into %+v", arn, p)
		}
		if typOK && services[typ] != p.service {
			t.Fatalf("%q (service %s) has the destination type %s", arn, p.service, typ)
		}
	})
}

// TestDeliveryConflictsConcurrent: the ConflictException rules hold for requests sent at
// once: of concurrent CreateDelivery calls for one pair exactly one succeeds, and a
// CreateDelivery racing DeleteDeliverySource or DeleteDeliveryDestination of its pair
// never leaves a delivery without its source or destination.
func TestDeliveryConflictsConcurrent(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "PutDeliverySource", putSource("src", testCFArn, "ACCESS_LOGS"))
	mustOK(t, s, "PutDeliveryDestination", putDest("dst", testGroupDest))
	const n = 8
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			codes <- call(t, s, "CreateDelivery", m{"deliverySourceName": "src", "deliveryDestinationArn": ddArn("dst")}).errType()
		})
	}
	wg.Wait()
	close(codes)
	created := 0
	for c := range codes {
		switch c {
		case "":
			created++
		case codeConflict:
		default:
			t.Errorf("concurrent CreateDelivery: %s", c)
		}
	}
	if created != 1 {
		t.Errorf("%d concurrent CreateDelivery calls for one pair succeeded, want 1", created)
	}

	for i := range 20 {
		src, dst := fmt.Sprintf("src%d", i), fmt.Sprintf("dst%d", i)
		mustOK(t, s, "PutDeliverySource", putSource(src, testCFArn+fmt.Sprint(i), "ACCESS_LOGS"))
		mustOK(t, s, "PutDeliveryDestination", putDest(dst, testGroupDest))
		deleteOp, deleteIn, deleted := "DeleteDeliverySource", m{"name": src}, src
		if i%2 == 1 {
			deleteOp, deleteIn, deleted = "DeleteDeliveryDestination", m{"name": dst}, dst
		}
		var create, del *response
		wg.Go(func() {
			create = call(t, s, "CreateDelivery", m{"deliverySourceName": src, "deliveryDestinationArn": ddArn(dst)})
		})
		wg.Go(func() { del = call(t, s, deleteOp, deleteIn) })
		wg.Wait()
		switch {
		case create.status == 200 && del.errType() == codeConflict:
		case create.errType() == codeResourceNotFound && del.status == 200:
		default:
			t.Fatalf("CreateDelivery %s → %s: %d %s; %s %s: %d %s", src, dst, create.status, create.raw, deleteOp, deleted, del.status, del.raw)
		}
	}
	// Every delivery's source and destination exist.
	for _, d := range list(mustOK(t, s, "DescribeDeliveries", m{}).body["deliveries"]) {
		dl := d.(map[string]any)
		dst := strings.TrimPrefix(dl["deliveryDestinationArn"].(string), ddArn(""))
		if call(t, s, "GetDeliverySource", m{"name": dl["deliverySourceName"]}).status != 200 ||
			call(t, s, "GetDeliveryDestination", m{"name": dst}).status != 200 {
			t.Errorf("delivery %v lacks its source or destination", dl)
		}
	}
}
