package localserver

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// Log group field index policies (PutIndexPolicy, DescribeIndexPolicies,
// DeleteIndexPolicy) are stored in SQLite (migration 10), so that Terraform
// (aws_cloudwatch_log_index_policy), CDK (LogGroup's fieldIndexPolicies) and the AWS CLI can
// manage them; DescribeFieldIndexes answers what can be found in the stored events. Shapes
// are botocore's logs/2014-03-28 model (1.43.11); the document's rules are
// indexpolicy_doc.go's. The behaviour follows:
//
//   - "Only log groups in the Standard log class support field index policies"
//     (PutIndexPolicy): a policy for another class is InvalidParameterException (our
//     wording). A group that does not exist is ResourceNotFoundException.
//   - IndexPolicy's logGroupIdentifier is the group's ARN ("The ARN of the log group that
//     this index policy applies to"; the AWS CLI's put-index-policy and
//     describe-index-policies examples answer arn:aws:logs:…:log-group:CWLG, without ":*"),
//     lastUpdateTime the last put's time, policyDocument the document as sent, source
//     LOG_GROUP for a group's policy, which has no policyName ("Responses about log
//     group-level field index policies don't have this field").
//   - DescribeIndexPolicies (one group, as the model's list of 1 allows): the group's own
//     policy; "If a specified log group doesn't have a log-group level index policy, but an
//     account-wide index policy applies to it, that account-wide policy is returned", with
//     source ACCOUNT and its policyName: the FIELD_INDEX_POLICY account policies with no
//     criteria or a LogGroupNamePrefix the group's name starts with (those with data source
//     criteria apply to events, not to the group). Otherwise an empty list. All in one page.
//   - DeleteIndexPolicy of a group without a policy is ResourceNotFoundException (our
//     wording; the model lists the error). It answers {} (the model's empty output).
//   - DeleteLogGroup deletes the group's policy (migration 10's trigger).
//
// DescribeFieldIndexes "Returns a list of custom and default field indexes which are
// discovered in log data". AWS indexes events as they are ingested and reports when it last
// scanned (lastScanTime); this server has no index: it scans the group's retained events at
// each call, and answers, for each field an index covers and that some event has, the
// group's ARN, fieldIndexName, type and firstEventTime/lastEventTime, the timestamps of the
// earliest and latest such events ("The time and date of the earliest log event that
// matches this field index, after the index policy that contains it was created"). It
// never answers lastScanTime (the AWS CLI's describe-field-indexes example has none either).
// The fields are:
//
//   - the default indexes of a Standard-class group ("@logStream", and the JSON fields
//     "traceId", "severityText" and "attributes.session.id" of the model's list) over all
//     its events. The other defaults of that list (@aws.region, @aws.account, @source.log,
//     @data_source_name, @data_source_type, @data_format) are AWS-side metadata that no
//     event here carries: they are never answered;
//   - the fields of the group's index policy, or else of the account policies that apply to
//     it (above), over the events ingested since that policy was first put. A name
//     starting with "@@" is the JSON field "@…" ("To create an index of a custom field ...
//     that starts with @, you must specify the field with an extra @", the user guide's
//     "Field index syntax and quotas"); @timestamp, @message, @ingestionTime, @logStream
//     and @log are in every event; other names are JSON fields, nested ones by their
//     dotted path, as Logs Insights discovers them.
//
// Entries come group by group in the request's order, fields ASCII-sorted, in one page.

const (
	msgIndexPolicyNotFound = "The specified log group does not have a field index policy."
	msgIndexPolicyClass    = "Only log groups in the Standard log class support field index policies."
	indexSourceLogGroup    = "LOG_GROUP"
	indexSourceAccount     = "ACCOUNT"
)

// defaultIndexFields are the default field indexes DescribeFieldIndexes can find.
var defaultIndexFields = []string{"@logStream", "attributes.session.id", "severityText", "traceId"}

// indexPolicyRow is a stored log group index policy.
type indexPolicyRow struct {
	document             string
	lastUpdated, created int64
}

