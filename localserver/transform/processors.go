package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Each rule below cites the user guide's section of its processor
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-<name>)
// or the API reference of its shape; the shapes are the model's.

// Shapes of the Processor union's members (botocore logs/2014-03-28).
type (
	parseJSONIn struct {
		Source      *string `json:"source"`
		Destination *string `json:"destination"`
	}
	parseKeyValueIn struct {
		Source            *string `json:"source"`
		Destination       *string `json:"destination"`
		FieldDelimiter    *string `json:"fieldDelimiter"`
		KeyValueDelimiter *string `json:"keyValueDelimiter"`
		KeyPrefix         *string `json:"keyPrefix"`
		NonMatchValue     *string `json:"nonMatchValue"`
		OverwriteIfExists bool    `json:"overwriteIfExists"`
	}
	csvIn struct {
		QuoteCharacter *string   `json:"quoteCharacter"`
		Delimiter      *string   `json:"delimiter"`
		Columns        *[]string `json:"columns"`
		Source         *string   `json:"source"`
		Destination    *string   `json:"destination"`
	}
	grokIn struct {
		Source *string `json:"source"`
		Match  *string `json:"match"`
	}
	keyEntry struct { // AddKeyEntry, CopyValueEntry, MoveKeyEntry, RenameKeyEntry
		Key               *string `json:"key"`
		Value             *string `json:"value"`
		Source            *string `json:"source"`
		Target            *string `json:"target"`
		RenameTo          *string `json:"renameTo"`
		OverwriteIfExists bool    `json:"overwriteIfExists"`
	}
	entriesIn struct {
		Entries *[]json.RawMessage `json:"entries"`
	}
	withKeysIn struct {
		WithKeys *[]string `json:"withKeys"`
	}
	listToMapIn struct {
		Source           *string `json:"source"`
		Key              *string `json:"key"`
		ValueKey         *string `json:"valueKey"`
		Target           *string `json:"target"`
		Flatten          bool    `json:"flatten"`
		FlattenedElement *string `json:"flattenedElement"`
	}
	splitEntry struct {
		Source    *string `json:"source"`
		Delimiter *string `json:"delimiter"`
	}
	substituteEntry struct {
		Source *string `json:"source"`
		From   *string `json:"from"`
		To     *string `json:"to"`
	}
	typeEntry struct {
		Key  *string `json:"key"`
		Type *string `json:"type"`
	}
)

// build checks one processor's members and returns it ready to apply.
func build(field, name string, raw json.RawMessage) (proc, error) {
	c := &checker{field: field}
	var fn func(e *event) error
	var err error
	switch name {
	case "parseJSON":
		fn, err = buildParseJSON(c, raw)
	case "parseKeyValue":
		fn, err = buildParseKeyValue(c, raw)
	case "csv":
		fn, err = buildCSV(c, raw)
	case "grok":
		fn, err = buildGrok(c, raw)
	case "addKeys", "copyValue", "moveKeys", "renameKeys":
		fn, err = buildKeyEntries(c, name, raw)
	case "deleteKeys", "lowerCaseString", "upperCaseString", "trimString":
		fn, err = buildWithKeys(c, name, raw)
	case "listToMap":
		fn, err = buildListToMap(c, raw)
	case "splitString":
		fn, err = buildSplitString(c, raw)
	case "substituteString":
		fn, err = buildSubstituteString(c, raw)
	case "typeConverter":
		fn, err = buildTypeConverter(c, raw)
	case "dateTimeConverter":
		fn, err = buildDateTimeConverter(c, raw)
	default:
		return proc{}, &UnsupportedError{Field: field, Processor: name}
	}
	if err != nil {
		return proc{}, err
	}
	if c.err != nil {
		return proc{}, c.err
	}
	return proc{name: name, apply: fn}, nil
}

// putParsed puts what a parser extracted: under destination when given, else at the
// root ("If you omit this parameter, it is placed under the root node",
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ParseJSON.html).
// At the root, a key the event already has is replaced unless keep is true.
func putParsed(e *event, dest *string, parsed *object, keep bool) {
	if dest != nil {
		store(e.root, splitPath(*dest), parsed, true)
		return
	}
	for _, mb := range parsed.m {
		if _, exists := e.root.get(mb.k); exists && keep {
			continue
		}
		e.root.set(mb.k, mb.v)
	}
}

