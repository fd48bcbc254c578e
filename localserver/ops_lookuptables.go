package localserver

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// Lookup tables (CreateLookupTable, GetLookupTable, UpdateLookupTable, DeleteLookupTable,
// DescribeLookupTables) are CSV reference tables that the Logs Insights lookup command
// joins to events (package insights, lookup.go). They are stored in SQLite (migration 13)
// with their body as sent. Shapes are botocore's logs/2014-03-28 model; the rules are the
// API reference's (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLookupTable.html
// and the pages of the other four operations) and the user guide's
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Lookup.html):
//
//   - lookupTableName is 1–256 letters, digits and underscores, unique in the account and
//     Region (ResourceAlreadyExistsException); description up to 1024 characters;
//     kmsKeyId up to 256 (kept and answered, never used: this server encrypts nothing).
//   - tableBody "must include a header row with column names, use UTF-8 encoding, and not
//     exceed 10 MB": insights.ParseLookupTable's rules (RFC 4180 quoting, every row as
//     long as the header, distinct non-empty column names). A body it refuses is
//     InvalidParameterException naming tableBody and the line at fault, never quoting the
//     body. The request that carries it may be larger than Config.MaxRequestBytes, up
//     to lookupTableRequestBytes (bodyLimit).
//   - "You can create up to 100 lookup tables per account per Region" (the user guide):
//     the 101st is LimitExceededException.
//   - the ARN is arn:PARTITION:logs:REGION:ACCOUNT:lookup-table:NAME (our choice: the
//     reference gives no example; this is the form of the service's other named
//     resources), of the request's Region; the operations taking an ARN take it of any
//     Region but only of this account, as the tagging operations do. An ARN that is not
//     a lookup table's is InvalidParameterException; one of a table that does not exist,
//     ResourceNotFoundException. TagResource, UntagResource and ListTagsForResource take
//     it (ops_tags.go); CreateLookupTable's tags are at most 50.
//   - UpdateLookupTable replaces the whole body ("This is a full replacement operation");
//     a description or kmsKeyId left out keeps the current one (our choice), kmsKeyId ""
//     removes the key ("specify an empty string").
//   - DescribeLookupTables lists tables "sorted by table name in ascending order",
//     filtered by lookupTableNamePrefix, maxResults (1–100, default 50) a page, with a
//     nextToken bound to the listing. It answers no body.
//   - sizeBytes is the body's length in bytes, recordsCount its rows without the header,
//     tableFields its header's names; lastUpdatedTime is the creation time until an update.
//   - A query naming a table that does not exist (deleted: "Queries that reference a
//     deleted table will return an error", API_DeleteLookupTable) fails at StartQuery with
//     ResourceNotFoundException; a column the table lacks, with MalformedQueryException.
//     A query reads its tables once, when it starts.

const (
	arnLookupTable         = "lookup-table"
	msgLookupTableNotFound = "The specified lookup table does not exist."
	msgLookupTableExists   = "A lookup table with this name already exists."
	// maxLookupTables: "You can create up to 100 lookup tables per account per Region".
	maxLookupTables = 100
)

var (
	shLookupTableName        = shape(1, 256, `[a-zA-Z0-9_]+`)
	shLookupTableDescription = shape(0, 1024, "")
	shLookupTableKmsKeyID    = shape(0, 256, "")
	shLookupTableArn         = shape(1, 0, "")
)

// lookupTableRow is a stored lookup table, its body only when asked for.
type lookupTableRow struct {
	name                  string
	description, kmsKeyID sql.NullString
	body                  string
	fields                string // the header's names, a JSON array
	records, size         int64
	created, lastUpdated  int64
}

// lookupTableColumns are the columns of a listing (no body).
const lookupTableColumns = `name, description, kms_key_id, fields, records, size_bytes, created, last_updated`

func scanLookupTable(sc interface{ Scan(...any) error }, body bool) (*lookupTableRow, error) {
	t := &lookupTableRow{}
	dest := []any{&t.name, &t.description, &t.kmsKeyID, &t.fields, &t.records, &t.size, &t.created, &t.lastUpdated}
	if body {
		dest = append(dest, &t.body)
	}
	return t, sc.Scan(dest...)
}

