package cwlogs

import (
	"context"
	"iter"
)

// CloudWatch Logs Insights: StartQuery, GetQueryResults, StopQuery,
// DescribeQueries and GetLogRecord. RunQuery (insights_run.go) starts a query
// and waits for its results.

type startQueryWire struct {
	QueryLanguage       string   `json:"queryLanguage,omitempty"`
	LogGroupName        string   `json:"logGroupName,omitempty"`
	LogGroupNames       []string `json:"logGroupNames,omitempty"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers,omitempty"`
	StartTime           int64    `json:"startTime"` // seconds since the epoch
	EndTime             int64    `json:"endTime"`
	QueryString         string   `json:"queryString"`
	Limit               int      `json:"limit,omitempty"`
}

type getQueryResultsWire struct {
	QueryID   string `json:"queryId"`
	NextToken string `json:"nextToken,omitempty"`
	MaxItems  int    `json:"maxItems,omitempty"`
}

type stopQueryWire struct {
	QueryID string `json:"queryId"`
}

type describeQueriesWire struct {
	LogGroupName  string `json:"logGroupName,omitempty"`
	Status        string `json:"status,omitempty"`
	MaxResults    int    `json:"maxResults,omitempty"`
	NextToken     string `json:"nextToken,omitempty"`
	QueryLanguage string `json:"queryLanguage,omitempty"`
}

type getLogRecordWire struct {
	LogRecordPointer string `json:"logRecordPointer"`
	Unmask           bool   `json:"unmask,omitempty"`
}

// StartQuery starts a CloudWatch Logs Insights query and returns its id; see
// [StartQueryInput] for how the time range is sent. A query the service cannot
// parse fails with an *APIError of Code [CodeMalformedQuery] whose
// QueryCompileError tells where. [Client.RunQuery] also waits for the results.
func (c *Client) StartQuery(ctx context.Context, in *StartQueryInput) (*StartQueryOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	w := startQueryWire{in.QueryLanguage, in.LogGroupName, in.LogGroupNames, in.LogGroupIdentifiers,
		in.StartTime.Unix(), endSecond(in.EndTime), in.QueryString, in.Limit}
	out := &StartQueryOutput{}
	if err := c.call(ctx, "StartQuery", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetQueryResults returns the status, statistics and (partial while the
// query runs) results of a query.
func (c *Client) GetQueryResults(ctx context.Context, in *GetQueryResultsInput) (*GetQueryResultsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	out := &GetQueryResultsOutput{}
	if err := c.call(ctx, "GetQueryResults", getQueryResultsWire{in.QueryID, in.NextToken, in.MaxItems}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// StopQuery stops a running query. The service refuses to stop a query that
// has already ended.
func (c *Client) StopQuery(ctx context.Context, in *StopQueryInput) (*StopQueryOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	out := &StopQueryOutput{}
	if err := c.call(ctx, "StopQuery", stopQueryWire{in.QueryID}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeQueries returns one page of the queries run recently in the
// account. in may be nil.
func (c *Client) DescribeQueries(ctx context.Context, in *DescribeQueriesInput) (*DescribeQueriesOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var w describeQueriesWire
	if in != nil {
		w = describeQueriesWire{in.LogGroupName, in.Status, in.MaxResults, in.NextToken, in.QueryLanguage}
	}
	out := &DescribeQueriesOutput{}
	if err := c.call(ctx, "DescribeQueries", w, out); err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeQueriesIter yields every query matching in (nil: all), following
// nextToken across pages.
func (c *Client) DescribeQueriesIter(ctx context.Context, in *DescribeQueriesInput) iter.Seq2[QueryInfo, error] {
	var cp DescribeQueriesInput
	if in != nil {
		cp = *in
	}
	return paginate(cp.NextToken, func(token string) ([]QueryInfo, string, error) {
		in := cp
		in.NextToken = token
		out, err := c.DescribeQueries(ctx, &in)
		if err != nil {
			return nil, "", err
		}
		return out.Queries, out.NextToken, nil
	})
}

// GetLogRecord returns every field of the event that a query result's @ptr
// points to.
func (c *Client) GetLogRecord(ctx context.Context, in *GetLogRecordInput) (*GetLogRecordOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	out := &GetLogRecordOutput{}
	if err := c.call(ctx, "GetLogRecord", getLogRecordWire{in.LogRecordPointer, in.Unmask}, out); err != nil {
		return nil, err
	}
	return out, nil
}
