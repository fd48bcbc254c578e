// Package insights parses and evaluates CloudWatch Logs Insights queries (the Logs
// Insights query language, "CWLI") over log records. It knows nothing of storage: the
// caller feeds Records, newest @timestamp first, to a Run and reads the Result.
//
// Supported, as the CloudWatch Logs user guide documents them (CWL_QuerySyntax and its
// command and function pages):
//
//   - Commands separated by |: fields (expressions, "as" aliases), display, filter, stats
//     (several aggregations, "by" expressions and bin(period); an item may also combine
//     the names of earlier items, "max(a) as x, min(a) as y, x - y as d"; after a stats,
//     commands may name only its outputs and fields made later, as the service's
//     "Unknown symbols found in or after stats" error requires), sort (several keys, asc or
//     desc), limit and "limit any", parse (glob "a=* b=*" as x, y, or a regular expression
//     with named groups (?<name>…)), dedup (only limit may follow it, as the dedup page
//     says), lookup (a lookup table joined on columns, "lookup TABLE col as field OUTPUT
//     col, ..."; the caller binds the tables: Query.BindLookups), pattern (clusters
//     @message, a parsed field or a string function's result into patterns with
//     package patterns: @pattern, @ratio, @sampleCount, @severityLabel and more; see
//     pattern.go for the choices made where the documentation is silent). Comments run
//     from # to the end of the line.
//     Keywords are case-insensitive.
//   - Expressions: = != < <= > >=, like, not like and =~ with a "substring" (quoted: a
//     case-sensitive substring, for =~ too) or a /regex/, in [..] and not in, and, or,
//     not, + - * / % ^, parentheses, string, number and time period literals (5m, 1h,
//     1mo: the units of the stats page, millisecond/ms/msec, second/s/sec, minute/m/min,
//     hour/h/hr, day/d, week/w, month/mo/mon, quarter/q/qtr, year/y/yr, those longer than
//     one character also with a plural s), `backtick` field names.
//   - Functions: ispresent, coalesce, isempty, isblank, strlen, toupper, tolower, trim,
//     ltrim, rtrim, concat, substr, replace, strcontains, abs, ceil, floor, log, sqrt,
//     greatest, least, bin, datefloor, dateceil, fromMillis, toMillis, isValidIp,
//     isValidIpV4, isValidIpV6, isIpInSubnet, isIpv4InSubnet, isIpv6InSubnet,
//     unmask(@message) (Record.Unmasked, the text before data protection masked it); in stats:
//     count(), count(*), count(field), count_distinct, sum, avg, min, max, stddev,
//     earliest, latest, pct(field, n). Any other function is a SyntaxError.
//   - Fields: @timestamp, @message, @logStream, @log ("accountId:logGroupName"),
//     @ingestionTime, @ptr, @transformationError (Record.TransformationError, when a log
//     transformer failed on the event); fields discovered in JSON messages (nested keys joined with
//     dots, array elements by index: a.b, a.0.c; at most 200 per message; a key starting
//     with @ gets another @); fields created by fields, parse and stats.
//   - Output: a query without fields, display or stats shows @timestamp and @message (as
//     the syntax page says of "filter (duration>2000)"). Timestamps show as
//     "2006-01-02 15:04:05.000" in UTC. Rows of log events carry @ptr, last. (Both as
//     in the published output of a real query, the AWS CLI's example
//     https://github.com/aws/aws-cli/blob/develop/awscli/examples/logs/get-query-results.rst:
//     "@timestamp" "2024-05-19 06:10:35.743", then @message and @logStream, then @ptr.) At most Options.Limit rows are kept; without it, the
//     query's largest limit (up to 100,000) when over 10,000, else 10,000 (the
//     documented default).
//   - Memory: sort holds every row it is given, except when only fields, display, parse
//     and limit follow it, where it holds at most twice the rows it can return (a "top
//     N" query over millions of events keeps about 2N); stats holds one state per group,
//     pct every value of its group, dedup every distinct key.
//   - sort orders values with the service's documented "updated natural sort": all text
//     before all numbers, digit runs by length then value.
//
// Where the service's behaviour is undocumented, this package chooses as follows:
//
//   - Without sort, rows come in the order records are fed (newest first); sort without
//     asc or desc sorts in descending order. Missing values sort last either way.
//   - stats rows come in the order their groups first appeared in that feed (so bin()
//     groups are newest first); stats without by answers one row even over no records.
//   - Comparisons and like with a missing field are false, whichever the operator
//     (so "x != 1" does not match records without x). Text that holds a number compares
//     numerically with a number; otherwise values compare as text.
//   - Conditions (ispresent, comparisons) show as 1 or 0; numbers without a fraction
//     show without a decimal point. A result field without a value is left out of its
//     row. Division by zero gives no value.
//   - The result fields are those of the last display; else those named by fields and
//     parse, in query order (after the last stats, the stats outputs first); else
//     @timestamp, @message and then any parsed fields.
//   - A glob parse pattern matches anywhere in the value; each * is lazy except the last.
//     Regular expressions are Go's RE2 syntax, which covers the documented examples.
//   - stddev is the sample standard deviation; pct is the nearest-rank percentile.
//   - Calendar periods (mo, q, y) floor to the first instant (UTC) of a month whose
//     number since January 1970 is a multiple of the period in months; they have no
//     value in arithmetic.
//   - An empty query (or only comments) returns every record's @timestamp and @message.
//   - While a query runs, Run.Progress answers the counts so far and the answer over the
//     records so far. For a query without stats and sort (fields, display, filter,
//     parse, limit, dedup), rows are final as soon as found (records come newest first,
//     which is the answer's order): they are the first rows of the final answer, in its
//     order, shared with it rather than copied. For a query with stats or sort, the
//     service shows intermediate aggregates (documented only as "partial results");
//     here the intermediate answer is what the first stats or sort holds (the aggregates
//     over the records so far, or those records in order) through a fresh copy of the
//     commands after it, so it may differ from one poll to the next. It is made on the
//     feeding goroutine, only after a Progress call asked for one (so a poll shows the
//     answer its previous poll asked for), at most every 100 ms, and at most once per as
//     many records as it holds groups or rows: spread over those records, it costs a
//     constant per record for stats (a logarithmic factor for sort), even for a sort
//     over millions of rows or a stats by a high-cardinality key.
//
// Not verified against the service's output (no published example shows them; test
// doubles in third-party code show "bin(5m)" and "count(*)" columns, the bin first, with
// values "2026-05-24 10:00:00.000" and "42", which is what this package does, but they are
// not the service's word): the names of stats columns without "as" (here the item's
// source text as written, spaces and case kept: "count( * )"); the text of numbers with
// a fraction (here Go's shortest representation, avg 7/3 as "2.3333333333333335"); whether
// min, max, earliest and latest of @timestamp show as dates (here they do) or as
// milliseconds; the order of rows of stats and of the default sort direction; what a
// Running stats query's partial results hold.
//
// Not supported: SOURCE, unnest, join, subqueries, anomaly, diff, filterIndex,
// the JSON functions (jsonParse, jsonStringify), SQL and PPL.
package insights