// lookupTableByName returns the table (with its body when body is set) or (nil, nil)
// when it does not exist.
func lookupTableByName(ctx context.Context, q queryer, name string, body bool) (*lookupTableRow, error) {
	cols := lookupTableColumns
	if body {
		cols += `, body`
	}
	t, err := scanLookupTable(q.QueryRowContext(ctx, `SELECT `+cols+` FROM lookup_tables WHERE name = ?`, name), body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return t, err
}

func (s *Server) lookupTableArn(region, name string) string {
	return s.arnOf(region, arnLookupTable, name)
}

// lookupTableName returns the name of the table arn names, or InvalidParameterException.
func (s *Server) lookupTableName(arn string) (string, *apiError) {
	typ, name, ok := s.parseLogsArn(arn)
	if !ok || typ != arnLookupTable || len(shLookupTableName.violations(name)) > 0 {
		return "", invalidParam("The specified ARN %s is not a valid lookup table ARN.", arn)
	}
	return name, nil
}

// checkTableBody parses a tableBody, or answers InvalidParameterException naming it.
func checkTableBody(body string) (*insights.LookupTable, *apiError) {
	if body == "" {
		return nil, invalidParam("1 validation error detected: Value at 'tableBody' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	t, err := insights.ParseLookupTable(body)
	if err != nil {
		var te *insights.TableError
		if errors.As(err, &te) && te.Line > 0 {
			return nil, invalidParam("Invalid tableBody: line %d: %s.", te.Line, te.Msg)
		}
		if te != nil {
			return nil, invalidParam("Invalid tableBody: %s.", te.Msg)
		}
		return nil, invalidParam("Invalid tableBody: %v.", err)
	}
	return t, nil
}

// lookupTableMembers writes the members of t's LookupTable object into o, in the model's
// order.
func (s *Server) lookupTableMembers(o *jsonObj, region string, t *lookupTableRow) {
	o.str("lookupTableArn", s.lookupTableArn(region, t.name))
	o.str("lookupTableName", t.name)
	if t.description.Valid {
		o.str("description", t.description.String)
	}
	o.raw("tableFields", []byte(t.fields))
	o.int("recordsCount", t.records)
	o.int("sizeBytes", t.size)
	o.int("lastUpdatedTime", t.lastUpdated)
	if t.kmsKeyID.Valid {
		o.str("kmsKeyId", t.kmsKeyID.String)
	}
}

type createLookupTableIn struct {
	LookupTableName *string            `json:"lookupTableName"`
	Description     *string            `json:"description"`
	TableBody       *string            `json:"tableBody"`
	KmsKeyID        *string            `json:"kmsKeyId"`
	Tags            *map[string]string `json:"tags"`
	// QueryID (a table made from a query's results), newer than the botocore model here
	// (in aws-sdk-go-v2), is refused by name (noQueryID).
	QueryID *string `json:"queryId"`
}

// noQueryID refuses queryId, which builds a table from a query's results: an addition to
// the API newer than the botocore model this server follows (aws-sdk-go-v2 has it).
func noQueryID(id *string) *apiError {
	if id == nil {
		return nil
	}
	return invalidParam("queryId is not supported by this server: send the table as tableBody.")
}

func (s *Server) createLookupTable(rc *reqCtx) ([]byte, *apiError) {
	var in createLookupTableIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := noQueryID(in.QueryID); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LookupTableName != nil, "lookupTableName")
	v.str(in.LookupTableName, "lookupTableName", shLookupTableName)
	v.str(in.Description, "description", shLookupTableDescription)
	v.required(in.TableBody != nil, "tableBody") // its value is checked below, never quoted
	v.str(in.KmsKeyID, "kmsKeyId", shLookupTableKmsKeyID)
	v.tags(in.Tags, "tags")
	if e := v.err(); e != nil {
		return nil, e
	}
	tbl, aerr := checkTableBody(*in.TableBody)
	if aerr != nil {
		return nil, aerr
	}
	fields, _ := json.Marshal(tbl.Fields)
	name, now := *in.LookupTableName, rc.now.UnixMilli()
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		cur, err := lookupTableByName(ctx, tx, name, false)
		if err != nil {
			return s.dbErr(err)
		}
		if cur != nil {
			return clientErr(codeResourceAlreadyExists, msgLookupTableExists)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM lookup_tables`).Scan(&n); err != nil {
			return s.dbErr(err)
		}
		if n >= maxLookupTables {
			return clientErr(codeLimitExceeded, fmt.Sprintf("You can create up to %d lookup tables per account per Region.", maxLookupTables))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lookup_tables(name, description, kms_key_id, fields, records, size_bytes, created, last_updated, body)
			VALUES (?,?,?,?,?,?,?,?,?)`,
			name, optString(in.Description), optString(in.KmsKeyID), string(fields), len(tbl.Rows), len(*in.TableBody), now, now, *in.TableBody)
		if err != nil {
			return s.dbErr(err)
		}
		if in.Tags != nil {
			return s.upsertTags(ctx, tx, "lookup_table_tags", "name", name, *in.Tags, s.lookupTableArn(rc.region, name))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	o.str("lookupTableArn", s.lookupTableArn(rc.region, name))
	o.int("createdAt", now)
	return o.done(), nil
}

type lookupTableArnIn struct {
	LookupTableArn *string `json:"lookupTableArn"`
}

// decodeLookupTableArn decodes a request whose only member is lookupTableArn and returns
// the table's name.
func (s *Server) decodeLookupTableArn(body []byte) (string, *apiError) {
	var in lookupTableArnIn
	if e := decodeJSON(body, &in); e != nil {
		return "", e
	}
	var v verrs
	v.required(in.LookupTableArn != nil, "lookupTableArn")
	v.str(in.LookupTableArn, "lookupTableArn", shLookupTableArn)
	if e := v.err(); e != nil {
		return "", e
	}
	return s.lookupTableName(*in.LookupTableArn)
}

func (s *Server) getLookupTable(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := s.decodeLookupTableArn(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	t, err := lookupTableByName(rc.ctx, s.st.r, name, true)
	if err != nil {
		return nil, s.dbErr(err)
	}
	if t == nil {
		return nil, clientErr(codeResourceNotFound, msgLookupTableNotFound)
	}
	o := newObj(nil)
	o.str("lookupTableArn", s.lookupTableArn(rc.region, t.name))
	o.str("lookupTableName", t.name)
	if t.description.Valid {
		o.str("description", t.description.String)
	}
	o.str("tableBody", t.body)
	o.int("sizeBytes", t.size)
	o.int("lastUpdatedTime", t.lastUpdated)
	if t.kmsKeyID.Valid {
		o.str("kmsKeyId", t.kmsKeyID.String)
	}
	return o.done(), nil
}

type updateLookupTableIn struct {
	LookupTableArn *string `json:"lookupTableArn"`
	Description    *string `json:"description"`
	TableBody      *string `json:"tableBody"`
	KmsKeyID       *string `json:"kmsKeyId"`
	QueryID        *string `json:"queryId"` // see createLookupTableIn
}

func (s *Server) updateLookupTable(rc *reqCtx) ([]byte, *apiError) {
	var in updateLookupTableIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	if e := noQueryID(in.QueryID); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LookupTableArn != nil, "lookupTableArn")
	v.str(in.LookupTableArn, "lookupTableArn", shLookupTableArn)
	v.str(in.Description, "description", shLookupTableDescription)
	v.required(in.TableBody != nil, "tableBody")
	v.str(in.KmsKeyID, "kmsKeyId", shLookupTableKmsKeyID)
	if e := v.err(); e != nil {
		return nil, e
	}
	name, aerr := s.lookupTableName(*in.LookupTableArn)
	if aerr != nil {
		return nil, aerr
	}
	tbl, aerr := checkTableBody(*in.TableBody)
	if aerr != nil {
		return nil, aerr
	}
	fields, _ := json.Marshal(tbl.Fields)
	var updated int64
	aerr = s.write(func(tx *sql.Tx) *apiError {
		ctx := context.Background()
		cur, err := lookupTableByName(ctx, tx, name, false)
		if err != nil {
			return s.dbErr(err)
		}
		if cur == nil {
			return clientErr(codeResourceNotFound, msgLookupTableNotFound)
		}
		desc, kms := cur.description, cur.kmsKeyID
		if in.Description != nil {
			desc = sql.NullString{String: *in.Description, Valid: true}
		}
		if in.KmsKeyID != nil {
			kms = sql.NullString{String: *in.KmsKeyID, Valid: *in.KmsKeyID != ""}
		}
		// lastUpdatedTime never goes back, even if the clock does.
		updated = max(rc.now.UnixMilli(), cur.lastUpdated)
		_, err = tx.ExecContext(ctx, `UPDATE lookup_tables SET description = ?, kms_key_id = ?, fields = ?, records = ?,
			size_bytes = ?, last_updated = ?, body = ? WHERE name = ?`,
			desc, kms, string(fields), len(tbl.Rows), len(*in.TableBody), updated, *in.TableBody, name)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o := newObj(nil)
	o.str("lookupTableArn", s.lookupTableArn(rc.region, name))
	o.int("lastUpdatedTime", updated)
	return o.done(), nil
}

func (s *Server) deleteLookupTable(rc *reqCtx) ([]byte, *apiError) {
	name, aerr := s.decodeLookupTableArn(rc.body)
	if aerr != nil {
		return nil, aerr
	}
	return nil, s.write(func(tx *sql.Tx) *apiError {
		res, err := tx.ExecContext(context.Background(), `DELETE FROM lookup_tables WHERE name = ?`, name)
		if err != nil {
			return s.dbErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return clientErr(codeResourceNotFound, msgLookupTableNotFound)
		}
		return nil
	})
}

type describeLookupTablesIn struct {
	LookupTableNamePrefix *string `json:"lookupTableNamePrefix"`
	MaxResults            *int64  `json:"maxResults"`
	NextToken             *string `json:"nextToken"`
}

func (s *Server) describeLookupTables(rc *reqCtx) ([]byte, *apiError) {
	var in describeLookupTablesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LookupTableNamePrefix, "lookupTableNamePrefix", shLookupTableName)
	v.intRange(in.MaxResults, "maxResults", 1, 100)
	v.str(in.NextToken, "nextToken", shNextToken)
	if e := v.err(); e != nil {
		return nil, e
	}
	q := `SELECT ` + lookupTableColumns + ` FROM lookup_tables WHERE 1`
	var args []any
	if in.LookupTableNamePrefix != nil {
		q, args = andPrefix(q, args, "name", *in.LookupTableNamePrefix)
	}
	return s.pageByName(rc.ctx, namePage{
		query: q, args: args,
		kind: "N", scope: listScope("DescribeLookupTables", optPart(in.LookupTableNamePrefix)), token: in.NextToken,
		limit: limitOr(in.MaxResults, 50), key: "lookupTables",
		row: func(rows *sql.Rows, f *jsonObj) (string, error) {
			t, err := scanLookupTable(rows, false)
			if err != nil {
				return "", err
			}
			s.lookupTableMembers(f, rc.region, t)
			return t.name, nil
		},
	})
}

// queryLookupTables reads the lookup tables q names, as they are now, and returns q bound
// to them: ResourceNotFoundException for a table that does not exist,
// MalformedQueryException for a column one lacks.
func (s *Server) queryLookupTables(ctx context.Context, q *insights.Query) (*insights.Query, *apiError) {
	names := q.LookupTables()
	if len(names) == 0 {
		return q, nil
	}
	tables := make(map[string]*insights.LookupTable, len(names))
	for _, name := range names {
		tbl, err := s.lookupTableContent(ctx, name)
		if err != nil {
			return nil, s.dbErr(fmt.Errorf("lookup table %s: %w", name, err))
		}
		if tbl == nil {
			return nil, clientErr(codeResourceNotFound, fmt.Sprintf("Lookup table %s does not exist.", name))
		}
		tables[name] = tbl
	}
	bq, err := q.BindLookups(tables) // every table is there: its error is a column one lacks
	if err != nil {
		return nil, malformedQuery(q.String(), err)
	}
	return bq, nil
}

// lookupTableContent returns the parsed content of the table name (sharedLookupTable),
// or nil when the table does not exist.
func (s *Server) lookupTableContent(ctx context.Context, name string) (*insights.LookupTable, error) {
	rows, err := s.st.r.QueryContext(ctx, `SELECT CAST(body AS BLOB) FROM lookup_tables WHERE name = ?`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	// The body may be 10 MB: read as a BLOB into RawBytes, it is copied once (the
	// driver's), not three times (TEXT, then string, then []byte).
	var body sql.RawBytes
	if err := rows.Scan(&body); err != nil {
		return nil, err
	}
	return sharedLookupTable(body) // stored bodies were checked when written: an error is the store's
}

// parsedLookupTables are the parsed lookup tables in use, by the SHA-256 of their body:
// the queries over one content share one table while any of them holds it; the garbage
// collector frees it after the last, and a cleanup then drops its entry. Keyed by
// content, not name, an entry never goes stale: an updated table is another body.
var parsedLookupTables struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]weak.Pointer[insights.LookupTable]
}

// sharedLookupTable returns the parsed table of body: the one in use by other queries,
// or a new one (insights.ParseLookupTable).
func sharedLookupTable(body []byte) (*insights.LookupTable, error) {
	key := sha256.Sum256(body)
	c := &parsedLookupTables
	c.mu.Lock()
	defer c.mu.Unlock() // parsing under the lock: two queries over one new body parse it once
	if t := c.m[key].Value(); t != nil {
		return t, nil
	}
	t, err := insights.ParseLookupTable(string(body))
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[[sha256.Size]byte]weak.Pointer[insights.LookupTable]{}
	}
	wp := weak.Make(t)
	c.m[key] = wp
	runtime.AddCleanup(t, func(key [sha256.Size]byte) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.m[key] == wp { // not since replaced by a newer parse of the same body
			delete(c.m, key)
		}
	}, key)
	return t, nil
}
