package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"sync/atomic"

	"github.com/cwlogs/cwlogs/localserver/transform"
)

// Log transformers (PutTransformer, GetTransformer, DeleteTransformer, TestTransformer).
// Configurations are checked and applied by package transform; shapes are botocore's
// logs/2014-03-28 model. The behaviour follows:
//
//   - logGroupIdentifier is a name or an ARN, as for the data protection operations; a
//     value the model's shape refuses is InvalidParameterException (these operations' model
//     lists no ValidationException). A group that does not exist is
//     ResourceNotFoundException "The specified log group does not exist.".
//   - "You can create transformers only for the log groups in the Standard log class"
//     (PutTransformer's API reference,
//     https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutTransformer.html):
//     another class is InvalidParameterException (the wording is ours).
//   - A configuration that breaks a rule, and one using a processor this server does not
//     implement, is InvalidParameterException naming the field and value (the wording is
//     ours; AWS's is not on record).
//   - GetTransformer answers the logGroupIdentifier as the request gave it ("The ARN of
//     the log group that you specified in your request", API_GetTransformer), the
//     configuration as it was put, creationTime (when the group's transformer was first put,
//     a later put replacing it keeps it) and lastModifiedTime (the last put), in
//     milliseconds. A group without a transformer answers logGroupIdentifier only, and
//     DeleteTransformer of one is ResourceNotFoundException: the docs do not say; our
//     choices, as for data protection policies.
//   - TestTransformer answers every message with its number (1-based: the docs do not say),
//     the message, and transformedEventMessage; a message the transformer cannot transform
//     has no transformedEventMessage (AWS would keep it as it was and mark it with
//     @transformationError, Transformation-Errors-Metrics.html). Its metadata keys are
//     empty but @accountId and @regionName.
//
// "CloudWatch Logs performs the transformations at the time of log ingestion. You can then
// refer to the transformed versions of the logs during operations such as querying with
// CloudWatch Logs Insights or creating metric filters or subscription filters" (the API
// reference). This server keeps events as sent and transforms them when Logs Insights
// reads them (StartQuery, GetLogRecord, scheduled queries' runs; GetLogGroupFields lists
// the fields of the same text), by the transformer that was in force when each was
// ingested: every configuration a group had is kept with the interval it was in force
// (transformers, migration 11), as data protection policies are (dataprotection_mask.go),
// and a change takes effect after every committed ingestion time in the same way. The
// transformed message is then masked by data protection: the docs do not give the order;
// masking last keeps a transformer (copyValue, moveKeys) from carrying sensitive text out
// of the masker's sight. GetLogEvents, FilterLogEvents, Live Tail and export tasks show the
// events as sent (AWS's filter operations "refer to the transformed versions" only through
// applyOnTransformedLogs; this server evaluates no metric or subscription filter).
// Account-level transformers (PutAccountPolicy TRANSFORMER_POLICY) are stored but not
// applied: their document's format is not documented (ops_accountpolicies.go).

const (
	msgTransformerClass    = "Transformers can be created only for log groups in the STANDARD log class."
	msgTransformerNotFound = "The specified log group does not have a transformer."
)

// transformerIn is the input of the transformer operations.
type transformerIn struct {
	LogGroupIdentifier *string          `json:"logGroupIdentifier"`
	TransformerConfig  *json.RawMessage `json:"transformerConfig"`
	LogEventMessages   *[]string        `json:"logEventMessages"`
}

// parseTransformerConfig checks a request's transformerConfig.
func parseTransformerConfig(raw *json.RawMessage) (*transform.Config, *apiError) {
	if raw == nil || string(*raw) == "null" {
		return nil, invalidParam("1 validation error detected: Value null at 'transformerConfig' failed to satisfy constraint: Member must not be null")
	}
	c, err := transform.Parse(*raw)
	if err != nil {
		return nil, invalidParam("Invalid transformerConfig: %s", err.Error())
	}
	return c, nil
}

