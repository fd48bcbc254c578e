package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// Destinations, the targets of cross-account subscriptions (PutDestination,
// PutDestinationPolicy, DescribeDestinations, DeleteDestination), are stored in SQLite
// (migration 7) and described as AWS does, so that Terraform (aws_cloudwatch_log_destination
// and _destination_policy), CDK (CrossAccountDestination) and the AWS CLI can manage them.
// Nothing is ever delivered to their target, as for subscription filters. Shapes are
// botocore's logs/2014-03-28 model (PutDestinationRequest, Destination,
// PutDestinationPolicyRequest, DescribeDestinationsRequest, DeleteDestinationRequest); the
// behaviour is the API reference's:
//
//   - PutDestination "creates or updates a destination". An update replaces targetArn and
//     roleArn and keeps the creation time and the access policy: the AWS CLI's example of
//     put-destination ("To create or update a destination") answers an accessPolicy that
//     the request did not carry. A new destination has no access policy ("By default,
//     PutDestination does not set any access policy"), so Destination.accessPolicy is
//     absent until PutDestinationPolicy sets one (Terraform's destination policy resource
//     reads an absent one as "no policy"). tags are added to the destination's tags as
//     TagResource adds them. Live AWS also sends a test message to the target and refuses
//     the destination when it cannot ("Could not deliver test message to specified
//     destination", hashicorp/terraform-provider-aws's destination.go); this server has no
//     Kinesis or Firehose to send it to, and sends nothing.
//   - arn is arn:PARTITION:logs:REGION:ACCOUNT:destination:NAME (the model's
//     TagResourceRequest.resourceArn), in the request's region; TagResource,
//     UntagResource and ListTagsForResource take it, of any region (the server keeps one
//     set of destinations, as of log groups) but only of this account. With a trailing
//     ":*" it is refused as a log group ARN with one is (starArn).
//   - PutDestinationPolicy sets the access policy of an existing destination. The document
//     is stored and answered as sent, never enforced; forceUpdate is accepted and has
//     nothing to force (no subscription of another account is checked against a policy).
//   - DescribeDestinations lists the destinations "ASCII-sorted by destination name",
//     filtered by DestinationNamePrefix (so spelt, capitalized, in the model), at most limit
//     (1–50, default 50) a page, with a nextToken bound to the listing.
//   - DeleteDestination deletes the destination and its tags ("This operation does not
//     delete the physical resource"). AWS "eventually disables all the subscription
//     filters that publish to it" (the model's documentation): they are not deleted, and
//     here they stay as they were, as nothing delivers to them anyway.
//
// A destination that does not exist is ResourceNotFoundException for DeleteDestination (in
// the model's errors) and for PutDestinationPolicy (moto's answer too; the model lists no
// ResourceNotFoundException for that operation, and AWS's answer is not on record). The
// wording of msgDestinationNotFound is ours.

const msgDestinationNotFound = "The specified destination does not exist."

// maxAccessPolicyBytes: the access policy "can be up to 5120 bytes" (the model's
// documentation of PutDestinationPolicyRequest.accessPolicy; the model itself sets only a
// minimum length). The refusal's wording is ours.
const maxAccessPolicyBytes = 5120

const msgAccessPolicyTooLong = "The access policy can be up to 5120 bytes."

var (
	shDestinationName = shape(1, 512, `[^:*]*`)
	shTargetArn       = shape(1, 0, "")
	shAccessPolicy    = shape(1, 0, "")
)

// destinationRow is a stored destination.
type destinationRow struct {
	name, targetArn, roleArn string
	accessPolicy             sql.NullString
	creationTime             int64
}

const destinationColumns = `name, target_arn, role_arn, access_policy, creation_time`

func scanDestination(sc interface{ Scan(...any) error }) (*destinationRow, error) {
	d := &destinationRow{}
	err := sc.Scan(&d.name, &d.targetArn, &d.roleArn, &d.accessPolicy, &d.creationTime)
	return d, err
}

