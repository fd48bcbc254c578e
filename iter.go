package cwlogs

import (
	"context"
	"iter"
)

// The iterators walk all pages of a paginated operation, yielding items.
// They copy the input (the caller's struct is never modified) and validate it
// before the first request; an error is yielded once, as the last element.

// DescribeLogGroupsIter yields every log group matching in (nil: all groups).
func (c *Client) DescribeLogGroupsIter(ctx context.Context, in *DescribeLogGroupsInput) iter.Seq2[LogGroup, error] {
	var cp DescribeLogGroupsInput
	if in != nil {
		cp = *in
	}
	return func(yield func(LogGroup, error) bool) {
		in := cp
		for {
			out, err := c.DescribeLogGroups(ctx, &in)
			if err != nil {
				yield(LogGroup{}, err)
				return
			}
			for _, g := range out.LogGroups {
				if !yield(g, nil) {
					return
				}
			}
			if out.NextToken == "" || out.NextToken == in.NextToken {
				return
			}
			in.NextToken = out.NextToken
		}
	}
}

// DescribeLogStreamsIter yields every log stream of a group.
func (c *Client) DescribeLogStreamsIter(ctx context.Context, in *DescribeLogStreamsInput) iter.Seq2[LogStream, error] {
	var cp DescribeLogStreamsInput
	if in != nil {
		cp = *in
	}
	return func(yield func(LogStream, error) bool) {
		in := cp
		for {
			out, err := c.DescribeLogStreams(ctx, &in)
			if err != nil {
				yield(LogStream{}, err)
				return
			}
			for _, s := range out.LogStreams {
				if !yield(s, nil) {
					return
				}
			}
			if out.NextToken == "" || out.NextToken == in.NextToken {
				return
			}
			in.NextToken = out.NextToken
		}
	}
}

// GetLogEventsIter yields the events of a stream from the oldest on: it sets
// StartFromHead, follows nextForwardToken, and stops when the service returns
// the token it was sent (the end of the stream). Empty pages in the middle of
// a stream are skipped, not taken as the end. Without an EndTime it may keep
// going while writers outpace the reader.
func (c *Client) GetLogEventsIter(ctx context.Context, in *GetLogEventsInput) iter.Seq2[OutputLogEvent, error] {
	var cp GetLogEventsInput
	if in != nil {
		cp = *in
	}
	cp.StartFromHead = true
	return func(yield func(OutputLogEvent, error) bool) {
		in := cp
		for {
			out, err := c.GetLogEvents(ctx, &in)
			if err != nil {
				yield(OutputLogEvent{}, err)
				return
			}
			for _, e := range out.Events {
				if !yield(e, nil) {
					return
				}
			}
			if out.NextForwardToken == "" || out.NextForwardToken == in.NextToken {
				return
			}
			in.NextToken = out.NextForwardToken
		}
	}
}

// FilterLogEventsIter yields every event of a group matching the filter.
func (c *Client) FilterLogEventsIter(ctx context.Context, in *FilterLogEventsInput) iter.Seq2[FilteredLogEvent, error] {
	var cp FilterLogEventsInput
	if in != nil {
		cp = *in
		cp.LogStreamNames = append([]string(nil), in.LogStreamNames...)
		if in.LogStreamNames != nil && cp.LogStreamNames == nil {
			cp.LogStreamNames = []string{}
		}
	}
	return func(yield func(FilteredLogEvent, error) bool) {
		in := cp
		for {
			out, err := c.FilterLogEvents(ctx, &in)
			if err != nil {
				yield(FilteredLogEvent{}, err)
				return
			}
			for _, e := range out.Events {
				if !yield(e, nil) {
					return
				}
			}
			if out.NextToken == "" || out.NextToken == in.NextToken {
				return
			}
			in.NextToken = out.NextToken
		}
	}
}
