package localserver

import (
	"context"
	"database/sql"
	"fmt"
)

type streamIn struct {
	LogGroupName  *string `json:"logGroupName"`
	LogStreamName *string `json:"logStreamName"`
}

func (in *streamIn) validate() *apiError {
	var v verrs
	v.required(in.LogGroupName != nil, "logGroupName")
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.required(in.LogStreamName != nil, "logStreamName")
	v.str(in.LogStreamName, "logStreamName", shLogStreamName)
	return v.err()
}

func (s *Server) createLogStream(rc *reqCtx) ([]byte, *apiError) {
	var in streamIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		g, aerr := s.findGroup(ctx, tx, *in.LogGroupName)
		if aerr != nil {
			return aerr
		}
		st, err := streamByName(ctx, tx, g.id, *in.LogStreamName)
		if err != nil {
			return s.dbErr(err)
		}
		if st != nil {
			return clientErr(codeResourceAlreadyExists, msgStreamExists)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_streams(group_id, name, creation_time) VALUES (?,?,?)`,
			g.id, *in.LogStreamName, rc.now.UnixMilli()); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}

func (s *Server) deleteLogStream(rc *reqCtx) ([]byte, *apiError) {
	var in streamIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		_, st, aerr := s.findStream(ctx, tx, *in.LogGroupName, *in.LogStreamName)
		if aerr != nil {
			return aerr
		}
		if _, err := s.st.dropChunks(ctx, tx, `stream_id = ?`, st.id); err != nil {
			return s.dbErr(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM log_streams WHERE id = ?`, st.id); err != nil {
			return s.dbErr(err)
		}
		return nil
	})
}

type describeLogStreamsIn struct {
	LogGroupName        *string `json:"logGroupName"`
	LogGroupIdentifier  *string `json:"logGroupIdentifier"`
	LogStreamNamePrefix *string `json:"logStreamNamePrefix"`
	OrderBy             *string `json:"orderBy"`
	Descending          *bool   `json:"descending"`
	NextToken           *string `json:"nextToken"`
	Limit               *int64  `json:"limit"`
}

func (s *Server) describeLogStreams(rc *reqCtx) ([]byte, *apiError) {
	var in describeLogStreamsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.str(in.LogGroupIdentifier, "logGroupIdentifier", shLogGroupIdentifier)
	v.str(in.LogStreamNamePrefix, "logStreamNamePrefix", shLogStreamName)
	v.enum(in.OrderBy, "orderBy", orderByValues)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.Limit, "limit", 1, 50)
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.resolveGroupRef(in.LogGroupName, in.LogGroupIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	order := "LogStreamName"
	if in.OrderBy != nil {
		order = *in.OrderBy
	}
	if order == "LastEventTime" && in.LogStreamNamePrefix != nil {
		return nil, invalidParam(msgOrderByLastEventPrefix)
	}
	desc := in.Descending != nil && *in.Descending
	limit := limitOr(in.Limit, 50)
	g, aerr := s.findGroup(rc.ctx, s.st.r, name)
	if aerr != nil {
		return nil, aerr
	}
	q := `SELECT ` + streamColumns + `, last_sort FROM log_streams WHERE group_id = ?`
	args := []any{g.id}
	cmp, dir := ">", "ASC"
	if desc {
		cmp, dir = "<", "DESC"
	}
	if in.NextToken != nil {
		sortVal, last, ok := decodeStreamToken(*in.NextToken, g.id, order, desc)
		if !ok {
			return nil, badToken()
		}
		if order == "LastEventTime" {
			q += fmt.Sprintf(` AND (last_sort, name) %s (?, ?)`, cmp)
			args = append(args, sortVal, last)
		} else {
			q += ` AND name ` + cmp + ` ?`
			args = append(args, last)
		}
	}
	if in.LogStreamNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.LogStreamNamePrefix)
	}
	if order == "LastEventTime" {
		q += fmt.Sprintf(` ORDER BY last_sort %s, name %s`, dir, dir)
	} else {
		q += ` ORDER BY name ` + dir
	}
	q += ` LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	type row struct {
		st       *streamRow
		lastSort int64
	}
	var list []row
	for rows.Next() {
		var ls int64
		st, err := scanStream(rows, &ls)
		if err != nil {
			rows.Close()
			return nil, s.dbErr(err)
		}
		list = append(list, row{st, ls})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(err)
	}
	more := int64(len(list)) > limit
	if more {
		list = list[:limit]
	}
	o := newObj(make([]byte, 0, 300*len(list)+64))
	o.key("logStreams")
	o.b = append(o.b, '[')
	arnBase := s.groupArn(rc.region, g.name) + ":log-stream:"
	for i, r := range list {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		so := newObj(o.b)
		so.str("logStreamName", r.st.name)
		so.int("creationTime", r.st.creationTime)
		if r.st.firstTs.Valid {
			so.int("firstEventTimestamp", r.st.firstTs.Int64)
			so.int("lastEventTimestamp", r.st.lastTs.Int64)
		}
		if r.st.lastIngest.Valid {
			so.int("lastIngestionTime", r.st.lastIngest.Int64)
		}
		if r.st.uploadSeq > 0 {
			so.str("uploadSequenceToken", sequenceToken(r.st.uploadSeq))
		}
		so.str("arn", arnBase+r.st.name)
		so.int("storedBytes", 0) // deprecated by the service: always 0 for streams
		o.b = so.done()
	}
	o.b = append(o.b, ']')
	if more {
		last := list[len(list)-1]
		o.str("nextToken", encodeStreamToken(g.id, order, desc, last.lastSort, last.st.name))
	}
	return o.done(), nil
}

// sequenceToken renders a stream's upload counter as the service's 56-digit token.
func sequenceToken(seq int64) string { return fmt.Sprintf("%056d", seq) }
