package localserver

// Helpers of the Describe and List operations' queries (see also jsonObj.rowsPage and
// the tokens of tokens.go).

// limitOr is a request's page size: *limit, or def when it gave none (validated before).
func limitOr(limit *int64, def int64) int64 {
	if limit == nil {
		return def
	}
	return *limit
}

// andPrefix adds to the query q, and to its args, the condition that column col starts
// with prefix, as a range its index serves: col >= prefix AND col < prefix+"\xff" (no
// byte of UTF-8 text is 0xff).
func andPrefix(q string, args []any, col, prefix string) (string, []any) {
	return q + ` AND ` + col + ` >= ? AND ` + col + ` < ?`, append(args, prefix, prefix+"\xff")
}
