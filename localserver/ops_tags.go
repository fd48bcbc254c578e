package localserver

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
)

// maxTags is the number of tags a resource may carry ("You can associate as many as 50
// tags with a CloudWatch Logs resource", TagResource).
const maxTags = 50

// The tagging operations, TagResource, UntagResource and ListTagsForResource, take the ARN
// of a log group, a destination (ops_destinations.go), a delivery source, delivery
// destination or delivery (ops_delivery.go), a scheduled query (ops_scheduledqueries.go),
// a lookup table (ops_lookuptables.go) or a log anomaly detector (ops_anomaly.go), of this
// account and any region; the model's errors of these
// operations are InvalidParameterException, ResourceNotFoundException and
// TooManyTagsException whatever the resource, and a missing resource is
// ResourceNotFoundException with its type's message. taggedByArn is the one place that maps
// an ARN to the table of its tags. TagLogGroup, UntagLogGroup and ListTagsLogGroup take a
// log group by name.

// tagged is a resource the tagging operations change or list: the table of its tags, the
// column of that table keying them, and how to find the resource's key.
type tagged struct {
	table, col string
	// key returns the resource's key in col, or ResourceNotFoundException.
	key func(ctx context.Context, s *Server, q queryer) (any, *apiError)
}

// groupTagged is the log group name, whose tags are keyed by its id.
func groupTagged(name string) tagged {
	return tagged{table: "group_tags", col: "group_id", key: func(ctx context.Context, s *Server, q queryer) (any, *apiError) {
		g, aerr := s.findGroup(ctx, q, name)
		if aerr != nil {
			return nil, aerr
		}
		return g.id, nil
	}}
}

// namedTagTable is a type of resource whose tags are keyed by its name (a delivery's id).
type namedTagTable struct {
	table, col string    // its tags
	exists     string    // a query returning a row when the resource named ? exists
	notFound   string    // the message of ResourceNotFoundException
	shape      *strShape // the names of the type
}

// namedTagTables are the resources tagged by name, by their ARN's resource type.
var namedTagTables = map[string]namedTagTable{
	"destination": {"destination_tags", "name", `SELECT 1 FROM destinations WHERE name = ?`,
		msgDestinationNotFound, shDestinationName},
	arnDeliverySource: {"delivery_source_tags", "name", `SELECT 1 FROM delivery_sources WHERE name = ?`,
		msgDeliverySourceNotFound, shDeliverySourceName},
	arnDeliveryDestination: {"delivery_destination_tags", "name", `SELECT 1 FROM delivery_destinations WHERE name = ?`,
		msgDeliveryDestinationNotFound, shDeliveryDestinationName},
	arnDelivery: {"delivery_tags", "id", `SELECT 1 FROM deliveries WHERE id = ?`,
		msgDeliveryNotFound, shDeliveryID},
	arnScheduledQuery: {"scheduled_query_tags", "id", `SELECT 1 FROM scheduled_queries WHERE id = ?`,
		msgScheduledQueryNotFound, shScheduledQueryID},
	arnLookupTable: {"lookup_table_tags", "name", `SELECT 1 FROM lookup_tables WHERE name = ?`,
		msgLookupTableNotFound, shLookupTableName},
	arnAnomalyDetector: {"anomaly_detector_tags", "id", `SELECT 1 FROM anomaly_detectors WHERE id = ?`,
		msgAnomalyDetectorNotFound, shAnomalyDetectorID},
}

// taggedByArn returns the resource arn names: a log group (with or without ":*"), a
// destination or a delivery resource of this account, in any region. ok is false for
// anything else, a name its type does not take included.
func (s *Server) taggedByArn(arn string) (t tagged, ok bool) {
	if name, ok := s.parseGroupArn(arn); ok {
		return groupTagged(name), true
	}
	typ, name, ok := s.parseLogsArn(arn)
	if !ok {
		return t, false
	}
	nt, ok := namedTagTables[typ]
	if !ok || len(nt.shape.violations(name)) > 0 {
		return t, false
	}
	return tagged{table: nt.table, col: nt.col, key: func(ctx context.Context, s *Server, q queryer) (any, *apiError) {
		found, err := rowExists(ctx, q, nt.exists, name)
		if err != nil {
			return nil, s.dbErr(err)
		}
		if !found {
			return nil, clientErr(codeResourceNotFound, nt.notFound)
		}
		return name, nil
	}}, true
}

type tagResourceIn struct {
	ResourceArn *string            `json:"resourceArn"`
	Tags        *map[string]string `json:"tags"`
	TagKeys     *[]string          `json:"tagKeys"`
}

// decodeTagResource decodes and checks the input of a tagging operation and returns the
// resource it names. tags and tagKeys are required and checked when asked for.
func (s *Server) decodeTagResource(body []byte, withTags, withKeys bool) (*tagResourceIn, tagged, *apiError) {
	in := &tagResourceIn{}
	if e := decodeJSON(body, in); e != nil {
		return nil, tagged{}, e
	}
	if e := starArn(in.ResourceArn); e != nil {
		return nil, tagged{}, e
	}
	var v verrs
	v.required(in.ResourceArn != nil, "resourceArn")
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	if withTags {
		v.required(in.Tags != nil, "tags")
		v.tags(in.Tags, "tags")
	}
	if withKeys {
		v.required(in.TagKeys != nil, "tagKeys")
		v.strList(in.TagKeys, "tagKeys", 0, 50, shTagKey)
	}
	if e := v.err(); e != nil {
		return nil, tagged{}, e
	}
	t, ok := s.taggedByArn(*in.ResourceArn)
	if !ok {
		return nil, tagged{}, invalidParam("The specified resource ARN %s is not a valid log group ARN.", *in.ResourceArn)
	}
	return in, t, nil
}

