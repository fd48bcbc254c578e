package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// Account policies (PutAccountPolicy, DescribeAccountPolicies, DeleteAccountPolicy) are
// stored in SQLite (migration 10), keyed by policy type and name, so that Terraform
// (aws_cloudwatch_log_account_policy), CDK (AccountPolicy) and the AWS CLI can manage
// them. Shapes are botocore's logs/2014-03-28 model (1.43.11); the rules are the model's
// documentation of PutAccountPolicy unless a rule names another source:
//
//   - policyName "must be unique within the account and cannot start with aws/"; a policy
//     is identified by its type and name (DeleteAccountPolicy and Terraform's import ID
//     take both), and whether AWS refuses one name for two types is not on record: here it
//     may be reused across types. scope is ALL, the default ("Currently the only valid
//     value"). selectionCriteria "can be up to 25KB in length ... determined by using its
//     UTF-8 bytes" and is kept as sent (selection_criteria.go parses it).
//   - DATA_PROTECTION_POLICY: the document is a data protection policy
//     (dataprotection_doc.go); "Each account can have only one account-level data
//     protection policy"; it takes no selectionCriteria ("valid only when you specify
//     SUBSCRIPTION_FILTER_POLICY, FIELD_INDEX_POLICY or TRANSFORMER_POLICY"). It applies
//     to every log group of the Standard and Infrequent Access classes, together with a
//     group's own policy, from the moment it is put (AWS: "with eventual consistency ... up
//     to 5 minutes"): reads mask with it (dataprotection_mask.go) and DescribeLogGroups
//     shows inheritedProperties ["ACCOUNT_DATA_PROTECTION"].
//   - SUBSCRIPTION_FILTER_POLICY: "one account-level subscription filter policy per
//     Region"; the document's DestinationArn (required), RoleArn, FilterPattern and
//     Distribution ("Random" or "ByLogStream") are checked as PutSubscriptionFilter checks
//     its members (a Kinesis or Firehose destination needs RoleArn, "destinationArn for
//     vendor … cannot be used without roleArn", which live AWS answered PutAccountPolicy
//     too, aws/aws-cli#8823); selectionCriteria only `LogGroupName NOT IN [...]`. Nothing is
//     delivered, as for subscription filters.
//   - TRANSFORMER_POLICY: "one account-level transformer policy that applies to all log
//     groups ... Or ... as many as 20 ... scoped to a subset of log groups", selectionCriteria
//     only LogGroupNamePrefix, "no two of them can use the same or overlapping log group
//     name prefixes". The document is kept unchecked beyond being a JSON object, and nothing
//     is transformed by it. What applying it would take is documented but for one thing:
//     the precedence ("If a log group has a log group-level transformer, that transformer
//     overrides any account-level transformer", CloudWatch-Logs-Transformation-Create.html),
//     the groups ("All standard log groups" or a name prefix,
//     CloudWatchLogs-Transformer-CreateAccountLevel.html) and the processors
//     (PutTransformer's, ops_transformers.go) are; the document's format is not: the model
//     says only that it "must include one JSON block with the array of processors and their
//     configurations", neither whether that block is the array itself or an object, nor
//     under which member the array goes, and the user guide shows the console only (no CLI,
//     SDK, CloudFormation or Terraform example gives one either).
//   - FIELD_INDEX_POLICY: the document is a field index policy (indexpolicy_doc.go); one
//     policy for all log groups, or up to 20 with LogGroupNamePrefix criteria and 20 with
//     DataSourceName and DataSourceType criteria, prefixes not overlapping and no data source
//     pair twice; "If you have an account-level index policy that has no name prefixes and
//     applies to all log groups, then no other account-level index policy can be created"
//     (the user guide's "Field index syntax and quotas"), which is applied to the log group
//     policies (data source policies "apply in addition"). DescribeIndexPolicies and
//     DescribeFieldIndexes use them (ops_indexpolicies.go).
//   - METRIC_EXTRACTION_POLICY: "either one account-level metric extraction policy that
//     applies to all log groups, or up to 5 policies that are each scoped", with
//     LogGroupName or LogGroupNamePrefix, IN or NOT IN, at most 50 values, "no two of them
//     can have overlapping criteria", "only one policy with this operator [NOT IN] is
//     allowed". The document is kept unchecked beyond being a JSON object; no metric is
//     ever extracted.
//   - An update (a put of an existing type and name) replaces the document, scope and
//     criteria and counts against no limit. Over a limit is LimitExceededException
//     "Resource limit exceeded." (the service's wording for its other limits); an overlap or
//     a scoped/unscoped conflict is InvalidParameterException (our wording).
//   - PutAccountPolicy answers accountPolicy without accountId; DescribeAccountPolicies
//     lists them with accountId (the AWS CLI's examples of both), ASCII-sorted by name, all
//     in one page (an account has at most 41 of a type). policyName filters to that policy
//     (an empty list when there is none); accountIdentifiers, "Currently, you can specify
//     only one account ID", lists this account's policies when it names this account and
//     none otherwise.
//   - DeleteAccountPolicy of a policy that does not exist is ResourceNotFoundException
//     with the resource policies' recorded wording ("Policy with name [x] does not
//     exist."); Terraform ignores that error on delete.

