package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs/localserver/insights"
	"github.com/cwlogs/cwlogs/localserver/schedule"
)

// Scheduled queries (CreateScheduledQuery, GetScheduledQuery, UpdateScheduledQuery,
// DeleteScheduledQuery, ListScheduledQueries, GetScheduledQueryHistory) run a Logs
// Insights query on a schedule and deliver its results to "Amazon S3", a file under
// Config.ExportDir as export tasks write them (ops_export.go). They are stored in SQLite
// (migration 12), each run a row of their history; the runner (ops_scheduledqueries_run.go)
// triggers them. Shapes are botocore's logs/2014-03-28 model; the rules follow the API
// reference (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateScheduledQuery.html
// and the pages of the other operations, TriggerHistoryRecord and
// ScheduledQueryDestination) and the user guide's "Scheduled queries" chapter
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/scheduled-queries-schedule-reference.html,
// …/scheduled-queries-s3-destination.html, …/scheduled-queries-concepts.html):
//
//   - The model's errors of these operations are ValidationException (every malformed
//     member, with the usual "1 validation error detected" message), ResourceNotFoundException,
//     ConflictException (a name already used: "The name must be unique within your account
//     and region", CreateScheduledQuery's name) and ServiceQuotaExceededException (no quota
//     is enforced here: the guide gives none we could trace). An identifier is the query's
//     name or its ARN, arn:aws:logs:REGION:ACCOUNT:scheduled-query:ID (the form EventBridge
//     events of scheduled queries carry), ID a UUID (ours).
//   - scheduleExpression is cron(minute hour day-of-month month day-of-week year) or
//     rate(value unit) (package schedule, after the guide's schedule expression
//     reference); timezone is an IANA time zone name ("The timezone for evaluating the
//     schedule expression", the model), UTC when absent. A rate runs every period from
//     scheduleStartTime, or from the query's creation (or last update) when none is given,
//     the first run one period on.
//   - startTimeOffset is "the lookback period for the query" in seconds (the model): a run
//     triggered at T queries [T − startTimeOffset, T). When it is absent the window is
//     ours: from the previous run's trigger (the query's creation or last update before
//     the first run) to T, so that consecutive runs see every event once. It must not be
//     negative (ours).
//   - endTimeOffset (an addition of 2026 that aws-sdk-go-v2 sends; the botocore model
//     installed here predates it) is "the time offset in seconds that defines the end of
//     the lookback period for the query. Together with startTimeOffset, this determines the
//     time window relative to the execution time" (the SDK's documentation): a run
//     triggered at T queries [T − startTimeOffset, T − endTimeOffset). Without
//     startTimeOffset, the window ours above moves back by it too, [previous trigger −
//     endTimeOffset, T − endTimeOffset). It must not be negative nor, with
//     startTimeOffset, reach it (ours: the window would be empty).
//   - scheduleStartTime and scheduleEndTime (milliseconds, as the model's other
//     timestamps): "The query will not execute before this time" and "will stop executing
//     after this time" (the model); an end before the start is refused (ours).
//   - executionRoleArn is required (the model) and must be an IAM role ARN,
//     arn:PARTITION:iam::ACCOUNT:role/NAME; so must s3Configuration.roleArn. No IAM is
//     enforced: the roles are never assumed.
//   - queryLanguage CWLI is served; SQL and PPL are refused (this server has no such
//     engine). The query string is parsed when the query is created or updated; a query
//     that does not parse is refused with ValidationException (ours: the reference lists
//     no MalformedQueryException for these operations). logGroupIdentifiers (names or
//     ARNs, 1 to 50) are required here (ours: without them a query would need the SOURCE
//     command, which the engine does not have); groups that do not exist are refused with
//     ResourceNotFoundException "The specified log group does not exist.".
//   - destinationConfiguration.s3Configuration.destinationIdentifier is an S3 URI
//     s3://BUCKET[/PREFIX] (the model's pattern). "Query results are stored as JSON files in
//     the specified bucket and prefix" (the guide): here the object of a run is
//     PREFIX/SCHEDULED_QUERY_ID/RUN_ID.json (the key beyond the prefix is ours), a JSON
//     object of the run (scheduledQueryArn, queryId, triggeredTimestamp, the window
//     startTime and endTime in ms, statistics) and its rows under "results", one object
//     per row mapping each field to its value (@ptr left out). Results are delivered only
//     after a successful run ("delivered after successful execution", the reference); the
//     record's destination status is COMPLETE with processedIdentifier s3://BUCKET/KEY,
//     CLIENT_ERROR when the bucket's directory does not exist (S3's "The specified bucket
//     does not exist"), FAILED when the object could not be written.
//   - A run's executionStatus is Running, then Complete, Failed (a log group deleted
//     meanwhile, a read error, the server shutting down) or Timeout (Config.QueryTimeout);
//     InvalidQuery is never recorded, queries being checked when stored.
//     GetScheduledQueryHistory lists the runs triggered in [startTime, endTime], newest
//     first (ours), filtered by executionStatuses, at most maxResults (1-1000, 100 by
//     default: ours) a page. ListScheduledQueries lists by name, at most maxResults
//     (1-1000, 1000 by default: ours) a page, filtered by state.
//   - UpdateScheduledQuery "uses PUT semantics" (the reference): the members it does not
//     give are cleared, its state ENABLED when absent (as CreateScheduledQuery's default,
//     "Default is ENABLED"); its answer is GetScheduledQuery's. Tags are not updated by it
//     (TagResource is).

