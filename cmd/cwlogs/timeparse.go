package main

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parseTime reads a time given on the command line:
//
//   - an ISO 8601 date and time as aws logs tail --since accepts it (see
//     parseISOTime): RFC 3339 such as 2024-05-01T12:00:00Z or
//     2024-05-01T14:00:00.250+02:00, and also 2024-05-01 12:00,
//     2024-05-01T12:00:00 (no zone: UTC) or 2024-05-01T14:00+0200;
//   - a date alone, meaning midnight UTC: 2024-05-01;
//   - epoch milliseconds, all digits: 1714564800000 (ten or eleven digits,
//     epoch seconds as date +%s prints them, are refused with a hint);
//   - "now", or a duration before now: 90s, 10m, 2h, 1d, 1w, or a sum of
//     them such as 1h30m or 1d12h (units ms, s, m, h, d = 24 h, w = 7 d).
func parseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if s == "now" {
		return now, nil
	}
	if isDigits(s) {
		if len(s) > 16 {
			return time.Time{}, fmt.Errorf("epoch milliseconds %q out of range", s)
		}
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("epoch milliseconds %q out of range", s)
		}
		if ms >= secondsLike && ms < 100*secondsLike {
			// As milliseconds, early 1970; as seconds (date +%s), 2001 to 2286: seconds
			// given where milliseconds belong, which would select almost all of time.
			sec := time.Unix(ms, 0).UTC()
			return time.Time{}, fmt.Errorf("%q looks like epoch seconds (%s): give epoch milliseconds (%d000) or ISO 8601 (%s)",
				s, sec.Format(time.RFC3339), ms, sec.Format(time.RFC3339))
		}
		return time.UnixMilli(ms), nil
	}
	if s[0] >= '0' && s[0] <= '9' && strings.Contains(s, "-") {
		if t, ok := parseISOTime(s); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("invalid time %q: want ISO 8601 (2024-05-01T12:00:00Z, 2024-05-01 12:00, UTC without a zone), a date (2024-05-01), epoch milliseconds or a duration before now (10m)", s)
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-d), nil
}

// secondsLike is 10^9: all-digit times from it up to 100 times it (ten or eleven digits)
// are refused as epoch seconds given for milliseconds.
const secondsLike = 1_000_000_000

// parseDuration reads a duration such as 90s, 10m, 2h, 1d, 1w or 1h30m.
func parseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: want a number and a unit (ms, s, m, h, d, w), e.g. 90s, 10m, 2h, 1d, 1h30m", s)
	}
	if s == "" {
		return bad()
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			return bad()
		}
		n, _ := strconv.ParseInt(rest[:i], 10, 64)
		rest = rest[i:]
		j := 0
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		var unit time.Duration
		switch rest[:j] {
		case "ms":
			unit = time.Millisecond
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		case "w":
			unit = 7 * 24 * time.Hour
		default:
			return bad()
		}
		rest = rest[j:]
		if n > int64((1<<63-1)/unit) {
			return bad()
		}
		add := time.Duration(n) * unit
		if total > (1<<63-1)-add {
			return bad()
		}
		total += add
	}
	return total, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timeFlag parses a time flag into epoch milliseconds (nil when empty).
func timeFlag(cmd, name, v string, now time.Time) (*int64, error) {
	if v == "" {
		return nil, nil
	}
	t, err := parseTime(v, now)
	if err != nil {
		return nil, usagef(cmd, "--%s: %v", name, err)
	}
	ms := t.UnixMilli()
	if ms < 0 {
		return nil, usagef(cmd, "--%s: %q is before 1970", name, v)
	}
	return &ms, nil
}

// isoTime matches the extended ISO 8601 forms of a date and time: "T", "t" or
// a space between them; hours, minutes and optional seconds with an optional
// fraction; then an optional zone (Z, ±hh:mm, ±hhmm or ±hh, which may follow
// a space).
var isoTime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$`)

// parseISOTime reads an ISO 8601 date, or date and time, the way aws logs
// tail --since does: a time without a zone is UTC, as is a date alone
// (midnight). It reports false for anything else, and for values out of range
// (month 13, 25:00).
func parseISOTime(s string) (time.Time, bool) {
	m := isoTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	date, frac, zone := m[1], m[5], m[6]
	hh, mm, ss := cmp.Or(m[2], "00"), cmp.Or(m[3], "00"), cmp.Or(m[4], "00")
	switch {
	case zone == "" || zone == "z" || zone == "Z":
		zone = "Z"
	case len(zone) == 3: // ±hh
		zone += ":00"
	case len(zone) == 5: // ±hhmm
		zone = zone[:3] + ":" + zone[3:]
	}
	// time.Parse checks the ranges of every field.
	t, err := time.Parse(time.RFC3339Nano, date+"T"+hh+":"+mm+":"+ss+frac+zone)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
