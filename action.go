package cwlogs

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionType names a CloudWatch Logs operation for [Client.Action]. Any
// operation name may be used; the five constants are the seed's.
type ActionType string

// The seed's actions (AWS_CLOUDWATCH_LOGS_ACTION_*).
const (
	ActionCreateLogGroup  ActionType = "CreateLogGroup"
	ActionCreateLogStream ActionType = "CreateLogStream"
	ActionDeleteLogGroup  ActionType = "DeleteLogGroup"
	ActionDeleteLogStream ActionType = "DeleteLogStream"
	ActionPutLogEvents    ActionType = "PutLogEvents"
)

// Action is the seed's action(actionType, params, cb): it sends the operation
// with params as its JSON body and returns the raw response instead of calling
// a callback.
//
// For the seed's five actions params are converted and validated exactly as
// the typed methods' inputs, before anything is sent:
//   - names are strings; tags a map[string]string or a map[string]any of strings;
//   - logEvents a []map[string]any, []any of maps, []map[string]string or
//     []InputLogEvent, each event with "message" and "timestamp";
//   - a timestamp is a string of digits (milliseconds, as the seed's users
//     passed them), any integer type, a float64 with an integral value (as
//     decoded from JSON), a json.Number or a time.Time;
//   - sequenceToken (deprecated, ignored by the service) is passed through;
//   - other members of the operation's model (deletionProtectionEnabled,
//     entity) are passed through; unknown keys are rejected.
//
// Any other operation name is sent verbatim as X-Amz-Target
// Logs_20140328.<name> with params encoded by encoding/json (time.Time values
// become epoch milliseconds). params is never modified.
//
// Results: a 2xx answer gives (*Response, nil); a non-2xx answer gives the
// *Response and an *APIError; invalid input gives (nil, *ValidationError) and
// sends nothing; a transport failure gives (nil, *OpError).
func (c *Client) Action(ctx context.Context, action ActionType, params map[string]any) (*Response, error) {
	op := string(action)
	if err := validOperation("Action", "action", op); err != nil {
		return nil, err
	}
	switch action {
	case ActionPutLogEvents:
		in, extra, err := putLogEventsParams(params)
		if err != nil {
			return nil, err
		}
		if err := in.validate(); err != nil {
			return nil, err
		}
		if err := in.checkSpan(c.now()); err != nil {
			return nil, err
		}
		if len(extra) == 0 {
			return c.putLogEvents(ctx, in)
		}
		m := putLogEventsMap(in)
		maps.Copy(m, extra)
		return c.actionJSON(ctx, op, m)
	case ActionCreateLogGroup, ActionCreateLogStream, ActionDeleteLogGroup, ActionDeleteLogStream:
		m, err := simpleActionParams(op, params)
		if err != nil {
			return nil, err
		}
		return c.actionJSON(ctx, op, m)
	}
	norm, err := normalizeValue(op, "params", params)
	if err != nil {
		return nil, err
	}
	m, _ := norm.(map[string]any) // nil params: {}
	return c.actionJSON(ctx, op, m)
}

// actionJSON encodes m with encoding/json (nil as {}) and sends it.
func (c *Client) actionJSON(ctx context.Context, op string, m map[string]any) (*Response, error) {
	if m == nil {
		m = map[string]any{}
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, &ValidationError{Operation: op, Field: "params", Value: "", Reason: "cannot be JSON-encoded: " + err.Error()}
	}
	return c.do(ctx, op, body, nil)
}

// passThrough lists model members the typed inputs lack; Action sends them as given.
var passThrough = map[string][]string{
	"CreateLogGroup": {"deletionProtectionEnabled"},
	"PutLogEvents":   {"entity"},
}

// passThroughChecks check the pass-through members against their model
// shapes (nil is sent as null, which the service takes for absent).
var passThroughChecks = map[string]func(op, field string, v any) error{
	"deletionProtectionEnabled": func(op, field string, v any) error {
		if _, ok := v.(bool); ok || v == nil {
			return nil
		}
		return &ValidationError{Operation: op, Field: field, Value: showAny(v), Reason: fmt.Sprintf("must be a bool, not %T", v)}
	},
	"entity": checkEntity,
}

