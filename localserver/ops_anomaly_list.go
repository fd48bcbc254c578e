package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// ListAnomalies and UpdateAnomaly (see ops_anomaly.go for the detectors). The rules follow
// the API reference (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListAnomalies.html,
// …/API_UpdateAnomaly.html, …/API_Anomaly.html, …/API_SuppressionPeriod.html):
//
//   - An anomaly's members are the model's Anomaly shape. Times (firstSeen, lastSeen,
//     suppressedDate, suppressedUntil, the histogram's keys and logSamples' timestamps) are
//     epoch milliseconds, as the reference's ListAnomalies example shows them (the member
//     descriptions say seconds; the example's values are milliseconds). The histogram maps
//     each evaluation's time to the anomaly's occurrences in it. suppressed,
//     suppressedDate, suppressedUntil and isPatternLevelSuppression are always answered,
//     0 and false when not suppressed, as in the example.
//   - state is Baseline once the anomaly was made baseline (UpdateAnomaly baseline=true),
//     Suppressed while it or its pattern is suppressed, else Active.
//   - "If you suppress an anomaly, CloudWatch Logs won't report new occurrences of that
//     anomaly and won't update that anomaly with new data. If you suppress a pattern,
//     CloudWatch Logs won't report any anomalies related to that pattern." (UpdateAnomaly).
//     Exactly one of anomalyId and patternId is required ("You must specify either
//     anomalyId or patternId, but you can't specify both"); an unknown one is
//     ResourceNotFoundException. suppressionType LIMITED requires suppressionPeriod (a
//     value of at least 1, ours, and its suppressionUnit); INFINITE ignores it
//     (suppressedUntil 0: "If this value is 0, the anomaly was suppressed with no
//     expiration"). A LIMITED suppression ends by itself when its period has passed, by
//     Config.Now. Neither suppressionType nor baseline=true ends the suppression ("omit
//     the suppressionType and suppressionPeriod parameters"); a suppressionPeriod without
//     suppressionType is refused (ours).
//   - baseline=true: "prevent CloudWatch Logs from displaying this behavior as an anomaly
//     in the future … However, if similar but more severe occurrences of this behavior
//     occur in the future, those will still be reported": the anomaly (or every anomaly of
//     the pattern) gets state Baseline and stops being updated, and its pattern is
//     normal from then on up to the largest count the anomaly had; a later evaluation
//     counting more is reported as a new anomaly.
//   - anomalyVisibilityTime: "After this time period has elapsed for an anomaly, it will
//     be automatically baselined" (CreateLogAnomalyDetector): an anomaly first seen more
//     than that many days ago is no longer listed, and its pattern is baseline as above.
//   - ListAnomalies lists by anomalyId, at most limit (1–50, 50 by default) a page,
//     optionally of one detector (which must exist) and by suppressionState (the state
//     at the time of the request).

const (
	msgAnomalyNotFound = "The specified anomaly does not exist."
	msgPatternNotFound = "The specified pattern does not exist."

	maxAnomaliesPage = 50
	dayMs            = 86_400_000
)

var (
	shAnomalyID        = shape(36, 36, "")
	shPatternID        = shape(32, 32, "")
	suppressionStates  = []string{"SUPPRESSED", "UNSUPPRESSED"}
	suppressionTypes   = []string{"LIMITED", "INFINITE"}
	suppressionUnitsMs = map[string]int64{"SECONDS": 1000, "MINUTES": 60_000, "HOURS": 3_600_000}
	suppressionUnits   = []string{"SECONDS", "MINUTES", "HOURS"}
)

// suppressedAt reports whether a suppression (until: NULL none, 0 INFINITE, else the end
// in ms) is in force at nowMs.
func suppressedAt(until sql.NullInt64, nowMs int64) bool {
	return until.Valid && (until.Int64 == 0 || until.Int64 > nowMs)
}

// sqlSuppressed is the SQL condition of suppressedAt for column col at the time bound to ?.
func sqlSuppressed(col string) string {
	return `(` + col + ` IS NOT NULL AND (` + col + ` = 0 OR ` + col + ` > ?))`
}

type listAnomaliesIn struct {
	AnomalyDetectorArn *string `json:"anomalyDetectorArn"`
	SuppressionState   *string `json:"suppressionState"`
	Limit              *int64  `json:"limit"`
	NextToken          *string `json:"nextToken"`
}

const anomalyListColumns = `a.id, a.detector_id, a.pattern_id, p.template, p.regex, a.priority, a.first_seen, a.last_seen,
	a.description, a.active, a.baseline, a.histogram, a.samples, a.tokens, d.log_groups, a.suppressed_until,
	a.suppressed_date, p.suppressed_until, p.suppressed_date`

