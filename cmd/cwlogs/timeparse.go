package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTime reads a time given on the command line:
//
//   - RFC 3339, with or without fractional seconds: 2024-05-01T12:00:00Z,
//     2024-05-01T14:00:00.250+02:00;
//   - a date alone, meaning midnight UTC: 2024-05-01;
//   - epoch milliseconds, all digits: 1714564800000;
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
		return time.UnixMilli(ms), nil
	}
	if s[0] >= '0' && s[0] <= '9' && strings.Contains(s, "-") {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339 (2024-05-01T12:00:00Z), a date (2024-05-01), epoch milliseconds or a duration before now (10m)", s)
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-d), nil
}

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
