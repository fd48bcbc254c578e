package transform

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// typeConverter: 1–5 entries, each converting the value at key to boolean, integer,
// double or string (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-typeConverter; the model's
// Type enum). Strings convert by their text (booleans "true"/"false" in any case,
// surrounding white space ignored), numbers and booleans to strings by their JSON text;
// a double is written with a fractional part ("1.0"). A value that does not convert is an
// error of the event (our choice: the docs do not say), and a missing key is left alone.
func buildTypeConverter(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxFiveEntries) {
		return nil, nil
	}
	entries := make([]typeEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		if err := decodeStrict(f, r, &entries[i]); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(entries[i].Key, "key", maxKeyLen)
		if ec.required(entries[i].Type != nil, "type") {
			ec.enum(entries[i].Type, "type", "boolean", "integer", "double", "string")
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, en := range entries {
			p := splitPath(*en.Key)
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			k := p[len(p)-1]
			v, ok := parent.get(k)
			if !ok {
				continue
			}
			nv, err := convert(v, *en.Type)
			if err != nil {
				return fmt.Errorf("field %s: %v", *en.Key, err)
			}
			parent.set(k, nv)
		}
		return nil
	}, nil
}

func convert(v any, typ string) (any, error) {
	text := ""
	switch x := v.(type) {
	case string:
		text = strings.TrimSpace(x)
	case json.Number:
		text = string(x)
	case bool:
		text = strconv.FormatBool(x)
	default:
		return nil, fmt.Errorf("a %s cannot be converted to %s", kindOf(v), typ)
	}
	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return text, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.ToLower(text))
		if err != nil || (strings.ToLower(text) != "true" && strings.ToLower(text) != "false") {
			return nil, fmt.Errorf("%q is not a boolean", text)
		}
		return b, nil
	case "integer":
		if _, isBool := v.(bool); isBool {
			return nil, fmt.Errorf("a boolean cannot be converted to integer")
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(n, 10)), nil
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || f != float64(int64(f)) {
			return nil, fmt.Errorf("%q is not an integer", text)
		}
		return json.Number(strconv.FormatInt(int64(f), 10)), nil
	}
	// double
	if _, isBool := v.(bool); isBool {
		return nil, fmt.Errorf("a boolean cannot be converted to double")
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
		return nil, fmt.Errorf("%q is not a double", text)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s), nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "list"
	case *object:
		return "object"
	}
	return "value"
}