const (
	sqEnabled  = "ENABLED"
	sqDisabled = "DISABLED"

	sqRunning      = "Running"
	sqComplete     = "Complete"
	sqFailed       = "Failed"
	sqTimeout      = "Timeout"
	sqInvalidQuery = "InvalidQuery"

	sqDestComplete    = "COMPLETE"
	sqDestFailed      = "FAILED"
	sqDestClientError = "CLIENT_ERROR"

	arnScheduledQuery = "scheduled-query"

	msgScheduledQueryNotFound = "The specified scheduled query does not exist."
	msgNoSuchBucket           = "The specified bucket does not exist"
	msgSQShutdown             = "The run was interrupted: the server shut down."
	msgSQInterrupted          = "The run was interrupted: the server stopped while it ran."

	maxScheduledQueriesPage = 1000
	maxSQHistoryPage        = 1000
	defaultSQHistoryPage    = 100
)

var (
	shScheduledQueryName  = shape(1, 255, `^[a-zA-Z0-9_\-/.#]+$`)
	shScheduledQueryDesc  = shape(0, 1024, "")
	shScheduledQueryIdent = shape(0, 0, `[\w#+=/:,.@-]*`)
	shScheduledQueryID    = shape(1, 256, `[\w-]+`) // the ARN's last part
	shScheduleExpression  = shape(0, 256, "")
	shScheduleTimezone    = shape(1, 0, "")
	shS3URI               = shape(0, 1024, `s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?`)
	shKmsKeyIDSQ          = shape(0, 256, "")

	queryLanguagesSQ  = []string{"CWLI", "SQL", "PPL"}
	sqStates          = []string{sqEnabled, sqDisabled}
	sqExecStatuses    = []string{sqRunning, sqInvalidQuery, sqComplete, sqFailed, sqTimeout}
	errSQDeleted      = errors.New("scheduled query deleted")
	maxSQLogGroups    = 50
	maxStartOffsetSec = int64(maxTokenTs / 1000)
)

// sqS3Config is a destination's s3Configuration.
type sqS3Config struct {
	DestinationIdentifier *string `json:"destinationIdentifier"`
	RoleArn               *string `json:"roleArn"`
	OwnerAccountID        *string `json:"ownerAccountId,omitempty"`
	KmsKeyID              *string `json:"kmsKeyId,omitempty"`
}

// sqDestination is a destinationConfiguration.
type sqDestination struct {
	S3Configuration *sqS3Config `json:"s3Configuration"`
	// LookupTableConfiguration, a destination newer than the botocore model here (in
	// aws-sdk-go-v2), is refused by name rather than taken for a missing s3Configuration.
	LookupTableConfiguration json.RawMessage `json:"lookupTableConfiguration,omitempty"`
}

