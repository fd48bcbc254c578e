package localserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
)

// Resource policies (PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy) are
// stored and described as AWS does, so that Terraform, CDK and the AWS CLI can manage them;
// no policy is enforced (the server authorizes no service principal).
//
// A policy is account-scoped, named by policyName (at most maxAccountPolicies of them), or
// resource-scoped, attached to one log group by resourceArn, with a revisionId that every
// later change must present as expectedRevisionId ("Required when resourceArn is provided to
// prevent concurrent modifications. Use null when creating a resource policy for the first
// time"; PutResourcePolicy's "An account can have a maximum of 10 policies without
// resourceARN and one per LogGroup resourceARN"). A request names exactly one of policyName
// and resourceArn: hashicorp/terraform-provider-aws#46813 reports that the API "requires
// exactly one of policy_name or resource_arn". A group's resource policy is deleted with the
// group (migration 5's trigger).
//
// The document is kept as sent and answered as sent. Live AWS answers PutResourcePolicy with
// the document as sent (LocalStack's AWS-validated
// test_put_resource_policy_update_existing_when_at_limit) but DescribeResourcePolicies with
// a normalized one (a missing Version becomes "2008-10-17", a one-element Principal.Service
// list a string, statement members reordered: the AWS-validated snapshot of
// test_put_resource_policy_update). That normalization's rules beyond those examples are
// not on record, so it is not imitated; clients compare policies by meaning (Terraform's
// SecondJSONUnlessEquivalent).

// maxAccountPolicies: "An account can have up to 10 resource policies per AWS Region"
// (PutResourcePolicy's documentation); the eleventh is LimitExceededException "Resource
// limit exceeded." and an update at the limit succeeds (LocalStack's AWS-validated
// test_put_resource_policy_limit_exceeded and
// test_put_resource_policy_update_existing_when_at_limit).
const maxAccountPolicies = 10

const (
	scopeAccount  = "ACCOUNT"
	scopeResource = "RESOURCE"
)

var policyScopes = []string{scopeAccount, scopeResource}

type putResourcePolicyIn struct {
	PolicyName         *string `json:"policyName"`
	PolicyDocument     *string `json:"policyDocument"`
	ResourceArn        *string `json:"resourceArn"`
	ExpectedRevisionID *string `json:"expectedRevisionId"`
}

// policyRow is a stored resource policy.
type policyRow struct {
	scope       string
	name        sql.NullString // account scope
	groupID     sql.NullInt64  // resource scope
	resourceArn sql.NullString // resource scope, as sent
	document    string
	lastUpdated int64
	revision    sql.NullString // resource scope
}

const policyColumns = `scope, name, group_id, resource_arn, document, last_updated, revision`

func scanPolicy(sc interface{ Scan(...any) error }) (*policyRow, error) {
	p := &policyRow{}
	err := sc.Scan(&p.scope, &p.name, &p.groupID, &p.resourceArn, &p.document, &p.lastUpdated, &p.revision)
	return p, err
}

// appendPolicy renders a ResourcePolicy object.
func appendPolicy(b []byte, p *policyRow) []byte {
	o := newObj(b)
	policyMembers(o, p)
	return o.done()
}

// policyMembers writes the members of p's ResourcePolicy object into o.
func policyMembers(o *jsonObj, p *policyRow) {
	if p.name.Valid {
		o.str("policyName", p.name.String)
	}
	o.str("policyDocument", p.document)
	o.int("lastUpdatedTime", p.lastUpdated)
	o.str("policyScope", p.scope)
	if p.resourceArn.Valid {
		o.str("resourceArn", p.resourceArn.String)
	}
	if p.revision.Valid {
		o.str("revisionId", p.revision.String)
	}
}

