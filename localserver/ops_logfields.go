package localserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// GetLogFields lists the fields of a data source's events with their types (botocore's
// GetLogFieldsRequest: dataSourceName and dataSourceType, both required; GetLogFieldsResponse
// and LogFieldsListItem; "Discovers available fields for a specific data source and type.
// The response includes any field modifications introduced through pipelines"). The
// groups of the data source are those whose tags name it (groupDataSource,
// ops_aggregatesummaries.go) with that type; none is ResourceNotFoundException.
//
// The fields are discovered as GetLogGroupFields discovers a group's (scanFieldTexts,
// ops_fields.go: events as transformed and masked), over the newest maxFieldEvents events
// the data source's groups retain, all groups together (ours: the operation has no time
// parameter and the documentation does not say which events are read; a total, not a
// per-group, bound keeps a data source of many busy groups cheap): the system fields of every event (@timestamp and
// @ingestionTime of type timestamp, @message, @logStream and @log of type string) and the
// keys of JSON messages that queries see (insights.FlattenJSON: a message's first
// insights.MaxJSONFields fields, nested ones counted, none of a message nested too deep),
// a top-level key starting with @ getting another @ as queries see it. LogFieldType is nested as the model allows ("For array or collection types,
// specifies the element type ... For complex types, contains the nested field
// definitions"): a JSON object is a struct with its fields, an array an array with its
// elements' type, a string string, an integer long, another number double, true/false
// boolean (type names ours; the model's DataType is a bare string). A field seen with
// different types in different events is a string (ours). Null values, empty arrays and
// empty objects give no field, as for GetLogGroupFields, and so does a key that cannot be
// a logFieldName (1 to 256 characters). Fields are listed by name, nested ones too; a
// data source without events lists none.

const msgDataSourceNotFound = "The specified data source does not exist."

// logFieldType is a discovered field's type.
type logFieldType struct {
	typ     string
	element *logFieldType
	fields  map[string]*logFieldType
}

// mergeFieldType merges b into a (nil: none yet).
func mergeFieldType(a, b *logFieldType) *logFieldType {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.typ != b.typ:
		return &logFieldType{typ: "string"}
	case a.typ == "array":
		a.element = mergeFieldType(a.element, b.element)
	case a.typ == "struct":
		for k, t := range b.fields {
			a.fields[k] = mergeFieldType(a.fields[k], t)
		}
	}
	return a
}

// jsonFieldType is the type of a decoded JSON value at path (its key as
// insights.FlattenJSON makes it: "a.b", "a.0"), nil for null, an empty array and an empty
// object (or one whose members are all such), and for a scalar that is not among the
// fields queries see (flat, FlattenJSON's answer).
func jsonFieldType(v any, path string, flat map[string]string) *logFieldType {
	leaf := func(typ string) *logFieldType {
		if _, seen := flat[path]; !seen {
			return nil
		}
		return &logFieldType{typ: typ}
	}
	switch x := v.(type) {
	case string:
		return leaf("string")
	case bool:
		return leaf("boolean")
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return leaf("double")
		}
		return leaf("long")
	case []any:
		var el *logFieldType
		for i, e := range x {
			el = mergeFieldType(el, jsonFieldType(e, path+"."+strconv.Itoa(i), flat))
		}
		if el == nil {
			return nil
		}
		return &logFieldType{typ: "array", element: el}
	case map[string]any:
		fields := map[string]*logFieldType{}
		for k, e := range x {
			if !logFieldNameOK(k) {
				continue
			}
			if t := jsonFieldType(e, path+"."+k, flat); t != nil {
				fields[k] = t
			}
		}
		if len(fields) == 0 {
			return nil
		}
		return &logFieldType{typ: "struct", fields: fields}
	}
	return nil
}

// maxLogFieldName is the longest logFieldName (LogFieldsListItem, 1 to 256 characters).
const maxLogFieldName = 256

