package conformance

import (
	"fmt"
	"strings"
)

// knownDiff is a difference between moto_server and the local server that the
// differential suite expects.
type knownDiff struct {
	steps      []string // the steps where it occurs (each must show it)
	path       string   // "status", "body.__type", "body.logStreams[*].storedBytes", …
	moto, ours string   // rendered values ("absent", JSON); "*" any; "x*" prefix
	follows    string   // which side follows AWS: "ours", "moto", "neither", "uncertain"
	note       string   // why, citing the reference notes
}

// Step groups shared by several entries.
var (
	noOutputSteps = []string{"create group with tags", "create group b", "create group c", "create group other",
		"create stream s1", "create stream s2", "create stream s3", "put retention 7", "delete retention",
		"tag log group", "untag log group", "delete stream s3", "delete group other",
		"put destination policy a", "delete destination a"}
	describeGroupSteps = []string{"describe groups", "describe groups by prefix", "describe groups limit 2",
		"describe groups page 2", "describe group with retention", "describe group without retention",
		"describe groups after delete"}
	// describeGroupSteps whose answer lists /diff/app, the group holding events.
	groupBytesSteps = []string{"describe groups", "describe groups by prefix", "describe groups limit 2",
		"describe group with retention", "describe group without retention", "describe groups after delete"}
	describeStreamSteps = []string{"describe streams", "describe streams limit 2", "describe streams page 2",
		"describe streams by last event descending", "describe streams by prefix", "describe streams after delete"}
	filterSteps = []string{"filter all", "filter ERROR", "filter ERROR timeout", "filter quoted phrase",
		"filter stream s1 ERROR", "filter time range", "filter limit 3", "filter page 2"}
	// Steps whose last page moto marks with "nextToken": null.
	nullTokenSteps = []string{"describe groups", "describe groups by prefix", "describe groups page 2",
		"describe group with retention", "describe group without retention", "describe groups after delete",
		"describe streams", "describe streams page 2", "describe streams by last event descending",
		"describe streams by prefix", "describe streams after delete",
		"filter all", "filter ERROR", "filter ERROR timeout", "filter quoted phrase", "filter stream s1 ERROR",
		"filter time range",
		"describe destinations", "describe destinations by prefix", "describe destinations after delete"}
	getTokenSteps = []string{"get page 1", "get page 2", "get page 3", "get end of stream", "get tail",
		"get backward page", "get time range"}
)

