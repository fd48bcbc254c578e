package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// dateTimeConverter: parses the string at source with the first of matchPatterns (1–5
// patterns) that matches it, in sourceTimezone when the pattern has no offset, and writes
// it at target formatted by targetFormat in targetTimezone. Defaults: targetFormat
// "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", both time zones UTC, locale locale.ROOT
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DateTimeConverter.html;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html#CloudWatch-Logs-Transformation-datetimeConverter).
//
// The patterns are Java DateTimeFormatter patterns (the defaults are written so); this
// server translates the common letters to Go layouts and refuses the others by name:
// y/u (year: yy two digits, else four), M (M, MM, MMM, MMMM), d, H, h, m, s, a, E (EEE or
// EEEE), S after '.' or ',' (fraction digits), Z, X, x (offsets) and z (zone name: when
// parsing, the source time zone's own names and those in zoneOffsets), 'quoted' literals and punctuation. One-letter H, m and s format as two digits (Go has
// no unpadded form). Time zones are "UTC", "Z", "GMT", fixed offsets (+05:30) or IANA names
// that the host's time zone database knows; the locale must be locale.ROOT or an English
// one (month and day names are English). A value no pattern matches is an error of the
// event; a missing or non-string source is left alone (our choices: the docs do not say).
type dateTimeIn struct {
	Source         *string   `json:"source"`
	Target         *string   `json:"target"`
	TargetFormat   *string   `json:"targetFormat"`
	MatchPatterns  *[]string `json:"matchPatterns"`
	SourceTimezone *string   `json:"sourceTimezone"`
	TargetTimezone *string   `json:"targetTimezone"`
	Locale         *string   `json:"locale"`
}

const defaultTargetFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"

func buildDateTimeConverter(c *checker, raw json.RawMessage) (func(*event) error, error) {
	var in dateTimeIn
	if err := decodeStrict(c.field, raw, &in); err != nil {
		return nil, err
	}
	c.reqStr(in.Source, "source", maxKeyLen)
	c.reqStr(in.Target, "target", maxKeyLen)
	c.str(in.TargetFormat, "targetFormat", 1, 64)
	c.str(in.SourceTimezone, "sourceTimezone", 1, 0)
	c.str(in.TargetTimezone, "targetTimezone", 1, 0)
	c.str(in.Locale, "locale", 1, 0)
	if !c.list(lenOf(in.MatchPatterns), in.MatchPatterns != nil, "matchPatterns", maxDateMatchPattern) || c.err != nil {
		return nil, nil
	}
	var layouts []string
	for i, p := range *in.MatchPatterns {
		member := fmt.Sprintf("matchPatterns[%d]", i)
		c.str(&p, member, 1, 0)
		l, err := javaLayout(p)
		if err != nil {
			c.fail(member, p, err.Error())
			return nil, nil
		}
		layouts = append(layouts, l)
	}
	format := defaultTargetFormat
	if in.TargetFormat != nil {
		format = *in.TargetFormat
	}
	outLayout, err := javaLayout(format)
	if err != nil {
		c.fail("targetFormat", format, err.Error())
		return nil, nil
	}
	srcZone, err := zoneOf(in.SourceTimezone)
	if err != nil {
		c.fail("sourceTimezone", *in.SourceTimezone, err.Error())
	}
	dstZone, err := zoneOf(in.TargetTimezone)
	if err != nil {
		c.fail("targetTimezone", *in.TargetTimezone, err.Error())
	}
	if in.Locale != nil {
		l := strings.ToLower(strings.ReplaceAll(*in.Locale, "-", "_"))
		if l != "locale.root" && l != "root" && l != "en" && !strings.HasPrefix(l, "en_") {
			c.fail("locale", *in.Locale, "is not supported by this server (only locale.ROOT and English locales)")
		}
	}
	if c.err != nil {
		return nil, nil
	}
	src, dst := splitPath(*in.Source), splitPath(*in.Target)
	return func(e *event) error {
		v, ok := e.source(src)
		if !ok {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return nil
		}
		for _, l := range layouts {
			if t, err := time.ParseInLocation(l, s, srcZone); err == nil {
				if strings.Contains(l, "MST") {
					if t, err = zoneByName(t); err != nil {
						return err
					}
				}
				store(e.root, dst, t.In(dstZone).Format(outLayout), true)
				return nil
			}
		}
		return fmt.Errorf("%q matches none of matchPatterns", s)
	}, nil
}