// groupIndexPolicy returns group's index policy, or nil.
func groupIndexPolicy(ctx context.Context, q queryer, group int64) (*indexPolicyRow, error) {
	p := &indexPolicyRow{}
	err := q.QueryRowContext(ctx, `SELECT document, last_updated, created FROM index_policies WHERE group_id = ?`, group).
		Scan(&p.document, &p.lastUpdated, &p.created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// indexPolicyObj renders an IndexPolicy.
func indexPolicyObj(b []byte, arn, doc string, updated int64, name, source string) []byte {
	o := newObj(b)
	o.str("logGroupIdentifier", arn)
	o.int("lastUpdateTime", updated)
	o.str("policyDocument", doc)
	if name != "" {
		o.str("policyName", name)
	}
	o.str("source", source)
	return o.done()
}

func (s *Server) putIndexPolicy(rc *reqCtx) ([]byte, *apiError) {
	in, name, aerr := s.decodeGroupPolicy(rc.body, indexPolicyPut)
	if aerr != nil {
		return nil, aerr
	}
	if _, derr := parseIndexPolicy(*in.PolicyDocument); derr != nil {
		return nil, invalidParam("%s", derr.msg)
	}
	now := rc.now.UnixMilli()
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		if g.class != "STANDARD" {
			return invalidParam("%s", msgIndexPolicyClass)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO index_policies(group_id, document, last_updated, created) VALUES (?,?,?,?)
			ON CONFLICT(group_id) DO UPDATE SET document = excluded.document, last_updated = excluded.last_updated`,
			g.id, *in.PolicyDocument, now, now)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	o.raw("indexPolicy", indexPolicyObj(nil, s.groupArn(rc.region, name), *in.PolicyDocument, now, "", indexSourceLogGroup))
	return o.done(), nil
}

type describeIndexPoliciesIn struct {
	LogGroupIdentifiers *[]string `json:"logGroupIdentifiers"`
	NextToken           *string   `json:"nextToken"`
}

func (s *Server) describeIndexPolicies(rc *reqCtx) ([]byte, *apiError) {
	var in describeIndexPoliciesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupIdentifiers != nil, "logGroupIdentifiers")
	v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 1, 1, shLogGroupIdentifier)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	if in.NextToken != nil {
		return nil, badToken() // every answer is one page
	}
	name, aerr := s.resolveGroupRef(nil, &(*in.LogGroupIdentifiers)[0])
	if aerr != nil {
		return nil, aerr
	}
	g, aerr := s.findGroup(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	arn := s.groupArn(rc.region, g.name)
	o := newObj(nil)
	o.key("indexPolicies")
	o.b = append(o.b, '[')
	p, err := groupIndexPolicy(rc.ctx, s.st.r, g.id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if p != nil {
		o.b = indexPolicyObj(o.b, arn, p.document, p.lastUpdated, "", indexSourceLogGroup)
	} else {
		acct, err := accountIndexPolicies(rc.ctx, s.st.r, g.name)
		if err != nil {
			return nil, s.dbErr(err)
		}
		for i, ap := range acct {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = indexPolicyObj(o.b, arn, ap.document, ap.lastUpdated, ap.name, indexSourceAccount)
		}
	}
	o.b = append(o.b, ']')
	return o.done(), nil
}

func (s *Server) deleteIndexPolicy(rc *reqCtx) ([]byte, *apiError) {
	_, name, aerr := s.decodeGroupPolicy(rc.body, indexPolicyRef)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, name)
		if aerr != nil {
			return aerr
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM index_policies WHERE group_id = ?`, g.id)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgIndexPolicyNotFound)
		}
		return nil
	})
}

type describeFieldIndexesIn struct {
	LogGroupIdentifiers *[]string `json:"logGroupIdentifiers"`
	NextToken           *string   `json:"nextToken"`
}

// wantedIndex is a field DescribeFieldIndexes looks for in a group's events.
type wantedIndex struct {
	name, typ string
	since     int64  // the least ingestion time of the events it counts
	path      string // the JSON field ("" for a system field)
	found     bool   // an event has it
	first     int64  // its earliest and latest event timestamps
	last      int64  //
	system    bool   // every event has it
	seg       string // path's last segment, a cheap test before flattening
}

func (s *Server) describeFieldIndexes(rc *reqCtx) ([]byte, *apiError) {
	var in describeFieldIndexesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupIdentifiers != nil, "logGroupIdentifiers")
	v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 1, 100, shLogGroupIdentifier)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	if in.NextToken != nil {
		return nil, badToken() // every answer is one page
	}
	var groups []*groupRow
	for _, id := range *in.LogGroupIdentifiers {
		name, aerr := s.resolveGroupRef(nil, &id)
		if aerr != nil {
			return nil, aerr
		}
		g, aerr := s.findGroup(rc.ctx, s.st.r, name)
		if aerr != nil {
			return nil, aerr
		}
		if !slices.ContainsFunc(groups, func(x *groupRow) bool { return x.id == g.id }) {
			groups = append(groups, g)
		}
	}
	o := newObj(nil)
	o.key("fieldIndexes")
	o.b = append(o.b, '[')
	n := 0
	nowMs := rc.now.UnixMilli()
	for _, g := range groups {
		if g.class != "STANDARD" {
			continue // no default indexes, and no index policy applies
		}
		wanted, err := s.wantedIndexes(rc.ctx, g)
		if err != nil {
			return nil, s.dbErr(err)
		}
		if err := s.findIndexedFields(rc.ctx, g, nowMs, wanted); err != nil {
			return nil, s.dbErr(err)
		}
		arn := s.groupArn(rc.region, g.name)
		for _, w := range wanted {
			if !w.found {
				continue
			}
			if n > 0 {
				o.b = append(o.b, ',')
			}
			n++
			f := newObj(o.b)
			f.str("logGroupIdentifier", arn)
			f.str("fieldIndexName", w.name)
			f.int("firstEventTime", w.first)
			f.int("lastEventTime", w.last)
			f.str("type", w.typ)
			o.b = f.done()
		}
	}
	o.b = append(o.b, ']')
	return o.done(), nil
}

