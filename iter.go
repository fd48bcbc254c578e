package cwlogs

import (
	"context"
	"iter"
	"slices"
)

// The iterators walk all pages of a paginated operation, yielding items.
// They copy the input (the caller's struct is never modified) and validate it
// before the first request; an error is yielded once, as the last element.

// paginate yields the items of the pages that page returns for a token,
// starting with start. It stops after a page without a next token or whose
// next token is the one it was sent (the end of a GetLogEvents stream).
func paginate[T any](start string, page func(token string) (items []T, next string, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := start
		for {
			items, next, err := page(token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" || next == token {
				return
			}
			token = next
		}
	}
}

// DescribeLogGroupsIter yields every log group matching in (nil: all groups).
func (c *Client) DescribeLogGroupsIter(ctx context.Context, in *DescribeLogGroupsInput) iter.Seq2[LogGroup, error] {
	var cp DescribeLogGroupsInput
	if in != nil {
		cp = *in
	}
	return paginate(cp.NextToken, func(token string) ([]LogGroup, string, error) {
		in := cp
		in.NextToken = token
		out, err := c.DescribeLogGroups(ctx, &in)
		if err != nil {
			return nil, "", err
		}
		return out.LogGroups, out.NextToken, nil
	})
}

// DescribeLogStreamsIter yields every log stream of a group.
func (c *Client) DescribeLogStreamsIter(ctx context.Context, in *DescribeLogStreamsInput) iter.Seq2[LogStream, error] {
	var cp DescribeLogStreamsInput
	if in != nil {
		cp = *in
	}
	return paginate(cp.NextToken, func(token string) ([]LogStream, string, error) {
		in := cp
		in.NextToken = token
		out, err := c.DescribeLogStreams(ctx, &in)
		if err != nil {
			return nil, "", err
		}
		return out.LogStreams, out.NextToken, nil
	})
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
	return paginate(cp.NextToken, func(token string) ([]OutputLogEvent, string, error) {
		in := cp
		in.NextToken = token
		out, err := c.GetLogEvents(ctx, &in)
		if err != nil {
			return nil, "", err
		}
		return out.Events, out.NextForwardToken, nil
	})
}

// FilterLogEventsIter yields every event of a group matching the filter.
func (c *Client) FilterLogEventsIter(ctx context.Context, in *FilterLogEventsInput) iter.Seq2[FilteredLogEvent, error] {
	var cp FilterLogEventsInput
	if in != nil {
		cp = *in
		cp.LogStreamNames = slices.Clone(in.LogStreamNames) // keeps nil and empty apart
	}
	return paginate(cp.NextToken, func(token string) ([]FilteredLogEvent, string, error) {
		in := cp
		in.NextToken = token
		out, err := c.FilterLogEvents(ctx, &in)
		if err != nil {
			return nil, "", err
		}
		return out.Events, out.NextToken, nil
	})
}
