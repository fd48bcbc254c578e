package localserver

// ListLogGroupsForQuery lists "the log groups that were analyzed during a single
// CloudWatch Logs Insights query" (the API reference), for a query StartQuery started and
// the registry still keeps (queryRetention, maxKeptQueries). A query names its log groups
// when it starts (this server has no SOURCE command and no filterIndex), so the answer is
// those groups, in the order StartQuery resolved them, each once.
//
// Each is answered as its log group ARN without ":*", in the request's region: the model's
// LogGroupIdentifiers "An array of the names and ARNs of the log groups that were
// processed in the query" allows names or ARNs, and an ARN names the group unambiguously
// whether StartQuery was given names or ARNs. Which of the two AWS answers is not on record.
//
// maxResults is 50–500 (ListLogGroupsForQueryMaxResults). A query names at most
// maxQueryLogGroups (50) groups, so one page always holds them all and no nextToken is
// ever issued: a nextToken given is refused as one this server did not issue. An unknown
// queryId is ResourceNotFoundException, as for GetQueryResults.

func (s *Server) listLogGroupsForQuery(rc *reqCtx) ([]byte, *apiError) {
	var in struct {
		QueryID    *string `json:"queryId"`
		NextToken  *string `json:"nextToken"`
		MaxResults *int64  `json:"maxResults"`
	}
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.QueryID != nil, "queryId")
	v.str(in.QueryID, "queryId", shQueryID)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.intRange(in.MaxResults, "maxResults", 50, 500)
	if e := v.err(); e != nil {
		return nil, e
	}
	qs := s.queries().get(*in.QueryID)
	if qs == nil {
		return nil, queryNotFound(*in.QueryID)
	}
	if in.NextToken != nil {
		return nil, badToken() // never issued: a query has at most one page (see above)
	}
	arns := make([]string, len(qs.groups)) // at most maxQueryLogGroups: one page
	for i, name := range qs.groups {
		arns[i] = s.groupArn(rc.region, name)
	}
	o := newObj(nil)
	o.raw("logGroupIdentifiers", appendStrings(nil, arns))
	return o.done(), nil
}
