package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Log anomaly detectors (CreateLogAnomalyDetector, GetLogAnomalyDetector,
// UpdateLogAnomalyDetector, DeleteLogAnomalyDetector, ListLogAnomalyDetectors) and their
// anomalies (ListAnomalies, UpdateAnomaly: ops_anomaly_list.go). Detectors are stored in
// SQLite (migration 16) and evaluated by a runner (ops_anomaly_run.go) that clusters the
// events of each evaluation period into patterns (package localserver/patterns) and
// reports new and unusually frequent ones (ops_anomaly_detect.go). Shapes are botocore's
// logs/2014-03-28 model; the rules follow the API reference
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogAnomalyDetector.html,
// …/API_UpdateLogAnomalyDetector.html, …/API_AnomalyDetector.html, …/API_ListAnomalies.html,
// …/API_UpdateAnomaly.html, …/API_Anomaly.html, …/API_PatternToken.html):
//
//   - The model's errors of these operations are InvalidParameterException (every
//     malformed member, with the "1 validation error detected" template),
//     ResourceNotFoundException, LimitExceededException (CreateLogAnomalyDetector),
//     OperationAbortedException and ServiceUnavailableException.
//   - A detector's ARN is arn:aws:logs:REGION:ACCOUNT:anomaly-detector:ID, ID a UUID (the
//     form of the API reference's and the AWS CLI's examples,
//     https://docs.aws.amazon.com/cli/latest/reference/logs/get-log-anomaly-detector.html);
//     it is tagged by that ARN (TagResource, UntagResource, ListTagsForResource).
//   - logGroupArnList: "You can specify only one log group ARN" (the reference): exactly one
//     is required here. It must be a log group ARN of this account without the ":*" that
//     DescribeLogGroups' arn carries (ours: InvalidParameterException naming it), and the
//     group must exist (ResourceNotFoundException "The specified log group does not
//     exist."). The group must be of the STANDARD class: the user guide's table of log
//     classes lists log anomaly detection among the Standard-only features, and the
//     Infrequent Access class has no pattern command (the clustering a detector makes;
//     CWL_AnalyzeLogData_Classes), the Delivery class no analysis at all
//     (InvalidParameterException naming the group and its class). The list is answered as
//     sent.
//   - filterPattern (0–1024 characters) is a filter pattern
//     (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html),
//     parsed when stored ("Invalid filter pattern: …", as FilterLogEvents); only the
//     events it matches are evaluated.
//   - kmsKeyId must be a KMS key ARN (the model's DetectorKmsKeyArn pattern); nothing is
//     encrypted here.
//   - anomalyVisibilityTime is 7–90 days (the model); when not given it is 21, the
//     service's default as reported for the console (hashicorp/terraform-provider-aws#34788:
//     "The anomolies are kept for 21 days"), and always answered (Terraform's
//     anomaly_visibility_time is optional and computed).
//   - evaluationFrequency, detectorName, filterPattern and kmsKeyId are answered only when
//     they were given (so that Terraform's plans round-trip); a detector without
//     evaluationFrequency is evaluated every five minutes (ours, the value the AWS CLI's
//     examples show).
//   - anomalyDetectorStatus: TRAINING from creation until anomalyTrainingRuns evaluations
//     have been made (AWS does not document its training time; ours), then ANALYZING;
//     PAUSED while disabled (UpdateLogAnomalyDetector "enabled": "Use this parameter to
//     pause or restart the anomaly detector"). INITIALIZING, FAILED and DELETED are never
//     answered.
//   - UpdateLogAnomalyDetector requires enabled (the model); members it does not give keep
//     their value (ours: the reference does not say). It changes lastModifiedTimeStamp.
//     A new evaluation period (evaluationFrequency) restarts the count statistics of the
//     detector's patterns, which are per evaluation (ours; the counts made baseline are
//     kept as they are).
//     A detector re-enabled is evaluated one period after the update, over the events
//     ingested since.
//   - ListLogAnomalyDetectors lists by ARN id, at most limit (1–50, 50 by default: the
//     reference) a page, filtered by filterLogGroupArn (a log group ARN; one that names no
//     detector's group lists none).
//   - At most maxAnomalyDetectors detectors per account (ours: the quota is not on
//     record); beyond it LimitExceededException.
//   - Detectors outlive their log groups, as scheduled queries do (the reference does not
//     say): an evaluation skips a group that no longer exists, or that was made again
//     under its name in a class other than STANDARD.

const (
	arnAnomalyDetector = "anomaly-detector"

	adTraining  = "TRAINING"
	adAnalyzing = "ANALYZING"
	adPaused    = "PAUSED"

	msgAnomalyDetectorNotFound = "The specified anomaly detector does not exist."

	defaultAnomalyVisibilityDays = 21
	defaultEvaluationFrequency   = 5 * time.Minute
	maxAnomalyDetectors          = 500
	maxAnomalyDetectorsPage      = 50
)

// anomalyTrainingRuns is the number of evaluations a detector trains for (status TRAINING)
// before it reports anomalies (a variable for tests).
var anomalyTrainingRuns = 5

var (
	shDetectorName       = shape(1, 0, "")
	shAnomalyDetectorArn = shape(1, 0, `[\w#+=/:,.@-]*`)
	shLogGroupArn        = shape(1, 2048, `[\w#+=/:,.@-]*`)
	shDetectorFilter     = shape(0, 1024, "")
	shDetectorKmsKeyArn  = shape(0, 256, `^arn:aws[a-z\-]*:kms:[-a-z0-9]*:[0-9]*:key/[-a-z0-9]*$`)
	shAnomalyDetectorID  = shape(36, 36, `[0-9a-f-]+`) // the ARN's last part (ours)

	evaluationFrequencies = map[string]time.Duration{
		"ONE_MIN": time.Minute, "FIVE_MIN": 5 * time.Minute, "TEN_MIN": 10 * time.Minute,
		"FIFTEEN_MIN": 15 * time.Minute, "THIRTY_MIN": 30 * time.Minute, "ONE_HOUR": time.Hour,
	}
	evaluationFrequencyNames = []string{"ONE_MIN", "FIVE_MIN", "TEN_MIN", "FIFTEEN_MIN", "THIRTY_MIN", "ONE_HOUR"}
)

// anomalyDetector is a stored detector.
type anomalyDetector struct {
	id                string
	name              sql.NullString
	logGroups         []string // logGroupArnList as sent
	frequency         sql.NullString
	filter            sql.NullString
	kmsKeyID          sql.NullString
	visibilityDays    int64
	enabled           bool
	runs              int64
	created, modified int64
	lastRun           int64
	nextRun           sql.NullInt64
}

const adColumns = `id, name, log_groups, frequency, filter_pattern, kms_key_id, visibility_days, enabled, runs,
	creation_time, last_modified, last_run, next_run`

func scanAnomalyDetector(sc interface{ Scan(...any) error }) (*anomalyDetector, error) {
	d := &anomalyDetector{}
	var groups string
	err := sc.Scan(&d.id, &d.name, &groups, &d.frequency, &d.filter, &d.kmsKeyID, &d.visibilityDays, &d.enabled,
		&d.runs, &d.created, &d.modified, &d.lastRun, &d.nextRun)
	if err != nil {
		return nil, err
	}
	return d, json.Unmarshal([]byte(groups), &d.logGroups)
}

// period is how often d is evaluated.
func (d *anomalyDetector) period() time.Duration {
	if p, ok := evaluationFrequencies[d.frequency.String]; ok && d.frequency.Valid {
		return p
	}
	return defaultEvaluationFrequency
}

// status is d's anomalyDetectorStatus.
func (d *anomalyDetector) status() string {
	switch {
	case !d.enabled:
		return adPaused
	case d.runs < int64(anomalyTrainingRuns):
		return adTraining
	}
	return adAnalyzing
}

// adArn is the ARN of detector id in region.
func (s *Server) adArn(region, id string) string { return s.arnOf(region, arnAnomalyDetector, id) }

// findAnomalyDetector returns the detector arn names, or ResourceNotFoundException.
func (s *Server) findAnomalyDetector(ctx context.Context, q queryer, arn string) (*anomalyDetector, *apiError) {
	typ, id, ok := s.parseLogsArn(arn)
	if !ok || typ != arnAnomalyDetector {
		return nil, clientErr(codeResourceNotFound, msgAnomalyDetectorNotFound)
	}
	d, err := scanAnomalyDetector(q.QueryRowContext(ctx, `SELECT `+adColumns+` FROM anomaly_detectors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clientErr(codeResourceNotFound, msgAnomalyDetectorNotFound)
	}
	if err != nil {
		return nil, s.dbErr(err)
	}
	return d, nil
}

// adMembers writes d's AnomalyDetector members into o, in the model's order (the ARN only
// when withArn: GetLogAnomalyDetector's answer has none).
func (s *Server) adMembers(o *jsonObj, region string, d *anomalyDetector, withArn bool) {
	if withArn {
		o.str("anomalyDetectorArn", s.adArn(region, d.id))
	}
	if d.name.Valid {
		o.str("detectorName", d.name.String)
	}
	o.key("logGroupArnList")
	o.b = appendStrings(o.b, d.logGroups)
	if d.frequency.Valid {
		o.str("evaluationFrequency", d.frequency.String)
	}
	if d.filter.Valid {
		o.str("filterPattern", d.filter.String)
	}
	o.str("anomalyDetectorStatus", d.status())
	if d.kmsKeyID.Valid {
		o.str("kmsKeyId", d.kmsKeyID.String)
	}
	o.int("creationTimeStamp", d.created)
	o.int("lastModifiedTimeStamp", d.modified)
	o.int("anomalyVisibilityTime", d.visibilityDays)
}

type createAnomalyDetectorIn struct {
	LogGroupArnList       *[]string          `json:"logGroupArnList"`
	DetectorName          *string            `json:"detectorName"`
	EvaluationFrequency   *string            `json:"evaluationFrequency"`
	FilterPattern         *string            `json:"filterPattern"`
	KmsKeyID              *string            `json:"kmsKeyId"`
	AnomalyVisibilityTime *int64             `json:"anomalyVisibilityTime"`
	Tags                  *map[string]string `json:"tags"`
}

// resolveDetectorGroups checks logGroupArnList (shapes checked before) and returns the
// names of its groups, or the error naming the member at fault.
func (s *Server) resolveDetectorGroups(ctx context.Context, arns []string) ([]string, *apiError) {
	if len(arns) != 1 {
		return nil, invalidParam("logGroupArnList must hold exactly one log group ARN (it holds %d): an anomaly detector watches one log group.", len(arns))
	}
	names := make([]string, 0, len(arns))
	for _, arn := range arns {
		name, ok := s.parseGroupArn(arn)
		if !ok || strings.HasSuffix(arn, ":*") {
			return nil, invalidParam("logGroupArnList: %q is not a log group ARN of this account (arn:aws:logs:REGION:%s:log-group:NAME, without \":*\").", arn, s.cfg.AccountID)
		}
		g, aerr := s.findGroup(ctx, s.st.r, name)
		if aerr != nil {
			return nil, aerr
		}
		if g.class != "STANDARD" {
			return nil, invalidParam("logGroupArnList: log group %s is of the %s class: anomaly detection is available only for log groups of the STANDARD class.", g.name, g.class)
		}
		names = append(names, name)
	}
	return names, nil
}

func (s *Server) createLogAnomalyDetector(rc *reqCtx) ([]byte, *apiError) {
	var in createAnomalyDetectorIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupArnList != nil, "logGroupArnList")
	v.strList(in.LogGroupArnList, "logGroupArnList", 0, 0, shLogGroupArn)
	v.str(in.DetectorName, "detectorName", shDetectorName)
	v.enum(in.EvaluationFrequency, "evaluationFrequency", evaluationFrequencyNames)
	v.str(in.FilterPattern, "filterPattern", shDetectorFilter)
	v.str(in.KmsKeyID, "kmsKeyId", shDetectorKmsKeyArn)
	v.intRange(in.AnomalyVisibilityTime, "anomalyVisibilityTime", 7, 90)
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	if _, aerr := eventFilter(in.FilterPattern); aerr != nil {
		return nil, aerr
	}
	names, aerr := s.resolveDetectorGroups(rc.ctx, *in.LogGroupArnList)
	if aerr != nil {
		return nil, aerr
	}
	now := rc.now.UnixMilli()
	d := &anomalyDetector{id: newRequestID(), logGroups: *in.LogGroupArnList, visibilityDays: defaultAnomalyVisibilityDays,
		enabled: true, created: now, modified: now, lastRun: now}
	d.name = optString(in.DetectorName)
	d.frequency = optString(in.EvaluationFrequency)
	d.filter = optString(in.FilterPattern)
	d.kmsKeyID = optString(in.KmsKeyID)
	if in.AnomalyVisibilityTime != nil {
		d.visibilityDays = *in.AnomalyVisibilityTime
	}
	d.nextRun = sql.NullInt64{Int64: now + d.period().Milliseconds(), Valid: true}
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM anomaly_detectors`).Scan(&n); err != nil {
			return s.dbErr(err)
		}
		if n >= maxAnomalyDetectors {
			return clientErr(codeLimitExceeded, fmt.Sprintf("You have reached the maximum number of anomaly detectors (%d) in this account.", maxAnomalyDetectors))
		}
		groups, _ := json.Marshal(d.logGroups)
		if _, err := tx.ExecContext(ctx, `INSERT INTO anomaly_detectors(`+adColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			d.id, d.name, string(groups), d.frequency, d.filter, d.kmsKeyID, d.visibilityDays, d.enabled, d.runs,
			d.created, d.modified, d.lastRun, d.nextRun); err != nil {
			return s.dbErr(err)
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO anomaly_detector_groups(detector_id, group_name) VALUES (?,?)`,
				d.id, name); err != nil {
				return s.dbErr(err)
			}
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "anomaly_detector_tags", "id", d.id, *in.Tags, "anomaly detector")
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	s.anom.kick()
	o := newObj(nil)
	o.str("anomalyDetectorArn", s.adArn(rc.region, d.id))
	return o.done(), nil
}

// optString is p as a nullable column value.
func optString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

type anomalyDetectorArnIn struct {
	AnomalyDetectorArn *string `json:"anomalyDetectorArn"`
}

// decodeAnomalyDetectorArn decodes and checks the input of GetLogAnomalyDetector and
// DeleteLogAnomalyDetector.
func decodeAnomalyDetectorArn(body []byte) (string, *apiError) {
	var in anomalyDetectorArnIn
	if e := decodeJSON(body, &in); e != nil {
		return "", e
	}
	var v verrs
	v.required(in.AnomalyDetectorArn != nil, "anomalyDetectorArn")
	v.str(in.AnomalyDetectorArn, "anomalyDetectorArn", shAnomalyDetectorArn)
	if e := v.err(); e != nil {
		return "", e
	}
	return *in.AnomalyDetectorArn, nil
}

func (s *Server) getLogAnomalyDetector(rc *reqCtx) ([]byte, *apiError) {
	arn, aerr := decodeAnomalyDetectorArn(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := s.findAnomalyDetector(rc.ctx, s.st.r, arn)
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	s.adMembers(o, rc.region, d, false)
	return o.done(), nil
}

type updateAnomalyDetectorIn struct {
	AnomalyDetectorArn    *string `json:"anomalyDetectorArn"`
	EvaluationFrequency   *string `json:"evaluationFrequency"`
	FilterPattern         *string `json:"filterPattern"`
	AnomalyVisibilityTime *int64  `json:"anomalyVisibilityTime"`
	Enabled               *bool   `json:"enabled"`
}

func (s *Server) updateLogAnomalyDetector(rc *reqCtx) ([]byte, *apiError) {
	var in updateAnomalyDetectorIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.AnomalyDetectorArn != nil, "anomalyDetectorArn")
	v.str(in.AnomalyDetectorArn, "anomalyDetectorArn", shAnomalyDetectorArn)
	v.enum(in.EvaluationFrequency, "evaluationFrequency", evaluationFrequencyNames)
	v.str(in.FilterPattern, "filterPattern", shDetectorFilter)
	v.intRange(in.AnomalyVisibilityTime, "anomalyVisibilityTime", 7, 90)
	v.required(in.Enabled != nil, "enabled")
	if e := v.err(); e != nil {
		return nil, e
	}
	if _, aerr := eventFilter(in.FilterPattern); aerr != nil {
		return nil, aerr
	}
	now := rc.now.UnixMilli()
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		d, aerr := s.findAnomalyDetector(ctx, tx, *in.AnomalyDetectorArn)
		if aerr != nil {
			return aerr
		}
		oldPeriod := d.period()
		if in.EvaluationFrequency != nil {
			d.frequency = optString(in.EvaluationFrequency)
		}
		if d.period() != oldPeriod {
			// The patterns' statistics are counts per evaluation of the old period: they
			// are learnt afresh (see ops_anomaly_detect.go).
			if _, err := tx.ExecContext(ctx, `UPDATE anomaly_patterns SET first_run = ?, sum = 0, sum_sq = 0
				WHERE detector_id = ?`, d.runs, d.id); err != nil {
				return s.dbErr(err)
			}
		}
		if in.FilterPattern != nil {
			d.filter = optString(in.FilterPattern)
		}
		if in.AnomalyVisibilityTime != nil {
			d.visibilityDays = *in.AnomalyVisibilityTime
		}
		d.modified = max(now, d.created)
		switch {
		case !*in.Enabled:
			d.nextRun = sql.NullInt64{}
		case !d.enabled:
			// Restarted: evaluated one period on, over what is ingested from now.
			d.lastRun = max(now, d.lastRun)
			d.nextRun = sql.NullInt64{Int64: d.lastRun + d.period().Milliseconds(), Valid: true}
		default:
			// A new frequency takes effect from the last evaluation.
			d.nextRun = sql.NullInt64{Int64: d.lastRun + d.period().Milliseconds(), Valid: true}
		}
		d.enabled = *in.Enabled
		_, err := tx.ExecContext(ctx, `UPDATE anomaly_detectors SET frequency = ?, filter_pattern = ?, visibility_days = ?,
			enabled = ?, last_modified = ?, last_run = ?, next_run = ? WHERE id = ?`,
			d.frequency, d.filter, d.visibilityDays, d.enabled, d.modified, d.lastRun, d.nextRun, d.id)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	s.anom.kick()
	return nil, nil
}

func (s *Server) deleteLogAnomalyDetector(rc *reqCtx) ([]byte, *apiError) {
	arn, aerr := decodeAnomalyDetectorArn(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	var id string
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		d, aerr := s.findAnomalyDetector(ctx, tx, arn)
		if aerr != nil {
			return aerr
		}
		id = d.id
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_detectors WHERE id = ?`, id); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	// An evaluation in flight is stopped and waited for, so that it records nothing once
	// the detector is deleted.
	if err := s.anom.stopRun(rc.ctx, id); err != nil {
		return nil, clientErr(codeOperationAborted, "The request ended before the detector's evaluation in flight had stopped; the detector is deleted.")
	}
	s.anom.kick()
	return nil, nil
}

type listAnomalyDetectorsIn struct {
	FilterLogGroupArn *string `json:"filterLogGroupArn"`
	Limit             *int64  `json:"limit"`
	NextToken         *string `json:"nextToken"`
}

func (s *Server) listLogAnomalyDetectors(rc *reqCtx) ([]byte, *apiError) {
	var in listAnomalyDetectorsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.FilterLogGroupArn, "filterLogGroupArn", shLogGroupArn)
	v.intRange(in.Limit, "limit", 1, maxAnomalyDetectorsPage)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	p := namePage{query: `SELECT ` + adColumns + ` FROM anomaly_detectors WHERE 1`, col: "id", kind: "AD",
		scope: listScope("ListLogAnomalyDetectors", optPart(in.FilterLogGroupArn)), token: in.NextToken,
		limit: limitOr(in.Limit, maxAnomalyDetectorsPage), key: "anomalyDetectors"}
	if in.FilterLogGroupArn != nil {
		name, ok := s.parseGroupArn(*in.FilterLogGroupArn)
		if !ok {
			return nil, invalidParam("filterLogGroupArn: %q is not a log group ARN of this account.", *in.FilterLogGroupArn)
		}
		p.query += ` AND id IN (SELECT detector_id FROM anomaly_detector_groups WHERE group_name = ?)`
		p.args = []any{name}
	}
	p.row = func(rows *sql.Rows, f *jsonObj) (string, error) {
		d, err := scanAnomalyDetector(rows)
		if err != nil {
			return "", err
		}
		s.adMembers(f, rc.region, d, true)
		return d.id, nil
	}
	return s.pageByName(rc.ctx, p)
}