// checkEntity checks PutLogEvents's entity against the model's Entity:
// keyAttributes, 2 to 4 entries of keys of 1 to 32 characters and values of
// 1 to 512; attributes, up to 10 entries of keys of 1 to 256 characters and
// values of 1 to 512.
func checkEntity(op, field string, v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &ValidationError{Operation: op, Field: field, Value: showAny(v), Reason: fmt.Sprintf("must be a structure (map[string]any with keyAttributes, attributes), not %T", v)}
	}
	limits := map[string]struct{ minN, maxN, maxKey int }{"keyAttributes": {2, 4, 32}, "attributes": {0, 10, 256}}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		lim, ok := limits[k]
		if !ok {
			return &ValidationError{Operation: op, Field: field + "." + k, Value: showValue(k), Reason: "is not a member of entity (allowed: keyAttributes, attributes)"}
		}
		f := field + "." + k
		attrs, err := paramStringMap(op, f, m[k])
		if err != nil {
			return err
		}
		if n := len(attrs); m[k] != nil && (n < lim.minN || n > lim.maxN) {
			return verrf(op, f, strconv.Itoa(n)+" entries", "must hold %d to %d entries", lim.minN, lim.maxN)
		}
		for _, ak := range slices.Sorted(maps.Keys(attrs)) {
			if n := utf8.RuneCountInString(ak); n < 1 || n > lim.maxKey {
				return verrf(op, f, showValue(ak), "keys must be 1 to %d characters long", lim.maxKey)
			}
			if n := utf8.RuneCountInString(attrs[ak]); n < 1 || n > 512 {
				return verrf(op, f+"["+strconv.Quote(ak)+"]", showValue(attrs[ak]), "values must be 1 to 512 characters long")
			}
		}
	}
	return nil
}

var knownKeys = map[string][]string{
	"CreateLogGroup":  {"logGroupName", "kmsKeyId", "tags", "logGroupClass"},
	"CreateLogStream": {"logGroupName", "logStreamName"},
	"DeleteLogGroup":  {"logGroupName"},
	"DeleteLogStream": {"logGroupName", "logStreamName"},
	"PutLogEvents":    {"logGroupName", "logStreamName", "logEvents", "sequenceToken"},
}

// checkKeys rejects keys that are not members of op and splits off pass-through members.
func checkKeys(op string, params map[string]any) (map[string]any, error) {
	var extra map[string]any
	keys := slices.Sorted(maps.Keys(params))
	for _, k := range keys {
		if slices.Contains(knownKeys[op], k) {
			continue
		}
		if slices.Contains(passThrough[op], k) {
			if extra == nil {
				extra = map[string]any{}
			}
			v, err := normalizeValue(op, k, params[k])
			if err != nil {
				return nil, err
			}
			if err := passThroughChecks[k](op, k, v); err != nil {
				return nil, err
			}
			extra[k] = v
			continue
		}
		allowed := append(slices.Clone(knownKeys[op]), passThrough[op]...)
		return nil, &ValidationError{Operation: op, Field: k, Value: showValue(k),
			Reason: "is not a parameter of " + op + " (allowed: " + strings.Join(allowed, ", ") + ")"}
	}
	return extra, nil
}

func paramString(op, field string, params map[string]any) (string, error) {
	v, ok := params[field]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &ValidationError{Operation: op, Field: field, Value: showAny(v), Reason: fmt.Sprintf("must be a string, not %T", v)}
	}
	return s, nil
}

func showAny(v any) string {
	s := fmt.Sprintf("%v", v)
	return showValue(s)
}

// paramStringMap converts a param given as map[string]string or as
// map[string]any with string values (tags, entity attributes).
func paramStringMap(op, field string, v any) (map[string]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]string:
		return maps.Clone(t), nil
	case map[string]any:
		out := make(map[string]string, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) { // sorted: the first bad tag is the one named
			x := t[k]
			s, ok := x.(string)
			if !ok {
				return nil, &ValidationError{Operation: op, Field: field + "[" + strconv.Quote(k) + "]", Value: showAny(x), Reason: fmt.Sprintf("values must be strings, not %T", x)}
			}
			out[k] = s
		}
		return out, nil
	}
	return nil, &ValidationError{Operation: op, Field: field, Value: showAny(v), Reason: fmt.Sprintf("must be a map[string]string or map[string]any, not %T", v)}
}