// motoDifferences is every expected difference, the destination steps' (destDifferences)
// last.
var motoDifferences = append([]knownDiff{
	{steps: noOutputSteps, path: "body", moto: `"(empty body)"`, ours: `{}`, follows: "uncertain",
		note: "Operations without output: whether AWS sends an empty body or {} is unrecorded; clients accept both and a server should send {} (cloudwatch-logs-api.md §1)."},
	{steps: []string{"create stream duplicate"}, path: "body.message",
		moto: `"The specified log group already exists"`, ours: `"The specified log stream already exists"`, follows: "ours",
		note: "Live AWS answered \"The specified log stream already exists\" (seed-original.md §3 testFailCreateLogStream; cloudwatch-logs-api.md §7)."},
	{steps: []string{"get missing stream", "delete stream s3 again"}, path: "body.message",
		moto: `"The specified log group does not exist."`, ours: `"The specified log stream does not exist."`, follows: "ours",
		note: "A missing stream in an existing group is \"The specified log stream does not exist.\" (seed-original.md §3 testFailDeleteLogStream; cloudwatch-logs-api.md §7)."},
	{steps: []string{"put s2 too old and too new"}, path: "body.rejectedLogEventsInfo.tooOldLogEventEndIndex", moto: "0", ours: "1", follows: "ours",
		note: "tooOldLogEventEndIndex is one past the last too-old event: live AWS returned 1 for one too-old event (seed-original.md §3 testFailPutLogEvent; cloudwatch-logs-api.md §5)."},
	{steps: []string{"put s2 two too new"}, path: "body.rejectedLogEventsInfo.tooNewLogEventStartIndex", moto: "1", ours: "0", follows: "ours",
		note: "tooNewLogEventStartIndex is the first too-new event; moto overwrites it in a loop and reports the last (cloudwatch-logs-api.md §5; local-emulators.md §2)."},
	{steps: []string{"put empty batch"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "An empty logEvents list is refused (InvalidParameterException \"1 validation error detected: Value '[]' at 'logEvents' …\", cloudwatch-logs-api.md §5); moto does not validate it (local-emulators.md §2)."},
	{steps: []string{"put empty batch"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row: moto answers {nextSequenceToken}, cwlogs the AWS error."},
	{steps: describeGroupSteps, path: "body.logGroups[*].logGroupClass", moto: "absent", ours: `"STANDARD"`, follows: "ours",
		note: "LogGroup.logGroupClass is in the current model and defaults to STANDARD (cloudwatch-logs-api.md §3, §4); moto omits it."},
	{steps: groupBytesSteps, path: "body.logGroups[*].storedBytes", moto: "*", ours: "*", follows: "ours",
		note: "Group storedBytes counts 26 bytes of overhead per event; moto omits the overhead (local-emulators.md §2, §7). AWS's own figure is eventually consistent."},
	{steps: nullTokenSteps, path: "body.nextToken", moto: "null", ours: "absent", follows: "ours",
		note: "nextToken is omitted on the last page, never null (cloudwatch-logs-api.md §1, §8; local-emulators.md §2)."},
	{steps: []string{"describe groups limit 0"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "DescribeLimit is 1–50 (cloudwatch-logs-api.md §3); cwlogs answers InvalidParameterException \"1 validation error detected: Value '0' at 'limit' …\"; moto accepts 0."},
	{steps: []string{"describe groups limit 0"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row: moto lists the groups, cwlogs the AWS error."},
	{steps: describeStreamSteps, path: "body.logStreams[*].storedBytes", moto: "*", ours: "0", follows: "ours",
		note: "LogStream.storedBytes is deprecated and always 0 (cloudwatch-logs-api.md §4)."},
	{steps: getTokenSteps, path: "body.next*Token", moto: `"<*/56 digits>"`, ours: `"<*/56 digits/s>"`, follows: "ours",
		note: "GetLogEvents tokens look like f/<56 digits>/s and b/<56 digits>/s on AWS; moto's lack /s (cloudwatch-logs-api.md §8; local-emulators.md §1, §2). Both repeat the token at the end of the stream."},
	{steps: []string{"get time range"}, path: "body.events", moto: "*", ours: "*", follows: "ours",
		note: "GetLogEvents endTime is exclusive (cloudwatch-logs-api.md §4, §8); moto includes the event at endTime (local-emulators.md §2)."},
	{steps: []string{"filter all", "filter time range", "filter limit 3", "filter page 2"}, path: "body.events[*].*", moto: "*", ours: "*", follows: "ours",
		note: "FilterLogEvents interleaves streams sorted by timestamp, ingestion time, request (cloudwatch-logs-api.md §4); moto returns stream by stream."},
	{steps: filterSteps, path: "body.events[*].eventId", moto: "\"<id>\"", ours: "\"<56-digit id>\"", follows: "ours",
		note: "eventId is a 56-digit string on AWS; moto uses a small process-wide integer (cloudwatch-logs-api.md §8; local-emulators.md §2)."},
	{steps: filterSteps, path: "body.searchedLogStreams", moto: "*", ours: "[]", follows: "ours",
		note: "searchedLogStreams has always been empty since 2020-05-15 (cloudwatch-logs-api.md §4); moto lists every stream."},
	{steps: []string{"filter bad token"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A malformed FilterLogEvents nextToken is InvalidParameterException \"The specified nextToken is invalid.\"; moto silently returns an empty page (local-emulators.md §2, §5.1)."},
	{steps: []string{"filter bad token"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"filter missing stream name"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "A logStreamNames entry that names no stream fails the whole FilterLogEvents with ResourceNotFoundException \"The specified log stream does not exist.\" (seen from live AWS: percona/rds_exporter issue 81, PR 123); moto skips the name and searches the rest."},
	{steps: []string{"filter missing stream name"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
	{steps: []string{"put retention 8"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "retentionInDays must be one of the documented Days values, validated server side (cloudwatch-logs-api.md §3); moto accepts any (local-emulators.md §2)."},
	{steps: []string{"put retention 8"}, path: "body", moto: `"(empty body)"`, ours: `{"__type":"InvalidParameterException","message":"1 validation error detected: Value '8' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: *`, follows: "ours",
		note: "The body of the previous row (AWS's exact wording for this field is unrecorded)."},
	{steps: []string{"list tags of missing group"}, path: "status", moto: "200", ours: "400", follows: "ours",
		note: "ListTagsForResource of a missing log group is ResourceNotFoundException in the model (cloudwatch-logs-api.md §4 errors); moto answers {\"tags\":{}}. AWS's exact message here is unrecorded."},
	{steps: []string{"list tags of missing group"}, path: "body.*", moto: "*", ours: "*", follows: "ours",
		note: "The body of the previous row."},
}, destDifferences...)

// motoDiffMarkdown renders the table for the README notes; same lists the steps both
// servers answered identically.
func motoDiffMarkdown(steps int, same []string) string {
	var b strings.Builder
	b.WriteString("# moto_server vs cwlogs localserver\n\n")
	b.WriteString("Generated by `CWLOGS_MOTO_DIFF_MD=$PWD/internal/conformance/moto-diff.md go test ./internal/conformance -run TestMotoDifferential` " +
		"from the table in internal/conformance/motodiff_table_test.go. Values are normalized: server-chosen times, tokens and " +
		"event ids are compared by presence only.\n\n")
	b.WriteString("| Steps | Field | moto | cwlogs | Follows AWS | Note |\n|---|---|---|---|---|---|\n")
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	for _, k := range motoDifferences {
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | `%s` | %s | %s |\n", esc(strings.Join(k.steps, "; ")), esc(k.path),
			esc(k.moto), esc(k.ours), k.follows, esc(k.note))
	}
	fmt.Fprintf(&b, "\n%d of the %d steps were answered identically (status, __type, message and every field): %s.\n",
		len(same), steps, strings.Join(same, "; "))
	return b.String()
}
