package localserver

import (
	"context"
	"database/sql"
)

// Helpers of the Describe and List operations' queries (see also jsonObj.rowsPage and
// the tokens of tokens.go).

// limitOr is a request's page size: *limit, or def when it gave none (validated before).
func limitOr(limit *int64, def int64) int64 {
	if limit == nil {
		return def
	}
	return *limit
}

// andPrefix adds to the query q, and to its args, the condition that column col starts
// with prefix, as a range its index serves: col >= prefix AND col < prefix+"\xff" (no
// byte of UTF-8 text is 0xff).
func andPrefix(q string, args []any, col, prefix string) (string, []any) {
	return q + ` AND ` + col + ` >= ? AND ` + col + ` < ?`, append(args, prefix, prefix+"\xff")
}

// namePage describes one page of a listing ordered by a single column of unique names and
// resumed, with a token of encodeScopedToken, after the last name of the previous page.
type namePage struct {
	query string // SELECT … WHERE …, without the token's condition, ORDER BY or LIMIT
	args  []any  // query's arguments
	col   string // the column ordering the listing ("name" when empty)
	kind  string // the token's kind (encodeScopedToken)
	scope string // the listing the token is good for (listScope)
	token *string
	// tokenErr refuses a token not of kind and scope; nil: badToken().
	tokenErr *apiError
	limit    int64
	key      string // the JSON array's member name
	// row scans the current row, writes its members into f and returns its name (its col).
	row func(rows *sql.Rows, f *jsonObj) (name string, err error)
}

// pageByName answers a page of p: the objects of at most p.limit rows under p.key and, when
// more follow, a nextToken carrying the last name. A token not of p.kind and p.scope gets
// p.tokenErr or badToken; a storage failure, dbErr.
func (s *Server) pageByName(ctx context.Context, p namePage) ([]byte, *apiError) {
	col := p.col
	if col == "" {
		col = "name"
	}
	q, args := p.query, p.args
	if p.token != nil {
		last, ok := decodeScopedToken(p.kind, *p.token, p.scope)
		if !ok && p.tokenErr != nil {
			return nil, p.tokenErr
		}
		if !ok {
			return nil, badToken()
		}
		q += ` AND ` + col + ` > ?`
		args = append(args, last)
	}
	q += ` ORDER BY ` + col + ` LIMIT ?`
	args = append(args, p.limit+1)
	rows, err := s.st.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	o := newObj(nil)
	var last string
	more, err := o.rowsPage(p.key, rows, p.limit, func(f *jsonObj) error {
		name, err := p.row(rows, f)
		last = name
		return err
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if more {
		o.str("nextToken", encodeScopedToken(p.kind, p.scope, last))
	}
	return o.done(), nil
}
