package transform

import (
	"fmt"
)

// Meta is the metadata of the event being transformed: the values of the metadata keys
// copyValue can copy into it, "@logGroupName, @logGroupStream, @accountId, @regionName"
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CopyValue.html).
// Its zero value copies empty strings.
type Meta struct {
	LogGroupName  string
	LogStreamName string
	AccountID     string
	Region        string
}

// ApplyError is an event a processor could not transform. AWS then keeps the event and
// "adds a @transformationError system field to that log event"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Transformation-Errors-Metrics.html);
// the text of that field is not documented, and this server's is Error's.
type ApplyError struct {
	Index     int    // the processor's index in the configuration
	Processor string // its name ("parseJSON")
	Reason    string
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("processor %d (%s): %s", e.Index, e.Processor, e.Reason)
}

// MaxFields is the most fields a transformed event may have.
const MaxFields = 200

// countFields counts the fields of o (every member, nested ones included), stopping at
// limit.
func countFields(o *object, limit int) int {
	n := 0
	for _, mb := range o.m {
		n++
		if sub, ok := mb.v.(*object); ok {
			n += countFields(sub, limit-n)
		}
		if n >= limit {
			return n
		}
	}
	return n
}

// event is the state of one event in the pipeline: the fields so far, and the original
// message, which the source "@message" names until a processor writes a field of that
// name.
type event struct {
	root *object
	msg  string
	meta *Meta
}

// source returns the value at p; "@message" is the original message.
func (e *event) source(p path) (any, bool) {
	if len(p) == 1 && p[0] == "@message" {
		if v, ok := e.root.get("@message"); ok {
			return v, true
		}
		return e.msg, true
	}
	return lookup(e.root, p)
}

// Apply transforms msg, one event's message, with c's processors in order, and returns
// the transformed event as JSON text. A processor that cannot transform the event ends the
// pipeline with an *ApplyError; one whose source field is missing (for a mutator) does
// nothing.
func (c *Config) Apply(msg string, m Meta) (string, error) {
	e := &event{root: newObject(), msg: msg, meta: &m}
	for i, p := range c.procs {
		if err := p.apply(e); err != nil {
			return "", &ApplyError{Index: i, Processor: p.name, Reason: err.Error()}
		}
	}
	// "Each transformer can extract a maximum of 200 fields from a log event"
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Create.html).
	// What AWS does with more is not documented: here the event is not transformed.
	if n := countFields(e.root, MaxFields+1); n > MaxFields {
		last := len(c.procs) - 1
		return "", &ApplyError{Index: last, Processor: c.procs[last].name,
			Reason: fmt.Sprintf("the transformed event has more than %d fields", MaxFields)}
	}
	return string(encode(make([]byte, 0, len(msg)+16), e.root)), nil
}
