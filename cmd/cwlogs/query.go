package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmespath/go-jmespath"
)

// This file is call's --query: a JMESPath expression applied to the answer before it is
// printed, as the AWS CLI applies its --query. The expression is evaluated by go-jmespath, the
// reference Go implementation, on the answer decoded into the values it knows (maps, slices,
// float64, string, bool, nil). What a Go map and a float64 lose, and the AWS CLI (Python)
// keeps, is kept beside them (see answerTree) and put back in the result (see outValue): the
// order of an object's members, and whether a number was written as a float ("0.0") or is an
// integer too large for a float64.

// jmespathFunctions are the functions of the JMESPath specification, the ones go-jmespath
// v0.4.0 and the AWS CLI's jmespath.py both have (TestQueryFunctionsKnown checks them).
var jmespathFunctions = []string{
	"abs", "avg", "ceil", "contains", "ends_with", "floor", "join", "keys", "length", "map",
	"max", "max_by", "merge", "min", "min_by", "not_null", "reverse", "sort", "sort_by",
	"starts_with", "sum", "to_array", "to_number", "to_string", "type", "values",
}

// awsQuery is a compiled --query.
type awsQuery struct {
	expr string
	jp   *jmespath.JMESPath
	// hashKeys lists the keys of each multi-select hash ({a: x, b: y}) of the expression, in
	// the order written: the order in which the AWS CLI prints the members of the objects they
	// make (a Go map has none).
	hashKeys [][]string
}

// compileQuery compiles a --query expression; a syntax error or an unknown function is a usage
// error naming the expression and the position, found before any request is sent.
func compileQuery(cmd, expr string) (*awsQuery, error) {
	jp, err := compileJMESPath(expr)
	if err != nil {
		var se jmespath.SyntaxError
		if errors.As(err, &se) {
			off := min(max(se.Offset, 0), len(expr))
			for off > 0 && off < len(expr) && !utf8.RuneStart(expr[off]) {
				off-- // an unknown character's offset is its last byte
			}
			col := utf8.RuneCountInString(expr[:off]) + 1
			return nil, usagef(cmd, "invalid --query %q: %s at column %d", expr, syntaxMessage(se), col)
		}
		return nil, usagef(cmd, "invalid --query %q: %v", expr, err)
	}
	q := &awsQuery{expr: expr, jp: jp}
	ast, err := parseJMESPath(expr)
	if err != nil { // cannot happen: Compile parsed it
		return nil, usagef(cmd, "invalid --query %q: %v", expr, err)
	}
	var unknown []string
	walkAST(reflect.ValueOf(ast), func(kind int64, value reflect.Value, children reflect.Value) {
		switch kind {
		case int64(jmespath.ASTMultiSelectHash):
			var keys []string
			for i := range children.Len() {
				if k, ok := astString(children.Index(i)); ok {
					keys = append(keys, k)
				}
			}
			q.hashKeys = append(q.hashKeys, keys)
		case int64(jmespath.ASTFunctionExpression):
			if value.Kind() == reflect.Interface && value.Elem().Kind() == reflect.String {
				if name := value.Elem().String(); !slices.Contains(jmespathFunctions, name) {
					unknown = append(unknown, name)
				}
			}
		}
	})
	if len(unknown) > 0 {
		return nil, usagef(cmd, "invalid --query %q: unknown function %s() (the functions are %s)", expr, unknown[0], strings.Join(jmespathFunctions, ", "))
	}
	if rewritten := rewriteQuery(expr); rewritten != expr {
		// Used only when its syntax tree is the expression's with the rewrites and no more.
		rjp, err := compileJMESPath(rewritten)
		rast, perr := parseJMESPath(rewritten)
		if err == nil && perr == nil && sameRewrittenAST(reflect.ValueOf(ast), reflect.ValueOf(rast)) {
			q.jp = rjp
		}
	}
	return q, nil
}

