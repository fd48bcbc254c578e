package insights

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxLookupTableBytes is the largest CSV body of a lookup table: "The CSV content must
// ... not exceed 10 MB" (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLookupTable.html),
// counted here in bytes (the model's TableBody max, 10485760, is the same number).
const MaxLookupTableBytes = 10 << 20

// LookupTable is the content of a lookup table as the lookup command uses it: the column
// names of its header row, and its data rows, each with one value a column. It is
// immutable once made by ParseLookupTable and safe for concurrent use: the queries bound
// to one table (BindLookups) share it, and share the index of each list of key columns,
// built by the first of them to need it.
type LookupTable struct {
	// Fields are the column names, in the header's order.
	Fields []string
	// Rows are the data rows in the body's order, each len(Fields) long.
	Rows [][]string

	mu      sync.Mutex
	indexes map[string]map[string]int // key columns (indexName) -> key (appendLookupKey) -> row
}

// index returns the index of t's rows by the columns keyCols: each key's first row.
// It is built once for each list of columns and shared by every query bound to t.
func (t *LookupTable) index(keyCols []int) map[string]int {
	name := indexName(keyCols)
	t.mu.Lock()
	defer t.mu.Unlock()
	if ix, ok := t.indexes[name]; ok {
		return ix
	}
	ix := make(map[string]int, len(t.Rows))
	var kb []byte
	for r, row := range t.Rows {
		kb = kb[:0]
		for _, j := range keyCols {
			kb = appendLookupKey(kb, row[j])
		}
		if _, dup := ix[string(kb)]; !dup {
			ix[string(kb)] = r // the first matching row wins
		}
	}
	if t.indexes == nil {
		t.indexes = map[string]map[string]int{}
	}
	t.indexes[name] = ix
	return ix
}

// indexName names a list of key columns.
func indexName(keyCols []int) string {
	var b []byte
	for _, j := range keyCols {
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, ',')
	}
	return string(b)
}

// TableError is a lookup table body that ParseLookupTable refuses: Line is the body's
// line at fault (1-based; 0 for the body as a whole) and Msg says what is wrong. It never
// holds the body's values beyond the one named.
type TableError struct {
	Line int
	Msg  string
}

func (e *TableError) Error() string {
	if e.Line == 0 {
		return "lookup table: " + e.Msg
	}
	return fmt.Sprintf("lookup table: line %d: %s", e.Line, e.Msg)
}

// ParseLookupTable parses a lookup table's CSV body. The rules, from the CreateLookupTable
// reference (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLookupTable.html:
// "The CSV content must include a header row with column names, use UTF-8 encoding, and
// not exceed 10 MB") and, where it is silent, our choices:
//
//   - the body is valid UTF-8 and at most MaxLookupTableBytes bytes;
//   - fields are separated by commas and quoted as RFC 4180 says (a quoted field may hold
//     commas, line breaks and doubled quotes; a bare quote inside an unquoted field is an
//     error); lines end in LF or CRLF; blank lines are skipped (our choice); a carriage
//     return outside quotes that does not end a line (CRLF) is an error, as RFC 4180's
//     grammar has it (our choice: not a line break, as some parsers take it, and not a
//     character of a value, as encoding/csv would keep it: a file of classic Mac CR
//     line endings would otherwise be one header row of odd names and no rows);
//   - the first row is the header: every column name is non-empty and appears once (our
//     choice: a query could not tell two columns of one name apart); a UTF-8 byte-order
//     mark before it is dropped (our choice: spreadsheet exports write one);
//   - every other row has as many fields as the header (a short or long row is an error,
//     our choice, naming its line).
//
// Every error is a *TableError.
func ParseLookupTable(body string) (*LookupTable, error) {
	if len(body) > MaxLookupTableBytes {
		return nil, &TableError{Msg: fmt.Sprintf("the CSV content is %d bytes; the limit is %d (10 MB)", len(body), MaxLookupTableBytes)}
	}
	if !utf8.ValidString(body) {
		line := 1 + strings.Count(body[:firstInvalidUTF8(body)], "\n")
		return nil, &TableError{Line: line, Msg: "the CSV content is not valid UTF-8"}
	}
	body = strings.TrimPrefix(body, "\uFEFF")
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = 0 // every row as long as the header
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &TableError{Msg: "the CSV content has no header row"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	t := &LookupTable{Fields: header}
	// A map, not a scan of the names before each: 10 MB of header is a million columns.
	seen := make(map[string]struct{}, len(header))
	for i, name := range header {
		if name == "" {
			return nil, &TableError{Line: 1, Msg: fmt.Sprintf("column %d of the header row has no name", i+1)}
		}
		if _, dup := seen[name]; dup {
			return nil, &TableError{Line: 1, Msg: fmt.Sprintf("the header row names column %q twice", name)}
		}
		seen[name] = struct{}{}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			if line := loneCR(body); line > 0 {
				return nil, &TableError{Line: line, Msg: "a carriage return (CR) that does not end a line (CRLF) outside a quoted field (lines end in LF or CRLF; quote a value that holds a CR)"}
			}
			return t, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		t.Rows = append(t.Rows, rec)
	}
}

// csvError turns an encoding/csv error into a *TableError naming the line.
func csvError(err error) *TableError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &TableError{Msg: err.Error()}
	}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return &TableError{Line: pe.Line, Msg: "the row does not have as many fields as the header row"}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &TableError{Line: pe.Line, Msg: fmt.Sprintf("column %d: a quote (\") in an unquoted field (RFC 4180: quote the field and double the quote)", pe.Column)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &TableError{Line: pe.Line, Msg: fmt.Sprintf("column %d: a quoted field is not closed, or text follows its closing quote", pe.Column)}
	}
	return &TableError{Line: pe.Line, Msg: pe.Err.Error()}
}

// loneCR returns the line (1-based) of the first carriage return of body outside quotes
// that is not followed by a line feed, or 0. body is well-formed RFC 4180 CSV (parsed):
// every quote opens or closes a quoted field, or is one of a doubled pair inside one.
func loneCR(body string) int {
	if !strings.Contains(body, "\r") {
		return 0
	}
	quoted := false
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			quoted = !quoted
		case '\r':
			if !quoted && (i+1 == len(body) || body[i+1] != '\n') {
				return 1 + strings.Count(body[:i], "\n")
			}
		}
	}
	return 0
}

// firstInvalidUTF8 is the offset of the first byte of s that is not valid UTF-8.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(s)
}
