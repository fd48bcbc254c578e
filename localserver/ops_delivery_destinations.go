package localserver

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Delivery destinations and their policies (see ops_delivery.go for what is shared). A
// delivery destination is "a logical object that represents the actual delivery
// destination" (PutDeliveryDestination):
//
//   - deliveryDestinationType is derived from deliveryDestinationConfiguration's
//     destinationResourceArn: a log group ARN (with or without ":*"; the AWS CLI's
//     describe-delivery-destinations example has one with) is CWL, an S3 bucket ARN (a key
//     prefix after the bucket allowed, as Terraform's acceptance test of an update uses) is
//     S3, a Firehose delivery stream ARN is FH (the CLI's examples: "CWL", "S3", "FH").
//     "deliveryDestinationConfiguration is required for CloudWatch Logs, Amazon S3, Firehose
//     log delivery destinations and not required for X-Ray trace delivery destinations.
//     deliveryDestinationType is needed for X-Ray" (the model): XRAY is given as the type,
//     with no configuration (Terraform's TestAccLogsDeliveryDestination_XRAY). Any other
//     resource, a configuration whose type contradicts the given one, or neither is
//     ValidationException (our wording: AWS's is not on record). The resource is not
//     checked to exist.
//   - outputFormat is stored and answered only when given: AWS answers none otherwise
//     (LocalStack's AWS-validated get and update snapshots; Terraform's acceptance test
//     expects output_format null after create and import). Its values are the model's enum,
//     refused with the service's message order (ops_delivery.go). Which formats a source
//     can deliver is in its configuration template, which is not served; an outputFormat
//     given with XRAY is stored too (the CDK offers none for X-Ray; AWS's answer to one is
//     not on record).
//   - An update ("all the current delivery destination parameters are overwritten")
//     replaces the destination resource, of the same type (LocalStack's AWS-validated
//     test_put_delivery_destination_update moves an S3 destination to another bucket). It
//     may not change the output format: ValidationException "Update to existing Delivery
//     Destination with new Output Format is not allowed. Please create a new Delivery
//     Destination instead." (moto's code and wording; Terraform's resource replaces the
//     destination when output_format changes); an update without outputFormat keeps it. It
//     may not change the type either (Terraform replaces the destination when the resource
//     ARN's service changes; the wording of msgDestinationNewType is ours), nor give tags
//     (ops_delivery.go). The policy is kept.
//   - PutDeliveryDestinationPolicy sets the policy of an existing destination (answered
//     {"policy":{"deliveryDestinationPolicy":…}}, the AWS CLI's example), stored and
//     answered as sent, never enforced. A document that is not a JSON object is
//     ValidationException "Invalid Delivery Destination resource Policy is provided." (live
//     AWS for a policy it did not accept, hashicorp/terraform-provider-aws#40885).
//     GetDeliveryDestinationPolicy answers {"policy":{}} for a destination without one
//     (LocalStack's AWS-validated test_delete_delivery_destination_policy; moto sends
//     "deliveryDestinationPolicy": null); DeleteDeliveryDestinationPolicy removes it, and
//     succeeds when there is none. All three answer ResourceNotFoundException for a missing
//     destination.
//   - DeleteDeliveryDestination refuses a destination a delivery uses ("You can't delete a
//     delivery destination if any current deliveries are associated with it"):
//     ConflictException, our wording. moto deletes it.

const (
	msgDestinationNewFormat = "Update to existing Delivery Destination with new Output Format is not allowed. Please create a new Delivery Destination instead."
	msgDestinationNewType   = "Update to existing Delivery Destination with new Delivery Destination Type is not allowed. Please create a new Delivery Destination instead."
	msgInvalidDestPolicy    = "Invalid Delivery Destination resource Policy is provided."
	msgDestinationInUse     = "Delivery Destination %s is used by one or more deliveries; delete them first."
	msgDestinationResource  = "The destinationResourceArn %s is neither a log group, an S3 bucket nor a Firehose delivery stream ARN."
	msgDestinationTypeClash = "The deliveryDestinationType %s does not match the destinationResourceArn %s, a %s destination."
	msgDestinationNeedsArn  = "deliveryDestinationConfiguration is required unless deliveryDestinationType is XRAY."
)

// deliveryDestinationRow is a stored delivery destination.
type deliveryDestinationRow struct {
	name, typ                 string
	outputFormat, resourceArn sql.NullString // resourceArn is NULL for XRAY
	policy                    sql.NullString
}

const deliveryDestinationColumns = `name, type, output_format, resource_arn, policy`

func scanDeliveryDestination(sc interface{ Scan(...any) error }) (*deliveryDestinationRow, error) {
	d := &deliveryDestinationRow{}
	err := sc.Scan(&d.name, &d.typ, &d.outputFormat, &d.resourceArn, &d.policy)
	return d, err
}

