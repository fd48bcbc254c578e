package localserver

import (
	"context"
	"database/sql"
	"errors"
	"slices"
)

// Delivery sources (see ops_delivery.go for what is shared). A source is "a logical object
// that represents the resource that is actually sending the logs" (PutDeliverySource):
//
//   - PutDeliverySource creates or updates one ("all the current delivery source parameters
//     are overwritten with the new parameter values that you specify"). resourceArn must be
//     an ARN; service is its service field ("codewhisperer" for
//     arn:aws:codewhisperer:…:customization/…, the AWS CLI's put-delivery-source example;
//     "cloudfront" for a distribution, LocalStack's snapshot) and resourceArns holds it
//     alone ("Currently, only one ARN can be in the array"). A resourceArn that is no ARN,
//     or whose service is not the model's Service ([\w_-]*, 1–255), is ValidationException,
//     our wording. A resource of S3, which live AWS refused with ResourceNotFoundException
//     "Cannot access provided service." (LocalStack's AWS-validated
//     test_put_delivery_source_invalid_resource), or of the other delivery destination
//     services (CloudWatch Logs, Firehose, X-Ray) is refused the same way. Every other
//     service is accepted: AWS's list of sources grows (the model's logType documentation
//     names 26 products, the CDK generates delivery sources for 47 resource types,
//     EventBridge buses and AgentCore runtimes among them), and no complete list of them,
//     nor of each one's log types, is documented. moto checks both against a list of nine
//     services.
//   - An update may not change the resource: ConflictException "Update to existing Delivery
//     Source with new ResourceId is not allowed. Please create a new Delivery Source
//     instead." (live AWS through CloudFormation,
//     aws-cloudformation/cloudformation-coverage-roadmap#2513; moto's code), nor give tags.
//   - One source per resource and log type: another name for the same resourceArn and
//     logType is ConflictException "This ResourceId has already been used in another
//     Delivery Source in this account." (live AWS, hashicorp/terraform-provider-aws#40885,
//     aws-samples/sample-autonomous-cloud-coding-agents#662); one resource with two log types
//     makes two sources (the CDK's vended-logs mixins, aws/aws-cdk#36314, create one per log
//     type of an EventBridge bus).
//   - deliverySourceConfiguration (keys and values 1–255 characters) is stored and answered
//     as given; which keys a log type takes is in its configuration template, which is not
//     served. status and statusReason ("defined for selective log types") are never set.
//   - DeleteDeliverySource refuses a source a delivery uses ("You can't delete a delivery
//     source if any current deliveries are associated with it"): ConflictException, in the
//     model's errors; the wording of msgSourceInUse is ours. moto deletes it.

const (
	msgCannotAccessService = "Cannot access provided service."
	msgSourceNewResource   = "Update to existing Delivery Source with new ResourceId is not allowed. Please create a new Delivery Source instead."
	msgResourceIDUsed      = "This ResourceId has already been used in another Delivery Source in this account."
	msgSourceInUse         = "Delivery Source %s is used by one or more deliveries; delete them first."
	msgResourceArnNotArn   = "The resourceArn %s is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)."
	msgResourceArnService  = "The service %s of the resourceArn %s is not a service name (the model's Service: 1-255 of [\\w_-])."
)

// notSourceServices are the services whose resources are delivery destinations, refused
// as sources (see above).
var notSourceServices = []string{"s3", "logs", "firehose", "xray"}

// deliverySourceRow is a stored delivery source.
type deliverySourceRow struct {
	name, resourceArn, service, logType string
	configuration                       sql.NullString // a JSON object, as answered
}

const deliverySourceColumns = `name, resource_arn, service, log_type, configuration`

func scanDeliverySource(sc interface{ Scan(...any) error }) (*deliverySourceRow, error) {
	d := &deliverySourceRow{}
	err := sc.Scan(&d.name, &d.resourceArn, &d.service, &d.logType, &d.configuration)
	return d, err
}