// sourceString returns the string a parser reads; a missing or non-string source is an
// error (the event is left as it was).
func sourceString(e *event, p path) (string, error) {
	v, ok := e.source(p)
	if !ok {
		return "", fmt.Errorf("source field %s not found", strings.Join(p, "."))
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("source field %s is not a string", strings.Join(p, "."))
	}
	return s, nil
}

// parseJSON: source defaults to @message; "It can extract JSON key-value pairs and place
// them under a destination that you specify" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-parseJSON).
// Text that is not a JSON object is an error.
func buildParseJSON(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in parseJSONIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.str(in.Source, "source", 1, maxKeyLen)
	c.str(in.Destination, "destination", 1, maxKeyLen)
	src := pathOf(in.Source, "@message")
	return func(e *event) error {
		s, err := sourceString(e, src)
		if err != nil {
			return err
		}
		o, err := decodeObject(s)
		if err != nil {
			return errors.New("the source is not a JSON object")
		}
		putParsed(e, in.Destination, o, false)
		return nil
	}, nil
}

// parseKeyValue: fieldDelimiter defaults to "&", keyValueDelimiter to "=", source to
// @message; keyPrefix is added to every key; nonMatchValue is the value of a pair that has
// no keyValueDelimiter (without it such a pair is dropped: our choice, the docs do not say);
// overwriteIfExists (default false) says whether a parsed key replaces one the destination
// already has (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ParseKeyValue.html).
// Empty pairs ("a=1&&b=2") are skipped, and a key split off by its first keyValueDelimiter
// (our choices).
func buildParseKeyValue(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in parseKeyValueIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.str(in.Source, "source", 1, maxKeyLen)
	c.str(in.Destination, "destination", 1, maxKeyLen)
	c.str(in.FieldDelimiter, "fieldDelimiter", 1, maxKeyLen)
	c.str(in.KeyValueDelimiter, "keyValueDelimiter", 1, maxKeyLen)
	c.str(in.KeyPrefix, "keyPrefix", 1, maxKeyLen)
	c.str(in.NonMatchValue, "nonMatchValue", 1, maxKeyLen)
	src := pathOf(in.Source, "@message")
	fd, kvd, prefix := "&", "=", ""
	if in.FieldDelimiter != nil {
		fd = *in.FieldDelimiter
	}
	if in.KeyValueDelimiter != nil {
		kvd = *in.KeyValueDelimiter
	}
	if in.KeyPrefix != nil {
		prefix = *in.KeyPrefix
	}
	return func(e *event) error {
		s, err := sourceString(e, src)
		if err != nil {
			return err
		}
		o := newObject()
		for _, pair := range strings.Split(s, fd) {
			if pair == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, kvd)
			if !ok {
				if in.NonMatchValue == nil {
					continue
				}
				v = *in.NonMatchValue
			}
			if k == "" {
				continue
			}
			k = prefix + k
			if _, dup := o.get(k); dup && !in.OverwriteIfExists {
				continue
			}
			o.set(k, v)
		}
		if in.Destination != nil {
			if d, ok := lookup(e.root, splitPath(*in.Destination)); ok {
				if existing, isObj := d.(*object); isObj {
					for _, mb := range o.m {
						if _, has := existing.get(mb.k); has && !in.OverwriteIfExists {
							continue
						}
						existing.set(mb.k, mb.v)
					}
					return nil
				}
			}
		}
		putParsed(e, in.Destination, o, !in.OverwriteIfExists)
		return nil
	}, nil
}

