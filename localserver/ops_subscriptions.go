package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// Subscription filters are stored and described as AWS does, but no event is ever delivered
// to their destination: the server has no Kinesis, Firehose or Lambda to deliver to.

// maxSubscriptionFilters: "Each log group can have up to two subscription filters
// associated with it" (PutSubscriptionFilter in the service model, botocore 1.43.11, and
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html).
// Live AWS held to it on 2026-02-06: a third filter in a group was LimitExceededException
// "Resource limit exceeded." (LocalStack's AWS-validated
// test_put_subscription_filter_limit_exceeded, tests/aws/services/logs/
// test_logs_subscription_filters.snapshot.json). No source found says the quota was
// raised; account-level subscription policies (PutAccountPolicy) are a separate quota.
const maxSubscriptionFilters = 2

// maxGroupRegexes: "There is also a quota of five regular expression patterns per log
// group" (PutMetricFilter, PutSubscriptionFilter).
const maxGroupRegexes = 5

// filterSlot returns the creation time a put of filter name into table (metric_filters
// or subscription_filters) stores: the existing filter's (an update keeps it), or now for
// a new one, which the group's limit of max such filters must allow
// (LimitExceededException). Either way the group's regex quota must allow pat.
func (s *Server) filterSlot(ctx context.Context, tx *sql.Tx, table string, max int, groupID int64, name string, pat *filterpattern.Pattern, now int64) (int64, *apiError) {
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT creation_time FROM `+table+` WHERE group_id = ? AND name = ?`, groupID, name).Scan(&created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE group_id = ?`, groupID).Scan(&n); err != nil {
			return 0, s.dbErr(err)
		}
		if n >= max {
			return 0, clientErr(codeLimitExceeded, msgLimitExceeded)
		}
		created = now
	case err != nil:
		return 0, s.dbErr(err)
	}
	return created, s.checkGroupRegexes(ctx, tx, groupID, table, name, pat)
}

// checkGroupRegexes answers LimitExceededException when pat would bring the regexes of the
// group's metric and subscription filters (without the filter name of table it replaces)
// above maxGroupRegexes.
func (s *Server) checkGroupRegexes(ctx context.Context, tx *sql.Tx, groupID int64, table, name string, pat *filterpattern.Pattern) *apiError {
	n := pat.Regexes()
	if n == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT pattern FROM metric_filters WHERE group_id = ? AND NOT (? = 'metric_filters' AND name = ?)
		UNION ALL SELECT pattern FROM subscription_filters WHERE group_id = ? AND NOT (? = 'subscription_filters' AND name = ?)`,
		groupID, table, name, groupID, table, name)
	if err != nil {
		return s.dbErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return s.dbErr(err)
		}
		if !strings.Contains(src, "%") {
			continue
		}
		if p, err := filterpattern.Parse(src); err == nil {
			n += p.Regexes()
		}
	}
	if err := rows.Err(); err != nil {
		return s.dbErr(err)
	}
	if n > maxGroupRegexes {
		return clientErr(codeLimitExceeded, msgLimitExceeded)
	}
	return nil
}

type putSubscriptionFilterIn struct {
	LogGroupName           *string   `json:"logGroupName"`
	FilterName             *string   `json:"filterName"`
	FilterPattern          *string   `json:"filterPattern"`
	DestinationArn         *string   `json:"destinationArn"`
	RoleArn                *string   `json:"roleArn"`
	Distribution           *string   `json:"distribution"`
	ApplyOnTransformedLogs *bool     `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria *string   `json:"fieldSelectionCriteria"`
	EmitSystemFields       *[]string `json:"emitSystemFields"`
}

// checkDestination applies the destination checks AWS makes before it looks at the log
// group (recorded from live AWS with a missing group: LocalStack's AWS-validated
// test_put_subscription_filter_errors). A Kinesis stream or Firehose delivery stream needs
// roleArn; a Lambda function must be in this account. Nothing checks that the destination
// exists. That includes a logical destination (arn:…:logs:REGION:ACCOUNT:destination:NAME,
// PutDestination's arn): one normally belongs to another account, which this server cannot
// see, and what AWS answers for a missing one in its own account is not on record. Such an
// ARN is accepted with or without roleArn (AWS once refused roleArn for vendor logs, as
// aws/aws-cdk#6884 reports, but has since required it for a destination whose access policy
// grants an organization: cloud-custodian/cloud-custodian#8246, aws/aws-cli#9474).
func (s *Server) checkDestination(arn string, role *string) *apiError {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return nil
	}
	vendor, account := parts[2], parts[4]
	switch vendor {
	case "kinesis", "firehose":
		if role == nil {
			return invalidParam("destinationArn for vendor %s cannot be used without roleArn", vendor)
		}
	case "lambda":
		if account != s.cfg.AccountID {
			return clientErr(codeAccessDenied, msgCrossAccountLambda)
		}
	}
	return nil
}

