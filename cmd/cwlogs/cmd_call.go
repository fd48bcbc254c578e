package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cwlogs/cwlogs"
)

//go:generate go run gen_operations.go
//go:generate go run gen_unicode.go

// apiOperation is one operation of the CloudWatch Logs API (the table is operations_gen.go).
type apiOperation struct {
	name        string // the API name, e.g. PutMetricFilter
	cliName     string // the AWS CLI's name, e.g. put-metric-filter
	eventStream bool   // the answer is an event stream (StartLiveTail, GetLogObject)
	pager       *pager // nil: not paginated (in botocore's paginators-1.json)
	input       string // the descriptor of the input shape (call_shape.go); "" for none
	output      string // the descriptor of the output shape; "" for none, or an event stream
}

// pager says how an operation's results are paged, as botocore's paginators do.
type pager struct {
	inputToken       string   // the request member that takes the token
	outputToken      string   // the answer member that holds the next one
	resultKeys       []string // lists merged across pages; the first one counts for --max-items
	nonAggregateKeys []string // members taken from the first page
	limitKey         string   // the request member that --page-size sets; "" for none
}

// getLogEventsPager pages GetLogEvents, which botocore does not page but the other AWS SDKs
// (aws-sdk-go-v2, aws-sdk-js-v3, aws-sdk-php) do: forward, through nextForwardToken, until the
// service returns the token it was sent.
var getLogEventsPager = &pager{inputToken: "nextToken", outputToken: "nextForwardToken", resultKeys: []string{"events"}, limitKey: "limit"}

// paging returns how op is paginated, nil when it is not.
func (op *apiOperation) paging() *pager {
	if op.pager == nil && op.name == "GetLogEvents" {
		return getLogEventsPager
	}
	return op.pager
}

// lookupOperation finds an operation by its API name or its AWS CLI name, exactly.
func lookupOperation(name string) (*apiOperation, error) {
	for i := range apiOperations {
		if op := &apiOperations[i]; name == op.name || name == op.cliName {
			return op, nil
		}
	}
	return nil, usagef("call", "unknown operation %q: did you mean %s?", name, closestOperation(name))
}

