package localserver

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cwlogs/cwlogs"
)

// Log group data protection policies (PutDataProtectionPolicy, GetDataProtectionPolicy,
// DeleteDataProtectionPolicy) are stored in SQLite (migration 10) with every policy a group
// ever had and when it was in force, so that Terraform (aws_cloudwatch_log_data_protection_policy),
// CDK (LogGroup's dataProtectionPolicy) and the AWS CLI can manage them and reads mask what
// they can (dataprotection_mask.go). The document's rules are dataprotection_doc.go's.
// Shapes are botocore's logs/2014-03-28 model (1.43.11); the behaviour follows:
//
//   - logGroupIdentifier is a name or an ARN without ":*". A value the model's pattern
//     refuses is ValidationException with the service's template: live AWS answered
//     GetDataProtectionPolicy so for an ARN ending in ":*" (cloudquery/cloudquery#10216), not
//     the InvalidParameterException older operations answer. These three operations answer
//     every shape violation so.
//   - The answers' logGroupIdentifier is the group's name, whichever the request gave: the
//     AWS CLI's get-data-protection-policy example asks with an ARN and is answered
//     "demo-log-group", and Terraform sets its log_group_name from it. policyDocument is the
//     document as sent (put-data-protection-policy's example answers it with its newlines),
//     lastUpdatedTime the time of the last put, in milliseconds.
//   - GetDataProtectionPolicy of a group without a policy answers its logGroupIdentifier
//     only: Terraform reads a missing policyDocument as "no policy". A group that does not
//     exist is ResourceNotFoundException "The specified log group does not exist.", as for
//     every operation naming a log group.
//   - DeleteDataProtectionPolicy of a group without a policy is ResourceNotFoundException
//     (the model's error; the wording is ours). Terraform ignores that error on delete.
//   - Data protection is "supported for log groups in both the Standard and Infrequent
//     Access log classes" (the user guide): a DELIVERY group's policy is refused
//     (InvalidParameterException, our wording).
//   - A policy's audit findings log group "must already exist": one that does not is
//     InvalidParameterException (our wording). No findings are ever written.
//   - DescribeLogGroups shows dataProtectionStatus ACTIVATED while a group has its own
//     policy and DELETED once it had one ("Displays whether this log group has a
//     protection policy, or whether it had one in the past"), and inheritedProperties
//     ["ACCOUNT_DATA_PROTECTION"] while an account-level data protection policy
//     (PutAccountPolicy) applies to it. ARCHIVED and DISABLED are in the model's enum, but
//     when AWS shows them is not documented: they are never shown.
//   - DeleteLogGroup deletes the group's policy and its history (migration 10's trigger):
//     the group's events are gone with it.

const (
	msgDataProtectionNotFound = "The specified log group does not have a data protection policy."
	msgDataProtectionDelivery = "Data protection policies are not supported for log groups in the DELIVERY log class."
	msgAuditLogGroupNotFound  = "The audit findings destination log group %s does not exist."
)

// groupPolicyIn is the input of the log group data protection and field index policy
// operations: the group and, for a put, the document.
type groupPolicyIn struct {
	LogGroupIdentifier *string `json:"logGroupIdentifier"`
	PolicyDocument     *string `json:"policyDocument"`
}

// groupPolicyOp is how one of those operations checks its input against the model.
type groupPolicyOp struct {
	put        bool      // policyDocument is required
	docShape   *strShape // policyDocument's shape (nil: none)
	validation bool      // violations are ValidationException, not InvalidParameterException
}

var (
	dataProtectionPut = groupPolicyOp{put: true, validation: true}
	dataProtectionRef = groupPolicyOp{validation: true} // Get and Delete
	indexPolicyPut    = groupPolicyOp{put: true, docShape: shPolicyDocument}
	indexPolicyRef    = groupPolicyOp{} // Delete
)

// decodeGroupPolicy decodes body, the input of operation op, checks it against the model
// and returns it with the name of the group it names.
func (s *Server) decodeGroupPolicy(body []byte, op groupPolicyOp) (*groupPolicyIn, string, *apiError) {
	var in groupPolicyIn
	if e := decodeJSON(body, &in); e != nil {
		return nil, "", e
	}
	var v verrs
	v.required(in.LogGroupIdentifier != nil, "logGroupIdentifier")
	v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	if op.put {
		v.required(in.PolicyDocument != nil, "policyDocument")
		if op.docShape != nil {
			v.str(in.PolicyDocument, "policyDocument", op.docShape)
		}
	}
	answer := v.err
	if op.validation {
		answer = v.validation
	}
	if e := answer(); e != nil {
		return nil, "", e
	}
	name, aerr := s.resolveGroupRef(nil, in.LogGroupIdentifier)
	return &in, name, aerr
}

