package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/filterpattern"
)

// Limits of a transformerConfig. The counts are the user guide's
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Create.html);
// the lengths and list sizes are the model's shapes (botocore logs/2014-03-28).
const (
	MaxProcessors       = 20  // "A transformer can contain as many as 20 processors" (model: Processors max 20)
	MaxParsers          = 5   // "You can include as many as five parser-type processors"
	maxKeyLen           = 128 // Key, Source, Target, DestinationField, RenameTo, ValueKey, …
	maxAddKeyValueLen   = 256 // AddKeyValue
	maxGrokMatchLen     = 512 // GrokMatch
	maxGrokPatterns     = 20  // %{...} references in a grok match (the user guide's grok table)
	maxColumns          = 100 // Columns
	maxFiveEntries      = 5   // AddKeyEntries, CopyValueEntries, MoveKeyEntries, RenameKeyEntries, DeleteWithKeys, TypeConverterEntries
	maxTenEntries       = 10  // SplitStringEntries, SubstituteStringEntries, *WithKeys of the string mutators
	maxQuoteCharLen     = 1   // QuoteCharacter
	maxCSVDelimiterLen  = 2   // Delimiter
	maxDateMatchPattern = 5   // MatchPatterns
)

// ConfigError is a transformerConfig that breaks a rule: Field is the member's path
// ("transformerConfig[2].addKeys.entries[0].key"), Value its value when there is one to
// show, Reason the rule.
type ConfigError struct {
	Field  string
	Value  string
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s: value %q: %s", e.Field, e.Value, e.Reason)
	}
	return e.Field + ": " + e.Reason
}

// UnsupportedError is a processor of the model that this package does not implement.
type UnsupportedError struct {
	Field     string // "transformerConfig[0]"
	Processor string // "parseVPC"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: the %s processor is not supported by this server", e.Field, e.Processor)
}

// Config is a validated transformerConfig.
type Config struct {
	procs []proc
}

// Len is the number of processors.
func (c *Config) Len() int { return len(c.procs) }

// proc is one processor ready to apply.
type proc struct {
	name  string // the Processor member ("parseJSON")
	apply func(e *event) error
}

// kinds of processors, for the ordering and count rules.
var (
	// parsers, and the parsers of AWS vended logs (isParser): "Some processors are of the
	// parser type … the first processor in a transformer must be a parser"
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Create.html).
	parsers = map[string]bool{"parseJSON": true, "parseKeyValue": true, "csv": true, "grok": true}
	// unsupported processors are refused (see the package doc) before any other rule:
	// parseToOCSF, whose mapping of each source to OCSF classes is large and whose exact
	// output AWS does not document field by field, so that nothing here could be checked
	// against it. Serving it means adding it to vendedParsers (vended.go).
	unsupported = map[string]bool{"parseToOCSF": true}
	// onlyOne: "You can include only one grok processor", "only one addKeys processor",
	// "only one copyValue processor" (same page).
	onlyOne = map[string]bool{"grok": true, "addKeys": true, "copyValue": true}
)

// isParser reports whether name is a parser-type processor: one of parsers or a parser of
// AWS vended logs.
func isParser(name string) bool { return parsers[name] || isVended(name) }

// processorNames are the Processor union's members, in the model's order.
var processorNames = []string{"addKeys", "copyValue", "csv", "dateTimeConverter", "deleteKeys", "grok",
	"listToMap", "lowerCaseString", "moveKeys", "parseCloudfront", "parseJSON", "parseKeyValue",
	"parseRoute53", "parseToOCSF", "parsePostgres", "parseVPC", "parseWAF", "renameKeys", "splitString",
	"substituteString", "trimString", "typeConverter", "upperCaseString"}

// Parse checks raw, the JSON array transformerConfig, and returns the Config it describes.
// Errors are *ConfigError or *UnsupportedError.
func Parse(raw []byte) (*Config, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, &ConfigError{Field: "transformerConfig", Reason: "must be a JSON array of processors"}
	}
	n := len(items)
	if n < 1 || n > MaxProcessors {
		return nil, &ConfigError{Field: "transformerConfig", Value: fmt.Sprint(n),
			Reason: fmt.Sprintf("must hold between 1 and %d processors", MaxProcessors)}
	}
	c := &Config{}
	counts := map[string]int{}
	nParsers := 0
	for i, item := range items {
		field := fmt.Sprintf("transformerConfig[%d]", i)
		var members map[string]json.RawMessage
		if err := json.Unmarshal(item, &members); err != nil || members == nil {
			return nil, &ConfigError{Field: field, Reason: "must be a JSON object naming one processor"}
		}
		var name string
		for k, v := range members {
			if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				continue // an SDK's unset member
			}
			if name != "" {
				return nil, &ConfigError{Field: field, Reason: fmt.Sprintf("must name exactly one processor, not %s and %s", min(name, k), max(name, k))}
			}
			name = k
		}
		if name == "" {
			return nil, &ConfigError{Field: field, Reason: "must name exactly one processor"}
		}
		if !slices.Contains(processorNames, name) {
			return nil, &ConfigError{Field: field, Value: name, Reason: "unknown processor; valid ones are " + strings.Join(processorNames, ", ")}
		}
		if unsupported[name] {
			return nil, &UnsupportedError{Field: field, Processor: name}
		}
		counts[name]++
		if onlyOne[name] && counts[name] > 1 {
			return nil, &ConfigError{Field: field, Value: name, Reason: "a transformer can include only one " + name + " processor"}
		}
		if isParser(name) {
			nParsers++
			if nParsers > MaxParsers {
				return nil, &ConfigError{Field: field, Value: name, Reason: fmt.Sprintf("a transformer can include at most %d parser-type processors", MaxParsers)}
			}
		}
		// The same page: "If you include a pre-configured parser for a type of AWS vended
		// logs, it must be the first processor listed in the transformer. You can include
		// only one such processor in a transformer".
		if isVended(name) && i > 0 {
			if isVended(c.procs[0].name) {
				return nil, &ConfigError{Field: field, Value: name, Reason: "a transformer can include only one parser of AWS vended logs (" + c.procs[0].name + " is already its first processor)"}
			}
			return nil, &ConfigError{Field: field, Value: name, Reason: "a parser of AWS vended logs must be the first processor of a transformer"}
		}
		if i == 0 && !isParser(name) {
			return nil, &ConfigError{Field: field, Value: name, Reason: "the first processor of a transformer must be a parser (parseJSON, parseKeyValue, csv, grok or a parser of AWS vended logs)"}
		}
		if i == 0 && name == "parseJSON" {
			// "When using parseJSON as the first processor, you must parse the entire log
			// event using @message as the source field"
			// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Configurable.html#CloudWatch-Logs-Transformation-parseJSON).
			var in map[string]json.RawMessage
			var src *string
			if json.Unmarshal(members[name], &in) == nil && json.Unmarshal(in["source"], &src) == nil && src != nil && *src != "@message" {
				return nil, &ConfigError{Field: field + ".parseJSON.source", Value: *src,
					Reason: "must be @message when parseJSON is the first processor"}
			}
		}
		p, err := build(field+"."+name, name, members[name])
		if err != nil {
			return nil, err
		}
		c.procs = append(c.procs, p)
	}
	return c, nil
}