// decodeTransformerRef decodes a transformer operation's input and returns it with the
// name of the group it names.
func (s *Server) decodeTransformerRef(body []byte) (*transformerIn, string, *apiError) {
	var in transformerIn
	if e := decodeJSON(body, &in); e != nil {
		return nil, "", e
	}
	var v verrs
	v.required(in.LogGroupIdentifier != nil, "logGroupIdentifier")
	v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	if e := v.err(); e != nil {
		return nil, "", e
	}
	name, aerr := s.resolveGroupRef(nil, in.LogGroupIdentifier)
	return &in, name, aerr
}

func (s *Server) putTransformer(rc *reqCtx) ([]byte, *apiError) {
	in, name, aerr := s.decodeTransformerRef(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	if _, aerr := parseTransformerConfig(in.TransformerConfig); aerr != nil {
		return nil, aerr
	}
	return nil, s.writeTransformer(rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if g.class != "STANDARD" {
			return invalidParam("%s", msgTransformerClass)
		}
		created := at
		if cur, ok, err := currentTransformer(ctx, tx, g.id); err != nil {
			return s.dbErr(err)
		} else if ok {
			created = cur.created
		}
		return s.replaceTransformer(ctx, tx, g.id, []byte(*in.TransformerConfig), rc.region, created, at)
	})
}

