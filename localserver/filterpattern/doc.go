// Package filterpattern parses and evaluates CloudWatch Logs filter
// patterns, the syntax shared by FilterLogEvents, metric filters,
// subscription filters and Live Tail:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
//
// Parse returns a *SyntaxError for anything it does not understand; it
// never falls back to matching every event. Matching is case-sensitive.
// A Pattern is immutable and safe for concurrent use.
//
// # Pattern kinds
//
// The first non-blank character selects the kind: '{' a JSON pattern, '['
// a space-delimited pattern, '%' a regular expression, anything else
// unstructured terms. A pattern holds exactly one kind; text after the
// closing '}', ']' or '%' is an error. Patterns longer than
// MaxPatternLength characters are rejected.
//
// # Terms
//
//	terms   = { [ "?" | "-" ] { blank } term }
//	term    = bare | quoted
//	bare    = 1*( letter | digit | "_" )        (Unicode letters and digits)
//	quoted  = '"' { char | '\"' | '\\' } '"'
//
// A term matches when it occurs anywhere in the message (ERROR matches
// "ERRORCODE"). Terms are ANDed; -term requires the term to be absent. A
// term with any other character must be quoted: "INTERNAL SERVER ERROR",
// "user@example.com". Inside quotes, \" stands for '"' and \\ for '\'; a
// backslash before any other character is kept.
//
// "?" starts an alternative: `?ERROR ?WARN` matches either word, and
// `?ERROR Main ?WARN Deadlock` matches (ERROR and Main) or (WARN and
// Deadlock), as the AWS CDK's anyTermGroup renders it. Terms before the
// first "?" form the first alternative.
//
// The empty pattern, a blank one, and quoted terms holding only blanks
// (`" "`, as AWS documents) match every event; see Pattern.MatchAll. A
// blank quoted term after "?" or "-" is an error.
//
// # Regular expressions
//
//	regex = "%" 1*rchar "%"
//	rchar = letter | digit | one of  _ # = @ / ; , - :  ^ $ ? [ ] { } | \ * + .
//
// A regex matches when it matches any part of the message (RE2 semantics
// via package regexp). As AWS documents, '(' and ')' and multi-byte
// characters are rejected, as is any other character. A regex stands
// alone as a whole pattern or is the value of a JSON or space-delimited
// condition; each JSON or space-delimited pattern may hold at most two.
// Beyond AWS's documented rules, a regex whose compiled program has more
// than 300 instructions ([a-z]{300}) is refused as too complex: matching
// costs up to that many steps per message byte.
//
// # JSON patterns
//
//	json      = "{" or "}"
//	or        = and { "||" and }
//	and       = unary { "&&" unary }
//	unary     = "(" or ")" | condition
//	condition = selector ( op value | "IS" ( "NULL" | "TRUE" | "FALSE" ) | "NOT" "EXISTS" )
//	selector  = "$." name { "." name | "[" digits "]" }
//	name      = 1*( letter | digit | "_" | "-" )   (ASCII)
//	op        = "=" | "!=" | "<" | "<=" | ">" | ">="
//	value     = number | quoted | regex | bare-value
//	number    = [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ]
//	bare-value= 1*( letter | digit | one of _ - . * : / + )   (ASCII; not a number)
//
// Blanks may appear between all tokens; keywords are case-insensitive.
// '&&' binds tighter than '||'. $.* and [*] wildcards and quoted property
// names are not supported. Only a message that is a JSON object (blanks
// around it allowed) can match; anything else, including invalid JSON,
// never matches.
//
// Comparisons apply to string and number values only; a missing value,
// null, a boolean, an object or an array satisfies neither = nor !=.
//
//   - A string value (quoted, or bare and not a number) allows = and !=.
//     '*' at its start or end is a wildcard: *Event, Event*, *vent*; '*'
//     elsewhere is an ordinary character; "*" alone matches any string or
//     number. Numbers are compared by their text as written in the
//     message.
//   - A number value compares numerically (float64) with JSON numbers and
//     with strings that read as numbers. For = and != a value that is not
//     a number is compared as text with the number as written, so
//     { $.code != 500 } holds for "abc"; <, <=, > and >= do not hold.
//   - A regex value allows = (the regex matches part of the value) and !=.
//   - IS NULL, IS TRUE and IS FALSE test for null, true and false; NOT
//     EXISTS holds when the selector resolves to nothing.
//
// The message is parsed once per Match, resolving every selector in a
// single validating pass; a repeated key replaces an earlier one.
//
// # Space-delimited patterns
//
//	delimited = "[" field { "," field } "]"
//	field     = "" | "..." | name | test { ( "&&" | "||" ) test }
//	test      = name op value
//
// name, op and value are as in JSON patterns. All tests of one field use
// that field's name (AWS rejects [a = 1 && b = 2]); '&&' binds tighter
// than '||'; value semantics are those of JSON strings. An empty field
// (as in AWS's example [..., request=*.html*, status_code=4*,]) is an
// anonymous field that matches any value. [] matches every message, as
// [...] does (AWS documents it with TestMetricFilter).
//
// The message is split into fields at runs of spaces, tabs, CR and LF. A
// field that starts with '"' runs to the next '"' not preceded by a
// backslash, one that starts with '[' to the next ']'; the value excludes
// those delimiters. Each "..." stands for any number of fields (possibly
// none); without "..." the number of fields must equal the pattern's.
//
// # Prefiltering
//
// Pattern.RequiredLiterals lists substrings every matching message
// contains, so a store can discard most non-matching rows cheaply before
// calling Match. It covers terms required by every alternative, a
// regex's literal prefix, and the fixed text of '=' string or regex tests
// in space-delimited fields without '||'. JSON patterns yield none because
// JSON escapes can spell any character differently.
package filterpattern