// compileJMESPath is jmespath.Compile, and parseJMESPath jmespath's Parse, their panics made
// errors: go-jmespath's lexer indexes a table out of range when an identifier is followed by
// U+0080, which is an unknown character as any other it does not know.
func compileJMESPath(expr string) (jp *jmespath.JMESPath, err error) {
	defer recoverSyntax(expr, &err)
	return jmespath.Compile(expr)
}

func parseJMESPath(expr string) (ast jmespath.ASTNode, err error) {
	defer recoverSyntax(expr, &err)
	return jmespath.NewParser().Parse(expr)
}

func recoverSyntax(expr string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if i := strings.IndexRune(expr, 0x80); i >= 0 {
		// Worded as go-jmespath words the other characters it does not know.
		*err = syntaxText(fmt.Sprintf("Unknown char: '\\u0080' at column %d", utf8.RuneCountInString(expr[:i])+1))
		return
	}
	*err = fmt.Errorf("go-jmespath failed: %v", r)
}

// syntaxText is an error with the text of a go-jmespath syntax error.
type syntaxText string

func (e syntaxText) Error() string { return string(e) }

// rewriteQuery rewrites the calls of expr to go-jmespath's functions that do not do what
// jmespath.py's (the AWS CLI's) do:
//
//   - sort_by(A, ...) sorts the list it is given in place, so that the answer's list read again
//     after it (logGroups[0] in {sorted: sort_by(logGroups, &n), first: logGroups[0]}) would be
//     sorted too, where Python's returns a sorted copy: A becomes reverse(reverse(A)), a copy
//     (and a type error for anything but a list or a string, as sort_by's);
//   - avg(A) of an empty list is 0/0, NaN, where Python's is null: the call C becomes
//     (C == C && C || `null`), NaN being the one number not equal to itself.
//
// String literals, quoted identifiers and JSON literals are skipped as go-jmespath's lexer
// skips them; compileQuery uses the result only when its syntax tree is the expression's with
// these changes (sameRewrittenAST).
func rewriteQuery(expr string) string {
	type call struct {
		name         string
		start, open  int // the name's first byte, the '('
		argEnd, stop int // the first argument's end (',' or ')'), the ')'; -1 until found
	}
	type frame struct{ call int } // the index in calls of the call the bracket opens, or -1
	var (
		calls []call
		stack []frame
	)
	isIdent := func(c byte, first bool) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
	}
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\'':
			// A raw string: only \' is an escape (go-jmespath's lexer).
			for i++; i < len(expr) && expr[i] != c; i++ {
				if expr[i] == '\\' && i+1 < len(expr) && expr[i+1] == '\'' {
					i++
				}
			}
		case c == '"' || c == '`':
			for i++; i < len(expr) && expr[i] != c; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
		case isIdent(c, true):
			j := i
			for j < len(expr) && isIdent(expr[j], false) {
				j++
			}
			k := j
			for k < len(expr) && strings.IndexByte(" \t\n\r", expr[k]) >= 0 {
				k++
			}
			if name := expr[i:j]; (name == "sort_by" || name == "avg") && k < len(expr) && expr[k] == '(' {
				stack = append(stack, frame{len(calls)})
				calls = append(calls, call{name: name, start: i, open: k, argEnd: -1, stop: -1})
				j = k + 1
			}
			i = j - 1
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, frame{-1})
		case c == ',' && len(stack) > 0:
			if f := stack[len(stack)-1]; f.call >= 0 && calls[f.call].argEnd < 0 {
				calls[f.call].argEnd = i
			}
		case (c == ')' || c == ']' || c == '}') && len(stack) > 0:
			if f := stack[len(stack)-1]; f.call >= 0 {
				if calls[f.call].argEnd < 0 {
					calls[f.call].argEnd = i
				}
				calls[f.call].stop = i
			}
			stack = stack[:len(stack)-1]
		}
	}
	// avg's rewrite triples the call: one nested in three others is left as it is.
	for _, c := range calls {
		depth := 0
		for _, d := range calls {
			if d.name == "avg" && d.start < c.start && d.stop > c.stop {
				depth++
			}
		}
		if c.name == "avg" && depth > 2 {
			return expr
		}
	}
	// emit writes expr[lo:hi] with the calls wholly inside it rewritten, outermost first.
	var emit func(b *strings.Builder, lo, hi int)
	emit = func(b *strings.Builder, lo, hi int) {
		pos := lo
		for _, c := range calls {
			if c.start < pos || c.stop < 0 || c.stop >= hi {
				continue // before, inside a call already written, unclosed or beyond
			}
			b.WriteString(expr[pos:c.start])
			switch c.name {
			case "sort_by":
				b.WriteString(expr[c.start : c.open+1])
				if strings.TrimSpace(expr[c.open+1:c.argEnd]) != "" {
					b.WriteString("reverse(reverse(")
					emit(b, c.open+1, c.argEnd)
					b.WriteString("))")
				}
				emit(b, c.argEnd, c.stop+1)
			case "avg":
				var inner strings.Builder
				inner.WriteString(expr[c.start : c.open+1])
				emit(&inner, c.open+1, c.stop+1)
				in := inner.String()
				b.WriteString("(" + in + " == " + in + " && " + in + " || `null`)")
			}
			pos = c.stop + 1
		}
		b.WriteString(expr[pos:hi])
	}
	var b strings.Builder
	emit(&b, 0, len(expr))
	return b.String()
}