func (s *Server) getTransformer(rc *reqCtx) ([]byte, *apiError) {
	in, name, aerr := s.decodeTransformerRef(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	g, aerr := s.findGroup(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	cur, ok, err := currentTransformer(rc.ctx, s.st.r, g.id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	o := newObj(nil)
	o.str("logGroupIdentifier", *in.LogGroupIdentifier)
	if ok {
		o.int("creationTime", cur.created)
		o.int("lastModifiedTime", cur.from)
		o.raw("transformerConfig", cur.config)
	}
	return o.done(), nil
}

func (s *Server) deleteTransformer(rc *reqCtx) ([]byte, *apiError) {
	_, name, aerr := s.decodeTransformerRef(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.writeTransformer(rc.now.UnixMilli(), func(tx *sql.Tx, at int64) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if _, ok, err := currentTransformer(ctx, tx, g.id); err != nil {
			return s.dbErr(err)
		} else if !ok {
			return clientErr(codeResourceNotFound, msgTransformerNotFound)
		}
		return s.replaceTransformer(ctx, tx, g.id, nil, "", 0, at)
	})
}

// maxTestEvents is TestEventMessages' limit (the model: 1–50 messages of at least one
// character).
const maxTestEvents = 50

func (s *Server) testTransformer(rc *reqCtx) ([]byte, *apiError) {
	var in transformerIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogEventMessages != nil, "logEventMessages")
	if in.LogEventMessages != nil {
		v.strList(in.LogEventMessages, "logEventMessages", 1, maxTestEvents, shEventMessage)
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	c, aerr := parseTransformerConfig(in.TransformerConfig)
	if aerr != nil {
		return nil, aerr
	}
	meta := transform.Meta{AccountID: s.cfg.AccountID, Region: rc.region}
	o := newObj(nil)
	o.key("transformedLogs")
	o.b = append(o.b, '[')
	for i, msg := range *in.LogEventMessages {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		r := newObj(o.b)
		r.int("eventNumber", int64(i+1))
		r.str("eventMessage", msg)
		if out, err := c.Apply(msg, meta); err == nil {
			r.str("transformedEventMessage", out)
		}
		o.b = r.done()
	}
	o.b = append(o.b, ']')
	return o.done(), nil
}

// transformerRow is a group's transformer in force.
type transformerRow struct {
	config        []byte
	created, from int64
}

// currentTransformer returns the transformer in force for group.
func currentTransformer(ctx context.Context, q queryer, group int64) (transformerRow, bool, error) {
	var r transformerRow
	err := q.QueryRowContext(ctx, `SELECT config, created_ms, from_ms FROM transformers WHERE group_id = ? AND to_ms IS NULL`, group).Scan(&r.config, &r.created, &r.from)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// replaceTransformer ends the transformer in force for group at now and, when config is
// not nil, puts config in force from now.
func (s *Server) replaceTransformer(ctx context.Context, tx *sql.Tx, group int64, config []byte, region string, created, now int64) *apiError {
	if _, err := tx.ExecContext(ctx, `UPDATE transformers SET to_ms = ? WHERE group_id = ? AND to_ms IS NULL`, now, group); err != nil {
		return s.dbErr(err)
	}
	if config == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO transformers(group_id, config, region, created_ms, from_ms) VALUES (?,?,?,?,?)`,
		group, string(config), region, created, now); err != nil {
		return s.dbErr(err)
	}
	return nil
}

// tfVersion is one transformer of a group over the interval [from, to) in which it was in
// force (to is math.MaxInt64 while it is).
type tfVersion struct {
	from, to int64
	cfg      *transform.Config // nil: its configuration no longer parses (applies nothing)
	region   string
}

// tfSnapshot is every transformer, in force or not, by log group id.
type tfSnapshot struct {
	groups     map[int64][]tfVersion
	lastChange int64
	byID       map[int64]tfVersion // for the next load: a version's configuration never changes
}

// tfState holds the current snapshot, published as dpState's is (see there for why a
// read never sees an event transformed one time and not another).
type tfState struct {
	cur atomic.Pointer[tfSnapshot]
}

// transformers returns the current snapshot (nil before loadTransformersAtStart).
func (s *Server) transformers() *tfSnapshot { return s.tf.cur.Load() }

// loadTransformersAtStart reads the snapshot when the server starts (see publishAtStart).
func (s *Server) loadTransformersAtStart(ctx context.Context) error {
	sn, err := loadTransformers(ctx, s.st.r, nil)
	if err != nil {
		return err
	}
	s.publishAtStart(sn.lastChange, func() { s.tf.cur.Store(sn) })
	return nil
}

// writeTransformer is write for a change of a group's transformer, requested at reqMs,
// which takes effect after every committed ingestion time (see writeVersioned).
func (s *Server) writeTransformer(reqMs int64, fn func(tx *sql.Tx, at int64) *apiError) *apiError {
	return writeVersioned(s, reqMs, fn, func(tx *sql.Tx) (*tfSnapshot, error) {
		return loadTransformers(context.Background(), tx, s.transformers())
	}, s.tf.cur.Store)
}

// loadTransformers reads every transformer version; those prev holds keep their parsed
// configuration.
func loadTransformers(ctx context.Context, q queryer, prev *tfSnapshot) (*tfSnapshot, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, group_id, from_ms, to_ms, config, region FROM transformers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sn := &tfSnapshot{groups: map[int64][]tfVersion{}, byID: map[int64]tfVersion{}}
	for rows.Next() {
		var id, group, from int64
		var to sql.NullInt64
		var config []byte
		var region string
		if err := rows.Scan(&id, &group, &from, &to, &config, &region); err != nil {
			return nil, err
		}
		v, known := tfVersion{}, false
		if prev != nil {
			v, known = prev.byID[id]
		}
		if !known {
			v = tfVersion{region: region}
			// A stored configuration that no longer parses (a later, stricter server)
			// transforms nothing rather than failing every read.
			if c, err := transform.Parse(config); err == nil {
				v.cfg = c
			}
		}
		v.from, v.to = from, math.MaxInt64
		sn.lastChange = max(sn.lastChange, from)
		if to.Valid {
			v.to = to.Int64
			sn.lastChange = max(sn.lastChange, to.Int64)
		}
		sn.byID[id] = v
		sn.groups[group] = append(sn.groups[group], v)
	}
	return sn, rows.Err()
}

// at returns the transformer of group in force at ingestion time ingest, or nil.
func (sn *tfSnapshot) at(group, ingest int64) *tfVersion {
	if sn == nil || len(sn.groups) == 0 {
		return nil
	}
	vs := sn.groups[group]
	for i := len(vs) - 1; i >= 0; i-- {
		if ingest >= vs[i].from && ingest < vs[i].to {
			if vs[i].cfg == nil {
				return nil
			}
			return &vs[i]
		}
	}
	return nil
}