// simpleActionParams converts and validates the params of the four
// non-PutLogEvents seed actions and returns the map to encode.
func simpleActionParams(op string, params map[string]any) (map[string]any, error) {
	extra, err := checkKeys(op, params)
	if err != nil {
		return nil, err
	}
	group, err := paramString(op, "logGroupName", params)
	if err != nil {
		return nil, err
	}
	m := map[string]any{"logGroupName": group}
	switch op {
	case "CreateLogGroup":
		in := &CreateLogGroupInput{LogGroupName: group}
		if in.KmsKeyID, err = paramString(op, "kmsKeyId", params); err != nil {
			return nil, err
		}
		if in.LogGroupClass, err = paramString(op, "logGroupClass", params); err != nil {
			return nil, err
		}
		if in.Tags, err = paramStringMap(op, "tags", params["tags"]); err != nil {
			return nil, err
		}
		if t, ok := params["tags"]; ok && t != nil && len(in.Tags) == 0 {
			return nil, &ValidationError{Operation: op, Field: "tags", Value: "{}", Reason: "must hold 1 to 50 tags when given"}
		}
		if err := in.validate(); err != nil {
			return nil, err
		}
		if in.KmsKeyID != "" {
			m["kmsKeyId"] = in.KmsKeyID
		}
		if in.LogGroupClass != "" {
			m["logGroupClass"] = in.LogGroupClass
		}
		if len(in.Tags) > 0 {
			m["tags"] = in.Tags
		}
	case "CreateLogStream", "DeleteLogStream":
		stream, err := paramString(op, "logStreamName", params)
		if err != nil {
			return nil, err
		}
		if op == "CreateLogStream" {
			err = (&CreateLogStreamInput{group, stream}).validate()
		} else {
			err = (&DeleteLogStreamInput{group, stream}).validate()
		}
		if err != nil {
			return nil, err
		}
		m["logStreamName"] = stream
	case "DeleteLogGroup":
		if err := (&DeleteLogGroupInput{group}).validate(); err != nil {
			return nil, err
		}
	}
	maps.Copy(m, extra)
	return m, nil
}

// putLogEventsParams converts the seed's PutLogEvents params to a typed input.
func putLogEventsParams(params map[string]any) (*PutLogEventsInput, map[string]any, error) {
	const op = "PutLogEvents"
	extra, err := checkKeys(op, params)
	if err != nil {
		return nil, nil, err
	}
	in := &PutLogEventsInput{}
	if in.LogGroupName, err = paramString(op, "logGroupName", params); err != nil {
		return nil, nil, err
	}
	if in.LogStreamName, err = paramString(op, "logStreamName", params); err != nil {
		return nil, nil, err
	}
	if in.SequenceToken, err = paramString(op, "sequenceToken", params); err != nil {
		return nil, nil, err
	}
	if in.LogEvents, err = paramEvents(params["logEvents"]); err != nil {
		return nil, nil, err
	}
	return in, extra, nil
}

func paramEvents(v any) ([]InputLogEvent, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []InputLogEvent:
		return slices.Clone(t), nil
	case []map[string]any:
		return convertEvents(t, paramEvent)
	case []map[string]string:
		return convertEvents(t, paramStringEvent)
	case []any:
		return convertEvents(t, paramAnyEvent)
	}
	return nil, &ValidationError{Operation: "PutLogEvents", Field: "logEvents", Value: showAny(v), Reason: fmt.Sprintf("must be a list of events ([]map[string]any), not %T", v)}
}

