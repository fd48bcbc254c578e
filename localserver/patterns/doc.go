// Package patterns clusters log messages into patterns: the local server's stand-in for
// the pattern engine of CloudWatch Logs (the Logs Insights pattern command, the Patterns
// tab, log anomaly detectors), which the service documents only by its output
// (CWL_AnalyzeLogData_Patterns, CWL_QuerySyntax-Pattern, the PatternToken API shape).
//
// A Clusterer takes messages one at a time (Add) and keeps a bounded set of Patterns.
// Each pattern is a template: static tokens verbatim, and dynamic tokens (the parts that
// vary, such as request IDs, numbers or timestamps) shown as "<*>", as the service
// shows them: "2023-01-01 19:00:01 [INFO] Calling DynamoDB for id 12342342k124-12345"
// joins "<*> <*> [INFO] Calling DynamoDB for id <*>".
//
// # Algorithm
//
// The clustering is Drain-like and deterministic (the same messages in the same order
// give the same patterns, templates and IDs):
//
//   - A message is split into words (runs of letters, digits, characters beyond ASCII
//     other than spaces and punctuation, and _ - . : / @ + %; a leading :, and trailing
//     . and :, are not part of a word) and the separators between them (everything
//     else: spaces, brackets, quotes, =, commas..., and the likes of U+3000 and 、。「」).
//     At most Options.MaxTokens words are made; the last one then holds the rest of the
//     message.
//   - Words of an obvious variable class (numbers, with or without a unit such as
//     "12ms"; hex numbers; IPv4 and IPv6 addresses, with or without a port; UUIDs;
//     dates and times; long identifiers mixing letters and digits) are dynamic from the
//     first message on.
//   - Messages are grouped by their number of words, their exact separators and their
//     first word (or "a variable" when the first word is of a variable class). Within a
//     group, a message joins the pattern with the highest similarity (the share of its
//     words equal to the template's static words or standing where it has a dynamic
//     token) if that is at least Options.Similarity; ties go to the older pattern.
//     Joining turns each static token the message differs from into a dynamic one.
//     Templates thus only ever generalise: a static token may become dynamic, never back.
//   - Bounds: at most Options.MaxPatterns patterns, and at most 64 in one group. A
//     message that would start a pattern beyond either bound joins the most similar
//     pattern of its group instead, whatever the similarity; when its group has none
//     (only possible at MaxPatterns), it joins the overflow pattern, "<*>", whose one
//     dynamic token is the whole message and whose Regex matches anything. So there are
//     at most MaxPatterns+1 patterns. Each Add costs time linear in the message's length
//     plus at most 64 comparisons of its words with a template: no more on crafted input.
//
// The service's engine is machine-learned and undocumented: its patterns for the same
// input will differ in places (where a token is judged dynamic, how lines of different
// lengths group). What this package keeps of the service's documented behaviour is the
// output shape: templates with "<*>", dynamic tokens numbered from 1 with values and
// their counts, inferred token names such as "IPAddress-3", severity labels.
package patterns