func (s *Server) putSubscriptionFilter(rc *reqCtx) ([]byte, *apiError) {
	var in putSubscriptionFilterIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.FilterName != nil, "filterName")
	v.str(in.FilterName, "filterName", shFilterName)
	v.required(in.FilterPattern != nil, "filterPattern")
	v.str(in.FilterPattern, "filterPattern", shFilterPattern)
	v.required(in.DestinationArn != nil, "destinationArn")
	v.str(in.DestinationArn, "destinationArn", shDestinationArn)
	v.str(in.RoleArn, "roleArn", shRoleArn)
	v.enum(in.Distribution, "distribution", distributions)
	v.str(in.FieldSelectionCriteria, "fieldSelectionCriteria", shFieldSelection)
	if e := v.err(); e != nil {
		return nil, e
	}
	pat, err := filterpattern.Parse(*in.FilterPattern)
	if err != nil {
		return nil, invalidParam("%s", msgInvalidSubscriptionPattern)
	}
	if e := s.checkDestination(*in.DestinationArn, in.RoleArn); e != nil {
		return nil, e
	}
	distribution := "ByLogStream"
	if in.Distribution != nil {
		distribution = *in.Distribution
	}
	var role, fieldSel, emit any
	if in.RoleArn != nil {
		role = *in.RoleArn
	}
	if in.FieldSelectionCriteria != nil {
		fieldSel = *in.FieldSelectionCriteria
	}
	if in.EmitSystemFields != nil {
		b, _ := json.Marshal(*in.EmitSystemFields)
		emit = string(b)
	}
	apply := in.ApplyOnTransformedLogs != nil && *in.ApplyOnTransformedLogs
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, *in.LogGroupName)
		if aerr != nil {
			return aerr
		}
		// Updating one of two existing filters is allowed; a third is not.
		created, aerr := s.filterSlot(ctx, tx, "subscription_filters", maxSubscriptionFilters, g.id, *in.FilterName, pat, rc.now.UnixMilli())
		if aerr != nil {
			return aerr
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO subscription_filters(group_id, name, pattern, destination_arn, role_arn,
			distribution, creation_time, apply_on_transformed, field_selection, emit_fields) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			g.id, *in.FilterName, *in.FilterPattern, *in.DestinationArn, role, distribution, created, apply, fieldSel, emit)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}

type describeSubscriptionFiltersIn struct {
	LogGroupName     *string `json:"logGroupName"`
	FilterNamePrefix *string `json:"filterNamePrefix"`
	NextToken        *string `json:"nextToken"`
	Limit            *int64  `json:"limit"`
}

// describeSubscriptionFilters lists a group's subscription filters ASCII-sorted by name.
func (s *Server) describeSubscriptionFilters(rc *reqCtx) ([]byte, *apiError) {
	var in describeSubscriptionFiltersIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.FilterNamePrefix, "filterNamePrefix", shFilterName)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.Limit, 50)
	g, aerr := s.findGroup(rc.ctx, s.st.r, *in.LogGroupName)
	if aerr != nil {
		return nil, aerr
	}
	q := `SELECT name, pattern, destination_arn, role_arn, distribution, creation_time, apply_on_transformed, field_selection, emit_fields
		FROM subscription_filters WHERE group_id = ?`
	args := []any{g.id}
	if in.FilterNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.FilterNamePrefix)
	}
	// The token is good only for the listing it was answered for.
	scope := listScope("DescribeSubscriptionFilters", "g"+itoa(g.id), optPart(in.FilterNamePrefix))
	return s.pageByName(rc.ctx, namePage{
		query: q, args: args,
		kind: "U", scope: scope, token: in.NextToken,
		limit: limit, key: "subscriptionFilters",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			var name, pattern, dest, distribution string
			var role, fieldSel, emit sql.NullString
			var created int64
			var apply bool
			if err := rows.Scan(&name, &pattern, &dest, &role, &distribution, &created, &apply, &fieldSel, &emit); err != nil {
				return "", err
			}
			f.str("filterName", name)
			f.str("logGroupName", g.name)
			f.str("filterPattern", pattern)
			f.str("destinationArn", dest)
			if role.Valid {
				f.str("roleArn", role.String)
			}
			f.str("distribution", distribution)
			f.bool("applyOnTransformedLogs", apply)
			f.int("creationTime", created)
			if fieldSel.Valid {
				f.str("fieldSelectionCriteria", fieldSel.String)
			}
			if emit.Valid {
				f.raw("emitSystemFields", []byte(emit.String))
			}
			return name, nil
		},
	})
}

func (s *Server) deleteSubscriptionFilter(rc *reqCtx) ([]byte, *apiError) {
	var in deleteFilterIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.deleteFilter(*in.LogGroupName, *in.FilterName, "subscription_filters", msgSubscriptionNotFound)
}