// scheduledQueryIn is the input of CreateScheduledQuery and UpdateScheduledQuery.
type scheduledQueryIn struct {
	Name                     *string            `json:"name"`
	Identifier               *string            `json:"identifier"`
	Description              *string            `json:"description"`
	QueryLanguage            *string            `json:"queryLanguage"`
	QueryString              *string            `json:"queryString"`
	LogGroupIdentifiers      *[]string          `json:"logGroupIdentifiers"`
	ScheduleExpression       *string            `json:"scheduleExpression"`
	Timezone                 *string            `json:"timezone"`
	StartTimeOffset          *int64             `json:"startTimeOffset"`
	EndTimeOffset            *int64             `json:"endTimeOffset"`
	DestinationConfiguration *sqDestination     `json:"destinationConfiguration"`
	ScheduleStartTime        *int64             `json:"scheduleStartTime"`
	ScheduleEndTime          *int64             `json:"scheduleEndTime"`
	ExecutionRoleArn         *string            `json:"executionRoleArn"`
	State                    *string            `json:"state"`
	Tags                     *map[string]string `json:"tags"`
}

// scheduledQuery is a stored scheduled query.
type scheduledQuery struct {
	id, name                   string
	description                sql.NullString
	language, queryString      string
	logGroups                  []string
	expr                       string
	timezone                   sql.NullString
	startOffset, endOffset     sql.NullInt64
	region                     sql.NullString // CreateScheduledQuery's, for the ARNs its runs write
	dest                       *sqDestination
	scheduleStart, scheduleEnd sql.NullInt64
	roleArn, state             string
	lastTriggered              sql.NullInt64
	lastStatus                 sql.NullString
	created, updated           int64
	nextRun                    sql.NullInt64
}

const sqColumns = `id, name, description, query_language, query_string, log_groups, schedule_expression, timezone,
	start_time_offset, destination, schedule_start, schedule_end, execution_role_arn, state, last_triggered, last_status,
	creation_time, last_updated, next_run, end_time_offset, region`