// closestOperation is the known operation nearest to name (edit distance, ignoring case and
// dashes), spelled as name is: the API name when name has a capital letter, else the AWS CLI's.
func closestOperation(name string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
	target := norm(name)
	best, bestDist := &apiOperations[0], -1
	for i := range apiOperations {
		op := &apiOperations[i]
		if d := editDistance(target, norm(op.name)); bestDist < 0 || d < bestDist {
			best, bestDist = op, d
		}
	}
	if strings.ToLower(name) != name {
		return best.name
	}
	return best.cliName
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cliOperationNames lists the AWS CLI names of the operations call can make (for completion).
func cliOperationNames() []string {
	var out []string
	for _, op := range apiOperations {
		if !op.eventStream {
			out = append(out, op.cliName)
		}
	}
	return out
}

var callInfo = &commandInfo{
	name:    "call",
	args:    "OPERATION [JSON|file://PATH|fileb://PATH|-] [--query EXPR] [--output json|text|table] [--no-paginate | --paginate] [--page-size N] [--max-items N] [--starting-token T] [--generate-cli-skeleton]",
	summary: "Call any CloudWatch Logs operation with a JSON input, as aws logs does.",
	details: `OPERATION is an API name (PutMetricFilter) or its AWS CLI name (put-metric-filter): any operation
of botocore's model, but for StartLiveTail and GetLogObject, whose answers are event streams
('cwlogs tail GROUP... --live' runs a Live Tail session).
The input is the request as a JSON object: the argument or --cli-input-json (as with aws) holds the
JSON itself, file://PATH or fileb://PATH to read it from a file, or - to read it from stdin. Without
one, {} is sent. Input that is not a JSON object is refused before anything is sent.
--generate-cli-skeleton (or --generate-cli-skeleton input) prints a JSON object of the operation's
parameters to fill in, as aws does, and sends nothing (strings are "", whatever their values may be).

The answer is printed byte for byte as the AWS CLI prints it, whatever the server: as botocore reads
it, by the model of the operation (botocore ` + modelVersion + `'s: members in the model's order; members
the model does not have, and those that are null, left out). --output json (call's default, as aws's, whatever the other
commands print by default): JSON indented by 4 spaces, nothing at all for an empty answer.
--output text: aws's tab-separated lines (the scalars of an object on one line, by sorted key, after
an upper-case identifier when nested; lists of scalars on one line; None for null). --output table:
aws's boxed tables (columns by sorted key, nested objects and lists as indented tables, a one-row
table wider than the terminal turned vertical; in colour on a terminal). Errors go to stderr as
"cwlogs: Code: Message" (exit 1).

--query EXPR applies the JMESPath expression EXPR to the answer before it is printed, as aws's
--query does: logGroups[].logGroupName, logGroups[?retentionInDays > ` + "`" + `7` + "`" + `].[logGroupName, storedBytes],
{names: logGroups[].logGroupName, count: length(logGroups)}. An invalid expression is refused before
anything is sent (exit 2); one that fails on the answer (a function given the wrong type) exits 1.
When pages are followed, as in aws, the query applies to the merged pages for json and table
(NextToken included), and to each page for text, which prints the pages one after the other.

The operations botocore pages (DescribeLogGroups, DescribeLogStreams, FilterLogEvents,
DescribeMetricFilters, ...) are paged as aws pages them by default: call follows the tokens and
prints one object with the result lists of every page merged. --no-paginate makes one request and
prints its answer, token included. --page-size N sets the page size (the operation's "limit" or
"maxResults") of every request; without it, the input's sets it. --max-items N stops after N items
and prints a NextToken to give to --starting-token: both work as in aws, whose tokens they share.
--paginate is accepted (it is the default) and also pages GetLogEvents, which aws does not page,
forward through nextForwardToken as the AWS SDKs page it (add "startFromHead": true to read a stream
from its start), until the service returns the token it was sent.`,
	examples: []string{
		`cwlogs call put-metric-filter '{"logGroupName": "my-app", "filterName": "errors", "filterPattern": "ERROR", "metricTransformations": [{"metricName": "Errors", "metricNamespace": "MyApp", "metricValue": "1"}]}'`,
		`cwlogs call DescribeLogStreams '{"logGroupName": "my-app", "orderBy": "LastEventTime"}' --max-items 100`,
		`cwlogs call describe-log-groups --query 'logGroups[].logGroupName' --output text`,
		`cwlogs call put-metric-filter --generate-cli-skeleton > filter.json`,
	},
	new: func(m *Main) command { return &CallCommand{m: m} },
}

// CallCommand is "cwlogs call".
type CallCommand struct {
	m             *Main
	inputJSON     string
	paginate      bool
	noPaginate    bool
	pageSize      string
	maxItems      string
	startingToken string
	query         string
	skeleton      skeletonFlag
}

// skeletonFlag is --generate-cli-skeleton, whose value is optional as aws's: alone it is
// "input"; --generate-cli-skeleton=output, or the argument after the operation, say which.
type skeletonFlag string

func (f *skeletonFlag) String() string { return string(*f) }
func (f *skeletonFlag) Set(s string) error {
	if s == "true" {
		s = "input"
	}
	*f = skeletonFlag(s)
	return nil
}
func (f *skeletonFlag) IsBoolFlag() bool { return true }

func (c *CallCommand) flags() *flag.FlagSet {
	fs := newFlagSet("call")
	fs.StringVar(&c.inputJSON, "cli-input-json", "", "the input: `JSON`, file://PATH, fileb://PATH or - (stdin), as the argument")
	fs.BoolVar(&c.paginate, "paginate", false, "follow the tokens (the default for the operations botocore pages; GetLogEvents too)")
	fs.BoolVar(&c.noPaginate, "no-paginate", false, "make one request and print its answer, as aws --no-paginate")
	fs.StringVar(&c.pageSize, "page-size", "", "ask for pages of `N` items (the operation's limit) while following the tokens")
	fs.StringVar(&c.maxItems, "max-items", "", "stop after `N` items and print a NextToken to resume from")
	fs.StringVar(&c.startingToken, "starting-token", "", "resume from the NextToken `T` of --max-items")
	fs.StringVar(&c.query, "query", "", "a JMESPath `EXPR` applied to the answer before it is printed, as aws's --query")
	fs.Var(&c.skeleton, "generate-cli-skeleton", "print a JSON skeleton of the operation's input (input, the default) and send nothing")
	return fs
}

// maxInputBytes bounds the input read from a file or stdin (a request is at most a few MB).
const maxInputBytes = 16 << 20

// Run implements the command.
func (c *CallCommand) Run(ctx context.Context, args []string) error {
	const name = "call"
	fs := c.flags()
	pos, err := c.m.parseArgs(callInfo, fs, args)
	if err != nil {
		return err
	}
	if c.skeleton != "" && len(pos) == 2 && (pos[1] == "input" || pos[1] == "output") {
		c.skeleton, pos = skeletonFlag(pos[1]), pos[:1] // --generate-cli-skeleton output
	}
	if err := wantArgs(name, pos, 1, 2, "OPERATION [JSON]"); err != nil {
		return err
	}
	op, err := lookupOperation(pos[0])
	if err != nil {
		return err
	}
	switch c.skeleton {
	case "":
	case "input":
		return c.write(inputSkeleton(op))
	case "output":
		return usagef(name, "--generate-cli-skeleton output is not supported: call prints skeletons of inputs only")
	default:
		return usagef(name, "invalid --generate-cli-skeleton %q: want input", string(c.skeleton))
	}
	if op.eventStream {
		hint := ""
		if op.name == "StartLiveTail" {
			hint = "; 'cwlogs tail GROUP... --live' runs a Live Tail session and prints its events"
		}
		return usagef(name, "%s answers with an event stream, which call does not read%s", op.name, hint)
	}
	pg := op.paging()
	if err := c.checkPaging(op, pg); err != nil {
		return err
	}
	// As aws: the operations botocore pages are paged unless --no-paginate.
	paginate := !c.noPaginate && (op.pager != nil || c.paginate || c.maxItems != "" || c.startingToken != "" || c.pageSize != "")
	maxItems, pageSize := 0, 0
	if c.maxItems != "" {
		if maxItems, err = positiveInt(name, "--max-items", c.maxItems); err != nil {
			return err
		}
	}
	if c.pageSize != "" {
		if pageSize, err = positiveInt(name, "--page-size", c.pageSize); err != nil {
			return err
		}
	}
	cliInput := false
	fs.Visit(func(f *flag.Flag) { cliInput = cliInput || f.Name == "cli-input-json" })
	body := []byte("{}") // no input
	switch {
	case len(pos) == 2 && cliInput:
		return usagef(name, "two inputs: give the JSON as an argument or with --cli-input-json, not both")
	case len(pos) == 2:
		body, err = c.input(pos[1])
	case cliInput:
		body, err = c.input(c.inputJSON)
	}
	if err != nil {
		return err
	}
	if pageSize > 0 {
		// botocore's PageSize: the limit key of every request.
		if body, err = withRawMember(body, pg.limitKey, json.RawMessage(strconv.Itoa(pageSize))); err != nil {
			return err
		}
	}
	var start *startingToken
	if c.startingToken != "" {
		t, err := parseStartingToken(c.startingToken, pg.inputToken)
		if err != nil {
			return usagef(name, "invalid --starting-token: %v", err)
		}
		start = &t
	}

	var query *awsQuery
	queryGiven := false
	fs.Visit(func(f *flag.Flag) { queryGiven = queryGiven || f.Name == "query" })
	if queryGiven {
		if query, err = compileQuery(name, c.query); err != nil {
			return err
		}
	}
	output := c.m.g.output
	if !c.m.g.outputGiven {
		output = "json" // as aws: call prints the answer, not cwlogs's own text
	}

	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	var answer []byte
	if paginate {
		p, err := paginateCall(ctx, cl, op, pg, body, start, maxItems)
		if err != nil {
			return err
		}
		if output == "text" {
			// The AWS CLI prints the pages one after the other, the query applied to each.
			pages, err := p.textPages()
			if err != nil {
				return fmt.Errorf("%s: the answer is not a JSON object: %v", op.name, err)
			}
			var out []byte
			for _, page := range pages {
				text, err := c.format(op, output, query, page)
				out = append(out, text...)
				if err != nil {
					return errors.Join(c.write(out), err)
				}
			}
			return c.write(out)
		}
		answer = p.full()
	} else {
		resp, err := cl.Invoke(ctx, op.name, body)
		if err != nil {
			return err
		}
		if answer, err = shapeAnswer(op, resp.Body); err != nil {
			return err
		}
	}
	if output == "json" && query == nil {
		out, err := formatAWSJSON(answer, c.m.out.outTTY)
		if err != nil {
			return fmt.Errorf("%s: the answer is not a JSON object: %v", op.name, err)
		}
		if out == nil {
			return nil
		}
		return c.write(append(out, '\n'))
	}
	a, err := newAnswer(answer)
	if err != nil {
		return fmt.Errorf("%s: the answer is not a JSON object: %v", op.name, err)
	}
	out, err := c.format(op, output, query, a)
	if err != nil {
		return errors.Join(c.write(out), err) // the text printed before the failure, as aws
	}
	return c.write(out)
}

// checkPaging refuses the paging flags that do not apply to op (pg: how it is paged), as aws
// refuses them: for an operation that is not paged, with --no-paginate, or --page-size
// without a limit to set.
func (c *CallCommand) checkPaging(op *apiOperation, pg *pager) error {
	const name = "call"
	var given []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"--page-size", c.pageSize != ""}, {"--max-items", c.maxItems != ""}, {"--starting-token", c.startingToken != ""}} {
		if f.set {
			given = append(given, f.name)
		}
	}
	switch {
	case c.paginate && c.noPaginate:
		return usagef(name, "--paginate and --no-paginate contradict each other")
	case c.noPaginate && len(given) > 0:
		return usagef(name, "cannot give --no-paginate with %s, which page", strings.Join(given, ", "))
	case pg == nil && (c.paginate || len(given) > 0):
		return usagef(name, "%s is not paginated: --paginate, --page-size, --max-items and --starting-token do not apply", op.name)
	case c.pageSize != "" && pg.limitKey == "":
		return usagef(name, "%s has no page size: --page-size does not apply", op.name)
	}
	return nil
}