func (s *Server) listAnomalies(rc *reqCtx) ([]byte, *apiError) {
	var in listAnomaliesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.AnomalyDetectorArn, "anomalyDetectorArn", shAnomalyDetectorArn)
	v.enum(in.SuppressionState, "suppressionState", suppressionStates)
	v.intRange(in.Limit, "limit", 1, maxAnomaliesPage)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	now := rc.now.UnixMilli()
	p := namePage{query: `SELECT ` + anomalyListColumns + ` FROM anomalies a
		JOIN anomaly_detectors d ON d.id = a.detector_id
		JOIN anomaly_patterns p ON p.detector_id = a.detector_id AND p.pattern_id = a.pattern_id
		WHERE a.first_seen >= ? - d.visibility_days * ` + itoa(dayMs),
		args: []any{now}, col: "a.id", kind: "AN", token: in.NextToken,
		scope: listScope("ListAnomalies", optPart(in.AnomalyDetectorArn), optPart(in.SuppressionState)),
		limit: limitOr(in.Limit, maxAnomaliesPage), key: "anomalies"}
	if in.AnomalyDetectorArn != nil {
		d, aerr := s.findAnomalyDetector(rc.ctx, s.st.r, *in.AnomalyDetectorArn)
		if aerr != nil {
			return nil, aerr
		}
		p.query += ` AND a.detector_id = ?`
		p.args = append(p.args, d.id)
	}
	if in.SuppressionState != nil {
		cond := `(` + sqlSuppressed("a.suppressed_until") + ` OR ` + sqlSuppressed("p.suppressed_until") + `)`
		if *in.SuppressionState == "UNSUPPRESSED" {
			cond = `NOT ` + cond
		}
		p.query += ` AND ` + cond
		p.args = append(p.args, now, now)
	}
	p.row = func(rows *sql.Rows, f *jsonObj) (string, error) {
		return s.anomalyMembers(rows, f, rc.region, now)
	}
	return s.pageByName(rc.ctx, p)
}

// anomalyMembers scans a row of anomalyListColumns and writes its Anomaly members into f,
// in the model's order; it returns the anomaly's id.
func (s *Server) anomalyMembers(rows *sql.Rows, f *jsonObj, region string, nowMs int64) (string, error) {
	var id, detectorID, patternID, template, regex, priority, description, histogram, samples, tokens, groups string
	var first, last int64
	var active, baseline bool
	var aUntil, aDate, pUntil, pDate sql.NullInt64
	if err := rows.Scan(&id, &detectorID, &patternID, &template, &regex, &priority, &first, &last, &description,
		&active, &baseline, &histogram, &samples, &tokens, &groups, &aUntil, &aDate, &pUntil, &pDate); err != nil {
		return "", err
	}
	var hist [][2]int64
	if err := json.Unmarshal([]byte(histogram), &hist); err != nil {
		return "", err
	}
	f.str("anomalyId", id)
	f.str("patternId", patternID)
	f.str("anomalyDetectorArn", s.adArn(region, detectorID))
	f.str("patternString", template)
	f.str("patternRegex", regex)
	f.str("priority", priority)
	f.int("firstSeen", first)
	f.int("lastSeen", last)
	f.str("description", description)
	f.bool("active", active && !baseline)
	patternLevel := suppressedAt(pUntil, nowMs)
	suppressed := patternLevel || suppressedAt(aUntil, nowMs)
	switch {
	case baseline:
		f.str("state", "Baseline")
	case suppressed:
		f.str("state", "Suppressed")
	default:
		f.str("state", "Active")
	}
	h := newObj(nil)
	for _, e := range hist {
		h.int(itoa(e[0]), e[1])
	}
	f.raw("histogram", h.done())
	f.raw("logSamples", []byte(samples))
	f.raw("patternTokens", []byte(tokens))
	f.raw("logGroupArnList", []byte(groups))
	f.bool("suppressed", suppressed)
	until, date := aUntil, aDate
	if patternLevel {
		until, date = pUntil, pDate
	}
	if !suppressed {
		until, date = sql.NullInt64{}, sql.NullInt64{}
	}
	f.int("suppressedDate", date.Int64)
	f.int("suppressedUntil", until.Int64)
	f.bool("isPatternLevelSuppression", patternLevel)
	return id, nil
}

type suppressionPeriodIn struct {
	Value           *int64  `json:"value"`
	SuppressionUnit *string `json:"suppressionUnit"`
}

type updateAnomalyIn struct {
	AnomalyID          *string              `json:"anomalyId"`
	PatternID          *string              `json:"patternId"`
	AnomalyDetectorArn *string              `json:"anomalyDetectorArn"`
	SuppressionType    *string              `json:"suppressionType"`
	SuppressionPeriod  *suppressionPeriodIn `json:"suppressionPeriod"`
	Baseline           *bool                `json:"baseline"`
}