// zoneOffsets are the offsets, in hours, of the time zone names (pattern letter z) this
// server reads. Go's time.Parse reads a name it does not know from the location as offset
// zero, which would shift "10:00 PST" by eight hours without a word; a name missing here is
// an error of the event instead. CST is the North American one, as Java reads it.
var zoneOffsets = map[string]float64{
	"UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
	"WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
	"JST": 9, "KST": 9, "AWST": 8, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}

// zoneByName corrects t, just parsed, when its text named a time zone that Go took for
// offset zero (see zoneOffsets).
func zoneByName(t time.Time) (time.Time, error) {
	name, off := t.Zone()
	if off != 0 || name == "" {
		return t, nil // an offset in the text, or the location's own name
	}
	h, ok := zoneOffsets[name]
	if !ok {
		return t, fmt.Errorf("the time zone name %q is not one this server knows", name)
	}
	y, mo, d := t.Date()
	return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, int(h*3600))), nil
}

// zoneOf returns the time zone a sourceTimezone or targetTimezone names (nil: UTC).
func zoneOf(name *string) (*time.Location, error) {
	if name == nil {
		return time.UTC, nil
	}
	n := *name
	switch strings.ToUpper(n) {
	case "UTC", "Z", "GMT", "ETC/UTC":
		return time.UTC, nil
	}
	off := strings.TrimPrefix(strings.TrimPrefix(n, "UTC"), "GMT")
	if off != "" && (off[0] == '+' || off[0] == '-') {
		for _, l := range []string{"-07:00", "-0700", "-07"} {
			if t, err := time.Parse(l, off); err == nil {
				_, secs := t.Zone()
				return time.FixedZone(n, secs), nil
			}
		}
		return nil, errors.New("is not a time zone offset (+HH:MM)")
	}
	loc, err := time.LoadLocation(n)
	if err != nil || n == "" || n == "Local" {
		return nil, errors.New("is not a time zone this server knows (UTC, an offset such as +05:30, or an IANA name)")
	}
	return loc, nil
}

// goTokens are the beginnings of Go layout elements: literal text holding one would be
// read as an element.
var goTokens = []string{"Jan", "Mon", "MST", "PM", "pm", "Z07", "Z0", "-07", "_2", "__", ".0", ".9", ",0", ",9",
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// javaLayout translates a Java DateTimeFormatter pattern to a Go time layout.
func javaLayout(p string) (string, error) {
	var b strings.Builder
	literal := func(s string) error {
		for _, tok := range goTokens {
			if strings.Contains(s, tok) {
				return fmt.Errorf("the literal text %q is not supported by this server", s)
			}
		}
		b.WriteString(s)
		return nil
	}
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", errors.New("has an unterminated quote")
			}
			text := p[i+1 : i+1+j]
			if text == "" {
				text = "'"
			}
			if err := literal(text); err != nil {
				return "", err
			}
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			// Punctuation; a '.' or ',' before S is the fraction's.
			if (c == '.' || c == ',') && i+1 < len(p) && p[i+1] == 'S' {
				n := 0
				for i+1+n < len(p) && p[i+1+n] == 'S' {
					n++
				}
				if n > 9 {
					return "", errors.New("has more than 9 fraction digits")
				}
				b.WriteByte(c)
				b.WriteString(strings.Repeat("0", n))
				i += 1 + n
				continue
			}
			if err := literal(string(c)); err != nil {
				return "", err
			}
			i++
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		i += n
		var tok string
		switch c {
		case 'y', 'u':
			tok = "2006"
			if n == 2 {
				tok = "06"
			}
		case 'M':
			tok = [...]string{"1", "01", "Jan", "January"}[min(n, 4)-1]
		case 'd':
			tok = "2"
			if n >= 2 {
				tok = "02"
			}
		case 'H':
			tok = "15"
		case 'h':
			tok = "3"
			if n >= 2 {
				tok = "03"
			}
		case 'm':
			tok = "04"
		case 's':
			tok = "05"
		case 'a':
			tok = "PM"
		case 'E':
			tok = "Mon"
			if n >= 4 {
				tok = "Monday"
			}
		case 'Z':
			tok = "-0700"
			if n >= 5 {
				tok = "Z07:00"
			}
		case 'X':
			tok = [...]string{"Z07", "Z0700", "Z07:00"}[min(n, 3)-1]
		case 'x':
			tok = [...]string{"-07", "-0700", "-07:00"}[min(n, 3)-1]
		case 'z':
			tok = "MST"
		case 'S':
			return "", errors.New("has a fraction (S) that does not follow '.' or ','")
		default:
			return "", fmt.Errorf("uses the pattern letter %q, which this server does not support", string(c))
		}
		b.WriteString(tok)
	}
	return b.String(), nil
}
