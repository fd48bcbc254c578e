package cwlogs

import (
	"context"
	"encoding/json"
)

// Wire forms of the request shapes (absent optional members are omitted).

type createLogGroupWire struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	LogGroupClass string            `json:"logGroupClass,omitempty"`
}

type groupStreamWire struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName,omitempty"`
}

type describeLogGroupsWire struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix,omitempty"`
	LogGroupNamePattern string `json:"logGroupNamePattern,omitempty"`
	LogGroupClass       string `json:"logGroupClass,omitempty"`
	Limit               int    `json:"limit,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
	// Members added since; omitted when empty.
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers,omitempty"`
	IncludeLinkedAccounts bool     `json:"includeLinkedAccounts,omitempty"`
	AccountIdentifiers    []string `json:"accountIdentifiers,omitempty"`
}

type describeLogStreamsWire struct {
	LogGroupName        string `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string `json:"logGroupIdentifier,omitempty"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix,omitempty"`
	OrderBy             string `json:"orderBy,omitempty"`
	Descending          bool   `json:"descending,omitempty"`
	Limit               int    `json:"limit,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
}

type getLogEventsWire struct {
	LogGroupName       string `json:"logGroupName,omitempty"`
	LogGroupIdentifier string `json:"logGroupIdentifier,omitempty"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime,omitempty"`
	EndTime            *int64 `json:"endTime,omitempty"`
	Limit              int    `json:"limit,omitempty"`
	NextToken          string `json:"nextToken,omitempty"`
	StartFromHead      bool   `json:"startFromHead,omitempty"`
	Unmask             bool   `json:"unmask,omitempty"`
}

type filterLogEventsWire struct {
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier,omitempty"`
	LogStreamNames      []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix,omitempty"`
	StartTime           *int64   `json:"startTime,omitempty"`
	EndTime             *int64   `json:"endTime,omitempty"`
	FilterPattern       string   `json:"filterPattern,omitempty"`
	Limit               int      `json:"limit,omitempty"`
	NextToken           string   `json:"nextToken,omitempty"`
	Unmask              bool     `json:"unmask,omitempty"`
}

type retentionWire struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays int    `json:"retentionInDays,omitempty"`
}

type tagResourceWire struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags,omitempty"`
}

type untagResourceWire struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// call encodes wire, sends it and decodes a 2xx answer into out (may be nil).
func (c *Client) call(ctx context.Context, op string, wire, out any) error {
	body, err := json.Marshal(wire)
	if err != nil {
		return &ValidationError{Operation: op, Field: "input", Value: "", Reason: "cannot be encoded: " + err.Error()}
	}
	resp, err := c.do(ctx, op, body, nil)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return decodeOutput(op, resp.Body, out)
}

// CreateLogGroup creates a log group.
func (c *Client) CreateLogGroup(ctx context.Context, in *CreateLogGroupInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "CreateLogGroup", createLogGroupWire{in.LogGroupName, in.KmsKeyID, in.Tags, in.LogGroupClass}, nil)
}

// CreateLogStream creates a log stream in an existing log group.
func (c *Client) CreateLogStream(ctx context.Context, in *CreateLogStreamInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "CreateLogStream", groupStreamWire{in.LogGroupName, in.LogStreamName}, nil)
}

// DeleteLogGroup deletes a log group and all its streams and events.
func (c *Client) DeleteLogGroup(ctx context.Context, in *DeleteLogGroupInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "DeleteLogGroup", groupStreamWire{LogGroupName: in.LogGroupName}, nil)
}

// DeleteLogStream deletes a log stream and its events.
func (c *Client) DeleteLogStream(ctx context.Context, in *DeleteLogStreamInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "DeleteLogStream", groupStreamWire{in.LogGroupName, in.LogStreamName}, nil)
}

