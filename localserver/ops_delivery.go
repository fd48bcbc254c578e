package localserver

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
)

// The "vended logs" delivery APIs (CloudWatch Logs user guide, "Enable logging from AWS
// services" and "Logging that requires additional permissions [V2]"): delivery sources
// (PutDeliverySource, GetDeliverySource, DescribeDeliverySources, DeleteDeliverySource;
// ops_delivery_sources.go), delivery destinations and their policies
// (PutDeliveryDestination, GetDeliveryDestination, DescribeDeliveryDestinations,
// DeleteDeliveryDestination, PutDeliveryDestinationPolicy, GetDeliveryDestinationPolicy,
// DeleteDeliveryDestinationPolicy; ops_delivery_destinations.go) and the deliveries that
// pair one source with one destination (CreateDelivery, GetDelivery, DescribeDeliveries,
// DeleteDelivery, UpdateDeliveryConfiguration; ops_delivery_deliveries.go), stored in
// SQLite (migration 9) so that Terraform (aws_cloudwatch_log_delivery_source,
// _delivery_destination, _delivery_destination_policy, aws_cloudwatch_log_delivery), CDK
// (AWS::Logs::DeliverySource, DeliveryDestination, Delivery) and the AWS CLI can manage
// them. Nothing is ever delivered: there is no CloudFront, Bedrock or EventBridge here to
// produce the logs, as there is no Kinesis for destinations and subscription filters.
//
// Shapes are botocore's logs/2014-03-28 model (1.43.11): the requests, DeliverySource,
// DeliveryDestination, Delivery and Policy. Where the model constrains a member, a
// violation is a ValidationException with the service's template ("1 validation error
// detected: Value … at '…' failed to satisfy constraint: …"): these operations' errors in
// the model are ValidationException, ConflictException, ResourceNotFoundException,
// ServiceQuotaExceededException (and AccessDeniedException, ThrottlingException), never the
// older InvalidParameterException. The behaviour follows these sources (each rule's comment
// names its own):
//
//   - ARNs are arn:PARTITION:logs:REGION:ACCOUNT:delivery-source:NAME,
//     …:delivery-destination:NAME and …:delivery:ID (the AWS CLI's examples of
//     put-delivery-source, put-delivery-destination and create-delivery; the user guide's
//     V2 permission policies name the same three resource types), in the request's region.
//     As for destinations, the server keeps one set of each, whatever the region.
//   - A delivery's id is 16 letters and digits (live ids "qbU0not6qz5elRVt" and
//     "4aYeQiRADsz6eCKB" in hashicorp/terraform-provider-aws#48158; the model's DeliveryId
//     is ^[0-9A-Za-z]+$, 1–64).
//   - Tags: TagResource, UntagResource and ListTagsForResource take the three ARNs
//     (Terraform's three resources tag through them: @Tags(identifierAttribute="arn")), with
//     the 50-tag limit of the other resources (ops_tags.go). Get, Describe and the
//     Put answers carry no tags: LocalStack's AWS-validated test_put_delivery_destination
//     snapshot has none although the request had some, and Terraform's three resources say
//     "tags aren't set in the Get response". An update that gives tags is refused with
//     ConflictException "Tags can only be provided when a resource is being created, not
//     updated." (live AWS, hashicorp/terraform-provider-aws#43572 for a destination; moto
//     says the same for a source).
//   - Not found: "Requested Delivery Source does not exist in this account." and "Requested
//     Delivery Destination does not exist in this account." (LocalStack's AWS-validated
//     snapshots, 2026-02-04); "Requested Delivery does not exist in this account." (moto's
//     wording, which LocalStack's unvalidated snapshot repeats; the pattern of the other two).
//   - Describe* list at most limit (the model's DescribeLimit, 1–50, default 50) a page,
//     with a nextToken bound to the operation; sources and destinations ASCII-sorted by
//     name (the AWS CLI's describe-delivery-destinations example lists "KinesisFirehose"
//     before "demo-…"), deliveries by source name, then destination name (the CLI's
//     describe-deliveries example lists "demo-delivery-source"'s before
//     "example-delivery-source"'s; AWS documents no order). A token not answered for the
//     operation is ValidationException "The specified nextToken is invalid." (the wording of
//     the other operations' InvalidParameterException).
//   - ServiceQuotaExceededException is in the model, but no quota on sources, destinations
//     or deliveries is documented: none is enforced beyond the tags'.
//
// DescribeConfigurationTemplates is not served: its answer is AWS's data (each service's
// log types, record fields, output formats and defaults), which is not documented as a
// whole; for the same reason CreateDelivery fills in no defaults (below).

const (
	msgDeliverySourceNotFound      = "Requested Delivery Source does not exist in this account."
	msgDeliveryDestinationNotFound = "Requested Delivery Destination does not exist in this account."
	msgDeliveryNotFound            = "Requested Delivery does not exist in this account."
	msgTagsOnUpdate                = "Tags can only be provided when a resource is being created, not updated."
	codeConflict                   = "ConflictException"
)

// Resource types in the delivery ARNs.
const (
	arnDeliverySource      = "delivery-source"
	arnDeliveryDestination = "delivery-destination"
	arnDelivery            = "delivery"
)