// csv: quoteCharacter defaults to '"', delimiter to ",", columns to column_1, column_2,
// …, source to the whole message
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CSV.html). A
// delimiter written as the two characters `\t` is a tab (our reading of the two-character
// limit). Values beyond the named columns are named column_N by their position; columns
// beyond the values are left out (the docs are silent; our choice).
func buildCSV(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in csvIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.str(in.QuoteCharacter, "quoteCharacter", 1, maxQuoteCharLen)
	c.str(in.Delimiter, "delimiter", 1, maxCSVDelimiterLen)
	c.str(in.Source, "source", 1, maxKeyLen)
	c.str(in.Destination, "destination", 1, maxKeyLen)
	var cols []string
	if in.Columns != nil {
		cols = *in.Columns
		if len(cols) > maxColumns {
			c.fail("columns", "", fmt.Sprintf("must hold at most %d columns, not %d", maxColumns, len(cols)))
		}
		for i := range cols {
			c.str(&cols[i], fmt.Sprintf("columns[%d]", i), 1, maxKeyLen)
		}
	}
	quote, delim := "\"", ","
	if in.QuoteCharacter != nil {
		quote = *in.QuoteCharacter
	}
	if in.Delimiter != nil {
		delim = *in.Delimiter
		if delim == `\t` {
			delim = "\t"
		}
	}
	if quote == delim || strings.Contains(delim, quote) {
		c.fail("quoteCharacter", quote, "must differ from the delimiter")
	}
	src := pathOf(in.Source, "@message")
	return func(e *event) error {
		s, err := sourceString(e, src)
		if err != nil {
			return err
		}
		vals, err := splitCSV(s, delim, quote)
		if err != nil {
			return err
		}
		o := newObject()
		for i, v := range vals {
			name := fmt.Sprintf("column_%d", i+1)
			if i < len(cols) {
				name = cols[i]
			}
			o.set(name, v)
		}
		putParsed(e, in.Destination, o, false)
		return nil
	}, nil
}

// splitCSV splits one record: a field that starts with quote runs to the next quote not
// doubled (a doubled quote is one quote character), as RFC 4180 quotes.
func splitCSV(s, delim, quote string) ([]string, error) {
	var out []string
	for {
		if strings.HasPrefix(s, quote) {
			var b strings.Builder
			rest := s[len(quote):]
			for {
				i := strings.Index(rest, quote)
				if i < 0 {
					return nil, errors.New("unterminated quoted field")
				}
				b.WriteString(rest[:i])
				rest = rest[i+len(quote):]
				if strings.HasPrefix(rest, quote) {
					b.WriteString(quote)
					rest = rest[len(quote):]
					continue
				}
				break
			}
			out = append(out, b.String())
			if rest == "" {
				return out, nil
			}
			if !strings.HasPrefix(rest, delim) {
				return nil, errors.New("a quoted field must be followed by the delimiter")
			}
			s = rest[len(delim):]
			continue
		}
		i := strings.Index(s, delim)
		if i < 0 {
			return append(out, s), nil
		}
		out = append(out, s[:i])
		s = s[i+len(delim):]
	}
}

// metadataKeys are the keys copyValue reads from the event's metadata
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CopyValue.html).
func metadataValue(m *Meta, key string) (string, bool) {
	switch key {
	case "@logGroupName":
		return m.LogGroupName, true
	case "@logGroupStream":
		return m.LogStreamName, true
	case "@accountId":
		return m.AccountID, true
	case "@regionName":
		return m.Region, true
	}
	return "", false
}