// policyTarget resolves the exactly-one-of rule of policyName and resourceArn: the name of
// an account-scoped policy, or the log group a resource-scoped one is attached to.
func (s *Server) policyTarget(ctx context.Context, q queryer, name, arn *string) (string, *groupRow, *apiError) {
	switch {
	case name != nil && arn != nil:
		return "", nil, invalidParam("%s", msgPolicyTargetExclusive)
	case name != nil:
		return *name, nil, nil
	case arn == nil:
		return "", nil, invalidParam("%s", msgPolicyTargetMissing)
	}
	// "Currently only supports LogGroup ARN" (the model's PutResourcePolicyRequest.resourceArn).
	group, ok := s.parseGroupArn(*arn)
	if !ok {
		return "", nil, invalidParam(msgPolicyBadResourceArn, *arn)
	}
	g, aerr := s.findGroup(ctx, q, group)
	return "", g, aerr
}

func (s *Server) putResourcePolicy(rc *reqCtx) ([]byte, *apiError) {
	var in putResourcePolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	// "This parameter is required" (the documentation of policyDocument; the model does not
	// mark it required, so AWS's own wording for its absence is not on record).
	v.required(in.PolicyDocument != nil, "policyDocument")
	v.str(in.PolicyDocument, "policyDocument", shPolicyDocument)
	v.str(in.ExpectedRevisionID, "expectedRevisionId", shExpectedRevisionID)
	if e := v.err(); e != nil {
		return nil, e
	}
	// The document "is formatted as a JSON string": live AWS parses it into a policy (it
	// answers a normalized document, and "Could not convert to persistable policy" for one
	// it cannot convert, hashicorp/terraform-provider-aws#32260), so text that is not a
	// JSON object cannot be one. The wording is ours.
	if !isJSONObject(*in.PolicyDocument) {
		return nil, invalidParam("%s", msgPolicyNotJSON)
	}
	var out *policyRow
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		name, g, aerr := s.policyTarget(ctx, tx, in.PolicyName, in.ResourceArn)
		if aerr != nil {
			return aerr
		}
		now := rc.now.UnixMilli()
		if g == nil {
			var n int
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(name = ?), 0) > 0 FROM resource_policies WHERE scope = ?`,
				name, scopeAccount).Scan(&n, &exists); err != nil {
				return s.dbErr(err)
			}
			if !exists && n >= maxAccountPolicies {
				return clientErr(codeLimitExceeded, msgLimitExceeded)
			}
			out = &policyRow{scope: scopeAccount, name: sql.NullString{String: name, Valid: true}, document: *in.PolicyDocument, lastUpdated: now}
			_, err := tx.ExecContext(ctx, `INSERT INTO resource_policies(scope, name, document, last_updated) VALUES (?,?,?,?)
				ON CONFLICT(name) DO UPDATE SET document = excluded.document, last_updated = excluded.last_updated`,
				scopeAccount, name, out.document, now)
			if err != nil {
				return s.dbErr(err)
			}
			return nil
		}
		cur, err := scanPolicy(tx.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM resource_policies WHERE group_id = ?`, g.id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur = nil
		case err != nil:
			return s.dbErr(err)
		}
		// An update must present the current revision; a first put needs none.
		if cur != nil && (in.ExpectedRevisionID == nil || *in.ExpectedRevisionID != cur.revision.String) {
			return revisionConflict()
		}
		out = &policyRow{scope: scopeResource, groupID: sql.NullInt64{Int64: g.id, Valid: true},
			resourceArn: sql.NullString{String: *in.ResourceArn, Valid: true}, document: *in.PolicyDocument, lastUpdated: now,
			revision: sql.NullString{String: newRequestID(), Valid: true}}
		_, err = tx.ExecContext(ctx, `INSERT INTO resource_policies(scope, group_id, resource_arn, document, last_updated, revision) VALUES (?,?,?,?,?,?)
			ON CONFLICT(group_id) DO UPDATE SET resource_arn = excluded.resource_arn, document = excluded.document,
			last_updated = excluded.last_updated, revision = excluded.revision`,
			scopeResource, g.id, out.resourceArn.String, out.document, now, out.revision.String)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	o.raw("resourcePolicy", appendPolicy(nil, out))
	// "The revision ID of the created or updated resource policy. Only returned for
	// resource-scoped policies."
	if out.revision.Valid {
		o.str("revisionId", out.revision.String)
	}
	return o.done(), nil
}