// Shapes of the delivery operations' members (the model's names).
var (
	shDeliverySourceName      = shape(1, 60, `[\w-]*`)
	shDeliveryDestinationName = shape(1, 60, `[\w-]*`)
	shDeliveryID              = shape(1, 64, `^[0-9A-Za-z]+$`)
	shLogType                 = shape(1, 255, `[\w]*`)
	shService                 = shape(1, 255, `[\w_-]*`)
	shDeliveryConfigEntry     = shape(1, 255, "") // DeliverySourceConfigurationKey and …Value
	shDeliveryDestinationPol  = shape(1, 51200, "")
	shFieldHeader             = shape(1, 64, "")
	shFieldDelimiter          = shape(0, 5, "")
	shDeliverySuffixPath      = shape(1, 256, "")
)

// outputFormats is the OutputFormat enum in the order the service lists it in its
// validation message ("Member must satisfy enum value set: [w3c, raw, json, plain,
// parquet]", LocalStack's AWS-validated test_put_delivery_destination_invalid_format).
var outputFormats = []string{"w3c", "raw", "json", "plain", "parquet"}

// deliveryDestinationTypes is the DeliveryDestinationType enum (the model's order).
var deliveryDestinationTypes = []string{"S3", "CWL", "FH", "XRAY"}

// deliveryPageLimit is DescribeLimit's maximum, the default page size.
const deliveryPageLimit = 50

// validation returns the collected violations as one ValidationException (the delivery
// operations' validation error), or nil.
func (v *verrs) validation() *apiError {
	e := v.err()
	if e != nil {
		e.Code = codeValidation
	}
	return e
}

// arnParts are the fields of an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
type arnParts struct {
	partition, service, region, account, resource string
}

// splitArn parses an ARN of any service. ok is false unless it has the six fields with a
// partition, a service and a resource (region and account may be empty, as in S3 and
// CloudFront ARNs).
func splitArn(arn string) (p arnParts, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] == "" || f[5] == "" {
		return p, false
	}
	return arnParts{partition: f[1], service: f[2], region: f[3], account: f[4], resource: f[5]}, true
}

// idAlphabet is the alphabet of delivery ids.
const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newDeliveryID returns 16 random letters and digits (crypto/rand, without modulo bias).
func newDeliveryID() string {
	var out [16]byte
	var buf [32]byte
	n := 0
	for n < len(out) {
		rand.Read(buf[:])
		for _, b := range buf {
			if b >= 248 { // 248 = 4 × 62: keep the bytes that map evenly
				continue
			}
			out[n] = idAlphabet[int(b)%len(idAlphabet)]
			if n++; n == len(out) {
				break
			}
		}
	}
	return string(out[:])
}

// deliveryNameIn is the input of GetDeliverySource, DeleteDeliverySource,
// GetDeliveryDestination and DeleteDeliveryDestination.
type deliveryNameIn struct {
	Name *string `json:"name"`
}

// decodeDeliveryName decodes and checks a deliveryNameIn whose name has the shape sh, and
// returns the name.
func decodeDeliveryName(body []byte, sh *strShape) (string, *apiError) {
	var in deliveryNameIn
	if e := decodeJSON(body, &in); e != nil {
		return "", e
	}
	var v verrs
	v.required(in.Name != nil, "name")
	v.str(in.Name, "name", sh)
	if e := v.validation(); e != nil {
		return "", e
	}
	return *in.Name, nil
}

// deleteUnused deletes the row named name of table (delivery_sources or
// delivery_destinations) unless a delivery uses it (the column usedBy of deliveries):
// ResourceNotFoundException notFound when there is none, ConflictException inUse
// (formatted with the name) when a delivery uses it. Both checks and the deletion are one
// transaction, as CreateDelivery's checks are: a delivery is never left without its source
// or destination.
func (s *Server) deleteUnused(table, usedBy, notFound, inUse, name string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if found, err := rowExists(ctx, tx, `SELECT 1 FROM `+table+` WHERE name = ?`, name); err != nil {
			return s.dbErr(err)
		} else if !found {
			return clientErr(codeResourceNotFound, notFound)
		}
		if used, err := rowExists(ctx, tx, `SELECT 1 FROM deliveries WHERE `+usedBy+` = ?`, name); err != nil {
			return s.dbErr(err)
		} else if used {
			return conflict(inUse, name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE name = ?`, name); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}

// describeDeliveriesIn is the input of the three Describe operations.
type describeDeliveriesIn struct {
	NextToken *string `json:"nextToken"`
	Limit     *int64  `json:"limit"`
}

// describeDeliveryPage answers a page of op, one of the three Describe operations, whose
// listing p describes but for the request's members: nextToken (refused with the delivery
// operations' ValidationException when it is not one op answered) and limit.
func (s *Server) describeDeliveryPage(rc *reqCtx, op string, p namePage) ([]byte, *apiError) {
	var in describeDeliveriesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, deliveryPageLimit)
	if e := v.validation(); e != nil {
		return nil, e
	}
	p.scope, p.token, p.limit = listScope(op), in.NextToken, limitOr(in.Limit, deliveryPageLimit)
	p.tokenErr = clientErr(codeValidation, msgInvalidNextToken)
	return s.pageByName(rc.ctx, p)
}

// conflict is a ConflictException with message msg (formatted with args).
func conflict(format string, args ...any) *apiError {
	return clientErr(codeConflict, fmt.Sprintf(format, args...))
}

// validationErr is a ValidationException with message msg (formatted with args).
func validationErr(format string, args ...any) *apiError {
	return clientErr(codeValidation, fmt.Sprintf(format, args...))
}