func scanScheduledQuery(sc interface{ Scan(...any) error }) (*scheduledQuery, error) {
	q := &scheduledQuery{}
	var groups, dest sql.NullString
	err := sc.Scan(&q.id, &q.name, &q.description, &q.language, &q.queryString, &groups, &q.expr, &q.timezone,
		&q.startOffset, &dest, &q.scheduleStart, &q.scheduleEnd, &q.roleArn, &q.state, &q.lastTriggered, &q.lastStatus,
		&q.created, &q.updated, &q.nextRun, &q.endOffset, &q.region)
	if err != nil {
		return nil, err
	}
	if groups.Valid {
		if err := json.Unmarshal([]byte(groups.String), &q.logGroups); err != nil {
			return nil, err
		}
	}
	if dest.Valid {
		q.dest = &sqDestination{}
		if err := json.Unmarshal([]byte(dest.String), q.dest); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// scheduledQueryByID returns the query or (nil, nil) when it does not exist.
func scheduledQueryByID(ctx context.Context, q queryer, id string) (*scheduledQuery, error) {
	sq, err := scanScheduledQuery(q.QueryRowContext(ctx, `SELECT `+sqColumns+` FROM scheduled_queries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return sq, err
}

// findScheduledQuery returns the query an identifier (its name or ARN) names, or
// ResourceNotFoundException.
func (s *Server) findScheduledQuery(ctx context.Context, q queryer, ident string) (*scheduledQuery, *apiError) {
	where, arg := `name = ?`, ident
	if strings.HasPrefix(ident, "arn:") {
		typ, id, ok := s.parseLogsArn(ident)
		if !ok || typ != arnScheduledQuery {
			return nil, clientErr(codeResourceNotFound, msgScheduledQueryNotFound)
		}
		where, arg = `id = ?`, id
	}
	sq, err := scanScheduledQuery(q.QueryRowContext(ctx, `SELECT `+sqColumns+` FROM scheduled_queries WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clientErr(codeResourceNotFound, msgScheduledQueryNotFound)
	}
	if err != nil {
		return nil, s.dbErr(err)
	}
	return sq, nil
}

// arn is the query's ARN in region.
func (s *Server) sqArn(region, id string) string { return s.arnOf(region, arnScheduledQuery, id) }

// location is the query's time zone (UTC when none was given).
func (q *scheduledQuery) location() *time.Location {
	if !q.timezone.Valid {
		return time.UTC
	}
	loc, err := time.LoadLocation(q.timezone.String)
	if err != nil {
		return time.UTC // checked when stored; a time zone database gone since falls back
	}
	return loc
}

// nextTrigger is the first trigger of q strictly after after (ms), or NULL when there
// is none: q disabled, its schedule over, or past scheduleEndTime.
func (q *scheduledQuery) nextTrigger(after int64) sql.NullInt64 {
	if q.state != sqEnabled {
		return sql.NullInt64{}
	}
	sch, err := schedule.Parse(q.expr)
	if err != nil {
		return sql.NullInt64{} // checked when stored
	}
	anchor := q.updated
	if q.scheduleStart.Valid {
		anchor = q.scheduleStart.Int64
		// "The query will not execute before this time": a cron schedule's first trigger
		// is its first at or after the start.
		after = max(after, anchor-1)
	}
	t, ok := sch.Next(time.UnixMilli(after), time.UnixMilli(anchor), q.location())
	if !ok || (q.scheduleEnd.Valid && t.UnixMilli() > q.scheduleEnd.Int64) {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// members writes q's GetScheduledQuery members into o, in the model's order.
func (s *Server) sqMembers(o *jsonObj, region string, q *scheduledQuery) {
	o.str("scheduledQueryArn", s.sqArn(region, q.id))
	o.str("name", q.name)
	if q.description.Valid {
		o.str("description", q.description.String)
	}
	o.str("queryLanguage", q.language)
	o.str("queryString", q.queryString)
	if q.logGroups != nil {
		o.key("logGroupIdentifiers")
		o.b = appendStrings(o.b, q.logGroups)
	}
	o.str("scheduleExpression", q.expr)
	if q.timezone.Valid {
		o.str("timezone", q.timezone.String)
	}
	if q.startOffset.Valid {
		o.int("startTimeOffset", q.startOffset.Int64)
	}
	if q.endOffset.Valid {
		o.int("endTimeOffset", q.endOffset.Int64)
	}
	if q.dest != nil {
		o.key("destinationConfiguration")
		b, _ := json.Marshal(q.dest)
		o.b = append(o.b, b...)
	}
	o.str("state", q.state)
	if q.lastTriggered.Valid {
		o.int("lastTriggeredTime", q.lastTriggered.Int64)
	}
	if q.lastStatus.Valid {
		o.str("lastExecutionStatus", q.lastStatus.String)
	}
	if q.scheduleStart.Valid {
		o.int("scheduleStartTime", q.scheduleStart.Int64)
	}
	if q.scheduleEnd.Valid {
		o.int("scheduleEndTime", q.scheduleEnd.Int64)
	}
	o.str("executionRoleArn", q.roleArn)
	o.int("creationTime", q.created)
	o.int("lastUpdatedTime", q.updated)
}

// validRoleArn reports whether arn is an IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/NAME.
func validRoleArn(arn string) bool {
	p, ok := splitArn(arn)
	if !ok || p.service != "iam" || p.region != "" || len(p.account) != 12 || strings.Trim(p.account, "0123456789") != "" {
		return false
	}
	name, ok := strings.CutPrefix(p.resource, "role/")
	return ok && name != "" && !strings.HasSuffix(name, "/")
}

// s3Location splits an S3 URI s3://BUCKET[/PREFIX] into its bucket and its key prefix
// ("" or ending in "/").
func s3Location(uri string) (bucket, prefix string) {
	rest := strings.TrimPrefix(uri, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix
}

// checkScheduledQuery validates the input of CreateScheduledQuery (create) or
// UpdateScheduledQuery and returns the query it describes (id, name, times and tags
// not set) with its resolved log group names.
func (s *Server) checkScheduledQuery(ctx context.Context, in *scheduledQueryIn, create bool) (*scheduledQuery, *apiError) {
	var v verrs
	if create {
		v.required(in.Name != nil, "name")
		v.str(in.Name, "name", shScheduledQueryName)
	} else {
		v.required(in.Identifier != nil, "identifier")
		v.str(in.Identifier, "identifier", shScheduledQueryIdent)
	}
	v.str(in.Description, "description", shScheduledQueryDesc)
	v.required(in.QueryLanguage != nil, "queryLanguage")
	v.enum(in.QueryLanguage, "queryLanguage", queryLanguagesSQ)
	v.required(in.QueryString != nil, "queryString")
	v.str(in.QueryString, "queryString", shQueryString)
	v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 1, maxSQLogGroups, shLogGroupIdentifier)
	v.required(in.ScheduleExpression != nil, "scheduleExpression")
	v.str(in.ScheduleExpression, "scheduleExpression", shScheduleExpression)
	v.str(in.Timezone, "timezone", shScheduleTimezone)
	v.minInt(in.ScheduleStartTime, "scheduleStartTime", 0)
	v.minInt(in.ScheduleEndTime, "scheduleEndTime", 0)
	v.required(in.ExecutionRoleArn != nil, "executionRoleArn")
	v.str(in.ExecutionRoleArn, "executionRoleArn", shRoleArn)
	v.enum(in.State, "state", sqStates)
	if create && in.Tags != nil {
		v.tags(in.Tags, "tags")
	}
	if d := in.DestinationConfiguration; d != nil && d.LookupTableConfiguration != nil {
		return nil, validationErr("destinationConfiguration.lookupTableConfiguration is not supported by this server: deliver to s3Configuration.")
	}
	if d := in.DestinationConfiguration; d != nil {
		if v.required(d.S3Configuration != nil, "destinationConfiguration.s3Configuration") {
			c := d.S3Configuration
			v.required(c.DestinationIdentifier != nil, "destinationConfiguration.s3Configuration.destinationIdentifier")
			v.str(c.DestinationIdentifier, "destinationConfiguration.s3Configuration.destinationIdentifier", shS3URI)
			v.required(c.RoleArn != nil, "destinationConfiguration.s3Configuration.roleArn")
			v.str(c.RoleArn, "destinationConfiguration.s3Configuration.roleArn", shRoleArn)
			v.str(c.OwnerAccountID, "destinationConfiguration.s3Configuration.ownerAccountId", shAccountID)
			v.str(c.KmsKeyID, "destinationConfiguration.s3Configuration.kmsKeyId", shKmsKeyIDSQ)
		}
	}
	if e := v.validation(); e != nil {
		return nil, e
	}
	q := &scheduledQuery{language: *in.QueryLanguage, queryString: *in.QueryString, expr: *in.ScheduleExpression,
		roleArn: *in.ExecutionRoleArn, state: sqEnabled, dest: in.DestinationConfiguration}
	if in.Description != nil {
		q.description = sql.NullString{String: *in.Description, Valid: true}
	}
	if in.State != nil {
		q.state = *in.State
	}
	if q.language != queryLanguageCWLI {
		return nil, validationErr("queryLanguage %s is not supported by this server: only CWLI (the Logs Insights query language) is.", q.language)
	}
	if _, err := insights.Parse(q.queryString); err != nil {
		return nil, validationErr("queryString is not a valid Logs Insights query: %v", err)
	}
	if _, err := schedule.Parse(q.expr); err != nil {
		var se *schedule.Error
		if errors.As(err, &se) {
			return nil, validationErr("Invalid scheduleExpression %q: %s.", se.Expr, se.Reason)
		}
		return nil, validationErr("Invalid scheduleExpression %q.", q.expr)
	}
	if in.Timezone != nil {
		if _, err := time.LoadLocation(*in.Timezone); err != nil || *in.Timezone == "Local" {
			return nil, validationErr("Invalid timezone %q: it must be an IANA time zone name such as UTC or America/New_York.", *in.Timezone)
		}
		q.timezone = sql.NullString{String: *in.Timezone, Valid: true}
	}
	if in.StartTimeOffset != nil {
		if *in.StartTimeOffset < 0 || *in.StartTimeOffset > maxStartOffsetSec {
			return nil, validationErr("Invalid startTimeOffset %d: it must be a number of seconds from 0 to %d.", *in.StartTimeOffset, maxStartOffsetSec)
		}
		q.startOffset = sql.NullInt64{Int64: *in.StartTimeOffset, Valid: true}
	}
	if in.EndTimeOffset != nil {
		if *in.EndTimeOffset < 0 || *in.EndTimeOffset > maxStartOffsetSec {
			return nil, validationErr("Invalid endTimeOffset %d: it must be a number of seconds from 0 to %d.", *in.EndTimeOffset, maxStartOffsetSec)
		}
		if q.startOffset.Valid && *in.EndTimeOffset >= q.startOffset.Int64 {
			return nil, validationErr("Invalid endTimeOffset %d: it must be less than startTimeOffset (%d).", *in.EndTimeOffset, q.startOffset.Int64)
		}
		q.endOffset = sql.NullInt64{Int64: *in.EndTimeOffset, Valid: true}
	}
	if in.ScheduleStartTime != nil {
		q.scheduleStart = sql.NullInt64{Int64: *in.ScheduleStartTime, Valid: true}
	}
	if in.ScheduleEndTime != nil {
		q.scheduleEnd = sql.NullInt64{Int64: *in.ScheduleEndTime, Valid: true}
		if q.scheduleStart.Valid && q.scheduleEnd.Int64 < q.scheduleStart.Int64 {
			return nil, validationErr("scheduleEndTime (%d) must not be before scheduleStartTime (%d).", q.scheduleEnd.Int64, q.scheduleStart.Int64)
		}
	}
	if !validRoleArn(q.roleArn) {
		return nil, validationErr("Invalid executionRoleArn %q: it must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME.", q.roleArn)
	}
	if d := q.dest; d != nil {
		c := d.S3Configuration
		if !validRoleArn(*c.RoleArn) {
			return nil, validationErr("Invalid destinationConfiguration.s3Configuration.roleArn %q: it must be an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME.", *c.RoleArn)
		}
		if s.cfg.ExportDir == "" {
			return nil, validationErr("%s", msgNoResultsDir)
		}
		bucket, prefix := s3Location(*c.DestinationIdentifier)
		if why := validBucketName(bucket); why != "" {
			return nil, validationErr("destinationIdentifier %q does not name a valid S3 bucket: %s.", *c.DestinationIdentifier, why)
		}
		if why := keyPrefixProblem(strings.TrimSuffix(prefix, "/")); why != "" {
			return nil, validationErr("destinationIdentifier %q cannot be a key prefix of this server's objects: %s.", *c.DestinationIdentifier, why)
		}
	}
	if in.LogGroupIdentifiers == nil {
		return nil, validationErr("logGroupIdentifiers is required by this server: it does not run the SOURCE command.")
	}
	q.logGroups = slices.Clone(*in.LogGroupIdentifiers)
	for _, ident := range q.logGroups {
		name, aerr := s.resolveGroupRef(nil, &ident)
		if aerr != nil {
			return nil, aerr
		}
		if _, aerr := s.findGroup(ctx, s.st.r, name); aerr != nil {
			return nil, aerr
		}
	}
	return q, nil
}

func (s *Server) createScheduledQuery(rc *reqCtx) ([]byte, *apiError) {
	var in scheduledQueryIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	in.Identifier = nil
	q, aerr := s.checkScheduledQuery(rc.ctx, &in, true)
	if aerr != nil {
		return nil, aerr
	}
	q.id, q.name = newRequestID(), *in.Name
	q.region = sql.NullString{String: rc.region, Valid: rc.region != ""}
	q.created = rc.now.UnixMilli()
	q.updated = q.created
	q.nextRun = q.nextTrigger(q.created)
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if found, err := rowExists(ctx, tx, `SELECT 1 FROM scheduled_queries WHERE name = ?`, q.name); err != nil {
			return s.dbErr(err)
		} else if found {
			return conflict("A scheduled query named %s already exists.", q.name)
		}
		if err := insertScheduledQuery(ctx, tx, q); err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "scheduled_query_tags", "id", q.id, *in.Tags, "scheduled query")
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	s.sched.kick()
	o := newObj(nil)
	o.str("scheduledQueryArn", s.sqArn(rc.region, q.id))
	o.str("state", q.state)
	return o.done(), nil
}

// insertScheduledQuery stores a new query.
func insertScheduledQuery(ctx context.Context, tx *sql.Tx, q *scheduledQuery) error {
	groups, _ := json.Marshal(q.logGroups)
	var dest sql.NullString
	if q.dest != nil {
		b, _ := json.Marshal(q.dest)
		dest = sql.NullString{String: string(b), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO scheduled_queries(`+sqColumns+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		q.id, q.name, q.description, q.language, q.queryString, string(groups), q.expr, q.timezone, q.startOffset, dest,
		q.scheduleStart, q.scheduleEnd, q.roleArn, q.state, q.lastTriggered, q.lastStatus, q.created, q.updated, q.nextRun,
		q.endOffset, q.region)
	return err
}

type sqIdentIn struct {
	Identifier *string `json:"identifier"`
}

// decodeSQIdent decodes and checks the input of GetScheduledQuery and DeleteScheduledQuery.
func decodeSQIdent(body []byte) (string, *apiError) {
	var in sqIdentIn
	if e := decodeJSON(body, &in); e != nil {
		return "", e
	}
	var v verrs
	v.required(in.Identifier != nil, "identifier")
	v.str(in.Identifier, "identifier", shScheduledQueryIdent)
	if e := v.validation(); e != nil {
		return "", e
	}
	return *in.Identifier, nil
}

func (s *Server) getScheduledQuery(rc *reqCtx) ([]byte, *apiError) {
	ident, aerr := decodeSQIdent(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	q, aerr := s.findScheduledQuery(rc.ctx, s.st.r, ident)
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	s.sqMembers(o, rc.region, q)
	return o.done(), nil
}

func (s *Server) updateScheduledQuery(rc *reqCtx) ([]byte, *apiError) {
	var in scheduledQueryIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	in.Name, in.Tags = nil, nil
	q, aerr := s.checkScheduledQuery(rc.ctx, &in, false)
	if aerr != nil {
		return nil, aerr
	}
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		old, aerr := s.findScheduledQuery(ctx, tx, *in.Identifier)
		if aerr != nil {
			return aerr
		}
		q.id, q.name, q.created = old.id, old.name, old.created
		q.lastTriggered, q.lastStatus = old.lastTriggered, old.lastStatus
		q.updated = max(rc.now.UnixMilli(), old.created)
		// The next trigger after the update, and after the last one run: the runner may
		// have run a trigger past rc.now while this request waited for the writer (its
		// clock read later), and that trigger must not run twice.
		after := q.updated
		if old.lastTriggered.Valid {
			after = max(after, old.lastTriggered.Int64)
		}
		q.nextRun = q.nextTrigger(after)
		groups, _ := json.Marshal(q.logGroups)
		var dest sql.NullString
		if q.dest != nil {
			b, _ := json.Marshal(q.dest)
			dest = sql.NullString{String: string(b), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `UPDATE scheduled_queries SET description = ?, query_language = ?, query_string = ?,
			log_groups = ?, schedule_expression = ?, timezone = ?, start_time_offset = ?, destination = ?,
			schedule_start = ?, schedule_end = ?, execution_role_arn = ?, state = ?, last_updated = ?, next_run = ?,
			end_time_offset = ?
			WHERE id = ?`,
			q.description, q.language, q.queryString, string(groups), q.expr, q.timezone, q.startOffset, dest,
			q.scheduleStart, q.scheduleEnd, q.roleArn, q.state, q.updated, q.nextRun, q.endOffset, q.id)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	s.sched.kick()
	o := newObj(nil)
	s.sqMembers(o, rc.region, q)
	return o.done(), nil
}

func (s *Server) deleteScheduledQuery(rc *reqCtx) ([]byte, *apiError) {
	ident, aerr := decodeSQIdent(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	var id string
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		q, aerr := s.findScheduledQuery(ctx, tx, ident)
		if aerr != nil {
			return aerr
		}
		id = q.id
		if _, err := tx.ExecContext(ctx, `DELETE FROM scheduled_queries WHERE id = ?`, id); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	// "stops all future executions" (the reference): a run in flight is stopped too, and
	// the answer waits for it, so that nothing more is delivered once it is given.
	if err := s.sched.stopRun(rc.ctx, id); err != nil {
		return nil, clientErr(codeOperationAborted, "The request ended before the scheduled query's run in flight had stopped; the query is deleted.")
	}
	s.sched.kick()
	return nil, nil
}

type listScheduledQueriesIn struct {
	MaxResults *int64  `json:"maxResults"`
	NextToken  *string `json:"nextToken"`
	State      *string `json:"state"`
}

func (s *Server) listScheduledQueries(rc *reqCtx) ([]byte, *apiError) {
	var in listScheduledQueriesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.intRange(in.MaxResults, "maxResults", 1, maxScheduledQueriesPage)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.enum(in.State, "state", sqStates)
	if e := v.validation(); e != nil {
		return nil, e
	}
	p := namePage{query: `SELECT ` + sqColumns + ` FROM scheduled_queries WHERE 1`, kind: "SQ",
		scope: listScope("ListScheduledQueries", optPart(in.State)), token: in.NextToken,
		tokenErr: clientErr(codeValidation, msgInvalidNextToken),
		limit:    limitOr(in.MaxResults, maxScheduledQueriesPage), key: "scheduledQueries"}
	if in.State != nil {
		p.query += ` AND state = ?`
		p.args = []any{*in.State}
	}
	p.row = func(rows *sql.Rows, f *jsonObj) (string, error) {
		q, err := scanScheduledQuery(rows)
		if err != nil {
			return "", err
		}
		f.str("scheduledQueryArn", s.sqArn(rc.region, q.id))
		f.str("name", q.name)
		f.str("state", q.state)
		if q.lastTriggered.Valid {
			f.int("lastTriggeredTime", q.lastTriggered.Int64)
		}
		if q.lastStatus.Valid {
			f.str("lastExecutionStatus", q.lastStatus.String)
		}
		f.str("scheduleExpression", q.expr)
		if q.timezone.Valid {
			f.str("timezone", q.timezone.String)
		}
		if q.dest != nil {
			f.key("destinationConfiguration")
			b, _ := json.Marshal(q.dest)
			f.b = append(f.b, b...)
		}
		f.int("creationTime", q.created)
		f.int("lastUpdatedTime", q.updated)
		return q.name, nil
	}
	return s.pageByName(rc.ctx, p)
}

type sqHistoryIn struct {
	Identifier        *string   `json:"identifier"`
	StartTime         *int64    `json:"startTime"`
	EndTime           *int64    `json:"endTime"`
	ExecutionStatuses *[]string `json:"executionStatuses"`
	MaxResults        *int64    `json:"maxResults"`
	NextToken         *string   `json:"nextToken"`
}

func (s *Server) getScheduledQueryHistory(rc *reqCtx) ([]byte, *apiError) {
	var in sqHistoryIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.Identifier != nil, "identifier")
	v.str(in.Identifier, "identifier", shScheduledQueryIdent)
	v.required(in.StartTime != nil, "startTime")
	v.minInt(in.StartTime, "startTime", 0)
	v.required(in.EndTime != nil, "endTime")
	v.minInt(in.EndTime, "endTime", 0)
	v.intRange(in.MaxResults, "maxResults", 1, maxSQHistoryPage)
	v.str(in.NextToken, "nextToken", shNextToken)
	if in.ExecutionStatuses != nil {
		for i := range *in.ExecutionStatuses {
			v.enum(&(*in.ExecutionStatuses)[i], fmt.Sprintf("executionStatuses.%d.member", i+1), sqExecStatuses)
		}
	}
	if e := v.validation(); e != nil {
		return nil, e
	}
	q, aerr := s.findScheduledQuery(rc.ctx, s.st.r, *in.Identifier)
	if aerr != nil {
		return nil, aerr
	}
	query := `SELECT seq, run_id, status, triggered, error_message, destinations FROM scheduled_query_history
		WHERE query_id = ? AND triggered >= ? AND triggered <= ?`
	args := []any{q.id, *in.StartTime, *in.EndTime}
	var statuses []string
	if in.ExecutionStatuses != nil && len(*in.ExecutionStatuses) > 0 {
		statuses = slices.Clone(*in.ExecutionStatuses)
		slices.Sort(statuses)
		statuses = slices.Compact(statuses)
		query += ` AND status IN (?` + strings.Repeat(`,?`, len(statuses)-1) + `)`
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	scope := listScope("GetScheduledQueryHistory", q.id, itoa(*in.StartTime), itoa(*in.EndTime), strings.Join(statuses, ","))
	if in.NextToken != nil {
		tok, ok := decodeScopedToken("SH", *in.NextToken, scope)
		last, err := strconv.ParseInt(tok, 10, 64)
		if !ok || err != nil {
			return nil, clientErr(codeValidation, msgInvalidNextToken)
		}
		query += ` AND seq < ?`
		args = append(args, last)
	}
	limit := limitOr(in.MaxResults, defaultSQHistoryPage)
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, query, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	o := newObj(nil)
	o.str("name", q.name)
	o.str("scheduledQueryArn", s.sqArn(rc.region, q.id))
	var last int64
	more, err := o.rowsPage("triggerHistory", rows, limit, func(f *jsonObj) error {
		var runID, status string
		var triggered int64
		var msg, dests sql.NullString
		if err := rows.Scan(&last, &runID, &status, &triggered, &msg, &dests); err != nil {
			return err
		}
		f.str("queryId", runID)
		f.str("executionStatus", status)
		f.int("triggeredTimestamp", triggered)
		if msg.Valid {
			f.str("errorMessage", msg.String)
		}
		if dests.Valid {
			f.raw("destinations", []byte(dests.String))
		}
		return nil
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if more {
		o.str("nextToken", encodeScopedToken("SH", scope, itoa(last)))
	}
	return o.done(), nil
}