// Policy types (the model's PolicyType).
const (
	policyDataProtection   = "DATA_PROTECTION_POLICY"
	policySubscription     = "SUBSCRIPTION_FILTER_POLICY"
	policyFieldIndex       = "FIELD_INDEX_POLICY"
	policyTransformer      = "TRANSFORMER_POLICY"
	policyMetricExtraction = "METRIC_EXTRACTION_POLICY"
)

var policyTypes = []string{policyDataProtection, policySubscription, policyFieldIndex, policyTransformer, policyMetricExtraction}

var accountPolicyScopes = []string{"ALL"}

// maxSelectionCriteriaBytes: "The selectionCriteria string can be up to 25KB in length".
const maxSelectionCriteriaBytes = 25 << 10

// accountPolicyRow is a stored account policy.
type accountPolicyRow struct {
	typ, name, document, scope string
	criteria                   sql.NullString
	lastUpdated, created       int64
}

const accountPolicyColumns = `type, name, document, scope, selection_criteria, last_updated, created`

func scanAccountPolicy(sc interface{ Scan(...any) error }) (*accountPolicyRow, error) {
	p := &accountPolicyRow{}
	err := sc.Scan(&p.typ, &p.name, &p.document, &p.scope, &p.criteria, &p.lastUpdated, &p.created)
	return p, err
}