// decodeStrict decodes one processor's members into v, a pointer to a struct, refusing
// members the model does not have. Names are matched exactly, as the service's JSON
// protocol matches them: encoding/json alone would take "Destination" for "destination".
func decodeStrict(field string, raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "json: ")
		return &ConfigError{Field: field, Reason: "malformed: " + msg}
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return nil // null: no members
	}
	t := reflect.TypeOf(v).Elem()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		names = append(names, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	for k := range members {
		if !slices.Contains(names, k) {
			return &ConfigError{Field: field, Value: k, Reason: "unknown member (names are case-sensitive); valid ones are " + strings.Join(names, ", ")}
		}
	}
	return nil
}

// checker collects the first violation of a processor's members.
type checker struct {
	field string
	err   *ConfigError
}

func (c *checker) fail(member, value, reason string) {
	if c.err == nil {
		c.err = &ConfigError{Field: c.field + "." + member, Value: value, Reason: reason}
	}
}

// required reports a required member that is missing.
func (c *checker) required(present bool, member string) bool {
	if !present {
		c.fail(member, "", "is required")
	}
	return present
}

// str checks an optional string member's length (in characters, as the model counts).
func (c *checker) str(s *string, member string, minLen, maxLen int) {
	if s == nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	switch {
	case n < minLen:
		c.fail(member, *s, fmt.Sprintf("must be at least %d characters long", minLen))
	case maxLen > 0 && n > maxLen:
		c.fail(member, *s, fmt.Sprintf("must be at most %d characters long", maxLen))
	}
}

// maxKeyDepth is the "Maximum nested key depth: 3" of the user guide's tables
// (CloudWatch-Logs-Transformation-Configurable.html, CloudWatch-Logs-Transformation-JSONMutate.html)
// for the members that list it: parseJSON's source and destination, grok's source, addKeys'
// key and moveKeys' source. Our reading: a path of at most three keys ("a.b.c").
const maxKeyDepth = 3

// depth checks that an optional path member names a key at most maxKeyDepth levels deep.
func (c *checker) depth(s *string, member string) {
	if s != nil && strings.Count(*s, ".") >= maxKeyDepth {
		c.fail(member, *s, fmt.Sprintf("must name a key at most %d levels deep (maximum nested key depth)", maxKeyDepth))
	}
}

// reqStr is str for a required member.
func (c *checker) reqStr(s *string, member string, maxLen int) {
	if c.required(s != nil, member) {
		c.str(s, member, 1, maxLen)
	}
}

// list checks a required list's length.
func (c *checker) list(n int, present bool, member string, maxLen int) bool {
	if !c.required(present, member) {
		return false
	}
	if n < 1 || n > maxLen {
		c.fail(member, "", fmt.Sprintf("must hold between 1 and %d members, not %d", maxLen, n))
		return false
	}
	return true
}

func (c *checker) enum(s *string, member string, values ...string) {
	if s == nil {
		return
	}
	for _, v := range values {
		if *s == v {
			return
		}
	}
	c.fail(member, *s, "must be one of "+strings.Join(values, ", "))
}

// pathOf is the field path s, or def when s is nil.
func pathOf(s *string, def string) path {
	if s == nil {
		return splitPath(def)
	}
	return splitPath(*s)
}

// compileRegexp compiles a substituteString "from" pattern, a Java regular expression,
// with Go's RE2 syntax; a pattern RE2 cannot compile (lookarounds, backreferences) is
// refused, and so is one that compiles to more than filterpattern.MaxRegexProg
// instructions (ours: an event is transformed at each read, in time proportional to its
// length times that size; \w{1000} written 16 times took 4.9 s on one 32 KB event).
func compileRegexp(c *checker, member, s string) *regexp.Regexp {
	re, err := regexp.Compile(s)
	if err != nil {
		c.fail(member, s, "is not a regular expression this server can compile: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return nil
	}
	if n := filterpattern.RegexProgSize(s); n > filterpattern.MaxRegexProg {
		c.fail(member, s, fmt.Sprintf("is too complex a regular expression (%d instructions, at most %d): use smaller repetition counts", n, filterpattern.MaxRegexProg))
		return nil
	}
	return re
}