// format applies query to an answer and prints the result as the AWS CLI's --output does. On
// an error, out is what the AWS CLI prints before it fails (text is written as it goes).
func (c *CallCommand) format(op *apiOperation, output string, query *awsQuery, a *searchable) ([]byte, error) {
	v, err := query.search(a)
	if err != nil {
		return nil, err
	}
	tty := c.m.out.outTTY
	switch output {
	case "text":
		out, err := formatText(v)
		if tty {
			out = []byte(termSafe(string(out)))
		}
		return out, err
	case "table":
		style := tableStyle{color: c.m.out.color}
		width := 80 // as aws when stdout is not a terminal
		if tty {
			style.safe = termSafe
			if w, ok := terminalWidth(c.m.Stdout); ok {
				width = w
			}
		}
		out, err := formatTable(op.name, v, width, style)
		if err == nil && style.color {
			out = append(out, ansiReset...) // colorama's reset when the AWS CLI exits
		}
		return out, err
	}
	return formatPyJSON(v, tty), nil
}

func (c *CallCommand) write(out []byte) error {
	if len(out) == 0 {
		return nil
	}
	_, err := c.m.out.w.Write(out)
	return err
}

// input reads the request body from src: JSON, file://PATH or - (stdin). It must be a JSON
// object; it is returned compacted.
func (c *CallCommand) input(src string) ([]byte, error) {
	var data []byte
	what := "the input"
	switch {
	case src == "-":
		what = "the input on stdin"
		var err error
		if data, err = io.ReadAll(io.LimitReader(c.m.Stdin, maxInputBytes+1)); err != nil {
			return nil, fmt.Errorf("reading stdin: %w", err)
		}
	case strings.HasPrefix(src, "file://"), strings.HasPrefix(src, "fileb://"):
		what = src
		_, path, _ := strings.Cut(src, "://")
		if home, err := os.UserHomeDir(); err == nil && (path == "~" || strings.HasPrefix(path, "~/")) {
			path = filepath.Join(home, path[1:]) // as aws: file://~/input.json
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("call", "cannot read %s: %v", src, unwrapPathError(err))
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxInputBytes+1)); err != nil {
			return nil, usagef("call", "cannot read %s: %v", src, unwrapPathError(err))
		}
	default:
		data = []byte(src)
	}
	if len(data) > maxInputBytes {
		return nil, usagef("call", "%s is larger than %d MiB", what, maxInputBytes>>20)
	}
	if strings.HasPrefix(src, "fileb://") {
		// aws gives the bytes to Python's json.loads, which reads UTF-16 and UTF-32 too.
		var err error
		if data, err = decodeJSONBytes(data); err != nil {
			return nil, usagef("call", "%s: %v", what, err)
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark some editors write
	return checkInput(data, what)
}

// checkInput checks that data is one JSON object and returns it compacted.
func checkInput(data []byte, what string) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, usagef("call", "%s is empty: want a JSON object, such as {}", what)
	}
	var v json.RawMessage // checked, numbers not read: 1e400 is JSON too
	if err := json.Unmarshal(trimmed, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, len(data)-len(bytes.TrimLeft(data, " \t\r\n"))+int(se.Offset))
			return nil, usagef("call", "%s is not valid JSON: %v (line %d, column %d)", what, se, line, col)
		}
		return nil, usagef("call", "%s is not valid JSON: %v", what, err)
	}
	if trimmed[0] != '{' {
		kind := map[byte]string{'[': "an array", '"': "a string", 't': "true", 'f': "false", 'n': "null"}[trimmed[0]]
		if kind == "" {
			kind = "a number"
		}
		return nil, usagef("call", "%s is %s: want a JSON object ({...}) of the operation's parameters", what, kind)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, trimmed); err != nil {
		return nil, usagef("call", "%s is not valid JSON: %v", what, err)
	}
	if out, _, dup := lastMembers(b.Bytes(), 0); dup {
		return out, nil
	}
	return b.Bytes(), nil
}