// deliverySourceByName returns the source or (nil, nil) when it does not exist.
func deliverySourceByName(ctx context.Context, q queryer, name string) (*deliverySourceRow, error) {
	d, err := scanDeliverySource(q.QueryRowContext(ctx, `SELECT `+deliverySourceColumns+` FROM delivery_sources WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// findDeliverySource returns the named source, or ResourceNotFoundException.
func (s *Server) findDeliverySource(ctx context.Context, q queryer, name string) (*deliverySourceRow, *apiError) {
	d, err := deliverySourceByName(ctx, q, name)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if d == nil {
		return nil, clientErr(codeResourceNotFound, msgDeliverySourceNotFound)
	}
	return d, nil
}

// deliverySourceMembers writes d's DeliverySource members into o, in the model's order.
func (s *Server) deliverySourceMembers(o *jsonObj, region string, d *deliverySourceRow) {
	o.str("name", d.name)
	o.str("arn", s.arnOf(region, arnDeliverySource, d.name))
	o.raw("resourceArns", append(appendJSONString([]byte{'['}, d.resourceArn), ']'))
	o.str("service", d.service)
	o.str("logType", d.logType)
	if d.configuration.Valid {
		o.raw("deliverySourceConfiguration", []byte(d.configuration.String))
	}
}

type putDeliverySourceIn struct {
	Name                        *string            `json:"name"`
	ResourceArn                 *string            `json:"resourceArn"`
	LogType                     *string            `json:"logType"`
	Tags                        *map[string]string `json:"tags"`
	DeliverySourceConfiguration *map[string]string `json:"deliverySourceConfiguration"`
}

func (s *Server) putDeliverySource(rc *reqCtx) ([]byte, *apiError) {
	var in putDeliverySourceIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.Name != nil, "name")
	v.str(in.Name, "name", shDeliverySourceName)
	v.required(in.ResourceArn != nil, "resourceArn")
	v.required(in.LogType != nil, "logType")
	v.str(in.LogType, "logType", shLogType)
	v.tags(in.Tags, "tags")
	v.strMap(in.DeliverySourceConfiguration, "deliverySourceConfiguration", shDeliveryConfigEntry, shDeliveryConfigEntry)
	if e := v.validation(); e != nil {
		return nil, e
	}
	arn, ok := splitArn(*in.ResourceArn)
	if !ok {
		return nil, validationErr(msgResourceArnNotArn, *in.ResourceArn)
	}
	if slices.Contains(notSourceServices, arn.service) {
		return nil, clientErr(codeResourceNotFound, msgCannotAccessService)
	}
	if len(shService.violations(arn.service)) > 0 {
		return nil, validationErr(msgResourceArnService, arn.service, *in.ResourceArn)
	}
	row := &deliverySourceRow{name: *in.Name, resourceArn: *in.ResourceArn, service: arn.service, logType: *in.LogType}
	if in.DeliverySourceConfiguration != nil {
		row.configuration = sql.NullString{String: string(strMapJSON(*in.DeliverySourceConfiguration)), Valid: true}
	}
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		cur, err := deliverySourceByName(ctx, tx, row.name)
		if err != nil {
			return s.dbErr(err)
		}
		if cur != nil {
			if in.Tags != nil {
				return conflict("%s", msgTagsOnUpdate)
			}
			if cur.resourceArn != row.resourceArn {
				return conflict("%s", msgSourceNewResource)
			}
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT name FROM delivery_sources WHERE resource_arn = ? AND log_type = ? AND name != ?`,
			row.resourceArn, row.logType, row.name).Scan(&other)
		switch {
		case err == nil:
			return conflict("%s", msgResourceIDUsed)
		case !errors.Is(err, sql.ErrNoRows):
			return s.dbErr(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_sources(`+deliverySourceColumns+`) VALUES (?,?,?,?,?)
			ON CONFLICT(name) DO UPDATE SET log_type = excluded.log_type, configuration = excluded.configuration`,
			row.name, row.resourceArn, row.service, row.logType, row.configuration)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "delivery_source_tags", "name", row.name, *in.Tags,
				s.arnOf(rc.region, arnDeliverySource, row.name))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return s.deliverySourceAnswer(rc.region, row), nil
}

// deliverySourceAnswer is {"deliverySource":{…}} for d.
func (s *Server) deliverySourceAnswer(region string, d *deliverySourceRow) []byte {
	f := newObj(nil)
	s.deliverySourceMembers(f, region, d)
	o := newObj(nil)
	o.raw("deliverySource", f.done())
	return o.done()
}

func (s *Server) getDeliverySource(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := decodeDeliveryName(rc.body, shDeliverySourceName)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := s.findDeliverySource(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	return s.deliverySourceAnswer(rc.region, d), nil
}

func (s *Server) describeDeliverySources(rc *reqCtx) ([]byte, *apiError) {
	return s.describeDeliveryPage(rc, "DescribeDeliverySources", namePage{
		query: `SELECT ` + deliverySourceColumns + ` FROM delivery_sources WHERE 1`,
		kind:  "VS", key: "deliverySources",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			d, err := scanDeliverySource(rows)
			if err != nil {
				return "", err
			}
			s.deliverySourceMembers(f, rc.region, d)
			return d.name, nil
		},
	})
}

func (s *Server) deleteDeliverySource(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := decodeDeliveryName(rc.body, shDeliverySourceName)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.deleteUnused("delivery_sources", "source_name", msgDeliverySourceNotFound, msgSourceInUse, name)
}

// rowExists reports whether query (with args) returns a row.
func rowExists(ctx context.Context, q queryer, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