// revisionConflict answers an expectedRevisionId that is not the policy's current revision:
// OperationAbortedException, the model's error for "Multiple concurrent requests to update
// the same resource were in conflict"; AWS's wording is not on record.
func revisionConflict() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeOperationAborted, Message: msgRevisionConflict}
}

type describeResourcePoliciesIn struct {
	NextToken   *string `json:"nextToken"`
	Limit       *int64  `json:"limit"`
	ResourceArn *string `json:"resourceArn"`
	PolicyScope *string `json:"policyScope"`
}

// describeResourcePolicies lists account-scoped policies (policyScope ACCOUNT, "When not
// specified, defaults to ACCOUNT"), ASCII-sorted by name, or resource-scoped ones
// (RESOURCE), of the log group resourceArn names or of every group, sorted by ARN. A
// resourceArn without policyScope asks for that resource's policy. A resourceArn that names
// no log group of this server lists nothing: the model lists no ResourceNotFoundException
// for this operation.
func (s *Server) describeResourcePolicies(rc *reqCtx) ([]byte, *apiError) {
	var in describeResourcePoliciesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	v.enum(in.PolicyScope, "policyScope", policyScopes)
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.Limit, 50)
	scope := scopeAccount
	switch {
	case in.PolicyScope != nil:
		scope = *in.PolicyScope
	case in.ResourceArn != nil:
		scope = scopeResource
	}
	q := `SELECT ` + policyColumns + ` FROM resource_policies WHERE scope = ?`
	args := []any{scope}
	sortCol := "name"
	tokenScope := listScope("DescribeResourcePolicies", scope)
	if scope == scopeResource {
		sortCol = "resource_arn"
		if in.ResourceArn != nil {
			tokenScope = listScope("DescribeResourcePolicies", scope, *in.ResourceArn)
			group, ok := s.parseGroupArn(*in.ResourceArn)
			if !ok {
				group = "" // no group has this name: the listing is empty
			}
			q += ` AND group_id = (SELECT id FROM log_groups WHERE name = ?)`
			args = append(args, group)
		}
	}
	return s.pageByName(rc.ctx, namePage{
		query: q, args: args, col: sortCol,
		kind: "P", scope: tokenScope, token: in.NextToken,
		limit: limit, key: "resourcePolicies",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			p, err := scanPolicy(rows)
			if err != nil {
				return "", err
			}
			policyMembers(f, p)
			if scope == scopeResource {
				return p.resourceArn.String, nil
			}
			return p.name.String, nil
		},
	})
}

type deleteResourcePolicyIn struct {
	PolicyName         *string `json:"policyName"`
	ResourceArn        *string `json:"resourceArn"`
	ExpectedRevisionID *string `json:"expectedRevisionId"`
}

func (s *Server) deleteResourcePolicy(rc *reqCtx) ([]byte, *apiError) {
	var in deleteResourcePolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.ExpectedRevisionID, "expectedRevisionId", shExpectedRevisionID)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		name, g, aerr := s.policyTarget(ctx, tx, in.PolicyName, in.ResourceArn)
		if aerr != nil {
			return aerr
		}
		if g == nil {
			res, err := tx.ExecContext(ctx, `DELETE FROM resource_policies WHERE scope = ? AND name = ?`, scopeAccount, name)
			if err != nil {
				return s.dbErr(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return clientErr(codeResourceNotFound, fmt.Sprintf(msgPolicyNotFound, name))
			}
			return nil
		}
		var rev string
		err := tx.QueryRowContext(ctx, `SELECT revision FROM resource_policies WHERE group_id = ?`, g.id).Scan(&rev)
		if errors.Is(err, sql.ErrNoRows) {
			return clientErr(codeResourceNotFound, fmt.Sprintf(msgResourcePolicyNotFound, *in.ResourceArn))
		}
		if err != nil {
			return s.dbErr(err)
		}
		// "Required when deleting a resource-scoped policy to prevent concurrent
		// modifications" (the model's DeleteResourcePolicyRequest.expectedRevisionId).
		if in.ExpectedRevisionID == nil {
			return invalidParam("%s", msgRevisionRequired)
		}
		if *in.ExpectedRevisionID != rev {
			return revisionConflict()
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM resource_policies WHERE group_id = ?`, g.id); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}