// configuredIndexes are the default field indexes of every Standard-class log group (the
// model's documentation of PutAccountPolicy: "CloudWatch Logs provides default field
// indexes for all log groups in the Standard log class").
var configuredIndexes = []string{"@logStream", "@aws.region", "@aws.account", "@source.log", "@data_source_name",
	"@data_source_type", "@data_format", "traceId", "severityText", "attributes.session.id"}

// indexPolicies are the fields of every log group index policy and account field index
// policy, for ListLogGroups' fieldIndexNames filter (each document parsed once, not once a
// group).
type indexPolicies struct {
	groups  map[int64][]string // group id: the fields of its policy
	account []accountIndexFields
}

// accountIndexFields are the fields of an account field index policy and its criteria (nil:
// all log groups).
type accountIndexFields struct {
	crit   *selectionCriteria
	fields []string
}

// indexFieldNames returns the names of the fields of index policy document doc (none if it
// no longer parses: it was checked when it was put).
func indexFieldNames(doc string) []string {
	fields, _ := parseIndexPolicy(doc)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return names
}

func loadIndexPolicies(ctx context.Context, q queryer) (*indexPolicies, error) {
	ip := &indexPolicies{groups: map[int64][]string{}}
	rows, err := q.QueryContext(ctx, `SELECT group_id, document FROM index_policies`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		ip.groups[id] = indexFieldNames(doc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	account, err := accountPoliciesOf(ctx, q, policyFieldIndex)
	for _, ap := range account {
		ip.account = append(ip.account, accountIndexFields{crit: ap.parsedCriteria(), fields: indexFieldNames(ap.document)})
	}
	return ip, err
}

// fields returns the names of the field indexes of log group id (name, of class): for a
// Standard-class group the default ones and those of its index policy, or else of the
// account policies that apply to it as a whole; none for another class.
func (ip *indexPolicies) fields(id int64, name, class string) []string {
	if class != "STANDARD" {
		return nil
	}
	out := slices.Clone(configuredIndexes)
	if fields, ok := ip.groups[id]; ok {
		return append(out, fields...)
	}
	for _, ap := range ip.account {
		if ap.crit == nil || ap.crit.matches(name) {
			out = append(out, ap.fields...)
		}
	}
	return out
}

// containsAll reports whether have holds every one of want.
func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// wantedIndexes returns the fields DescribeFieldIndexes looks for in g, sorted by name: the
// defaults, then the fields of g's index policy or of the account policies that apply to it.
func (s *Server) wantedIndexes(ctx context.Context, g *groupRow) ([]*wantedIndex, error) {
	var out []*wantedIndex
	add := func(name, typ string, since int64) {
		if i := slices.IndexFunc(out, func(w *wantedIndex) bool { return w.name == name }); i >= 0 {
			out[i].since = min(out[i].since, since)
			if typ == indexTypeFacet {
				out[i].typ = typ
			}
			return
		}
		w := &wantedIndex{name: name, typ: typ, since: since}
		switch {
		case strings.HasPrefix(name, "@@"):
			w.path = name // FlattenJSON's name of the top-level JSON field "@…"
		case slices.Contains(systemFields, name):
			w.system = true
		case strings.HasPrefix(name, "@"):
			// Another system field (@requestId, @aws.region, …): no event here has it.
		default:
			w.path = name
		}
		w.seg = strings.TrimLeft(w.path[strings.LastIndexByte(w.path, '.')+1:], "@")
		out = append(out, w)
	}
	for _, f := range defaultIndexFields {
		add(f, indexTypeField, 0)
	}
	p, err := groupIndexPolicy(ctx, s.st.r, g.id)
	if err != nil {
		return nil, err
	}
	addDoc := func(doc string, since int64) {
		fields, derr := parseIndexPolicy(doc)
		if derr != nil {
			return // checked when it was put
		}
		for _, f := range fields {
			add(f.name, f.typ, since)
		}
	}
	if p != nil {
		addDoc(p.document, p.created)
	} else {
		acct, err := accountIndexPolicies(ctx, s.st.r, g.name)
		if err != nil {
			return nil, err
		}
		for _, ap := range acct {
			addDoc(ap.document, ap.created)
		}
	}
	slices.SortFunc(out, func(a, b *wantedIndex) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// findIndexedFields scans g's retained events and records, for each wanted field, the
// first and last timestamps of the events that have it.
func (s *Server) findIndexedFields(ctx context.Context, g *groupRow, nowMs int64, wanted []*wantedIndex) error {
	start := max(g.cutoff(nowMs), 0)
	gs, err := s.newGroupScan(ctx, g, start, maxTokenTs+1)
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ok, err := gs.advance() // newest first
		if err != nil || !ok {
			return err
		}
		var fields map[string]string
		flattened := false
		for _, w := range wanted {
			if gs.ingest < w.since {
				continue
			}
			has := w.system
			if !has && w.path != "" && strings.Contains(gs.ev.msg, w.seg) {
				if !flattened {
					fields, flattened = insights.FlattenJSON(gs.ev.msg), true
				}
				_, has = fields[w.path]
			}
			if !has {
				continue
			}
			if !w.found {
				w.found, w.last = true, gs.ev.ts
			}
			w.first = gs.ev.ts
		}
	}
}
