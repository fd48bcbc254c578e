package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

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
	c.depth(in.Source, "source")
	c.depth(in.Destination, "destination")
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
