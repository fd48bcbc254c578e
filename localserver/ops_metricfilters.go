package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// Metric filters are stored and described as AWS does; no metric is ever published (the
// server has no CloudWatch metrics to publish to). TestMetricFilter evaluates patterns with
// the filterpattern engine.

// maxMetricFilters is the number of metric filters a log group may carry (PutMetricFilter's
// documentation: "The maximum number of metric filters that can be associated with a log
// group is 100").
const maxMetricFilters = 100

// maxDimensions: "One metric filter can include as many as three dimensions" (the model's
// MetricTransformation.dimensions); the system fields of emitSystemFieldDimensions "count
// toward the total dimension limit for metric filters" (the model's
// PutMetricFilterRequest.emitSystemFieldDimensions).
const maxDimensions = 3

// msgDimensionSelector answers a dimension whose value is not a selector ($.field of a JSON
// event, $name or $N of a space-delimited one) but a literal such as "VPC-A". Recorded from
// live AWS by several users independently: a Terraform deployment log in a public
// repository ("InvalidParameterException: Invalid metric transformation: dimension value
// must be valid selector", for literal dimension values), a CDK stack's comment and a
// cdk-preflight rule quoting the same text.
const msgDimensionSelector = "Invalid metric transformation: dimension value must be valid selector"

type metricTransformationIn struct {
	MetricName      *string            `json:"metricName"`
	MetricNamespace *string            `json:"metricNamespace"`
	MetricValue     *string            `json:"metricValue"`
	DefaultValue    *float64           `json:"defaultValue"`
	Dimensions      *map[string]string `json:"dimensions"`
	Unit            *string            `json:"unit"`
}

// javaString renders t as the service's validation messages do (its Java toString), as
// recorded from live AWS for a two-item list: "MetricTransformation(metricName=metric1,
// metricNamespace=namespace1, metricValue=1, defaultValue=null, unit=null, dimensions=null)".
func (t *metricTransformationIn) javaString() string {
	str := func(p *string) string {
		if p == nil {
			return "null"
		}
		return *p
	}
	def := "null"
	if t.DefaultValue != nil {
		def = javaDouble(*t.DefaultValue)
	}
	dims := "null"
	if t.Dimensions != nil {
		keys := slices.Sorted(maps.Keys(*t.Dimensions))
		dims = renderMap(*t.Dimensions, keys)
	}
	return fmt.Sprintf("MetricTransformation(metricName=%s, metricNamespace=%s, metricValue=%s, defaultValue=%s, unit=%s, dimensions=%s)",
		str(t.MetricName), str(t.MetricNamespace), str(t.MetricValue), def, str(t.Unit), dims)
}