// destinationByName returns the destination or (nil, nil) when it does not exist.
func destinationByName(ctx context.Context, q queryer, name string) (*destinationRow, error) {
	d, err := scanDestination(q.QueryRowContext(ctx, `SELECT `+destinationColumns+` FROM destinations WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// destinationArn is the ARN of destination name.
func (s *Server) destinationArn(region, name string) string {
	return s.arnOf(region, "destination", name)
}

// destinationMembers writes the members of d's Destination object into o, in the model's
// order.
func (s *Server) destinationMembers(o *jsonObj, region string, d *destinationRow) {
	o.str("destinationName", d.name)
	o.str("targetArn", d.targetArn)
	o.str("roleArn", d.roleArn)
	if d.accessPolicy.Valid {
		o.str("accessPolicy", d.accessPolicy.String)
	}
	o.str("arn", s.destinationArn(region, d.name))
	o.int("creationTime", d.creationTime)
}

type putDestinationIn struct {
	DestinationName *string            `json:"destinationName"`
	TargetArn       *string            `json:"targetArn"`
	RoleArn         *string            `json:"roleArn"`
	Tags            *map[string]string `json:"tags"`
}

func (s *Server) putDestination(rc *reqCtx) ([]byte, *apiError) {
	var in putDestinationIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.DestinationName != nil, "destinationName")
	v.str(in.DestinationName, "destinationName", shDestinationName)
	v.required(in.TargetArn != nil, "targetArn")
	v.str(in.TargetArn, "targetArn", shTargetArn)
	v.required(in.RoleArn != nil, "roleArn")
	v.str(in.RoleArn, "roleArn", shRoleArn)
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	name := *in.DestinationName
	var out *destinationRow
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		cur, err := destinationByName(ctx, tx, name)
		if err != nil {
			return s.dbErr(err)
		}
		out = &destinationRow{name: name, targetArn: *in.TargetArn, roleArn: *in.RoleArn, creationTime: rc.now.UnixMilli()}
		if cur != nil {
			out.creationTime, out.accessPolicy = cur.creationTime, cur.accessPolicy
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO destinations(name, target_arn, role_arn, creation_time) VALUES (?,?,?,?)
			ON CONFLICT(name) DO UPDATE SET target_arn = excluded.target_arn, role_arn = excluded.role_arn`,
			name, out.targetArn, out.roleArn, out.creationTime)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "destination_tags", "name", name, *in.Tags, s.destinationArn(rc.region, name))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	d := newObj(nil)
	s.destinationMembers(d, rc.region, out)
	o := newObj(nil)
	o.raw("destination", d.done())
	return o.done(), nil
}

type putDestinationPolicyIn struct {
	DestinationName *string `json:"destinationName"`
	AccessPolicy    *string `json:"accessPolicy"`
	ForceUpdate     *bool   `json:"forceUpdate"`
}

func (s *Server) putDestinationPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in putDestinationPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.DestinationName != nil, "destinationName")
	v.str(in.DestinationName, "destinationName", shDestinationName)
	v.required(in.AccessPolicy != nil, "accessPolicy")
	v.str(in.AccessPolicy, "accessPolicy", shAccessPolicy)
	if e := v.err(); e != nil {
		return nil, e
	}
	if len(*in.AccessPolicy) > maxAccessPolicyBytes {
		return nil, invalidParam("%s", msgAccessPolicyTooLong)
	}
	// "An IAM policy document": text that is not a JSON object cannot be one (as for
	// PutResourcePolicy's policyDocument).
	if !isJSONObject(*in.AccessPolicy) {
		return nil, invalidParam("%s", msgPolicyNotJSON)
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.ExecContext(context.Background(), `UPDATE destinations SET access_policy = ? WHERE name = ?`,
			*in.AccessPolicy, *in.DestinationName)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgDestinationNotFound)
		}
		return nil
	})
}

type describeDestinationsIn struct {
	DestinationNamePrefix *string `json:"DestinationNamePrefix"`
	NextToken             *string `json:"nextToken"`
	Limit                 *int64  `json:"limit"`
}

func (s *Server) describeDestinations(rc *reqCtx) ([]byte, *apiError) {
	var in describeDestinationsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.DestinationNamePrefix, "DestinationNamePrefix", shDestinationName)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.Limit, 50)
	q := `SELECT ` + destinationColumns + ` FROM destinations WHERE 1`
	var args []any
	if in.DestinationNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.DestinationNamePrefix)
	}
	// Tokens ("N", as encodeScopedToken's other kinds) carry the last name and are good only
	// for the listing they were answered for.
	scope := listScope("DescribeDestinations", optPart(in.DestinationNamePrefix))
	return s.pageByName(rc.ctx, namePage{
		query: q, args: args,
		kind: "N", scope: scope, token: in.NextToken,
		limit: limit, key: "destinations",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			d, err := scanDestination(rows)
			if err != nil {
				return "", err
			}
			s.destinationMembers(f, rc.region, d)
			return d.name, nil
		},
	})
}

type deleteDestinationIn struct {
	DestinationName *string `json:"destinationName"`
}

func (s *Server) deleteDestination(rc *reqCtx) ([]byte, *apiError) {
	var in deleteDestinationIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.DestinationName != nil, "destinationName")
	v.str(in.DestinationName, "destinationName", shDestinationName)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.ExecContext(context.Background(), `DELETE FROM destinations WHERE name = ?`, *in.DestinationName)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgDestinationNotFound)
		}
		return nil
	})
}

// isJSONObject reports whether text is one JSON object. json.Unmarshal into a map is not
// enough: it takes "null" without an error.
func isJSONObject(text string) bool {
	var doc map[string]json.RawMessage
	return json.Unmarshal([]byte(text), &doc) == nil && doc != nil
}
