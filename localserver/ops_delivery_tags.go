package localserver

import (
	"context"
	"database/sql"
)

// Tagging of delivery sources, delivery destinations and deliveries by their ARNs
// (ops_delivery.go). TagResource, UntagResource and ListTagsForResource are served by
// tagResourceAny, untagResourceAny and listTagsForResourceAny: a delivery ARN of this
// account is handled here, with the checks and errors ops_tags.go applies to the other
// resources (the model's TagResource errors are InvalidParameterException,
// ResourceNotFoundException and TooManyTagsException, whatever the resource); any other
// ARN goes to ops_tags.go unchanged. A missing resource is ResourceNotFoundException with
// its type's "Requested … does not exist in this account." message.

// taggedDelivery is where the tags of one type of delivery resource live.
type taggedDelivery struct {
	table, col string // the tag table and its key column (upsertTags)
	exists     string // a query returning a row when the resource exists
	notFound   string
}

var deliveryTagTables = map[string]taggedDelivery{
	arnDeliverySource:      {"delivery_source_tags", "name", `SELECT 1 FROM delivery_sources WHERE name = ?`, msgDeliverySourceNotFound},
	arnDeliveryDestination: {"delivery_destination_tags", "name", `SELECT 1 FROM delivery_destinations WHERE name = ?`, msgDeliveryDestinationNotFound},
	arnDelivery:            {"delivery_tags", "id", `SELECT 1 FROM deliveries WHERE id = ?`, msgDeliveryNotFound},
}

// deliveryTagTarget decodes a tagging request's body and, when its resourceArn is a
// delivery resource of this account, returns the input and the resource's tag table and
// name. ok is false for anything else (including a body decodeJSON refuses), which
// ops_tags.go then answers.
func (s *Server) deliveryTagTarget(body []byte) (in tagResourceIn, t taggedDelivery, name string, ok bool) {
	if decodeJSON(body, &in) != nil || in.ResourceArn == nil {
		return in, t, "", false
	}
	kind, name, ok := s.parseDeliveryArn(*in.ResourceArn)
	if !ok {
		return in, t, "", false
	}
	return in, deliveryTagTables[kind], name, true
}

// find returns ResourceNotFoundException unless the resource name exists.
func (t taggedDelivery) find(ctx context.Context, s *Server, q queryer, name string) *apiError {
	found, err := rowExists(ctx, q, t.exists, name)
	if err != nil {
		return s.dbErr(err)
	}
	if !found {
		return clientErr(codeResourceNotFound, t.notFound)
	}
	return nil
}

func (s *Server) tagResourceAny(rc *reqCtx) ([]byte, *apiError) {
	in, t, name, ok := s.deliveryTagTarget(rc.body)
	if !ok {
		return s.tagResource(rc)
	}
	var v verrs
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	v.required(in.Tags != nil, "tags")
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if aerr := t.find(ctx, s, tx, name); aerr != nil {
			return aerr
		}
		return s.upsertTags(ctx, tx, t.table, t.col, name, *in.Tags, *in.ResourceArn)
	})
}

func (s *Server) untagResourceAny(rc *reqCtx) ([]byte, *apiError) {
	in, t, name, ok := s.deliveryTagTarget(rc.body)
	if !ok {
		return s.untagResource(rc)
	}
	var v verrs
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	v.required(in.TagKeys != nil, "tagKeys")
	v.strList(in.TagKeys, "tagKeys", 0, 50, shTagKey)
	if e := v.err(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		if aerr := t.find(ctx, s, tx, name); aerr != nil {
			return aerr
		}
		return s.deleteTags(ctx, tx, t.table, t.col, name, *in.TagKeys)
	})
}

func (s *Server) listTagsForResourceAny(rc *reqCtx) ([]byte, *apiError) {
	in, t, name, ok := s.deliveryTagTarget(rc.body)
	if !ok {
		return s.listTagsForResource(rc)
	}
	var v verrs
	v.str(in.ResourceArn, "resourceArn", shResourceArn)
	if e := v.err(); e != nil {
		return nil, e
	}
	if aerr := t.find(rc.ctx, s, s.st.r, name); aerr != nil {
		return nil, aerr
	}
	tags, err := readTags(rc.ctx, s.st.r, t.table, t.col, name)
	if err != nil {
		return nil, s.dbErr(err)
	}
	return tagsAnswer(tags), nil
}