// astNode reads the fields of a node of go-jmespath's syntax tree; ok is false for a layout
// it does not recognise. name is the value when it is a string (a function's name).
func astNode(v reflect.Value) (kind int64, name string, children reflect.Value, ok bool) {
	if v.Kind() != reflect.Struct {
		return 0, "", reflect.Value{}, false
	}
	k, val, ch := v.FieldByName("nodeType"), v.FieldByName("value"), v.FieldByName("children")
	if k.Kind() != reflect.Int || !val.IsValid() || ch.Kind() != reflect.Slice {
		return 0, "", reflect.Value{}, false
	}
	name, _ = astString(v)
	return k.Int(), name, ch, true
}

// avgPattern is the syntax tree of rewriteQuery's avg rewrite, each C the call rewritten.
var avgPattern = func() reflect.Value {
	ast, err := jmespath.NewParser().Parse("(C == C && C || `null`)")
	if err != nil {
		panic(err)
	}
	return reflect.ValueOf(ast)
}()

// sameRewrittenAST reports whether b, the syntax tree of rewriteQuery(expr), is a, that of
// expr, with rewriteQuery's changes and no other.
func sameRewrittenAST(a, b reflect.Value) bool {
	if kind, name, _, ok := astNode(a); ok && kind == int64(jmespath.ASTFunctionExpression) && name == "avg" {
		return matchAvgPattern(a, avgPattern, b)
	}
	return sameASTNode(a, b)
}

// matchAvgPattern matches b against the pattern p, whose fields C stand for the call a.
func matchAvgPattern(a, p, b reflect.Value) bool {
	pk, pName, pc, ok1 := astNode(p)
	_, _, bc, ok2 := astNode(b)
	if !ok1 || !ok2 {
		return false
	}
	if pk == int64(jmespath.ASTField) && pName == "C" {
		return sameASTNode(a, b)
	}
	if !deepEqualValues(p.FieldByName("nodeType"), b.FieldByName("nodeType")) ||
		!deepEqualValues(p.FieldByName("value"), b.FieldByName("value")) || pc.Len() != bc.Len() {
		return false
	}
	for i := range pc.Len() {
		if !matchAvgPattern(a, pc.Index(i), bc.Index(i)) {
			return false
		}
	}
	return true
}