// deliveryDestinationByName returns the destination or (nil, nil) when it does not exist.
func deliveryDestinationByName(ctx context.Context, q queryer, name string) (*deliveryDestinationRow, error) {
	d, err := scanDeliveryDestination(q.QueryRowContext(ctx, `SELECT `+deliveryDestinationColumns+` FROM delivery_destinations WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// findDeliveryDestination returns the named destination, or ResourceNotFoundException.
func (s *Server) findDeliveryDestination(ctx context.Context, q queryer, name string) (*deliveryDestinationRow, *apiError) {
	d, err := deliveryDestinationByName(ctx, q, name)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if d == nil {
		return nil, clientErr(codeResourceNotFound, msgDeliveryDestinationNotFound)
	}
	return d, nil
}

// deliveryDestinationMembers writes d's DeliveryDestination members into o, in the model's
// order.
func (s *Server) deliveryDestinationMembers(o *jsonObj, region string, d *deliveryDestinationRow) {
	o.str("name", d.name)
	o.str("arn", s.arnOf(region, arnDeliveryDestination, d.name))
	o.str("deliveryDestinationType", d.typ)
	if d.outputFormat.Valid {
		o.str("outputFormat", d.outputFormat.String)
	}
	if d.resourceArn.Valid {
		c := newObj(nil)
		c.str("destinationResourceArn", d.resourceArn.String)
		o.raw("deliveryDestinationConfiguration", c.done())
	}
}

// deliveryDestinationAnswer is {"deliveryDestination":{…}} for d.
func (s *Server) deliveryDestinationAnswer(region string, d *deliveryDestinationRow) []byte {
	f := newObj(nil)
	s.deliveryDestinationMembers(f, region, d)
	o := newObj(nil)
	o.raw("deliveryDestination", f.done())
	return o.done()
}

// destinationTypeOf is the DeliveryDestinationType of the resource arn names: CWL for a log
// group, S3 for a bucket (with or without a key prefix), FH for a Firehose delivery
// stream. ok is false for anything else.
func destinationTypeOf(arn string) (typ string, ok bool) {
	p, ok := splitArn(arn)
	if !ok {
		return "", false
	}
	switch p.service {
	case "s3":
		if p.resource != "" && !strings.HasPrefix(p.resource, "/") {
			return "S3", true
		}
	case "logs":
		name, found := strings.CutPrefix(p.resource, "log-group:")
		name = strings.TrimSuffix(name, ":*")
		if found && len(shLogGroupName.violations(name)) == 0 {
			return "CWL", true
		}
	case "firehose":
		if name, found := strings.CutPrefix(p.resource, "deliverystream/"); found && name != "" {
			return "FH", true
		}
	}
	return "", false
}

// deliveryDestinationConfigurationIn is DeliveryDestinationConfiguration.
type deliveryDestinationConfigurationIn struct {
	DestinationResourceArn *string `json:"destinationResourceArn"`
}

type putDeliveryDestinationIn struct {
	Name                             *string                             `json:"name"`
	OutputFormat                     *string                             `json:"outputFormat"`
	DeliveryDestinationConfiguration *deliveryDestinationConfigurationIn `json:"deliveryDestinationConfiguration"`
	DeliveryDestinationType          *string                             `json:"deliveryDestinationType"`
	Tags                             *map[string]string                  `json:"tags"`
}

// row checks in (validated) and returns the destination it describes.
func (in *putDeliveryDestinationIn) row() (*deliveryDestinationRow, *apiError) {
	d := &deliveryDestinationRow{name: *in.Name}
	if in.OutputFormat != nil {
		d.outputFormat = sql.NullString{String: *in.OutputFormat, Valid: true}
	}
	cfg := in.DeliveryDestinationConfiguration
	if cfg == nil {
		if in.DeliveryDestinationType == nil || *in.DeliveryDestinationType != "XRAY" {
			return nil, validationErr("%s", msgDestinationNeedsArn)
		}
		d.typ = "XRAY"
		return d, nil
	}
	arn := *cfg.DestinationResourceArn
	typ, ok := destinationTypeOf(arn)
	if !ok {
		return nil, validationErr(msgDestinationResource, arn)
	}
	if t := in.DeliveryDestinationType; t != nil && *t != typ {
		return nil, validationErr(msgDestinationTypeClash, *t, arn, typ)
	}
	d.typ = typ
	d.resourceArn = sql.NullString{String: arn, Valid: true}
	return d, nil
}

func (s *Server) putDeliveryDestination(rc *reqCtx) ([]byte, *apiError) {
	var in putDeliveryDestinationIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.Name != nil, "name")
	v.str(in.Name, "name", shDeliveryDestinationName)
	v.enum(in.OutputFormat, "outputFormat", outputFormats)
	if cfg := in.DeliveryDestinationConfiguration; cfg != nil {
		v.required(cfg.DestinationResourceArn != nil, "deliveryDestinationConfiguration.destinationResourceArn")
	}
	v.enum(in.DeliveryDestinationType, "deliveryDestinationType", deliveryDestinationTypes)
	v.tags(in.Tags, "tags")
	if e := v.validation(); e != nil {
		return nil, e
	}
	row, aerr := in.row()
	if aerr != nil {
		return nil, aerr
	}
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		cur, err := deliveryDestinationByName(ctx, tx, row.name)
		if err != nil {
			return s.dbErr(err)
		}
		if cur != nil {
			switch {
			case in.Tags != nil:
				return conflict("%s", msgTagsOnUpdate)
			case row.outputFormat.Valid && row.outputFormat != cur.outputFormat:
				return validationErr("%s", msgDestinationNewFormat)
			case row.typ != cur.typ:
				return validationErr("%s", msgDestinationNewType)
			}
			row.outputFormat, row.policy = cur.outputFormat, cur.policy
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_destinations(name, type, output_format, resource_arn) VALUES (?,?,?,?)
			ON CONFLICT(name) DO UPDATE SET resource_arn = excluded.resource_arn`,
			row.name, row.typ, row.outputFormat, row.resourceArn)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "delivery_destination_tags", "name", row.name, *in.Tags,
				s.arnOf(rc.region, arnDeliveryDestination, row.name))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return s.deliveryDestinationAnswer(rc.region, row), nil
}

