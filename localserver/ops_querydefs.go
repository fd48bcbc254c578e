package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Logs Insights query definitions (saved queries): PutQueryDefinition,
// DescribeQueryDefinitions and DeleteQueryDefinition, stored in SQLite (migration 6).
// Shapes, limits and enums are botocore's logs/2014-03-28 model (PutQueryDefinitionRequest,
// DescribeQueryDefinitionsRequest, DeleteQueryDefinitionRequest, QueryDefinition); the
// behaviour is the API reference's:
//
//   - PutQueryDefinition creates a definition with a new UUID ("CloudWatch generates a
//     unique ID for the new query definition and include it in the response"), or, given
//     queryDefinitionId, replaces every value of that definition: "No current values are
//     retained from the current query definition ... If you don't specify the
//     logGroupNames parameter in your update operation, the query definition changes to
//     contain no log groups." An id that names no definition is ResourceNotFoundException
//     (the model lists it for this operation; the wording is ours).
//   - clientToken is the model's idempotency token ("to avoid returning an exception if the
//     service receives the same request twice because of a network error"; SDKs fill it
//     in): a create repeated with the token of an existing definition answers that
//     definition's id and changes nothing.
//   - The log groups a definition names need not exist: it is a saved text, run later.
//     The query string is stored as sent, in any of the model's query languages (this
//     server runs only CWLI with StartQuery).
//   - DescribeQueryDefinitions lists definitions by name (ASCII order, then id), filtered
//     by queryDefinitionNamePrefix and queryLanguage.

// maxQueryDefinitions bounds the definitions of the account: PutQueryDefinition lists
// LimitExceededException ("You have reached the maximum number of resources that can be
// created"), but the quota's value is not in the API reference or the service quotas page
// found; this bound is ours, the model's maxResults maximum, so that one
// DescribeQueryDefinitions page can list every definition. The answer's message is the
// service's "Resource limit exceeded." of the other resource quotas.
const maxQueryDefinitions = 1000

// maxQueryParameters is QueryParameterList's max.
const maxQueryParameters = 20

// defaultDescribeQueryDefinitions is DescribeQueryDefinitions' page size without
// maxResults: the model's maximum (the service's default is not documented).
const defaultDescribeQueryDefinitions = 1000

// msgQueryDefinitionNotFound answers an unknown queryDefinitionId (ours; AWS's wording is
// not on record).
const msgQueryDefinitionNotFound = "The specified query definition does not exist."

var (
	shQueryDefinitionName   = shape(1, 255, "")
	shQueryDefinitionString = shape(1, 10000, "")
	shClientToken           = shape(36, 128, `\S{36,128}`)
	shQueryParameterName    = shape(1, 128, `^[a-zA-Z_][a-zA-Z0-9_]*`)
	shQueryParameterDefault = shape(0, 1024, "")
	shQueryParameterDesc    = shape(0, 512, "")
)

// queryParameter is a QueryParameter, in and out (absent members stay absent).
type queryParameter struct {
	Name         *string `json:"name"`
	DefaultValue *string `json:"defaultValue,omitempty"`
	Description  *string `json:"description,omitempty"`
}

type putQueryDefinitionIn struct {
	QueryLanguage     *string           `json:"queryLanguage"`
	Name              *string           `json:"name"`
	QueryDefinitionID *string           `json:"queryDefinitionId"`
	LogGroupNames     *[]string         `json:"logGroupNames"`
	QueryString       *string           `json:"queryString"`
	ClientToken       *string           `json:"clientToken"`
	Parameters        *[]queryParameter `json:"parameters"`
}

// queryParams checks a present parameters list: its length and each member's shapes.
func (v *verrs) queryParams(lp *[]queryParameter, path string) {
	if lp == nil {
		return
	}
	if len(*lp) > maxQueryParameters {
		names := make([]string, len(*lp))
		for i, p := range *lp {
			names[i] = "QueryParameter(name=" + optValue(p.Name) + ")"
		}
		s := "[" + strings.Join(names, ", ") + "]"
		v.add(&s, path, fmt.Sprintf("Member must have length less than or equal to %d", maxQueryParameters))
	}
	for i, p := range *lp {
		at := fmt.Sprintf("%s.%d.member", path, i+1)
		v.required(p.Name != nil, at+".name")
		v.str(p.Name, at+".name", shQueryParameterName)
		v.str(p.DefaultValue, at+".defaultValue", shQueryParameterDefault)
		v.str(p.Description, at+".description", shQueryParameterDesc)
	}
}