// lastMembers reads the value at data[i:], compact valid JSON, and returns it with each
// object's members once: the last value given, where the member first was, as Python's json
// reads it for the AWS CLI (the service would see a member twice otherwise). Numbers and strings
// keep their text. end is where the value ends; dup reports whether a member was repeated.
func lastMembers(data []byte, i int) (out []byte, end int, dup bool) {
	switch data[i] {
	case '{':
		type member struct {
			key   []byte // as written
			value []byte
		}
		var members []member
		index := map[string]int{}
		for i++; data[i] != '}'; {
			if data[i] == ',' {
				i++
			}
			keyEnd := stringEnd(data, i)
			key := data[i:keyEnd]
			value, next, d := lastMembers(data, keyEnd+1) // after the ':'
			dup = dup || d
			var name string
			_ = json.Unmarshal(key, &name)
			if at, ok := index[name]; ok {
				members[at].value = value
				dup = true
			} else {
				index[name] = len(members)
				members = append(members, member{key, value})
			}
			i = next
		}
		out = append(out, '{')
		for n, m := range members {
			if n > 0 {
				out = append(out, ',')
			}
			out = append(append(append(out, m.key...), ':'), m.value...)
		}
		return append(out, '}'), i + 1, dup
	case '[':
		out = append(out, '[')
		for i++; data[i] != ']'; {
			if data[i] == ',' {
				out = append(out, ',')
				i++
			}
			value, next, d := lastMembers(data, i)
			dup = dup || d
			out = append(out, value...)
			i = next
		}
		return append(out, ']'), i + 1, dup
	case '"':
		end = stringEnd(data, i)
		return data[i:end], end, false
	}
	end = i
	for end < len(data) && !strings.ContainsRune(",]}", rune(data[end])) {
		end++
	}
	return data[i:end], end, false
}