// sameASTNode compares a node and its rewrite: the same kind and value, and children that are
// the same once rewritten (the first argument of sort_by wrapped in reverse(reverse(...))).
func sameASTNode(a, b reflect.Value) bool {
	if a.Kind() != reflect.Struct || b.Kind() != reflect.Struct || a.Type() != b.Type() {
		return false
	}
	ak, aName, ac, ok1 := astNode(a)
	bk, _, bc, ok2 := astNode(b)
	if !ok1 || !ok2 || ak != bk || !deepEqualValues(a.FieldByName("value"), b.FieldByName("value")) || ac.Len() != bc.Len() {
		return false
	}
	for i := range ac.Len() {
		bi := bc.Index(i)
		if i == 0 && ak == int64(jmespath.ASTFunctionExpression) && aName == "sort_by" {
			for range 2 { // reverse(reverse(X)): X
				k, name, ch, ok := astNode(bi)
				if !ok || k != int64(jmespath.ASTFunctionExpression) || name != "reverse" || ch.Len() != 1 {
					return false
				}
				bi = ch.Index(0)
			}
		}
		if !sameRewrittenAST(ac.Index(i), bi) {
			return false
		}
	}
	return true
}

// deepEqualValues is reflect.DeepEqual for values read from unexported fields (whose
// Interface cannot be called): the values of syntax tree nodes.
func deepEqualValues(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return deepEqualValues(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !deepEqualValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		iter := a.MapRange()
		for iter.Next() {
			w := b.MapIndex(iter.Key())
			if !w.IsValid() || !deepEqualValues(iter.Value(), w) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !deepEqualValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	}
	return false
}

// walkAST calls f for node (a jmespath.ASTNode) and every node below it. go-jmespath keeps the
// tree's fields unexported; they are read (never written) through reflection, which a test
// pins to v0.4.0's layout. A layout it does not recognise is not walked.
func walkAST(node reflect.Value, f func(kind int64, value, children reflect.Value)) {
	if node.Kind() != reflect.Struct {
		return
	}
	kind, value, children := node.FieldByName("nodeType"), node.FieldByName("value"), node.FieldByName("children")
	if kind.Kind() != reflect.Int || !value.IsValid() || children.Kind() != reflect.Slice {
		return
	}
	f(kind.Int(), value, children)
	for i := range children.Len() {
		walkAST(children.Index(i), f)
	}
}

// astString returns the string value of an AST node (a key-value pair's key).
func astString(node reflect.Value) (string, bool) {
	if node.Kind() != reflect.Struct {
		return "", false
	}
	v := node.FieldByName("value")
	if v.Kind() != reflect.Interface || v.Elem().Kind() != reflect.String {
		return "", false
	}
	return v.Elem().String(), true
}

// syntaxMessage words go-jmespath's syntax errors with the characters of its token names.
func syntaxMessage(se jmespath.SyntaxError) string {
	msg := strings.TrimPrefix(se.Error(), "SyntaxError: ")
	return tokenNames.Replace(strings.TrimSpace(msg))
}

var tokenNames = strings.NewReplacer(
	"tUnknown", "an unknown token", "tStar", "'*'", "tDot", "'.'", "tFilter", "'[?'",
	"tFlatten", "'[]'", "tLparen", "'('", "tRparen", "')'", "tLbracket", "'['",
	"tRbracket", "']'", "tLbrace", "'{'", "tRbrace", "'}'", "tOr", "'||'", "tPipe", "'|'",
	"tNumber", "a number", "tUnquotedIdentifier", "an identifier",
	"tQuotedIdentifier", "a quoted identifier", "tComma", "','", "tColon", "':'",
	"tLTE", "'<='", "tLT", "'<'", "tGTE", "'>='", "tGT", "'>'", "tEQ", "'=='", "tNE", "'!='",
	"tJSONLiteral", "a JSON literal", "tStringLiteral", "a string literal",
	"tCurrent", "'@'", "tExpref", "'&'", "tAnd", "'&&'", "tNot", "'!'",
	"tEOF", "the end of the expression",
)

// queryError is a --query that failed while it was evaluated (a function given the wrong type
// of value, for example): exit status 1, as the answer was received.
type queryError struct {
	expr string
	err  error
}

func (e *queryError) Error() string {
	// go-jmespath prints the types a function takes as a Go value: []jmespath.jpType{"string", "array"}.
	msg := goTypeList.ReplaceAllStringFunc(e.err.Error(), func(s string) string {
		return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(s, "[]jmespath.jpType{"), "}"), `"`, "")
	})
	return fmt.Sprintf("--query %q: %s", e.expr, msg)
}