// PutLogEvents uploads a batch of events. The batch is validated against the
// service limits first (see [MaxBatchEvents], [MaxBatchBytes],
// [MaxEventBytes], [MaxBatchSpan], chronological order). Events the service
// refuses individually (too old, too new, expired) are reported in the
// output's RejectedLogEventsInfo with a nil error.
func (c *Client) PutLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := in.checkSpan(c.now()); err != nil {
		return nil, err
	}
	resp, err := c.putLogEvents(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &PutLogEventsOutput{}
	if err := decodeOutput("PutLogEvents", resp.Body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// putLogEvents encodes a validated input into a pooled buffer and sends it.
func (c *Client) putLogEvents(ctx context.Context, in *PutLogEventsInput) (*Response, error) {
	buf := getBuf()
	if n := putLogEventsEstimate(in); cap(buf.b) < n {
		buf.b = make([]byte, 0, n)
	}
	buf.b = appendPutLogEvents(buf.b[:0], in)
	return c.doCall(ctx, "PutLogEvents", buf.b, buf, in.LogFormat, nil)
}

// DescribeLogGroups returns one page of log groups. in may be nil.
func (c *Client) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var w describeLogGroupsWire
	if in != nil {
		w = describeLogGroupsWire{in.LogGroupNamePrefix, in.LogGroupNamePattern, in.LogGroupClass, in.Limit, in.NextToken,
			in.LogGroupIdentifiers, in.IncludeLinkedAccounts, in.AccountIdentifiers}
	}
	out := &DescribeLogGroupsOutput{}
	if err := c.call(ctx, "DescribeLogGroups", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeLogStreams returns one page of the log streams of a group.
func (c *Client) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	w := describeLogStreamsWire{in.LogGroupName, in.LogGroupIdentifier, in.LogStreamNamePrefix, in.OrderBy, in.Descending, in.Limit, in.NextToken}
	out := &DescribeLogStreamsOutput{}
	if err := c.call(ctx, "DescribeLogStreams", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetLogEvents returns one page of the events of a stream. EndTime is exclusive.
func (c *Client) GetLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	w := getLogEventsWire{in.LogGroupName, in.LogGroupIdentifier, in.LogStreamName, in.StartTime, in.EndTime, in.Limit, in.NextToken, in.StartFromHead, in.Unmask}
	out := &GetLogEventsOutput{}
	if err := c.call(ctx, "GetLogEvents", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// FilterLogEvents returns one page of the events of a group that match a filter.
func (c *Client) FilterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	w := filterLogEventsWire{in.LogGroupName, in.LogGroupIdentifier, in.LogStreamNames, in.LogStreamNamePrefix, in.StartTime, in.EndTime, in.FilterPattern, in.Limit, in.NextToken, in.Unmask}
	out := &FilterLogEventsOutput{}
	if err := c.call(ctx, "FilterLogEvents", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// PutRetentionPolicy sets how long a group keeps its events.
func (c *Client) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "PutRetentionPolicy", retentionWire{in.LogGroupName, in.RetentionInDays}, nil)
}

// DeleteRetentionPolicy makes a group keep its events forever.
func (c *Client) DeleteRetentionPolicy(ctx context.Context, in *DeleteRetentionPolicyInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "DeleteRetentionPolicy", retentionWire{LogGroupName: in.LogGroupName}, nil)
}

// TagResource adds or overwrites tags of a log group or destination (by ARN).
func (c *Client) TagResource(ctx context.Context, in *TagResourceInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	return c.call(ctx, "TagResource", tagResourceWire{in.ResourceArn, in.Tags}, nil)
}

// UntagResource removes tags from a resource.
func (c *Client) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	keys := in.TagKeys
	if keys == nil {
		keys = []string{}
	}
	return c.call(ctx, "UntagResource", untagResourceWire{in.ResourceArn, keys}, nil)
}

// ListTagsForResource returns the tags of a resource.
func (c *Client) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{}
	if err := c.call(ctx, "ListTagsForResource", tagResourceWire{ResourceArn: in.ResourceArn}, out); err != nil {
		return nil, err
	}
	return out, nil
}