// optValue is *s, or "null" when absent.
func optValue(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// jsonList is the stored JSON array of a list member: NULL when absent or empty.
func jsonList[T any](lp *[]T) (sql.NullString, error) {
	if lp == nil || len(*lp) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(*lp)
	return sql.NullString{String: string(b), Valid: true}, err
}

func (s *Server) putQueryDefinition(rc *reqCtx) ([]byte, *apiError) {
	var in putQueryDefinitionIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.enum(in.QueryLanguage, "queryLanguage", queryLanguages)
	v.required(in.Name != nil, "name")
	v.str(in.Name, "name", shQueryDefinitionName)
	v.str(in.QueryDefinitionID, "queryDefinitionId", shQueryID)
	v.strList(in.LogGroupNames, "logGroupNames", 0, 0, shLogGroupName)
	v.required(in.QueryString != nil, "queryString")
	v.str(in.QueryString, "queryString", shQueryDefinitionString)
	v.str(in.ClientToken, "clientToken", shClientToken)
	v.queryParams(in.Parameters, "parameters")
	if e := v.err(); e != nil {
		return nil, e
	}
	lang := queryLanguageCWLI // the query language when none is named
	if in.QueryLanguage != nil {
		lang = *in.QueryLanguage
	}
	groups, err := jsonList(in.LogGroupNames)
	if err != nil {
		return nil, s.dbErr(err)
	}
	params, err := jsonList(in.Parameters)
	if err != nil {
		return nil, s.dbErr(err)
	}
	var token sql.NullString
	if in.ClientToken != nil {
		token = sql.NullString{String: *in.ClientToken, Valid: true}
	}
	var id string
	aerr := s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		now := rc.now.UnixMilli()
		if in.QueryDefinitionID != nil {
			id = *in.QueryDefinitionID
			res, err := tx.ExecContext(ctx, `UPDATE query_definitions SET name = ?, query_string = ?, query_language = ?,
				log_group_names = ?, parameters = ?, last_modified = ? WHERE id = ?`,
				*in.Name, *in.QueryString, lang, groups, params, now, id)
			if err != nil {
				return s.dbErr(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return clientErr(codeResourceNotFound, msgQueryDefinitionNotFound)
			}
			return nil
		}
		if token.Valid {
			err := tx.QueryRowContext(ctx, `SELECT id FROM query_definitions WHERE client_token = ?`, token.String).Scan(&id)
			if err == nil {
				return nil // a repeated create: its definition exists
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return s.dbErr(err)
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM query_definitions`).Scan(&n); err != nil {
			return s.dbErr(err)
		}
		if n >= maxQueryDefinitions {
			return clientErr(codeLimitExceeded, msgLimitExceeded)
		}
		id = newRequestID()
		_, err := tx.ExecContext(ctx, `INSERT INTO query_definitions(id, name, query_string, query_language, log_group_names,
			parameters, last_modified, client_token) VALUES (?,?,?,?,?,?,?,?)`,
			id, *in.Name, *in.QueryString, lang, groups, params, now, token)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	o.str("queryDefinitionId", id)
	return o.done(), nil
}

type describeQueryDefinitionsIn struct {
	QueryLanguage             *string `json:"queryLanguage"`
	QueryDefinitionNamePrefix *string `json:"queryDefinitionNamePrefix"`
	MaxResults                *int64  `json:"maxResults"`
	NextToken                 *string `json:"nextToken"`
}

// DescribeQueryDefinitions tokens: the listing's scope (prefix and language), then the
// last definition's id and name (last: a name may hold '|').
func encodeQueryDefToken(scope, id, name string) string { return encodeOpaque("Q", scope, id, name) }

func decodeQueryDefToken(tok, scope string) (id, name string, ok bool) {
	p, ok := decodeOpaque("Q", tok, 3)
	if !ok || p[0] != scope {
		return "", "", false
	}
	return p[1], p[2], true
}

func (s *Server) describeQueryDefinitions(rc *reqCtx) ([]byte, *apiError) {
	var in describeQueryDefinitionsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.enum(in.QueryLanguage, "queryLanguage", queryLanguages)
	v.str(in.QueryDefinitionNamePrefix, "queryDefinitionNamePrefix", shQueryDefinitionName)
	v.intRange(in.MaxResults, "maxResults", 1, 1000)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	limit := limitOr(in.MaxResults, defaultDescribeQueryDefinitions)
	scope := listScope("DescribeQueryDefinitions", optPart(in.QueryDefinitionNamePrefix), optPart(in.QueryLanguage))
	q := `SELECT id, name, query_string, query_language, log_group_names, parameters, last_modified
		FROM query_definitions WHERE 1`
	var args []any
	if in.QueryDefinitionNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.QueryDefinitionNamePrefix)
	}
	if in.QueryLanguage != nil {
		q += ` AND query_language = ?`
		args = append(args, *in.QueryLanguage)
	}
	if in.NextToken != nil {
		id, name, ok := decodeQueryDefToken(*in.NextToken, scope)
		if !ok {
			return nil, badToken()
		}
		q += ` AND (name > ? OR (name = ? AND id > ?))`
		args = append(args, name, name, id)
	}
	q += ` ORDER BY name, id LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.st.r.QueryContext(rc.ctx, q, args...)
	if err != nil {
		return nil, s.dbErr(err)
	}
	defer rows.Close()
	o := newObj(nil)
	var lastID, lastName string
	more, err := o.rowsPage("queryDefinitions", rows, limit, func(f *jsonObj) error {
		var id, name, qs, lang string
		var groups, params sql.NullString
		var modified int64
		if err := rows.Scan(&id, &name, &qs, &lang, &groups, &params, &modified); err != nil {
			return err
		}
		lastID, lastName = id, name
		f.str("queryLanguage", lang)
		f.str("queryDefinitionId", id)
		f.str("name", name)
		f.str("queryString", qs)
		f.int("lastModified", modified)
		if groups.Valid {
			f.raw("logGroupNames", []byte(groups.String))
		}
		if params.Valid {
			f.raw("parameters", []byte(params.String))
		}
		return nil
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if more {
		o.str("nextToken", encodeQueryDefToken(scope, lastID, lastName))
	}
	return o.done(), nil
}

type deleteQueryDefinitionIn struct {
	QueryDefinitionID *string `json:"queryDefinitionId"`
}

func (s *Server) deleteQueryDefinition(rc *reqCtx) ([]byte, *apiError) {
	var in deleteQueryDefinitionIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.QueryDefinitionID != nil, "queryDefinitionId")
	v.str(in.QueryDefinitionID, "queryDefinitionId", shQueryID)
	if e := v.err(); e != nil {
		return nil, e
	}
	aerr := s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.ExecContext(context.Background(), `DELETE FROM query_definitions WHERE id = ?`, *in.QueryDefinitionID)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgQueryDefinitionNotFound)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	// DeleteQueryDefinitionResponse: "success" (a boolean); a failed delete is an error.
	o := newObj(nil)
	o.bool("success", true)
	return o.done(), nil
}