func (e *queryError) Unwrap() error { return e.err }

var goTypeList = regexp.MustCompile(`\[\]jmespath\.jpType\{[^}]*\}`)

// search applies q (nil: the answer itself) to an answer or a page, a JSON object decoded by
// newAnswer, and returns the result to print.
func (q *awsQuery) search(a *searchable) (any, error) {
	if q == nil {
		if a.marked != nil {
			return a.marked.output(a.marked.root, nil), nil
		}
		return a.plain.output(a.plain.root, nil), nil
	}
	res, err := q.jpSearch(a.plain.root)
	if err != nil {
		return nil, &queryError{expr: q.expr, err: err}
	}
	if !jsonValue(res) {
		return nil, &queryError{expr: q.expr, err: errExpRef}
	}
	if a.marked == nil {
		return a.plain.output(res, q.hashKeys), nil
	}
	// Search again with the numbers that a float64 cannot tell apart marked: when the marks
	// changed nothing (the expression only selected them), the marked result is the exact one.
	// Otherwise the expression computed with them (the marks are not numbers to go-jmespath),
	// and the plain result stands, its floats found again where they are members of the
	// answer's objects.
	marked, err := q.jpSearch(a.marked.root)
	if err == nil && sameValue(res, marked) {
		return a.marked.output(marked, q.hashKeys), nil
	}
	return a.plain.output(res, q.hashKeys), nil
}

// jpSearch is go-jmespath's Search, its panics turned into errors: it does not check the
// arguments of the functions that take any number of them, and merge() asserts that they are
// objects (Python's jmespath raises a type error instead).
func (q *awsQuery) jpSearch(data any) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, panicError(r)
		}
	}()
	return q.jp.Search(data)
}

// panicError words a panic of go-jmespath: a failed type assertion as the type error it stands
// for, in JMESPath's names of the types.
func panicError(r any) error {
	var te *runtime.TypeAssertionError
	if err, ok := r.(error); ok && errors.As(err, &te) {
		if m := typeAssertion.FindStringSubmatch(te.Error()); m != nil {
			return fmt.Errorf("invalid type for a function's argument: %s, expected: %s", jpTypeName(m[1]), jpTypeName(m[2]))
		}
	}
	return fmt.Errorf("the expression failed: %v", r)
}

var typeAssertion = regexp.MustCompile(`^interface conversion: interface \{\} is (.+), not (.+)$`)

// jpTypeName is JMESPath's name of a Go type of a decoded answer.
func jpTypeName(goType string) string {
	switch goType {
	case "nil":
		return "null"
	case "float64", "main.wholeFloat", "main.bigInt":
		return "number"
	case "bool":
		return "boolean"
	case "[]interface {}":
		return "array"
	case "map[string]interface {}":
		return "object"
	}
	return goType
}

// errExpRef is a result holding an expression reference (&expr), which go-jmespath returns as
// a value of its own: Python's JSON encoder fails on it, as the AWS CLI's JSON output does.
var errExpRef = errors.New("the result holds an expression reference (&...), which cannot be printed")

// jsonValue reports whether v, a search result of the plain tree, holds only the values of
// a decoded JSON document.
func jsonValue(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			if !jsonValue(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range v {
			if !jsonValue(e) {
				return false
			}
		}
		return true
	case float64, string, bool, nil:
		return true
	}
	return false
}

// searchable is a JSON answer (or page) decoded for go-jmespath: plain has every number as a
// float64; marked, only when the answer has numbers that a float64 does not tell apart (a
// whole number written as a float, an integer beyond 2^53), has them as wholeFloat and
// bigInt.
type searchable struct {
	plain, marked *answerTree
}

// wholeFloat is a number written as a float whose value is whole ("0.0"): printed "0.0", as
// Python, which keeps floats and integers apart, prints it.
type wholeFloat float64