func (s *Server) updateAnomaly(rc *reqCtx) ([]byte, *apiError) {
	var in updateAnomalyIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.AnomalyID, "anomalyId", shAnomalyID)
	v.str(in.PatternID, "patternId", shPatternID)
	v.required(in.AnomalyDetectorArn != nil, "anomalyDetectorArn")
	v.str(in.AnomalyDetectorArn, "anomalyDetectorArn", shAnomalyDetectorArn)
	v.enum(in.SuppressionType, "suppressionType", suppressionTypes)
	if sp := in.SuppressionPeriod; sp != nil {
		v.enum(sp.SuppressionUnit, "suppressionPeriod.suppressionUnit", suppressionUnits)
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	if (in.AnomalyID == nil) == (in.PatternID == nil) {
		return nil, invalidParam("Specify exactly one of anomalyId and patternId.")
	}
	now := rc.now.UnixMilli()
	var until sql.NullInt64 // the suppression to set; none: end it
	switch {
	case in.SuppressionType == nil && in.SuppressionPeriod != nil:
		return nil, invalidParam("suppressionPeriod is taken only with suppressionType LIMITED.")
	case in.SuppressionType != nil && *in.SuppressionType == "INFINITE":
		until = sql.NullInt64{Int64: 0, Valid: true}
	case in.SuppressionType != nil: // LIMITED
		sp := in.SuppressionPeriod
		if sp == nil || sp.Value == nil || sp.SuppressionUnit == nil {
			return nil, invalidParam("suppressionType LIMITED requires suppressionPeriod with its value and suppressionUnit.")
		}
		if *sp.Value < 1 {
			return nil, invalidParam("Invalid suppressionPeriod.value %d: it must be at least 1.", *sp.Value)
		}
		unit := suppressionUnitsMs[*sp.SuppressionUnit]
		if *sp.Value > (maxTokenTs-now)/unit {
			return nil, invalidParam("Invalid suppressionPeriod.value %d: the suppression would end after year 300,000.", *sp.Value)
		}
		until = sql.NullInt64{Int64: now + *sp.Value*unit, Valid: true}
	}
	baseline := in.Baseline != nil && *in.Baseline
	var date sql.NullInt64
	if until.Valid {
		date = sql.NullInt64{Int64: now, Valid: true}
	}
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		d, aerr := s.findAnomalyDetector(ctx, tx, *in.AnomalyDetectorArn)
		if aerr != nil {
			return aerr
		}
		if in.AnomalyID != nil {
			var patternID string
			err := tx.QueryRowContext(ctx, `SELECT pattern_id FROM anomalies WHERE id = ? AND detector_id = ?`,
				*in.AnomalyID, d.id).Scan(&patternID)
			if errors.Is(err, sql.ErrNoRows) {
				return clientErr(codeResourceNotFound, msgAnomalyNotFound)
			}
			if err != nil {
				return s.dbErr(err)
			}
			if until.Valid || !baseline {
				if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET suppressed_until = ?, suppressed_date = ? WHERE id = ?`,
					until, date, *in.AnomalyID); err != nil {
					return s.dbErr(err)
				}
			}
			if baseline {
				return s.baselineAnomalies(ctx, tx, d.id, patternID, `id = ?`, *in.AnomalyID)
			}
			return nil
		}
		found, err := rowExists(ctx, tx, `SELECT 1 FROM anomaly_patterns WHERE detector_id = ? AND pattern_id = ?`, d.id, *in.PatternID)
		if err != nil {
			return s.dbErr(err)
		}
		if !found {
			return clientErr(codeResourceNotFound, msgPatternNotFound)
		}
		if until.Valid || !baseline {
			if _, err := tx.ExecContext(ctx, `UPDATE anomaly_patterns SET suppressed_until = ?, suppressed_date = ?
				WHERE detector_id = ? AND pattern_id = ?`, until, date, d.id, *in.PatternID); err != nil {
				return s.dbErr(err)
			}
		}
		if baseline {
			return s.baselineAnomalies(ctx, tx, d.id, *in.PatternID, `pattern_id = ?`, *in.PatternID)
		}
		return nil
	})
	return nil, aerr
}

// baselineAnomalies makes the anomalies of detector id that match where (with arg) and
// are not yet baseline state Baseline, closed (no longer updated), and their pattern
// normal up to the largest count they had.
func (s *Server) baselineAnomalies(ctx context.Context, tx *sql.Tx, detectorID, patternID, where string, arg any) *apiError {
	var peak sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(peak) FROM anomalies WHERE detector_id = ? AND baseline = 0 AND `+where,
		detectorID, arg).Scan(&peak); err != nil {
		return s.dbErr(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET baseline = 1, active = 0
		WHERE detector_id = ? AND baseline = 0 AND `+where, detectorID, arg); err != nil {
		return s.dbErr(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE anomaly_patterns SET normal = 1, baseline_max = max(baseline_max, ?)
		WHERE detector_id = ? AND pattern_id = ?`, peak.Int64, detectorID, patternID); err != nil {
		return s.dbErr(err)
	}
	return nil
}
