package transform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The processors' rules (parsers.go, grok.go, mutators_json.go, mutators_string.go,
// typeconv.go, datetime.go) each cite the user guide's section of their processor
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-<name>)
// or the API reference of its shape; the shapes are the model's.

// Shapes of the Processor union's members (botocore logs/2014-03-28).
type (
	parseJSONIn struct {
		Source      *string `json:"source"`
		Destination *string `json:"destination"`
	}
	parseKeyValueIn struct {
		Source            *string `json:"source"`
		Destination       *string `json:"destination"`
		FieldDelimiter    *string `json:"fieldDelimiter"`
		KeyValueDelimiter *string `json:"keyValueDelimiter"`
		KeyPrefix         *string `json:"keyPrefix"`
		NonMatchValue     *string `json:"nonMatchValue"`
		OverwriteIfExists bool    `json:"overwriteIfExists"`
	}
	csvIn struct {
		QuoteCharacter *string   `json:"quoteCharacter"`
		Delimiter      *string   `json:"delimiter"`
		Columns        *[]string `json:"columns"`
		Source         *string   `json:"source"`
		Destination    *string   `json:"destination"`
	}
	grokIn struct {
		Source *string `json:"source"`
		Match  *string `json:"match"`
	}
	keyEntry struct { // AddKeyEntry, CopyValueEntry, MoveKeyEntry, RenameKeyEntry
		Key               *string `json:"key"`
		Value             *string `json:"value"`
		Source            *string `json:"source"`
		Target            *string `json:"target"`
		RenameTo          *string `json:"renameTo"`
		OverwriteIfExists bool    `json:"overwriteIfExists"`
	}
	entriesIn struct {
		Entries *[]json.RawMessage `json:"entries"`
	}
	withKeysIn struct {
		WithKeys *[]string `json:"withKeys"`
	}
	listToMapIn struct {
		Source           *string `json:"source"`
		Key              *string `json:"key"`
		ValueKey         *string `json:"valueKey"`
		Target           *string `json:"target"`
		Flatten          bool    `json:"flatten"`
		FlattenedElement *string `json:"flattenedElement"`
	}
	splitEntry struct {
		Source    *string `json:"source"`
		Delimiter *string `json:"delimiter"`
	}
	substituteEntry struct {
		Source *string `json:"source"`
		From   *string `json:"from"`
		To     *string `json:"to"`
	}
	typeEntry struct {
		Key  *string `json:"key"`
		Type *string `json:"type"`
	}
)

// build checks one processor's members and returns it ready to apply.
func build(field, name string, raw json.RawMessage) (proc, error) {
	c := &checker{field: field}
	var fn func(e *event) error
	var err error
	switch name {
	case "parseJSON":
		fn, err = buildParseJSON(c, raw)
	case "parseKeyValue":
		fn, err = buildParseKeyValue(c, raw)
	case "csv":
		fn, err = buildCSV(c, raw)
	case "grok":
		fn, err = buildGrok(c, raw)
	case "addKeys", "copyValue", "moveKeys", "renameKeys":
		fn, err = buildKeyEntries(c, name, raw)
	case "deleteKeys", "lowerCaseString", "upperCaseString", "trimString":
		fn, err = buildWithKeys(c, name, raw)
	case "listToMap":
		fn, err = buildListToMap(c, raw)
	case "splitString":
		fn, err = buildSplitString(c, raw)
	case "substituteString":
		fn, err = buildSubstituteString(c, raw)
	case "typeConverter":
		fn, err = buildTypeConverter(c, raw)
	case "dateTimeConverter":
		fn, err = buildDateTimeConverter(c, raw)
	default:
		parse := vendedParsers[name]
		if parse == nil {
			return proc{}, &UnsupportedError{Field: field, Processor: name}
		}
		fn, err = buildVended(c, parse, raw)
	}
	if err != nil {
		return proc{}, err
	}
	if c.err != nil {
		return proc{}, c.err
	}
	return proc{name: name, apply: fn}, nil
}

// putParsed puts what a parser extracted: under destination when given, else at the
// root ("If you omit this parameter, it is placed under the root node",
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ParseJSON.html).
// At the root, a key the event already has is replaced unless keep is true.
func putParsed(e *event, dest *string, parsed *object, keep bool) {
	if dest != nil {
		store(e.root, splitPath(*dest), parsed, true)
		return
	}
	for _, mb := range parsed.m {
		if _, exists := e.root.get(mb.k); exists && keep {
			continue
		}
		e.root.set(mb.k, mb.v)
	}
}

// sourceString returns the string a parser reads; a missing or non-string source is an
// error (the event is left as it was).
func sourceString(e *event, p path) (string, error) {
	v, ok := e.source(p)
	if !ok {
		return "", fmt.Errorf("source field %s not found", strings.Join(p, "."))
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("source field %s is not a string", strings.Join(p, "."))
	}
	return s, nil
}