// starArn refuses the log group ARN with the ":*" that DescribeLogGroups's arn carries:
// the tagging operations answer ValidationException "Invalid resourceArn" for it, as
// reported from live AWS (boto/boto3#4104, gruntwork-io/cloud-nuke#1150).
func starArn(arn *string) *apiError {
	if arn != nil && strings.HasSuffix(*arn, ":*") {
		return clientErr(codeValidation, "Invalid resourceArn")
	}
	return nil
}

// tagResource is TagResource, of any resource taggedByArn takes.
func (s *Server) tagResource(rc *reqCtx) ([]byte, *apiError) {
	in, t, aerr := s.decodeTagResource(rc.body, true, false)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.addTags(t, *in.Tags, *in.ResourceArn)
}

// untagResource is UntagResource, of any resource taggedByArn takes.
func (s *Server) untagResource(rc *reqCtx) ([]byte, *apiError) {
	in, t, aerr := s.decodeTagResource(rc.body, false, true)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.removeTags(t, *in.TagKeys)
}

// listTagsForResource is ListTagsForResource, of any resource taggedByArn takes.
func (s *Server) listTagsForResource(rc *reqCtx) ([]byte, *apiError) {
	_, t, aerr := s.decodeTagResource(rc.body, false, false)
	if aerr != nil {
		return nil, aerr
	}
	return s.listTags(rc.ctx, t)
}

// addTags adds tags to those of t (TagResource, TagLogGroup), naming resource in
// TooManyTagsException.
func (s *Server) addTags(t tagged, tags map[string]string, resource string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		key, aerr := t.key(ctx, s, tx)
		if aerr != nil {
			return aerr
		}
		return s.upsertTags(ctx, tx, t.table, t.col, key, tags, resource)
	})
}

// removeTags removes the tags named keys from t (UntagResource, UntagLogGroup).
func (s *Server) removeTags(t tagged, keys []string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		key, aerr := t.key(ctx, s, tx)
		if aerr != nil {
			return aerr
		}
		return s.deleteTags(ctx, tx, t.table, t.col, key, keys)
	})
}

// listTags answers the tags of t (ListTagsForResource, ListTagsLogGroup).
func (s *Server) listTags(ctx context.Context, t tagged) ([]byte, *apiError) {
	key, aerr := t.key(ctx, s, s.st.r)
	if aerr != nil {
		return nil, aerr
	}
	tags, err := readTags(ctx, s.st.r, t.table, t.col, key)
	if err != nil {
		return nil, s.dbErr(err)
	}
	return tagsAnswer(tags), nil
}

// upsertTags adds tags to those in table (a tag table: group_tags, destination_tags, …) of
// the resource whose column col is id, as TagResource: TooManyTagsException naming
// resource when the resource would carry more than maxTags.
func (s *Server) upsertTags(ctx context.Context, tx *sql.Tx, table, col string, id any, tags map[string]string, resource string) *apiError {
	cur, err := readTags(ctx, tx, table, col, id)
	if err != nil {
		return s.dbErr(err)
	}
	if aerr := checkTagCount(cur, tags, resource); aerr != nil {
		return aerr
	}
	for k, val := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+`(`+col+`, key, value) VALUES (?,?,?)
			ON CONFLICT(`+col+`, key) DO UPDATE SET value = excluded.value`, id, k, val); err != nil {
			return s.dbErr(err)
		}
	}
	return nil
}

// deleteTags removes the tags named keys from table (a tag table) for the resource whose
// column col is id.
func (s *Server) deleteTags(ctx context.Context, tx *sql.Tx, table, col string, id any, keys []string) *apiError {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = ? AND key = ?`, id, k); err != nil {
			return s.dbErr(err)
		}
	}
	return nil
}

// checkTagCount is TooManyTagsException naming resource when adding tags to the resource's
// current tags cur would give it more than maxTags.
func checkTagCount(cur, tags map[string]string, resource string) *apiError {
	n := len(cur)
	for k := range tags {
		if _, ok := cur[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		return &apiError{Status: 400, Code: codeTooManyTags, Message: "A resource can have no more than 50 tags.", ResourceName: resource}
	}
	return nil
}

// readTags returns the tags in table (a tag table) of the resource whose column col is id.
func readTags(ctx context.Context, q queryer, table, col string, id any) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM `+table+` WHERE `+col+` = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// tagsAnswer is the answer of ListTagsForResource and ListTagsLogGroup: {"tags":{...}},
// the keys sorted.
func tagsAnswer(tags map[string]string) []byte {
	o := newObj(nil)
	o.raw("tags", strMapJSON(tags))
	return o.done()
}

// strMapJSON is m as a JSON object, its keys sorted.
func strMapJSON(m map[string]string) []byte {
	o := newObj(nil)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		o.str(k, m[k])
	}
	return o.done()
}

type legacyTagIn struct {
	LogGroupName *string            `json:"logGroupName"`
	Tags         *map[string]string `json:"tags"`
}

type legacyUntagIn struct {
	LogGroupName *string   `json:"logGroupName"`
	Tags         *[]string `json:"tags"`
}

func (s *Server) tagLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in legacyTagIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.Tags != nil, "tags")
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.addTags(groupTagged(*in.LogGroupName), *in.Tags, s.groupArn(rc.region, *in.LogGroupName))
}

func (s *Server) untagLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in legacyUntagIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.Tags != nil, "tags")
	v.strList(in.Tags, "tags", 1, 0, shTagKey)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.removeTags(groupTagged(*in.LogGroupName), *in.Tags)
}

func (s *Server) listTagsLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in logGroupNameIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return s.listTags(rc.ctx, groupTagged(*in.LogGroupName))
}