// addKeys, copyValue, moveKeys and renameKeys: 1–5 entries each, every entry's
// overwriteIfExists defaulting to false (the model; the user guide's sections of each, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html). A
// missing source does nothing; an existing target is kept unless overwriteIfExists.
//   - addKeys puts a string value at key (AddKeyValue, 1–256 characters).
//   - copyValue copies source, or a metadata key, to target.
//   - moveKeys moves source to target.
//   - renameKeys renames key, in the object that holds it and at its place, to renameTo:
//     "The string to use for the new key name"
//     (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_RenameKeyEntry.html).
func buildKeyEntries(c *checker, name string, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxFiveEntries) {
		return nil, nil
	}
	entries := make([]keyEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		var allowed any
		switch name {
		case "addKeys":
			allowed = &struct {
				Key               *string `json:"key"`
				Value             *string `json:"value"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		case "renameKeys":
			allowed = &struct {
				Key               *string `json:"key"`
				RenameTo          *string `json:"renameTo"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		default:
			allowed = &struct {
				Source            *string `json:"source"`
				Target            *string `json:"target"`
				OverwriteIfExists bool    `json:"overwriteIfExists"`
			}{}
		}
		if err := decodeStrict(f, r, allowed); err != nil {
			return nil, err
		}
		_ = json.Unmarshal(r, &entries[i])
		ec := &checker{field: f}
		en := &entries[i]
		switch name {
		case "addKeys":
			ec.reqStr(en.Key, "key", maxKeyLen)
			ec.reqStr(en.Value, "value", maxAddKeyValueLen)
		case "renameKeys":
			ec.reqStr(en.Key, "key", maxKeyLen)
			ec.reqStr(en.RenameTo, "renameTo", maxKeyLen)
			if en.RenameTo != nil && strings.Contains(*en.RenameTo, ".") {
				ec.fail("renameTo", *en.RenameTo, "is a key name, not a path: it must not contain '.'")
			}
		default:
			ec.reqStr(en.Source, "source", maxKeyLen)
			ec.reqStr(en.Target, "target", maxKeyLen)
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	// Paths split once: a (key or source, target or renameTo) pair an entry.
	type pair struct{ a, b path }
	paths := make([]pair, len(entries))
	for i, en := range entries {
		switch name {
		case "addKeys":
			paths[i] = pair{splitPath(*en.Key), nil}
		case "renameKeys":
			paths[i] = pair{splitPath(*en.Key), nil}
		default:
			paths[i] = pair{splitPath(*en.Source), splitPath(*en.Target)}
		}
	}
	switch name {
	case "addKeys":
		return func(e *event) error {
			for i, en := range entries {
				store(e.root, paths[i].a, *en.Value, en.OverwriteIfExists)
			}
			return nil
		}, nil
	case "copyValue":
		return func(e *event) error {
			for i, en := range entries {
				var v any
				if mv, ok := metadataValue(e.meta, *en.Source); ok {
					v = mv
				} else if sv, ok := e.source(paths[i].a); ok {
					v = clone(sv)
				} else {
					continue
				}
				store(e.root, paths[i].b, v, en.OverwriteIfExists)
			}
			return nil
		}, nil
	case "moveKeys":
		return func(e *event) error {
			for i, en := range entries {
				src, dst := paths[i].a, paths[i].b
				if _, ok := lookup(e.root, src); !ok {
					continue
				}
				if _, exists := lookup(e.root, dst); exists && !en.OverwriteIfExists {
					continue
				}
				v, _ := remove(e.root, src)
				store(e.root, dst, v, true)
			}
			return nil
		}, nil
	}
	return func(e *event) error { // renameKeys
		for i, en := range entries {
			p := paths[i].a
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			renameKey(parent, p[len(p)-1], *en.RenameTo, en.OverwriteIfExists)
		}
		return nil
	}, nil
}

// renameKey renames from to to in o, keeping its place.
func renameKey(o *object, from, to string, overwrite bool) {
	if o.index(from) < 0 || from == to {
		return
	}
	if _, exists := o.get(to); exists {
		if !overwrite {
			return
		}
		o.del(to)
	}
	o.m[o.index(from)].k = to
}

func lenOf[T any](p *[]T) int {
	if p == nil {
		return 0
	}
	return len(*p)
}

// deleteKeys (1–5 keys), lowerCaseString, upperCaseString and trimString (1–10 keys each):
// the model's shapes; the string mutators change string values only and leave other
// values and missing keys alone (the user guide's sections of each, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html; what they do to a non-string
// is not documented, our choice). trimString removes leading and trailing white space
// (Unicode's, as strings.TrimSpace).
func buildWithKeys(c *checker, name string, raw json.RawMessage) (func(*event) error, error) {
	var in withKeysIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	limit := maxTenEntries
	if name == "deleteKeys" {
		limit = maxFiveEntries
	}
	if !c.list(lenOf(in.WithKeys), in.WithKeys != nil, "withKeys", limit) {
		return nil, nil
	}
	keys := make([]path, len(*in.WithKeys))
	for i, k := range *in.WithKeys {
		c.str(&k, fmt.Sprintf("withKeys[%d]", i), 1, 0)
		keys[i] = splitPath(k)
	}
	if name == "deleteKeys" {
		return func(e *event) error {
			for _, p := range keys {
				remove(e.root, p)
			}
			return nil
		}, nil
	}
	var f func(string) string
	switch name {
	case "lowerCaseString":
		f = strings.ToLower
	case "upperCaseString":
		f = strings.ToUpper
	default:
		f = strings.TrimSpace
	}
	return func(e *event) error {
		for _, p := range keys {
			mapString(e.root, p, f)
		}
		return nil
	}, nil
}

// mapString replaces the string at p by f of it.
func mapString(root *object, p path, f func(string) string) {
	parent, ok := parentOf(root, p, false)
	if !ok {
		return
	}
	k := p[len(p)-1]
	if i := parent.index(k); i >= 0 {
		if s, ok := parent.m[i].v.(string); ok {
			parent.m[i].v = f(s)
		}
	}
}

// listToMap: source is a list of objects; each object's key member names its entry, whose
// value is the object's valueKey member when valueKey is given and the whole object
// otherwise; entries go under target, or at the root. Without flatten every entry is a
// list of the values of that name; with flatten one value, the first or the last as
// flattenedElement says (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-listToMap;
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListToMap.html).
// flattenedElement is required when flatten is true (the API reference: "You must specify
// this parameter if flatten is true"). Members that are not objects, objects without key,
// and key values that are not strings or numbers are skipped (our choice).
func buildListToMap(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in listToMapIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.reqStr(in.Source, "source", maxKeyLen)
	c.reqStr(in.Key, "key", maxKeyLen)
	c.str(in.ValueKey, "valueKey", 1, maxKeyLen)
	c.str(in.Target, "target", 1, maxKeyLen)
	c.enum(in.FlattenedElement, "flattenedElement", "first", "last")
	if in.Flatten && in.FlattenedElement == nil {
		c.fail("flattenedElement", "", "is required when flatten is true")
	}
	if c.err != nil {
		return nil, nil
	}
	src := splitPath(*in.Source)
	last := in.FlattenedElement != nil && *in.FlattenedElement == "last"
	return func(e *event) error {
		v, ok := e.source(src)
		if !ok {
			return nil
		}
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("source field %s is not a list", *in.Source)
		}
		m := newObject()
		for _, el := range list {
			o, ok := el.(*object)
			if !ok {
				continue
			}
			var name string
			kv, _ := o.get(*in.Key)
			switch kv := kv.(type) {
			case string:
				name = kv
			case json.Number:
				name = string(kv)
			default:
				continue
			}
			var val any = o
			if in.ValueKey != nil {
				if val, ok = o.get(*in.ValueKey); !ok {
					continue
				}
			}
			val = clone(val)
			prev, seen := m.get(name)
			switch {
			case !in.Flatten && seen:
				m.set(name, append(prev.([]any), val))
			case !in.Flatten:
				m.set(name, []any{val})
			case !seen || last:
				m.set(name, val)
			}
		}
		putParsed(e, in.Target, m, false)
		return nil
	}, nil
}

