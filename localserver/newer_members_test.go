package localserver

import "testing"

// TestNewerMembersRefused: members newer than the botocore model this server follows,
// which aws-sdk-go-v2 already sends, are refused by name, not mistaken for a missing
// member: a scheduled query delivering to a lookup table, a lookup table made from a
// query's results.
func TestNewerMembersRefused(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "t", "tableBody": "a\n1\n"})
	for _, c := range []struct {
		name, op string
		in       m
		code     string
		msg      string
	}{
		{"scheduled query to a lookup table", "CreateScheduledQuery", sqInput("q", "g", m{"destinationConfiguration": m{
			"lookupTableConfiguration": m{"lookupTableArn": ltArn("t"), "roleArn": sqRole}}}),
			codeValidation, "destinationConfiguration.lookupTableConfiguration is not supported by this server"},
		{"lookup table from a query", "CreateLookupTable", m{"lookupTableName": "u", "queryId": "0123"},
			codeInvalidParameter, "queryId is not supported by this server"},
		{"lookup table update from a query", "UpdateLookupTable", m{"lookupTableArn": ltArn("t"), "queryId": "0123"},
			codeInvalidParameter, "queryId is not supported by this server"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkAnswer(t, call(t, s, c.op, c.in), c.code, "~"+c.msg)
		})
	}
}