// bigInt is an integer beyond 2^53, which a float64 does not hold exactly: its digits.
type bigInt string

// answerTree is a decoded answer and what Go maps lose of its objects.
type answerTree struct {
	root    any
	objects map[uintptr]*objectInfo // by the map's pointer: maps are not copied by go-jmespath
}

// objectInfo is what a map loses of a JSON object.
type objectInfo struct {
	keys   []string          // the members in the order of the answer
	floats map[string]bool   // members written as floats
	bigs   map[string]string // members that are integers beyond 2^53: their digits
}

// newAnswer decodes a JSON object that botocore's parser made (shapeAnswer gives answers that
// form), as it is handed to the AWS CLI's formatters.
func newAnswer(body []byte) (*searchable, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}") // moto answers operations without output with no body at all
	}
	a := &searchable{}
	var needMarks bool
	var err error
	if a.plain, needMarks, err = decodeAnswer(body, false); err != nil {
		return nil, err
	}
	if needMarks {
		if a.marked, _, err = decodeAnswer(body, true); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// newPage builds the object the AWS CLI's text output formats for one page: the members named
// in keys, in that order, each decoded from members (null when absent, as botocore sets it).
func newPage(keys []string, members map[string]json.RawMessage) (*searchable, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		if v := members[k]; len(v) > 0 {
			b.Write(v)
		} else {
			b.WriteString("null")
		}
	}
	b.WriteByte('}')
	a, err := newAnswer(b.Bytes())
	if err != nil {
		return nil, err
	}
	return a, nil
}

// decodeAnswer decodes body, a JSON object, into an answerTree; with marks, whole floats and
// big integers are wholeFloat and bigInt. needMarks reports whether the answer has any.
func decodeAnswer(body []byte, marks bool) (t *answerTree, needMarks bool, err error) {
	d := &answerDecoder{dec: json.NewDecoder(bytes.NewReader(body)), marks: marks,
		tree: &answerTree{objects: map[uintptr]*objectInfo{}}}
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, false, err
	}
	if tok != json.Delim('{') {
		return nil, false, fmt.Errorf("want a JSON object, got %s", jsonKind(tok))
	}
	if d.tree.root, err = d.object(); err != nil {
		return nil, false, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("more data after the JSON object")
		}
		return nil, false, err
	}
	return d.tree, d.needMarks, nil
}

type answerDecoder struct {
	dec       *json.Decoder
	marks     bool
	needMarks bool
	tree      *answerTree
}

func (d *answerDecoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

// value decodes the value that tok starts. For a number, isFloat tells whether it was
// written as a float and big holds the digits of an integer beyond 2^53.
func (d *answerDecoder) value(tok json.Token) (v any, isFloat bool, big string, err error) {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			v, err = d.object()
		} else {
			v, err = d.array()
		}
		return v, false, "", err
	case json.Number:
		return d.number(string(t))
	}
	return tok, false, "", nil // string, bool, nil
}