// convertEvents converts each element of list with conv, which is given its index.
func convertEvents[E any](list []E, conv func(int, E) (InputLogEvent, error)) ([]InputLogEvent, error) {
	out := make([]InputLogEvent, len(list))
	for i, e := range list {
		ev, err := conv(i, e)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// paramAnyEvent converts element i of a []any event list.
func paramAnyEvent(i int, x any) (InputLogEvent, error) {
	switch e := x.(type) {
	case map[string]any:
		return paramEvent(i, e)
	case map[string]string:
		return paramStringEvent(i, e)
	case InputLogEvent:
		return e, nil
	}
	return InputLogEvent{}, &ValidationError{Operation: "PutLogEvents", Field: "logEvents[" + strconv.Itoa(i) + "]", Value: showAny(x), Reason: fmt.Sprintf("must be a map with message and timestamp, not %T", x)}
}

// paramStringEvent converts event i given as a map[string]string. Its message
// and timestamp are checked before unknown keys.
func paramStringEvent(i int, m map[string]string) (InputLogEvent, error) {
	ev, err := paramEvent(i, map[string]any{"message": m["message"], "timestamp": m["timestamp"]})
	if err != nil {
		return InputLogEvent{}, err
	}
	if err := unknownEventKey(i, m); err != nil {
		return InputLogEvent{}, err
	}
	return ev, nil
}

// unknownEventKey reports the first, in sorted order, of event i's keys that is
// neither message nor timestamp, so that the error does not depend on map order.
func unknownEventKey[V any](i int, m map[string]V) error {
	var first string
	found := false
	for k := range m {
		if k != "message" && k != "timestamp" && (!found || k < first) {
			first, found = k, true
		}
	}
	if !found {
		return nil
	}
	return &ValidationError{Operation: "PutLogEvents", Field: "logEvents[" + strconv.Itoa(i) + "]." + first, Value: showValue(first), Reason: "is not a member of an event (allowed: message, timestamp)"}
}

func paramEvent(i int, m map[string]any) (InputLogEvent, error) {
	const op = "PutLogEvents"
	prefix := "logEvents[" + strconv.Itoa(i) + "]."
	if err := unknownEventKey(i, m); err != nil {
		return InputLogEvent{}, err
	}
	msg, ok := m["message"].(string)
	if !ok && m["message"] != nil {
		return InputLogEvent{}, &ValidationError{Operation: op, Field: prefix + "message", Value: showAny(m["message"]), Reason: fmt.Sprintf("must be a string, not %T", m["message"])}
	}
	ts, ok := m["timestamp"]
	if !ok || ts == nil {
		return InputLogEvent{}, &ValidationError{Operation: op, Field: prefix + "timestamp", Value: "<missing>", Reason: "is required (milliseconds since the epoch)"}
	}
	ms, err := ToMillis(ts)
	if err != nil {
		return InputLogEvent{}, &ValidationError{Operation: op, Field: prefix + "timestamp", Value: showAny(ts), Reason: err.Error()}
	}
	return InputLogEvent{Timestamp: ms, Message: msg}, nil
}

// ToMillis converts a timestamp as the seed's users passed it to milliseconds
// since the epoch: a string of decimal digits ("1530000000123"), any integer
// type, a float64 or float32 with an integral value, a json.Number, or a
// time.Time.
func ToMillis(v any) (int64, error) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return 0, fmt.Errorf("must be milliseconds since the epoch, got an empty string")
		}
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, fmt.Errorf("must be a string of digits (milliseconds since the epoch)")
			}
		}
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("is out of range")
		}
		return n, nil
	case int:
		return int64(t), nil
	case int8:
		return int64(t), nil
	case int16:
		return int64(t), nil
	case int32:
		return int64(t), nil
	case int64:
		return t, nil
	case uint:
		return uintMillis(uint64(t))
	case uint8:
		return int64(t), nil
	case uint16:
		return int64(t), nil
	case uint32:
		return int64(t), nil
	case uint64:
		return uintMillis(t)
	case float32:
		return floatMillis(float64(t))
	case float64:
		return floatMillis(t)
	case json.Number:
		n, err := t.Int64()
		if err != nil {
			return 0, fmt.Errorf("must be an integer number of milliseconds")
		}
		return n, nil
	case time.Time:
		return t.UnixMilli(), nil
	case *time.Time:
		if t == nil {
			return 0, fmt.Errorf("is a nil *time.Time")
		}
		return t.UnixMilli(), nil
	}
	return 0, fmt.Errorf("must be milliseconds since the epoch (digit string, integer or time.Time), not %T", v)
}

func uintMillis(u uint64) (int64, error) {
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("is out of range")
	}
	return int64(u), nil
}

func floatMillis(f float64) (int64, error) {
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("must be a whole number of milliseconds")
	}
	if f > 1<<53 || f < -(1<<53) {
		return 0, fmt.Errorf("is out of range")
	}
	return int64(f), nil
}

// putLogEventsMap is the map form of a PutLogEvents input (used when
// pass-through members must be merged in).
func putLogEventsMap(in *PutLogEventsInput) map[string]any {
	evs := make([]map[string]any, len(in.LogEvents))
	for i, e := range in.LogEvents {
		evs[i] = map[string]any{"message": e.Message, "timestamp": e.Timestamp}
	}
	m := map[string]any{"logGroupName": in.LogGroupName, "logStreamName": in.LogStreamName, "logEvents": evs}
	if in.SequenceToken != "" {
		m["sequenceToken"] = in.SequenceToken
	}
	return m
}

// normalizeValue deep-copies v for JSON encoding, converting time.Time to
// epoch milliseconds. It never modifies v.
func normalizeValue(op, field string, v any) (any, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UnixMilli(), nil
	case *time.Time:
		if t == nil {
			return nil, nil
		}
		return t.UnixMilli(), nil
	case map[string]any:
		if t == nil {
			return nil, nil
		}
		out := make(map[string]any, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) { // sorted: the first bad key is the one named
			x := t[k]
			n, err := normalizeValue(op, field+"."+k, x)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		if t == nil {
			return nil, nil
		}
		return normalizeList(op, field, t)
	case []map[string]any:
		if t == nil {
			return nil, nil // null, as a nil []any and as encoding/json sends it
		}
		return normalizeList(op, field, t)
	case func(), chan any, complex64, complex128:
		return nil, &ValidationError{Operation: op, Field: field, Value: showAny(v), Reason: fmt.Sprintf("cannot be encoded as JSON (%T)", v)}
	}
	return v, nil
}

// normalizeList normalizes each element of list (see normalizeValue).
func normalizeList[E any](op, field string, list []E) ([]any, error) {
	out := make([]any, len(list))
	for i, x := range list {
		n, err := normalizeValue(op, field+"["+strconv.Itoa(i)+"]", x)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
