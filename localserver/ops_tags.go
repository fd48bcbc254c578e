package localserver

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
)

// maxTags is the number of tags a log group or a destination may carry ("You can associate
// as many as 50 tags with a CloudWatch Logs resource", TagResource). The tagging operations
// take log group ARNs and destination ARNs (ops_destinations.go), "the only CloudWatch Logs
// resources that can be tagged".
const maxTags = 50

type tagResourceIn struct {
	ResourceArn *string            `json:"resourceArn"`
	Tags        *map[string]string `json:"tags"`
	TagKeys     *[]string          `json:"tagKeys"`
}

func (s *Server) arnToGroup(arn string) (string, *apiError) {
	name, ok := s.parseGroupArn(arn)
	if !ok {
		return "", invalidParam("The specified resource ARN %s is not a valid log group ARN.", arn)
	}
	return name, nil
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

func (s *Server) tagResource(rc *reqCtx) ([]byte, *apiError) {
	var in tagResourceIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := starArn(in.ResourceArn); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.ResourceArn != nil, "resourceArn")
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	v.required(in.Tags != nil, "tags")
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	if dest, ok := s.parseDestinationArn(*in.ResourceArn); ok {
		return nil, s.tagDestination(dest, *in.Tags, *in.ResourceArn)
	}
	name, aerr := s.arnToGroup(*in.ResourceArn)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.addTags(name, *in.Tags, *in.ResourceArn)
}

func (s *Server) addTags(groupName string, tags map[string]string, resource string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, groupName)
		if aerr != nil {
			return aerr
		}
		return s.upsertTags(ctx, tx, "group_tags", "group_id", g.id, tags, resource)
	})
}

func (s *Server) removeTags(groupName string, keys []string) *apiError {
	return s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, groupName)
		if aerr != nil {
			return aerr
		}
		return s.deleteTags(ctx, tx, "group_tags", "group_id", g.id, keys)
	})
}

// upsertTags adds tags to those in table (group_tags or destination_tags) of the resource
// whose column col is id, as TagResource: TooManyTagsException naming resource when the
// resource would carry more than maxTags.
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

// deleteTags removes the tags named keys from table (group_tags or destination_tags) for
// the resource whose column col is id.
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

func groupTags(ctx context.Context, q queryer, groupID int64) (map[string]string, error) {
	return readTags(ctx, q, "group_tags", "group_id", groupID)
}

// readTags returns the tags in table (group_tags or destination_tags) of the resource whose
// column col is id.
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

func (s *Server) untagResource(rc *reqCtx) ([]byte, *apiError) {
	var in tagResourceIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := starArn(in.ResourceArn); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.ResourceArn != nil, "resourceArn")
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	v.required(in.TagKeys != nil, "tagKeys")
	v.strList(in.TagKeys, "tagKeys", 0, 50, shTagKey)
	if e := v.err(); e != nil {
		return nil, e
	}
	if dest, ok := s.parseDestinationArn(*in.ResourceArn); ok {
		return nil, s.untagDestination(dest, *in.TagKeys)
	}
	name, aerr := s.arnToGroup(*in.ResourceArn)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.removeTags(name, *in.TagKeys)
}

func (s *Server) listTags(ctx context.Context, groupName string) ([]byte, *apiError) {
	g, aerr := s.findGroup(ctx, s.st.r, groupName)
	if aerr != nil {
		return nil, aerr
	}
	tags, err := groupTags(ctx, s.st.r, g.id)
	if err != nil {
		return nil, s.dbErr(err)
	}
	return tagsAnswer(tags), nil
}

// tagsAnswer is the answer of ListTagsForResource and ListTagsLogGroup: {"tags":{...}},
// the keys sorted.
func tagsAnswer(tags map[string]string) []byte {
	to := newObj(nil)
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		to.str(k, tags[k])
	}
	o := newObj(nil)
	o.raw("tags", to.done())
	return o.done()
}

func (s *Server) listTagsForResource(rc *reqCtx) ([]byte, *apiError) {
	var in tagResourceIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := starArn(in.ResourceArn); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.ResourceArn != nil, "resourceArn")
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	if e := v.err(); e != nil {
		return nil, e
	}
	if dest, ok := s.parseDestinationArn(*in.ResourceArn); ok {
		return s.listDestinationTags(rc.ctx, dest)
	}
	name, aerr := s.arnToGroup(*in.ResourceArn)
	if aerr != nil {
		return nil, aerr
	}
	return s.listTags(rc.ctx, name)
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
	return nil, s.addTags(*in.LogGroupName, *in.Tags, s.groupArn(rc.region, *in.LogGroupName))
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
	return nil, s.removeTags(*in.LogGroupName, *in.Tags)
}

func (s *Server) listTagsLogGroup(rc *reqCtx) ([]byte, *apiError) {
	var in logGroupNameIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return s.listTags(rc.ctx, *in.LogGroupName)
}