func (d *answerDecoder) number(s string) (v any, isFloat bool, big string, err error) {
	if strings.ContainsAny(s, ".eE") {
		f, _ := strconv.ParseFloat(s, 64) // out of range: ±Inf or 0, as Python reads it
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			d.needMarks = true
			if d.marks {
				return wholeFloat(f), true, "", nil
			}
		}
		return f, true, "", nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= -1<<53 && n <= 1<<53 {
		return float64(n), false, "", nil
	}
	d.needMarks = true
	if s == "-0" {
		return float64(0), false, "", nil
	}
	if d.marks {
		return bigInt(s), false, s, nil
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f, false, s, nil
}

func (d *answerDecoder) object() (map[string]any, error) {
	m := map[string]any{}
	info := &objectInfo{}
	d.tree.objects[reflect.ValueOf(m).Pointer()] = info
	for d.dec.More() {
		key, err := d.token()
		if err != nil {
			return nil, err
		}
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		k := key.(string)
		v, isFloat, big, err := d.value(tok)
		if err != nil {
			return nil, err
		}
		if _, dup := m[k]; !dup {
			info.keys = append(info.keys, k)
		}
		m[k] = v
		if isFloat {
			if info.floats == nil {
				info.floats = map[string]bool{}
			}
			info.floats[k] = true
		} else if big != "" {
			if info.bigs == nil {
				info.bigs = map[string]string{}
			}
			info.bigs[k] = big
		}
	}
	_, err := d.token() // '}'
	return m, err
}

func (d *answerDecoder) array() ([]any, error) {
	l := []any{}
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		v, _, _, err := d.value(tok)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	_, err := d.token() // ']'
	return l, err
}

// sameValue reports whether a search of the plain tree (a) and of the marked one (b) gave the
// same result, a mark being equal to the float64 it stands for.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case float64:
		switch b := b.(type) {
		case float64:
			return a == b
		case wholeFloat:
			return a == float64(b)
		case bigInt:
			f, _ := strconv.ParseFloat(string(b), 64)
			return a == f
		}
		return false
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case string, bool, nil:
		return a == b
	}
	return false
}

// The values to print, as the AWS CLI's formatters see them: string, bool, nil, pyNum,
// []any and *pyObject.
type (
	// pyNum is a number as Python holds it: an int or a float.
	pyNum struct {
		f       float64
		isFloat bool
		digits  string // an int beyond 2^53, exactly
	}
	// pyObject is a JSON object with its members in order, as a Python dict.
	pyObject struct {
		keys []string
		vals map[string]any
	}
)

// String is Python's str() of the number: inf, -inf and nan where its JSON (json()) has
// Infinity, -Infinity and NaN.
func (n pyNum) String() string {
	switch {
	case math.IsInf(n.f, 1) && n.digits == "":
		return "inf"
	case math.IsInf(n.f, -1) && n.digits == "":
		return "-inf"
	case math.IsNaN(n.f):
		return "nan"
	}
	return n.json()
}

// json is the number as Python's json.dump writes it.
func (n pyNum) json() string {
	switch {
	case n.digits != "":
		return n.digits
	case n.isFloat || n.f != math.Trunc(n.f) || math.IsInf(n.f, 0):
		return pyFloat(n.f)
	}
	return strconv.FormatFloat(n.f, 'f', -1, 64)
}

// output converts a search result from t into the values to print. Objects of the answer keep
// its order; objects made by a multi-select hash take the order of the hash with the same keys;
// any other (from merge() or a literal) is sorted.
func (t *answerTree) output(v any, hashKeys [][]string) any {
	switch v := v.(type) {
	case map[string]any:
		info := t.objects[reflect.ValueOf(v).Pointer()]
		o := &pyObject{vals: make(map[string]any, len(v))}
		if info != nil && len(info.keys) == len(v) {
			o.keys = info.keys
		} else {
			o.keys = orderKeys(v, hashKeys)
			info = nil
		}
		for _, k := range o.keys {
			o.vals[k] = t.output(v[k], hashKeys)
			if f, ok := v[k].(float64); ok && info != nil {
				if info.floats[k] {
					o.vals[k] = pyNum{f: f, isFloat: true}
				} else if d, ok := info.bigs[k]; ok {
					if g, _ := strconv.ParseFloat(d, 64); g == f {
						o.vals[k] = pyNum{digits: d}
					}
				}
			}
		}
		return o
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = t.output(e, hashKeys)
		}
		return l
	case float64:
		return pyNum{f: v}
	case wholeFloat:
		return pyNum{f: float64(v), isFloat: true}
	case bigInt:
		return pyNum{digits: string(v)}
	}
	return v // string, bool, nil
}

// orderKeys orders the keys of a map the search made: as the multi-select hash with the same
// keys, else sorted.
func orderKeys(m map[string]any, hashKeys [][]string) []string {
	for _, keys := range hashKeys {
		if len(keys) != len(m) {
			continue
		}
		all := true
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				all = false
				break
			}
		}
		if all {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