func (s *Server) getDeliveryDestination(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := decodeDeliveryName(rc.body, shDeliveryDestinationName)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := s.findDeliveryDestination(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	return s.deliveryDestinationAnswer(rc.region, d), nil
}

func (s *Server) describeDeliveryDestinations(rc *reqCtx) ([]byte, *apiError) {
	return s.describeDeliveryPage(rc, "DescribeDeliveryDestinations", namePage{
		query: `SELECT ` + deliveryDestinationColumns + ` FROM delivery_destinations WHERE 1`,
		kind:  "VD", key: "deliveryDestinations",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			d, err := scanDeliveryDestination(rows)
			if err != nil {
				return "", err
			}
			s.deliveryDestinationMembers(f, rc.region, d)
			return d.name, nil
		},
	})
}

func (s *Server) deleteDeliveryDestination(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := decodeDeliveryName(rc.body, shDeliveryDestinationName)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.deleteUnused("delivery_destinations", "destination_name", msgDeliveryDestinationNotFound, msgDestinationInUse, name)
}

// deliveryDestinationPolicyIn is the input of the three policy operations.
type deliveryDestinationPolicyIn struct {
	DeliveryDestinationName   *string `json:"deliveryDestinationName"`
	DeliveryDestinationPolicy *string `json:"deliveryDestinationPolicy"`
}

// validate checks the input; withPolicy: PutDeliveryDestinationPolicy's, which requires
// the policy.
func (in *deliveryDestinationPolicyIn) validate(withPolicy bool) *apiError {
	var v verrs
	v.required(in.DeliveryDestinationName != nil, "deliveryDestinationName")
	v.str(in.DeliveryDestinationName, "deliveryDestinationName", shDeliveryDestinationName)
	if withPolicy {
		v.required(in.DeliveryDestinationPolicy != nil, "deliveryDestinationPolicy")
		v.str(in.DeliveryDestinationPolicy, "deliveryDestinationPolicy", shDeliveryDestinationPol)
	}
	return v.validation()
}

// policyAnswer is {"policy":{…}} holding policy when it is set.
func policyAnswer(policy sql.NullString) []byte {
	p := newObj(nil)
	if policy.Valid {
		p.str("deliveryDestinationPolicy", policy.String)
	}
	o := newObj(nil)
	o.raw("policy", p.done())
	return o.done()
}

func (s *Server) putDeliveryDestinationPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in deliveryDestinationPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(true); e != nil {
		return nil, e
	}
	if !isJSONObject(*in.DeliveryDestinationPolicy) {
		return nil, validationErr("%s", msgInvalidDestPolicy)
	}
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if _, aerr := s.findDeliveryDestination(ctx, tx, *in.DeliveryDestinationName); aerr != nil {
			return aerr
		}
		_, err := tx.ExecContext(ctx, `UPDATE delivery_destinations SET policy = ? WHERE name = ?`,
			*in.DeliveryDestinationPolicy, *in.DeliveryDestinationName)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return policyAnswer(sql.NullString{String: *in.DeliveryDestinationPolicy, Valid: true}), nil
}

func (s *Server) getDeliveryDestinationPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in deliveryDestinationPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(false); e != nil {
		return nil, e
	}
	d, aerr := s.findDeliveryDestination(rc.ctx, s.st.r, *in.DeliveryDestinationName)
	if aerr != nil {
		return nil, aerr
	}
	return policyAnswer(d.policy), nil
}

func (s *Server) deleteDeliveryDestinationPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in deliveryDestinationPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(false); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if _, aerr := s.findDeliveryDestination(ctx, tx, *in.DeliveryDestinationName); aerr != nil {
			return aerr
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delivery_destinations SET policy = NULL WHERE name = ?`, *in.DeliveryDestinationName); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}
