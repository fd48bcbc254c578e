package localserver

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// queryer is satisfied by *sql.DB and *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type groupRow struct {
	id                 int64
	name               string
	creationTime       int64
	retentionDays      sql.NullInt64
	kmsKeyID           sql.NullString
	class              string
	deletionProtection bool
	storedBytes        int64
	metricFilters      int64 // set by DescribeLogGroups only
	bearerToken        bool  // bearer token authentication (ops_bearertoken.go); set by DescribeLogGroups only
}

const groupColumns = `id, name, creation_time, retention_days, kms_key_id, class, deletion_protection, stored_bytes`

// scanGroup scans groupColumns, then any further columns into extra.
func scanGroup(sc interface{ Scan(...any) error }, extra ...any) (*groupRow, error) {
	g := &groupRow{}
	err := sc.Scan(append([]any{&g.id, &g.name, &g.creationTime, &g.retentionDays, &g.kmsKeyID, &g.class, &g.deletionProtection, &g.storedBytes}, extra...)...)
	return g, err
}

// groupByName returns the group or (nil, nil) when it does not exist.
func groupByName(ctx context.Context, q queryer, name string) (*groupRow, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM log_groups WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return g, err
}

// cutoff is the oldest timestamp still retained in g at now (ms), or 0 without retention.
func (g *groupRow) cutoff(nowMs int64) int64 {
	if !g.retentionDays.Valid {
		return 0
	}
	return nowMs - g.retentionDays.Int64*86_400_000
}

type streamRow struct {
	id, groupID     int64
	name            string
	creationTime    int64
	firstTs, lastTs sql.NullInt64
	lastIngest      sql.NullInt64
	uploadSeq       int64
}

const streamColumns = `id, group_id, name, creation_time, first_ts, last_ts, last_ingest, upload_seq`

// scanStream scans streamColumns, then any further columns into extra.
func scanStream(sc interface{ Scan(...any) error }, extra ...any) (*streamRow, error) {
	st := &streamRow{}
	err := sc.Scan(append([]any{&st.id, &st.groupID, &st.name, &st.creationTime, &st.firstTs, &st.lastTs, &st.lastIngest, &st.uploadSeq}, extra...)...)
	return st, err
}

func streamByName(ctx context.Context, q queryer, groupID int64, name string) (*streamRow, error) {
	st, err := scanStream(q.QueryRowContext(ctx, `SELECT `+streamColumns+` FROM log_streams WHERE group_id = ? AND name = ?`, groupID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return st, err
}

// findGroup returns the named group, or ResourceNotFoundException when it does not exist.
func (s *Server) findGroup(ctx context.Context, q queryer, name string) (*groupRow, *apiError) {
	g, err := groupByName(ctx, q, name)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if g == nil {
		return nil, groupNotFound()
	}
	return g, nil
}

// findStream returns the named group and stream, or ResourceNotFoundException naming the
// one that does not exist.
func (s *Server) findStream(ctx context.Context, q queryer, group, stream string) (*groupRow, *streamRow, *apiError) {
	g, aerr := s.findGroup(ctx, q, group)
	if aerr != nil {
		return nil, nil, aerr
	}
	st, err := streamByName(ctx, q, g.id, stream)
	if err != nil {
		return nil, nil, s.dbErr(err)
	}
	if st == nil {
		return nil, nil, streamNotFound()
	}
	return g, st, nil
}

// arnOf is the ARN arn:PARTITION:logs:REGION:ACCOUNT:TYPE:NAME of this account's resource
// of type typ ("log-group", "destination", "delivery-source", …) named name, in region's
// partition (arn:aws-cn:… for cn-north-1).
func (s *Server) arnOf(region, typ, name string) string {
	return "arn:" + cwlogs.Partition(region) + ":logs:" + region + ":" + s.cfg.AccountID + ":" + typ + ":" + name
}

// parseLogsArn splits arn:PARTITION:logs:REGION:ACCOUNT:TYPE:NAME, the ARN of a CloudWatch
// Logs resource of this account (any partition and region), into its resource type and
// name (which may hold ":"). ok is false for anything else or another account.
func (s *Server) parseLogsArn(arn string) (typ, name string, ok bool) {
	p, ok := splitArn(arn)
	if !ok || p.service != "logs" || p.region == "" || p.account != s.cfg.AccountID {
		return "", "", false
	}
	return strings.Cut(p.resource, ":")
}

// groupArn is the log group ARN used for tagging and logGroupIdentifier (no ":*").
func (s *Server) groupArn(region, name string) string { return s.arnOf(region, "log-group", name) }

// parseGroupArn extracts the log group name from arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME
// (an optional trailing ":*" is accepted). ok is false for anything else or another account.
func (s *Server) parseGroupArn(arn string) (name string, ok bool) {
	typ, name, ok := s.parseLogsArn(arn)
	name = strings.TrimSuffix(name, ":*")
	if !ok || typ != "log-group" || name == "" || strings.Contains(name, ":") {
		return "", false
	}
	return name, true
}

// resolveGroupRef implements the logGroupName / logGroupIdentifier pair of the read
// operations: exactly one must be given; the identifier is a name or a log group ARN.
func (s *Server) resolveGroupRef(name, ident *string) (string, *apiError) {
	switch {
	case name != nil && ident != nil:
		return "", clientErr(codeValidation, msgNameIdentifierExclusive)
	case name != nil:
		return *name, nil
	case ident != nil:
		if strings.HasPrefix(*ident, "arn:") {
			n, ok := s.parseGroupArn(*ident)
			if !ok {
				return "", groupNotFound()
			}
			return n, nil
		}
		return *ident, nil
	}
	return "", invalidParam("Either logGroupName or logGroupIdentifier must be specified.")
}