// splitString: 1–10 entries, each splitting the string at source on delimiter into a list
// of strings in its place (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-splitString; the
// model's SplitStringEntry). Non-strings and missing keys are left alone.
func buildSplitString(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxTenEntries) {
		return nil, nil
	}
	entries := make([]splitEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		if err := decodeStrict(f, r, &entries[i]); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(entries[i].Source, "source", maxKeyLen)
		ec.reqStr(entries[i].Delimiter, "delimiter", maxKeyLen)
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, en := range entries {
			p := splitPath(*en.Source)
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			k := p[len(p)-1]
			i := parent.index(k)
			if i < 0 {
				continue
			}
			if s, ok := parent.m[i].v.(string); ok {
				parts := strings.Split(s, *en.Delimiter)
				l := make([]any, len(parts))
				for j, x := range parts {
					l[j] = x
				}
				parent.m[i].v = l
			}
		}
		return nil
	}, nil
}

// substituteString: 1–10 entries, each replacing every match of the regular expression
// from in the string at source by to (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-substituteString;
// the model's SubstituteStringEntry). The regular expression dialect is not named by the
// docs: this server's is Go's RE2, and to may refer to groups as $1 or ${name}.
func buildSubstituteString(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxTenEntries) {
		return nil, nil
	}
	type sub struct {
		p  path
		re interface {
			ReplaceAllString(src, repl string) string
		}
		to string
	}
	var subs []sub
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		var en substituteEntry
		if err := decodeStrict(f, r, &en); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(en.Source, "source", maxKeyLen)
		ec.reqStr(en.From, "from", maxKeyLen)
		ec.reqStr(en.To, "to", maxKeyLen)
		if ec.err == nil {
			if re := compileRegexp(ec, "from", *en.From); re != nil {
				subs = append(subs, sub{splitPath(*en.Source), re, *en.To})
			}
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, s := range subs {
			mapString(e.root, s.p, func(v string) string { return s.re.ReplaceAllString(v, s.to) })
		}
		return nil
	}, nil
}

