// Package schedule parses the schedule expressions of CloudWatch Logs scheduled queries,
// cron(minute hour day-of-month month day-of-week year) and rate(value unit), and tells
// when a schedule next fires.
//
// The syntax is the one the CloudWatch Logs user guide gives ("Schedule expression
// reference",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/scheduled-queries-schedule-reference.html):
// six fields, minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
// day-of-week 1-7 or SUN-SAT (1 is Sunday), year 1970-2199; the wildcards "," "-" "*" "/"
// everywhere, "?" in day-of-month or day-of-week, "L" and "W" in day-of-month ("L" the
// last day, "15W" the weekday nearest the 15th, "LW" the last weekday), "L" and "#" in
// day-of-week ("6L" the month's last Friday, "MON#1" its first Monday); one of
// day-of-month and day-of-week must be "?" (the rule of the AWS schedule expressions the
// guide's examples follow, e.g. Timestream's
// https://docs.aws.amazon.com/timestream/latest/developerguide/scheduledqueries-schedule.html:
// "You cannot use * in both the Day-of-month and Day-of-week fields. If you use it in one,
// you must use ? in the other"), except that a "*" beside days named in the other field
// stands for "?", since the guide itself gives "cron(0 6 * * SAT,SUN *)" for "Weekends at
// 6:00 AM UTC". rate(value unit) takes a positive whole value and the
// unit minute, hour or day, singular for 1 and plural otherwise ("rate(1 minute)",
// "rate(5 minutes)"), as EventBridge's rate expressions; it fires every value units from
// an anchor (the scheduled query's start).
package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Years bounds the year field, and so how far Next looks ahead.
const (
	MinYear = 1970
	MaxYear = 2199
)

// Schedule is a parsed schedule expression. Its zero value is not usable: build it with
// Parse.
type Schedule struct {
	expr  string
	every time.Duration // a rate's period; 0 for a cron expression
	cron  *cronSpec
}

// Error is a schedule expression Parse refuses, with the reason.
type Error struct {
	Expr   string // the expression
	Reason string // what is wrong with it
}

func (e *Error) Error() string {
	return fmt.Sprintf("schedule expression %q: %s", e.Expr, e.Reason)
}

// Parse parses a cron(…) or rate(…) expression.
func Parse(expr string) (*Schedule, error) {
	bad := func(format string, args ...any) error {
		return &Error{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		d, err := parseRate(expr[len("rate(") : len(expr)-1])
		if err != nil {
			return nil, bad("%v", err)
		}
		return &Schedule{expr: expr, every: d}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[len("cron(") : len(expr)-1])
		if err != nil {
			return nil, bad("%v", err)
		}
		return &Schedule{expr: expr, cron: c}, nil
	}
	return nil, bad("it must be cron(minute hour day-of-month month day-of-week year) or rate(value unit)")
}

// String is the expression the schedule was parsed from.
func (s *Schedule) String() string { return s.expr }

// Rate is the period of a rate expression, or 0 for a cron expression.
func (s *Schedule) Rate() time.Duration { return s.every }

// Next returns the first time the schedule fires strictly after after, and false when it
// never does again (a cron expression's years are over). A cron expression is read in
// loc's wall clock (nil: UTC); a wall time that a daylight saving change skips does not
// fire, and one it repeats fires once, at its first occurrence (as EventBridge
// Scheduler's cron schedules). A rate fires at anchor + k×period (k ≥ 0); loc does not
// matter to it.
func (s *Schedule) Next(after, anchor time.Time, loc *time.Location) (time.Time, bool) {
	if s.every > 0 {
		if anchor.After(after) {
			return anchor, true
		}
		k := after.Sub(anchor)/s.every + 1
		return anchor.Add(k * s.every), true
	}
	if loc == nil {
		loc = time.UTC
	}
	return s.cron.next(after, loc)
}

func parseRate(body string) (time.Duration, error) {
	f := strings.Fields(body)
	if len(f) != 2 || strings.Join(f, " ") != body {
		return 0, errors.New("a rate is rate(value unit), with one space")
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || f[0][0] == '+' {
		return 0, fmt.Errorf("the value %q of a rate must be a positive whole number", f[0])
	}
	unit := f[1]
	want := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	base := strings.TrimSuffix(unit, "s")
	d, ok := want[base]
	if !ok {
		return 0, fmt.Errorf("the unit %q of a rate must be minute(s), hour(s) or day(s)", unit)
	}
	if plural := unit != base; plural != (n != 1) {
		if n == 1 {
			return 0, fmt.Errorf("a rate of 1 takes the singular unit %q", base)
		}
		return 0, fmt.Errorf("a rate of %d takes the plural unit %q", n, base+"s")
	}
	const maxRate = 100 * 365 * 24 * time.Hour // keeps n×unit far from overflow
	if time.Duration(n) > maxRate/d {
		return 0, fmt.Errorf("the rate %d %s is longer than a hundred years", n, unit)
	}
	return time.Duration(n) * d, nil
}