// logFieldNameOK reports whether k may be a logFieldName: a JSON key outside the bounds
// gives no field (ours).
func logFieldNameOK(k string) bool {
	return k != "" && utf8.RuneCountInString(k) <= maxLogFieldName
}

// messageFields adds the fields of a JSON object message to fields: those queries see
// (insights.FlattenJSON: at most insights.MaxJSONFields, the first in the message, and
// none of a message nested too deep), so that a message of many keys costs no more here
// than in GetLogGroupFields.
func messageFields(msg string, fields map[string]*logFieldType) {
	flat := insights.FlattenJSON(msg) // nil unless msg is one JSON object
	if len(flat) == 0 {
		return
	}
	d := json.NewDecoder(strings.NewReader(msg))
	d.UseNumber()
	var obj map[string]any
	if d.Decode(&obj) != nil {
		return
	}
	for k, v := range obj {
		if strings.HasPrefix(k, "@") {
			k = "@" + k // as queries see it (insights.FlattenJSON)
		}
		if !logFieldNameOK(k) {
			continue
		}
		t := jsonFieldType(v, k, flat)
		if t == nil {
			continue
		}
		fields[k] = mergeFieldType(fields[k], t)
	}
}

// appendLogFields appends fields as a LogFieldsList, by name.
func appendLogFields(b []byte, fields map[string]*logFieldType) []byte {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	b = append(b, '[')
	for i, k := range names {
		if i > 0 {
			b = append(b, ',')
		}
		o := newObj(b)
		o.str("logFieldName", k)
		o.key("logFieldType")
		o.b = appendLogFieldType(o.b, fields[k])
		b = o.done()
	}
	return append(b, ']')
}

// appendLogFieldType appends t as a LogFieldType.
func appendLogFieldType(b []byte, t *logFieldType) []byte {
	o := newObj(b)
	o.str("type", t.typ)
	if t.element != nil {
		o.key("element")
		o.b = appendLogFieldType(o.b, t.element)
	}
	if t.fields != nil {
		o.key("fields")
		o.b = appendLogFields(o.b, t.fields)
	}
	return o.done()
}

type getLogFieldsIn struct {
	DataSourceName *string `json:"dataSourceName"`
	DataSourceType *string `json:"dataSourceType"`
}

func (s *Server) getLogFields(rc *reqCtx) ([]byte, *apiError) {
	var in getLogFieldsIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.DataSourceName != nil, "dataSourceName")
	v.required(in.DataSourceType != nil, "dataSourceType")
	if e := v.err(); e != nil {
		return nil, e
	}
	// The groups first: a memory store has one connection.
	sel := &groupSelection{sources: []dataSourceFilterIn{{Name: in.DataSourceName, Type: in.DataSourceType}}}
	var names []string
	if err := s.selectGroups(rc.ctx, sel, nil, func(g *selectedGroup) bool {
		names = append(names, g.name)
		return true
	}); err != nil {
		return nil, s.dbErr(err)
	}
	if len(names) == 0 {
		return nil, clientErr(codeResourceNotFound, msgDataSourceNotFound)
	}
	var groups []*groupRow
	for _, name := range names {
		g, err := groupByName(rc.ctx, s.st.r, name)
		if err != nil {
			return nil, s.dbErr(err)
		}
		if g != nil { // else deleted meanwhile
			groups = append(groups, g)
		}
	}
	fields := map[string]*logFieldType{}
	total, err := s.scanFieldTexts(rc.ctx, groups, 0, maxTokenTs+1, rc.now.UnixMilli(), func(msg string) {
		messageFields(msg, fields)
	})
	if err != nil {
		return nil, s.dbErr(err)
	}
	if total > 0 {
		for _, f := range systemFields {
			typ := "string"
			if f == "@timestamp" || f == "@ingestionTime" {
				typ = "timestamp"
			}
			fields[f] = &logFieldType{typ: typ} // a JSON key "@x" is "@@x": no clash
		}
	}
	out := appendLogFields(append(make([]byte, 0, 64+48*len(fields)), `{"logFields":`...), fields)
	return append(out, '}'), nil
}