// stringEnd returns where the JSON string starting at data[i] ends (after its closing quote).
func stringEnd(data []byte, i int) int {
	for i++; data[i] != '"'; i++ {
		if data[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// position is the line and column (from 1, in bytes) of offset in data; json's offsets count
// the bytes read, one past the offending one.
func position(data []byte, offset int) (line, col int) {
	offset = min(max(offset-1, 0), len(data))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// unwrapPathError drops the operation and path of an *os.PathError, which the message names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// startingToken is a parsed --starting-token.
type startingToken struct {
	token string // the service's token; "" for none (the first page)
	skip  int    // items of the first page already returned
}

// parseStartingToken reads a --starting-token as botocore does: the base64 of a JSON object
// {"nextToken": T, "boto_truncate_amount": N} as --max-items prints it in NextToken, or else
// the service's own token.
func parseStartingToken(s, inputToken string) (startingToken, error) {
	var t startingToken
	raw, err := base64.StdEncoding.DecodeString(s)
	var obj map[string]json.RawMessage
	if err != nil || json.Unmarshal(raw, &obj) != nil || obj == nil {
		return startingToken{token: s}, nil
	}
	if v, ok := obj[inputToken]; ok {
		var tok *string
		if err := json.Unmarshal(v, &tok); err != nil {
			return t, fmt.Errorf("%s is not a string", inputToken)
		}
		if tok != nil {
			t.token = *tok
		}
	}
	if v, ok := obj["boto_truncate_amount"]; ok {
		if err := json.Unmarshal(v, &t.skip); err != nil || t.skip < 0 {
			return t, errors.New("boto_truncate_amount is not a count")
		}
	}
	return t, nil
}

// resumeToken encodes where a truncated pagination resumes as botocore does (base64 of
// Python's json.dumps of {inputToken: token, "boto_truncate_amount": skip}), so that the AWS
// CLI's --starting-token reads it too. token "" is null; skip < 0 leaves the count out.
func resumeToken(inputToken, token string, skip int) string {
	var b bytes.Buffer
	b.WriteByte('{')
	writePyString(&b, inputToken, true, false)
	b.WriteString(": ")
	if token == "" {
		b.WriteString("null")
	} else {
		writePyString(&b, token, true, false)
	}
	if skip >= 0 {
		fmt.Fprintf(&b, `, "boto_truncate_amount": %d`, skip)
	}
	b.WriteByte('}')
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// withMember returns the JSON object body with member key set to the string value, or
// removed when value is "".
func withMember(body []byte, key, value string) ([]byte, error) {
	if value == "" {
		return withRawMember(body, key, nil)
	}
	v, _ := json.Marshal(value)
	return withRawMember(body, key, v)
}

// withRawMember returns the JSON object body with member key set to the JSON value, or
// removed when value is nil.
func withRawMember(body []byte, key string, value json.RawMessage) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	if value == nil {
		delete(obj, key)
	} else {
		obj[key] = value
	}
	return json.Marshal(obj)
}

// stringMember returns the string member key of a JSON object ("" when absent, null or not a
// string).
func stringMember(obj map[string]json.RawMessage, key string) string {
	var s string
	if json.Unmarshal(obj[key], &s) != nil {
		return ""
	}
	return s
}

// pagination is the result of paginateCall: the pages as botocore's PageIterator yields them
// to the AWS CLI.
type pagination struct {
	pg     *pager
	pages  []map[string]json.RawMessage // each answer, its primary result list cut as botocore cuts it
	resume string                       // the NextToken to resume from, when maxItems stopped it
}

// paginateCall calls op page after page, as botocore's PageIterator does for the AWS CLI: it
// follows pg's tokens until an answer has no token or one already sent, starting from start
// (a --starting-token: the first page loses the items returned before, and its other result
// lists), and stops after maxItems (> 0) items of the primary result list, cutting the last
// page.
func paginateCall(ctx context.Context, cl *cwlogs.Client, op *apiOperation, pg *pager, body []byte, start *startingToken, maxItems int) (*pagination, error) {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	token := stringMember(in, pg.inputToken) // the token of the page asked for
	skip := 0                                // items of the first page returned before
	if start != nil {
		token, skip = start.token, start.skip
		var err error
		if body, err = withMember(body, pg.inputToken, token); err != nil {
			return nil, err
		}
	}
	var (
		p       = &pagination{pg: pg}
		sent    = map[string]bool{token: true}
		total   int // items of the primary result key so far
		primary = pg.resultKeys[0]
	)
	for first := true; ; first = false {
		resp, err := cl.Invoke(ctx, op.name, body)
		if err != nil {
			return nil, err
		}
		shaped, err := shapeAnswer(op, resp.Body)
		if err != nil {
			return nil, err
		}
		page := map[string]json.RawMessage{}
		if err := json.Unmarshal(shaped, &page); err != nil {
			return nil, fmt.Errorf("%s: the answer is not a JSON object: %v", op.name, err)
		}
		items, err := jsonList(page[primary])
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a list", op.name, primary)
		}
		cut := false // items changed: page[primary] is rewritten
		if first {
			if start != nil {
				// botocore drops what the previous run returned: the first skip items, and
				// the other result lists whole.
				items = items[min(skip, len(items)):]
				cut = true
				for _, k := range pg.resultKeys[1:] {
					if v := page[k]; len(v) > 0 && v[0] == '[' {
						page[k] = json.RawMessage("[]")
					}
				}
			}
		} else {
			skip = 0
		}
		stop := false
		if maxItems > 0 && total+len(items) > maxItems {
			keep := maxItems - total
			items = items[:keep]
			cut = true
			p.resume = resumeToken(pg.inputToken, token, keep+skip)
			stop = true
		}
		if cut && !isNull(page[primary]) {
			page[primary], _ = json.Marshal(items)
		}
		p.pages = append(p.pages, page)
		if stop {
			break
		}
		total += len(items)
		next := stringMember(page, pg.outputToken)
		if next == "" {
			break
		}
		if maxItems > 0 && total == maxItems {
			p.resume = resumeToken(pg.inputToken, next, -1)
			break
		}
		if next == token && op.name != "GetLogEvents" {
			// botocore's PageIterator refuses a page that hands back the token it was
			// asked with, and the AWS CLI prints this and fails.
			return nil, fmt.Errorf("Error during pagination: The same next token was received twice: {'%s': '%s'}", pg.outputToken, next)
		}
		if sent[next] {
			// GetLogEvents returns the token it was sent at the end of a stream; any other
			// token seen before is a loop, which botocore would follow for ever.
			break
		}
		sent[next] = true
		token = next
		if body, err = withMember(body, pg.inputToken, next); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// full is botocore's PageIterator.build_full_result, which the AWS CLI prints as JSON and
// table: one object holding each result list of every page merged, then the non-aggregate
// members of the first page, then NextToken when --max-items stopped it.
func (p *pagination) full() []byte {
	res := &mergedResults{}
	for _, page := range p.pages {
		for _, k := range p.pg.resultKeys {
			res.add(k, page[k]) // the primary key's is a list (paginateCall checked)
		}
	}
	for _, k := range p.pg.nonAggregateKeys {
		res.set(k, p.pages[0][k])
	}
	if p.resume != "" {
		v, _ := json.Marshal(p.resume)
		res.set("NextToken", v)
	}
	return res.json()
}

// textPages are the objects the AWS CLI's text output prints one after the other when it
// pages (awscli/formatter.py's TextFormatter): for each page, its result lists (null when
// missing), with the non-aggregate members first on the first page; then, when --max-items
// stopped it, {"NextToken": {"NextToken": TOKEN}}.
func (p *pagination) textPages() ([]*searchable, error) {
	var out []*searchable
	for i, page := range p.pages {
		var keys []string
		if i == 0 {
			keys = append(keys, p.pg.nonAggregateKeys...)
		}
		keys = append(keys, p.pg.resultKeys...)
		a, err := newPage(keys, page)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if p.resume != "" {
		tok, _ := json.Marshal(p.resume)
		a, err := newAnswer([]byte(`{"NextToken":{"NextToken":` + string(tok) + `}}`))
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// mergedResults is the object paginateCall builds, members in the order they were first set.
type mergedResults struct {
	keys   []string
	lists  map[string][]json.RawMessage
	values map[string]json.RawMessage // members that are not merged lists
}

func (r *mergedResults) has(k string) bool {
	_, isList := r.lists[k]
	_, isValue := r.values[k]
	return isList || isValue
}

// addList appends items to the list k.
func (r *mergedResults) addList(k string, items []json.RawMessage) {
	if r.lists == nil {
		r.lists = map[string][]json.RawMessage{}
	}
	if !r.has(k) {
		r.keys = append(r.keys, k)
		r.lists[k] = []json.RawMessage{}
	}
	if _, ok := r.values[k]; !ok {
		r.lists[k] = append(r.lists[k], items...)
	}
}

// add merges a page's result v: a list is appended to k's; any other value is kept the first
// time it is seen (no Logs operation has one); null is skipped.
func (r *mergedResults) add(k string, v json.RawMessage) {
	if items, err := jsonList(v); err == nil {
		if !isNull(v) {
			r.addList(k, items)
		}
		return
	}
	if !r.has(k) {
		r.set(k, v)
	}
}

// set sets member k to v, unless v is null.
func (r *mergedResults) set(k string, v json.RawMessage) {
	if isNull(v) {
		return
	}
	if r.values == nil {
		r.values = map[string]json.RawMessage{}
	}
	if !r.has(k) {
		r.keys = append(r.keys, k)
	}
	r.values[k] = v
}

func (r *mergedResults) json() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		if v, ok := r.values[k]; ok {
			b.Write(v)
			continue
		}
		v, _ := json.Marshal(r.lists[k])
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func isNull(v json.RawMessage) bool { return v == nil || string(v) == "null" }

// jsonList decodes a JSON array into its elements; absent or null is an empty list.
func jsonList(v json.RawMessage) ([]json.RawMessage, error) {
	if isNull(v) {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, errors.New("not a list")
	}
	return list, nil
}