// typeConverter: 1–5 entries, each converting the value at key to boolean, integer,
// double or string (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-typeConverter; the model's
// Type enum). Strings convert by their text (booleans "true"/"false" in any case,
// surrounding white space ignored), numbers and booleans to strings by their JSON text;
// a double is written with a fractional part ("1.0"). A value that does not convert is an
// error of the event (our choice: the docs do not say), and a missing key is left alone.
func buildTypeConverter(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in entriesIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	if !c.list(lenOf(in.Entries), in.Entries != nil, "entries", maxFiveEntries) {
		return nil, nil
	}
	entries := make([]typeEntry, len(*in.Entries))
	for i, r := range *in.Entries {
		f := fmt.Sprintf("%s.entries[%d]", c.field, i)
		if err := decodeStrict(f, r, &entries[i]); err != nil {
			return nil, err
		}
		ec := &checker{field: f}
		ec.reqStr(entries[i].Key, "key", maxKeyLen)
		if ec.required(entries[i].Type != nil, "type") {
			ec.enum(entries[i].Type, "type", "boolean", "integer", "double", "string")
		}
		if ec.err != nil {
			return nil, ec.err
		}
	}
	return func(e *event) error {
		for _, en := range entries {
			p := splitPath(*en.Key)
			parent, ok := parentOf(e.root, p, false)
			if !ok {
				continue
			}
			k := p[len(p)-1]
			v, ok := parent.get(k)
			if !ok {
				continue
			}
			nv, err := convert(v, *en.Type)
			if err != nil {
				return fmt.Errorf("field %s: %v", *en.Key, err)
			}
			parent.set(k, nv)
		}
		return nil
	}, nil
}

func convert(v any, typ string) (any, error) {
	text := ""
	switch x := v.(type) {
	case string:
		text = strings.TrimSpace(x)
	case json.Number:
		text = string(x)
	case bool:
		text = strconv.FormatBool(x)
	default:
		return nil, fmt.Errorf("a %s cannot be converted to %s", kindOf(v), typ)
	}
	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return text, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.ToLower(text))
		if err != nil || (strings.ToLower(text) != "true" && strings.ToLower(text) != "false") {
			return nil, fmt.Errorf("%q is not a boolean", text)
		}
		return b, nil
	case "integer":
		if _, isBool := v.(bool); isBool {
			return nil, fmt.Errorf("a boolean cannot be converted to integer")
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(n, 10)), nil
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || f != float64(int64(f)) {
			return nil, fmt.Errorf("%q is not an integer", text)
		}
		return json.Number(strconv.FormatInt(int64(f), 10)), nil
	}
	// double
	if _, isBool := v.(bool); isBool {
		return nil, fmt.Errorf("a boolean cannot be converted to double")
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
		return nil, fmt.Errorf("%q is not a double", text)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s), nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "list"
	case *object:
		return "object"
	}
	return "value"
}