// javaDouble formats a double as Java's Double.toString does for the values a client
// sends (0 → "0.0", 1.5 → "1.5", 1e20 → "1.0E20"); the service echoes defaultValue so.
func javaDouble(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-3 || a >= 1e7) {
		m := strconv.FormatFloat(f, 'E', -1, 64) // 1E+20, 1.5E-05
		mant, exp, _ := strings.Cut(m, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// decimalRE is a metric value that is a number (the alternative is a "$field" reference).
var decimalRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

type putMetricFilterIn struct {
	LogGroupName              *string            `json:"logGroupName"`
	FilterName                *string            `json:"filterName"`
	FilterPattern             *string            `json:"filterPattern"`
	MetricTransformations     *[]json.RawMessage `json:"metricTransformations"`
	ApplyOnTransformedLogs    *bool              `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria    *string            `json:"fieldSelectionCriteria"`
	EmitSystemFieldDimensions *[]string          `json:"emitSystemFieldDimensions"`
}

// dimensions checks a present dimensions map: keys and values are DimensionsKey and
// DimensionsValue (at most 255 characters), reported as the service reports map members.
func (v *verrs) dimensions(dm *map[string]string, path string) {
	if dm == nil {
		return
	}
	m := *dm
	keys := slices.Sorted(maps.Keys(m))
	var keyErrs, valErrs []string
	for _, k := range keys {
		keyErrs = appendUnique(keyErrs, shDimension.violations(k)...)
		valErrs = appendUnique(valErrs, shDimension.violations(m[k])...)
	}
	s := renderMap(m, keys)
	if len(keyErrs) > 0 {
		v.add(&s, path, "Map keys must satisfy constraint: ["+strings.Join(keyErrs, ", ")+"]")
	}
	if len(valErrs) > 0 {
		v.add(&s, path, "Map value must satisfy constraint: ["+strings.Join(valErrs, ", ")+"]")
	}
}

// metricFilterSpec is a validated PutMetricFilter request.
type metricFilterSpec struct {
	group, name, pattern     string
	pat                      *filterpattern.Pattern
	t                        metricTransformationIn
	applyOnTransformed       bool
	fieldSelection, emitJSON any // nil or string
}

// json renders the MetricTransformation object DescribeMetricFilters returns.
func (t *metricTransformationIn) json() string {
	o := newObj(nil)
	o.str("metricName", *t.MetricName)
	o.str("metricNamespace", *t.MetricNamespace)
	o.str("metricValue", *t.MetricValue)
	if t.DefaultValue != nil {
		o.raw("defaultValue", []byte(javaDouble(*t.DefaultValue)))
	}
	if t.Dimensions != nil && len(*t.Dimensions) > 0 {
		d := newObj(nil)
		for _, k := range slices.Sorted(maps.Keys(*t.Dimensions)) {
			d.str(k, (*t.Dimensions)[k])
		}
		o.raw("dimensions", d.done())
	}
	if t.Unit != nil {
		o.str("unit", *t.Unit)
	}
	return string(o.done())
}

func (s *Server) parsePutMetricFilter(rc *reqCtx) (*metricFilterSpec, *apiError) {
	var in putMetricFilterIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var ts []metricTransformationIn
	if in.MetricTransformations != nil {
		ts = make([]metricTransformationIn, len(*in.MetricTransformations))
		for i, raw := range *in.MetricTransformations {
			if e := decodeJSON(raw, &ts[i]); e != nil {
				return nil, e
			}
		}
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.FilterName != nil, "filterName")
	v.str(in.FilterName, "filterName", shFilterName)
	v.required(in.FilterPattern != nil, "filterPattern")
	v.str(in.FilterPattern, "filterPattern", shFilterPattern)
	if v.required(in.MetricTransformations != nil, "metricTransformations") && len(ts) != 1 {
		parts := make([]string, len(ts))
		for i := range ts {
			parts[i] = ts[i].javaString()
		}
		val := "[" + strings.Join(parts, ", ") + "]"
		if len(ts) == 0 {
			v.add(&val, "metricTransformations", "Member must have length greater than or equal to 1")
		} else {
			v.add(&val, "metricTransformations", "Member must have length less than or equal to 1")
		}
	}
	for i := range ts {
		p := fmt.Sprintf("metricTransformations.%d.member.", i+1)
		t := &ts[i]
		v.required(t.MetricName != nil, p+"metricName")
		v.str(t.MetricName, p+"metricName", shMetricName)
		v.required(t.MetricNamespace != nil, p+"metricNamespace")
		v.str(t.MetricNamespace, p+"metricNamespace", shMetricNamespace)
		v.required(t.MetricValue != nil, p+"metricValue")
		v.str(t.MetricValue, p+"metricValue", shMetricValue)
		v.dimensions(t.Dimensions, p+"dimensions")
		v.enum(t.Unit, p+"unit", standardUnits)
	}
	v.str(in.FieldSelectionCriteria, "fieldSelectionCriteria", shFieldSelection)
	if e := v.err(); e != nil {
		return nil, e
	}
	pat, err := filterpattern.Parse(*in.FilterPattern)
	if err != nil {
		return nil, invalidParam("%s", msgInvalidMetricPattern)
	}
	t := ts[0]
	if mv := *t.MetricValue; !decimalRE.MatchString(mv) && (len(mv) < 2 || mv[0] != '$') {
		// A metric value is a number or "$field" (PutMetricFilter's user guide); the
		// wording is ours, AWS's is not on record.
		return nil, invalidParam("Invalid metric transformation: metric value %s must be a number or a $field reference", mv)
	}
	var dims map[string]string
	if t.Dimensions != nil {
		dims = *t.Dimensions
	}
	nSystem := 0
	if in.EmitSystemFieldDimensions != nil {
		nSystem = len(*in.EmitSystemFieldDimensions)
	}
	if len(dims) > 0 {
		switch {
		case !pat.Structured():
			return nil, invalidParam("%s", msgDimensionsNotSupported)
		case t.DefaultValue != nil:
			return nil, invalidParam("%s", msgDimensionsAndDefault)
		}
	}
	if len(dims)+nSystem > maxDimensions {
		return nil, invalidParam("%s", msgTooManyDimensions)
	}
	// Only the selector's form is checked: whether AWS also requires the pattern to name
	// the field is not on record, and a rule it does not make would refuse what it accepts.
	for _, v := range dims {
		if !strings.HasPrefix(v, "$") {
			return nil, invalidParam("%s", msgDimensionSelector)
		}
	}
	spec := &metricFilterSpec{group: *in.LogGroupName, name: *in.FilterName, pattern: *in.FilterPattern, pat: pat, t: t,
		applyOnTransformed: in.ApplyOnTransformedLogs != nil && *in.ApplyOnTransformedLogs}
	if in.FieldSelectionCriteria != nil {
		spec.fieldSelection = *in.FieldSelectionCriteria
	}
	if in.EmitSystemFieldDimensions != nil {
		b, _ := json.Marshal(*in.EmitSystemFieldDimensions)
		spec.emitJSON = string(b)
	}
	return spec, nil
}

func (s *Server) putMetricFilter(rc *reqCtx) ([]byte, *apiError) {
	spec, aerr := s.parsePutMetricFilter(rc)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, spec.group)
		if aerr != nil {
			return aerr
		}
		created, aerr := s.filterSlot(ctx, tx, "metric_filters", maxMetricFilters, g.id, spec.name, spec.pat, rc.now.UnixMilli())
		if aerr != nil {
			return aerr
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO metric_filters(group_id, name, pattern, metric_name, metric_namespace,
			transformation, creation_time, apply_on_transformed, field_selection, emit_fields) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			g.id, spec.name, spec.pattern, *spec.t.MetricName, *spec.t.MetricNamespace, spec.t.json(), created,
			spec.applyOnTransformed, spec.fieldSelection, spec.emitJSON)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}

type describeMetricFiltersIn struct {
	LogGroupName     *string `json:"logGroupName"`
	FilterNamePrefix *string `json:"filterNamePrefix"`
	NextToken        *string `json:"nextToken"`
	Limit            *int64  `json:"limit"`
	MetricName       *string `json:"metricName"`
	MetricNamespace  *string `json:"metricNamespace"`
}

// describeMetricFilters lists metric filters ASCII-sorted by filter name (then log group
// name, for filters of several groups), of one group or of all, optionally by filter name
// prefix and by metric. filterNamePrefix is validated always but applied only with
// logGroupName: "CloudWatch Logs uses the value that you set here only if you also include
// the logGroupName parameter in your request" (the model's
// DescribeMetricFiltersRequest.filterNamePrefix). LocalStack's AWS-validated
// test_describe_metric_filters_by_prefix, which sends a prefix without a group, does not
// tell the two apart: its recorded answer lists the test's two filters, which a test
// account holding no other metric filter answers either way.
func (s *Server) describeMetricFilters(rc *reqCtx) ([]byte, *apiError) {
	var in describeMetricFiltersIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.FilterNamePrefix, "filterNamePrefix", shFilterName)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	v.str(in.MetricName, "metricName", shMetricName)
	v.str(in.MetricNamespace, "metricNamespace", shMetricNamespace)
	if e := v.err(); e != nil {
		return nil, e
	}
	// Wording as moto words it (AWS's is not on record), with null for the absent member.
	if in.MetricName != nil && in.MetricNamespace == nil {
		v.add(nil, "metricNamespace", "If you include the metricName parameter in your request, you must also include the metricNamespace parameter.")
		return nil, v.err()
	}
	if in.MetricNamespace != nil && in.MetricName == nil {
		v.add(nil, "metricName", "If you include the metricNamespace parameter in your request, you must also include the metricName parameter.")
		return nil, v.err()
	}
	limit := limitOr(in.Limit, 50)
	q := `SELECT g.name, f.name, f.pattern, f.transformation, f.creation_time, f.apply_on_transformed, f.field_selection, f.emit_fields
		FROM metric_filters f JOIN log_groups g ON g.id = f.group_id WHERE 1`
	var args []any
	groupPart := "*"   // every group
	var prefix *string // in.FilterNamePrefix where it applies
	if in.LogGroupName != nil {
		g, aerr := s.findGroup(rc.ctx, s.st.r, *in.LogGroupName)
		if aerr != nil {
			return nil, aerr
		}
		q += ` AND f.group_id = ?`
		args = append(args, g.id)
		groupPart = "g" + itoa(g.id)
		prefix = in.FilterNamePrefix
	}
	// The token is good only for the listing it was answered for.
	scope := listScope("DescribeMetricFilters", groupPart, optPart(prefix), optPart(in.MetricNamespace), optPart(in.MetricName))
	if prefix != nil {
		q, args = andPrefix(q, args, "f.name", *prefix)
	}
	if in.MetricName != nil {
		q += ` AND f.metric_namespace = ? AND f.metric_name = ?`
		args = append(args, *in.MetricNamespace, *in.MetricName)
	}
	if in.NextToken != nil {
		group, name, ok := decodeMetricFilterToken(*in.NextToken, scope)
		if !ok {
			return nil, badToken()
		}
		q += ` AND (f.name > ? OR f.name = ? AND g.name > ?)`
		args = append(args, name, name, group)
	}
	q += ` ORDER BY f.name, g.name LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	o := newObj(nil)
	var lastGroup, lastName string
	more, err := o.rowsPage("metricFilters", rows, limit, func(f *jsonObj) error {
		var group, name, pattern, transformation string
		var created int64
		var apply bool
		var fieldSel, emit sql.NullString
		if err := rows.Scan(&group, &name, &pattern, &transformation, &created, &apply, &fieldSel, &emit); err != nil {
			return err
		}
		lastGroup, lastName = group, name
		f.str("filterName", name)
		f.str("filterPattern", pattern)
		f.raw("metricTransformations", []byte("["+transformation+"]"))
		f.int("creationTime", created)
		f.str("logGroupName", group)
		f.bool("applyOnTransformedLogs", apply)
		if fieldSel.Valid {
			f.str("fieldSelectionCriteria", fieldSel.String)
		}
		if emit.Valid {
			f.raw("emitSystemFieldDimensions", []byte(emit.String))
		}
		return nil
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if more {
		o.str("nextToken", encodeMetricFilterToken(scope, lastGroup, lastName))
	}
	return o.done(), nil
}

type deleteFilterIn struct {
	LogGroupName *string `json:"logGroupName"`
	FilterName   *string `json:"filterName"`
}

func (in *deleteFilterIn) validate() *apiError {
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.FilterName != nil, "filterName")
	v.str(in.FilterName, "filterName", shFilterName)
	return v.err()
}

func (s *Server) deleteMetricFilter(rc *reqCtx) ([]byte, *apiError) {
	var in deleteFilterIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	// Recorded from live AWS for a 513-character name (LocalStack's AWS-validated
	// test_delete_metric_filter_invalid_log_group_name), before the model's validation.
	if in.LogGroupName != nil && utf8.RuneCountInString(*in.LogGroupName) > 512 {
		return nil, invalidParam("%s", msgGroupOrStreamTooLong)
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.deleteFilter(*in.LogGroupName, *in.FilterName, "metric_filters", msgMetricFilterNotFound)
}

// deleteFilter deletes the named filter of table in the named group: ResourceNotFoundException
// for a missing group or (with notFound) a missing filter.
func (s *Server) deleteFilter(group, name, table, notFound string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, group)
		if aerr != nil {
			return aerr
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE group_id = ? AND name = ?`, g.id, name)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, notFound)
		}
		return nil
	})
}

type testMetricFilterIn struct {
	FilterPattern    *string   `json:"filterPattern"`
	LogEventMessages *[]string `json:"logEventMessages"`
}

// testMetricFilter matches the pattern against each message and answers the matches with
// their 0-based position (as the API reference's examples number them) and the values the
// pattern extracts (see filterpattern.Pattern.Extract).
func (s *Server) testMetricFilter(rc *reqCtx) ([]byte, *apiError) {
	var in testMetricFilterIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.FilterPattern != nil, "filterPattern")
	v.str(in.FilterPattern, "filterPattern", shFilterPattern)
	v.required(in.LogEventMessages != nil, "logEventMessages")
	v.strList(in.LogEventMessages, "logEventMessages", 1, 50, shEventMessage)
	if e := v.err(); e != nil {
		return nil, e
	}
	pat, err := filterpattern.Parse(*in.FilterPattern)
	if err != nil {
		return nil, invalidParam("%s", msgInvalidMetricPattern)
	}
	o := newObj(nil)
	o.key("matches")
	o.b = append(o.b, '[')
	n := 0
	for i, msg := range *in.LogEventMessages {
		vals, ok := pat.Extract(msg)
		if !ok {
			continue
		}
		if n > 0 {
			o.b = append(o.b, ',')
		}
		n++
		m := newObj(o.b)
		m.int("eventNumber", int64(i))
		m.str("eventMessage", msg)
		ev := newObj(nil)
		for _, k := range slices.Sorted(maps.Keys(vals)) {
			ev.str(k, vals[k])
		}
		m.raw("extractedValues", ev.done())
		o.b = m.done()
	}
	o.b = append(o.b, ']')
	return o.done(), nil
}