// dataProtectionAnswer renders PutDataProtectionPolicy's and GetDataProtectionPolicy's
// answer; doc nil: no policy.
func dataProtectionAnswer(group string, doc *string, updated int64) []byte {
	o := newObj(nil)
	o.str("logGroupIdentifier", group)
	if doc != nil {
		o.str("policyDocument", *doc)
		o.int("lastUpdatedTime", updated)
	}
	return o.done()
}

// checkAuditGroups answers InvalidParameterException for an audit findings log group that
// does not exist.
func (s *Server) checkAuditGroups(ctx context.Context, q queryer, p *dpPolicy) *apiError {
	for _, name := range p.auditGroups {
		g, err := groupByName(ctx, q, name)
		if err != nil {
			return s.dbErr(err)
		}
		if g == nil {
			return invalidParam(msgAuditLogGroupNotFound, name)
		}
	}
	return nil
}

// replaceDataProtection ends the data protection policy in force for group (nil: the
// account's) at now and, when doc is not nil, puts doc in force from now.
func (s *Server) replaceDataProtection(ctx context.Context, tx *sql.Tx, group *int64, doc *string, now int64) *apiError {
	var gid any // NULL: the account's
	if group != nil {
		gid = *group
	}
	// "IS ?" matches NULL as well as an id (and uses the same index for both).
	if _, err := tx.ExecContext(ctx, `UPDATE data_protection_policies SET to_ms = ? WHERE group_id IS ? AND to_ms IS NULL`, now, gid); err != nil {
		return s.dbErr(err)
	}
	if doc == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO data_protection_policies(group_id, document, from_ms) VALUES (?,?,?)`, gid, *doc, now); err != nil {
		return s.dbErr(err)
	}
	return nil
}

// currentDataProtection returns the document and time of the policy in force for group, or
// ("", 0, false).
func currentDataProtection(ctx context.Context, q queryer, group int64) (doc string, from int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT document, from_ms FROM data_protection_policies WHERE group_id = ? AND to_ms IS NULL`, group).Scan(&doc, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	return doc, from, err == nil, err
}

func (s *Server) putDataProtectionPolicy(rc *reqCtx) ([]byte, *apiError) {
	in, name, aerr := s.decodeGroupPolicy(rc.body, dataProtectionPut)
	if aerr != nil {
		return nil, aerr
	}
	p, derr := parseDataProtectionPolicy(*in.PolicyDocument, cwlogs.Partition(rc.region))
	if derr != nil {
		return nil, invalidParam("%s", derr.msg)
	}
	var updated int64
	aerr = s.writeDataProtection(rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if g.class == "DELIVERY" {
			return invalidParam("%s", msgDataProtectionDelivery)
		}
		if aerr := s.checkAuditGroups(ctx, tx, p); aerr != nil {
			return aerr
		}
		updated = at
		return s.replaceDataProtection(ctx, tx, &g.id, in.PolicyDocument, at)
	})
	if aerr != nil {
		return nil, aerr
	}
	return dataProtectionAnswer(name, in.PolicyDocument, updated), nil
}

func (s *Server) getDataProtectionPolicy(rc *reqCtx) ([]byte, *apiError) {
	_, name, aerr := s.decodeGroupPolicy(rc.body, dataProtectionRef)
	if aerr != nil {
		return nil, aerr
	}
	g, aerr := s.findGroup(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	doc, from, ok, err := currentDataProtection(rc.ctx, s.st.r, g.id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if !ok {
		return dataProtectionAnswer(name, nil, 0), nil
	}
	return dataProtectionAnswer(name, &doc, from), nil
}

func (s *Server) deleteDataProtectionPolicy(rc *reqCtx) ([]byte, *apiError) {
	_, name, aerr := s.decodeGroupPolicy(rc.body, dataProtectionRef)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.writeDataProtection(rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if _, _, ok, err := currentDataProtection(ctx, tx, g.id); err != nil {
			return s.dbErr(err)
		} else if !ok {
			return clientErr(codeResourceNotFound, msgDataProtectionNotFound)
		}
		return s.replaceDataProtection(ctx, tx, &g.id, nil, at)
	})
}

// dataProtectionMembers writes a LogGroup's dataProtectionStatus and inheritedProperties
// (DescribeLogGroups) from sn.
func dataProtectionMembers(o *jsonObj, sn *dpSnapshot, g *groupRow) {
	if sn == nil {
		return
	}
	if st := sn.status(g.id); st != "" {
		o.str("dataProtectionStatus", st)
	}
	if sn.accountApplies(g.class) {
		o.raw("inheritedProperties", []byte(`["ACCOUNT_DATA_PROTECTION"]`))
	}
}