// accountPoliciesOf returns the account policies of type typ, by name.
func accountPoliciesOf(ctx context.Context, q queryer, typ string) ([]*accountPolicyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountPolicyColumns+` FROM account_policies WHERE type = ? ORDER BY name`, typ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*accountPolicyRow
	for rows.Next() {
		p, err := scanAccountPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// parsedCriteria returns p's parsed selection criteria, nil when it has none (or, never
// expected, when they no longer parse).
func (p *accountPolicyRow) parsedCriteria() *selectionCriteria {
	if !p.criteria.Valid || p.criteria.String == "" {
		return nil
	}
	c, err := parseSelectionCriteria(p.criteria.String)
	if err != nil {
		return nil
	}
	return c
}

// accountPolicyMembers writes the members of p's AccountPolicy object.
func (s *Server) accountPolicyMembers(o *jsonObj, p *accountPolicyRow, withAccount bool) {
	o.str("policyName", p.name)
	o.str("policyDocument", p.document)
	o.int("lastUpdatedTime", p.lastUpdated)
	o.str("policyType", p.typ)
	o.str("scope", p.scope)
	if p.criteria.Valid {
		o.str("selectionCriteria", p.criteria.String)
	}
	if withAccount {
		o.str("accountId", s.cfg.AccountID)
	}
}

type putAccountPolicyIn struct {
	PolicyName        *string `json:"policyName"`
	PolicyDocument    *string `json:"policyDocument"`
	PolicyType        *string `json:"policyType"`
	Scope             *string `json:"scope"`
	SelectionCriteria *string `json:"selectionCriteria"`
}

// checkAccountPolicyDocument checks the document of a policy of type typ; for a data
// protection policy it returns the parsed policy.
func (s *Server) checkAccountPolicyDocument(typ, doc, region string) (*dpPolicy, *apiError) {
	switch typ {
	case policyDataProtection:
		p, derr := parseDataProtectionPolicy(doc, cwlogs.Partition(region))
		if derr != nil {
			return nil, invalidParam("%s", derr.msg)
		}
		return p, nil
	case policyFieldIndex:
		if _, derr := parseIndexPolicy(doc); derr != nil {
			return nil, invalidParam("%s", derr.msg)
		}
		return nil, nil
	case policySubscription:
		return nil, s.checkSubscriptionPolicy(doc)
	}
	if !isJSONObject(doc) {
		return nil, invalidParam("%s", msgPolicyNotJSON)
	}
	return nil, nil
}

// checkSubscriptionPolicy checks a subscription filter policy's document.
func (s *Server) checkSubscriptionPolicy(doc string) *apiError {
	if !isJSONObject(doc) {
		return invalidParam("%s", msgPolicyNotJSON)
	}
	var in struct {
		DestinationArn *string `json:"DestinationArn"`
		RoleArn        *string `json:"RoleArn"`
		FilterPattern  *string `json:"FilterPattern"`
		Distribution   *string `json:"Distribution"`
	}
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		return invalidParam("The subscription filter policy document is malformed: %s", jsonProblem(err))
	}
	if in.DestinationArn == nil || *in.DestinationArn == "" {
		return invalidParam("The subscription filter policy document must have a DestinationArn.")
	}
	if in.Distribution != nil && !slices.Contains(distributions, *in.Distribution) {
		return invalidParam("The Distribution of a subscription filter policy must be one of %s.", strings.Join(distributions, ", "))
	}
	if in.FilterPattern != nil {
		if _, aerr := eventFilter(in.FilterPattern); aerr != nil {
			return invalidParam("%s", msgInvalidSubscriptionPattern)
		}
	}
	return s.checkDestination(*in.DestinationArn, in.RoleArn)
}

// criteriaAllowed reports whether policies of type typ take criteria of c's form.
func criteriaAllowed(typ string, c *selectionCriteria) bool {
	switch typ {
	case policySubscription:
		return c.attr == "LogGroupName" && c.not
	case policyTransformer:
		return c.attr == "LogGroupNamePrefix" && !c.not
	case policyFieldIndex:
		return (c.attr == "LogGroupNamePrefix" && !c.not) || c.attr == "DataSource"
	case policyMetricExtraction:
		return c.attr == "LogGroupName" || c.attr == "LogGroupNamePrefix"
	}
	return false
}

// accountPolicyLimits checks that a new or changed policy of type typ with criteria c
// (nil: all log groups), named name, fits beside the type's other policies.
func accountPolicyLimits(typ, name string, c *selectionCriteria, others []*accountPolicyRow) *apiError {
	var unscoped, scoped, dataSource int
	for _, o := range others {
		if o.name == name {
			continue
		}
		if typ == policyDataProtection || typ == policySubscription {
			return clientErr(codeLimitExceeded, msgLimitExceeded) // one a type
		}
		oc := o.parsedCriteria()
		switch {
		case oc == nil:
			unscoped++
		case oc.attr == "DataSource":
			dataSource++
		default:
			scoped++
		}
		if c != nil && oc != nil && c.overlaps(oc) {
			return invalidParam("The selectionCriteria overlaps that of account policy %s.", o.name)
		}
	}
	if typ == policyDataProtection || typ == policySubscription {
		return nil
	}
	limit := map[string]int{policyTransformer: 20, policyFieldIndex: 20, policyMetricExtraction: 5}[typ]
	switch {
	case c == nil && scoped > 0, c != nil && c.attr != "DataSource" && unscoped > 0:
		return invalidParam("An account policy of type %s that applies to all log groups cannot coexist with one that applies to a subset of them.", typ)
	case c == nil && unscoped > 0:
		return clientErr(codeLimitExceeded, msgLimitExceeded)
	case c != nil && c.attr == "DataSource" && dataSource >= 20:
		return clientErr(codeLimitExceeded, msgLimitExceeded)
	case c != nil && c.attr != "DataSource" && scoped >= limit:
		return clientErr(codeLimitExceeded, msgLimitExceeded)
	}
	return nil
}

// writeAccountPolicy is write for a change of an account policy of type typ requested at
// reqMs: writeDataProtection for a data protection policy, whose change may take effect a
// little after reqMs (fn's at); write with at = reqMs for the others.
func (s *Server) writeAccountPolicy(typ string, reqMs int64, fn func(tx *sql.Tx, at int64) *apiError) *apiError {
	if typ == policyDataProtection {
		return s.writeDataProtection(reqMs, fn)
	}
	return s.write(func(tx *sql.Tx) *apiError { return fn(tx, reqMs) })
}

func (s *Server) putAccountPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in putAccountPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.PolicyName != nil, "policyName")
	v.required(in.PolicyDocument != nil, "policyDocument")
	v.required(in.PolicyType != nil, "policyType")
	v.enum(in.PolicyType, "policyType", policyTypes)
	v.enum(in.Scope, "scope", accountPolicyScopes)
	if e := v.err(); e != nil {
		return nil, e
	}
	name, typ := *in.PolicyName, *in.PolicyType
	switch {
	case name == "":
		return nil, invalidParam("The policyName must not be empty.")
	case len(name) >= 4 && strings.EqualFold(name[:4], "aws/"):
		return nil, invalidParam("Policy names cannot start with aws/.")
	}
	var crit *selectionCriteria
	if in.SelectionCriteria != nil && *in.SelectionCriteria != "" {
		sc := *in.SelectionCriteria
		if len(sc) > maxSelectionCriteriaBytes {
			return nil, invalidParam("The selectionCriteria has %d bytes; it can be up to %d.", len(sc), maxSelectionCriteriaBytes)
		}
		if typ == policyDataProtection {
			return nil, invalidParam("selectionCriteria is not supported for policies of type %s.", typ)
		}
		c, perr := parseSelectionCriteria(sc)
		if perr != nil {
			return nil, invalidParam("%s", perr.msg)
		}
		if !criteriaAllowed(typ, c) {
			return nil, invalidParam("This selectionCriteria is not supported for policies of type %s.", typ)
		}
		crit = c
	}
	dp, aerr := s.checkAccountPolicyDocument(typ, *in.PolicyDocument, rc.region)
	if aerr != nil {
		return nil, aerr
	}
	out := &accountPolicyRow{typ: typ, name: name, document: *in.PolicyDocument, scope: "ALL"}
	if in.SelectionCriteria != nil {
		out.criteria = sql.NullString{String: *in.SelectionCriteria, Valid: true}
	}
	aerr = s.writeAccountPolicy(typ, rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		out.lastUpdated, out.created = at, at
		others, err := accountPoliciesOf(ctx, tx, typ)
		if err != nil {
			return s.dbErr(err)
		}
		if aerr := accountPolicyLimits(typ, name, crit, others); aerr != nil {
			return aerr
		}
		if i := slices.IndexFunc(others, func(o *accountPolicyRow) bool { return o.name == name }); i >= 0 {
			out.created = others[i].created
		}
		if dp != nil {
			if aerr := s.checkAuditGroups(ctx, tx, dp); aerr != nil {
				return aerr
			}
			if aerr := s.replaceDataProtection(ctx, tx, nil, in.PolicyDocument, at); aerr != nil {
				return aerr
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO account_policies(`+accountPolicyColumns+`) VALUES (?,?,?,?,?,?,?)
			ON CONFLICT(type, name) DO UPDATE SET document = excluded.document, scope = excluded.scope,
			selection_criteria = excluded.selection_criteria, last_updated = excluded.last_updated`,
			out.typ, out.name, out.document, out.scope, out.criteria, out.lastUpdated, out.created)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	p := newObj(nil)
	s.accountPolicyMembers(p, out, false)
	o := newObj(nil)
	o.raw("accountPolicy", p.done())
	return o.done(), nil
}

type describeAccountPoliciesIn struct {
	PolicyType         *string   `json:"policyType"`
	PolicyName         *string   `json:"policyName"`
	AccountIdentifiers *[]string `json:"accountIdentifiers"`
	NextToken          *string   `json:"nextToken"`
}

func (s *Server) describeAccountPolicies(rc *reqCtx) ([]byte, *apiError) {
	var in describeAccountPoliciesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.PolicyType != nil, "policyType")
	v.enum(in.PolicyType, "policyType", policyTypes)
	v.strList(in.AccountIdentifiers, "accountIdentifiers", 0, 20, shAccountID)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	if in.NextToken != nil {
		// Every listing fits in one page: no token was ever answered.
		return nil, badToken()
	}
	var list []*accountPolicyRow
	if in.AccountIdentifiers == nil || len(*in.AccountIdentifiers) == 0 || slices.Contains(*in.AccountIdentifiers, s.cfg.AccountID) {
		all, err := accountPoliciesOf(rc.ctx, s.st.r, *in.PolicyType)
		if err != nil {
			return nil, s.dbErr(err)
		}
		for _, p := range all {
			if in.PolicyName == nil || p.name == *in.PolicyName {
				list = append(list, p)
			}
		}
	}
	o := newObj(nil)
	o.key("accountPolicies")
	o.b = append(o.b, '[')
	for i, p := range list {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		f := newObj(o.b)
		s.accountPolicyMembers(f, p, true)
		o.b = f.done()
	}
	o.b = append(o.b, ']')
	return o.done(), nil
}

type deleteAccountPolicyIn struct {
	PolicyName *string `json:"policyName"`
	PolicyType *string `json:"policyType"`
}

func (s *Server) deleteAccountPolicy(rc *reqCtx) ([]byte, *apiError) {
	var in deleteAccountPolicyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.PolicyName != nil, "policyName")
	v.required(in.PolicyType != nil, "policyType")
	v.enum(in.PolicyType, "policyType", policyTypes)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.writeAccountPolicy(*in.PolicyType, rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		res, err := tx.ExecContext(ctx, `DELETE FROM account_policies WHERE type = ? AND name = ?`, *in.PolicyType, *in.PolicyName)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, fmt.Sprintf(msgPolicyNotFound, *in.PolicyName))
		}
		if *in.PolicyType == policyDataProtection {
			return s.replaceDataProtection(ctx, tx, nil, nil, at)
		}
		return nil
	})
}

// accountIndexPolicies returns the account-level field index policies that apply to log
// group name as a whole (no criteria, or LogGroupNamePrefix criteria it matches).
func accountIndexPolicies(ctx context.Context, q queryer, name string) ([]*accountPolicyRow, error) {
	all, err := accountPoliciesOf(ctx, q, policyFieldIndex)
	if err != nil {
		return nil, err
	}
	var out []*accountPolicyRow
	for _, p := range all {
		if c := p.parsedCriteria(); c == nil || c.matches(name) {
			out = append(out, p)
		}
	}
	return out, nil
}
