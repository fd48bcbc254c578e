package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cronSpec is a parsed cron expression: the values each field allows.
type cronSpec struct {
	minutes [60]bool
	hours   [24]bool
	months  [13]bool // 1-12
	years   [MaxYear - MinYear + 1]bool
	// Exactly one of the two day fields is "?" (dayOfMonth or dayOfWeek nil).
	dom *domSpec
	dow *dowSpec
}

// domSpec is a day-of-month field: a set of days, or one of L, LW, NW.
type domSpec struct {
	days        [32]bool
	last        bool // L: the month's last day
	lastWeekday bool // LW: its last weekday
	nearest     int  // NW: the weekday nearest day N (0: none)
}

// dowSpec is a day-of-week field (1 Sunday … 7 Saturday): a set, NL or N#K.
type dowSpec struct {
	days    [8]bool
	lastOf  int // NL: the month's last weekday N (0: none)
	nth, of int // N#K: the month's K-th weekday N (nth 0: none)
}

var monthNames = names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
var dayNames = names("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

// names maps each name to its 1-based position.
func names(list ...string) map[string]int {
	m := make(map[string]int, len(list))
	for i, n := range list {
		m[n] = i + 1
	}
	return m
}

func parseCron(body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("a cron expression has six fields (minute hour day-of-month month day-of-week year), this one %d", len(f))
	}
	c := &cronSpec{}
	if err := parseSet(f[0], "minute", 0, 59, nil, c.minutes[:]); err != nil {
		return nil, err
	}
	if err := parseSet(f[1], "hour", 0, 23, nil, c.hours[:]); err != nil {
		return nil, err
	}
	if err := parseSet(f[3], "month", 1, 12, monthNames, c.months[:]); err != nil {
		return nil, err
	}
	var years [MaxYear + 1]bool
	if err := parseSet(f[5], "year", MinYear, MaxYear, nil, years[:]); err != nil {
		return nil, err
	}
	copy(c.years[:], years[MinYear:])
	domQ, dowQ := f[2] == "?", f[4] == "?"
	if !domQ && !dowQ {
		// The guide's own example "cron(0 6 * * SAT,SUN *)" ("Weekends at 6:00 AM UTC")
		// has * where the rule wants ?: a * beside days named in the other field stands
		// for ? (as in Unix cron, where the other field alone then decides).
		domQ = f[2] == "*" && f[4] != "*"
		dowQ = f[4] == "*" && f[2] != "*"
	}
	switch {
	case domQ == dowQ:
		return nil, errors.New("one of day-of-month and day-of-week must be ? (or * when the other names days), and not both")
	case dowQ:
		d, err := parseDom(f[2])
		if err != nil {
			return nil, err
		}
		c.dom = d
	default:
		d, err := parseDow(f[4])
		if err != nil {
			return nil, err
		}
		c.dow = d
	}
	return c, nil
}

func parseDom(f string) (*domSpec, error) {
	d := &domSpec{}
	switch {
	case f == "L":
		d.last = true
	case f == "LW":
		d.lastWeekday = true
	case strings.HasSuffix(f, "W"):
		n, err := strconv.Atoi(f[:len(f)-1])
		if err != nil || n < 1 || n > 31 || f[0] == '+' {
			return nil, fmt.Errorf("day-of-month %q: W follows a day from 1 to 31", f)
		}
		d.nearest = n
	default:
		if err := parseSet(f, "day-of-month", 1, 31, nil, d.days[:]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseDow(f string) (*dowSpec, error) {
	d := &dowSpec{}
	switch {
	case f == "L":
		d.lastOf = 7 // the last day of the week: Saturday
	case strings.HasSuffix(f, "L"):
		n, ok := value(f[:len(f)-1], 1, 7, dayNames)
		if !ok {
			return nil, fmt.Errorf("day-of-week %q: L follows a day of the week (1-7 or SUN-SAT)", f)
		}
		d.lastOf = n
	case strings.Contains(f, "#"):
		a, b, _ := strings.Cut(f, "#")
		n, ok := value(a, 1, 7, dayNames)
		k, ok2 := value(b, 1, 5, nil)
		if !ok || !ok2 {
			return nil, fmt.Errorf("day-of-week %q: # is a day of the week (1-7 or SUN-SAT) and a week from 1 to 5", f)
		}
		d.nth, d.of = n, k
	default:
		if err := parseSet(f, "day-of-week", 1, 7, dayNames, d.days[:]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// value parses a number from lo to hi, or a name of names.
func value(s string, lo, hi int, names map[string]int) (int, bool) {
	if n, ok := names[strings.ToUpper(s)]; ok {
		return n, true
	}
	if s == "" || len(s) > 4 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= lo && n <= hi
}

// parseSet parses a list of *, A, A-B, */S, A/S and A-B/S into set (indexed by value).
func parseSet(f, field string, lo, hi int, names map[string]int, set []bool) error {
	for item := range strings.SplitSeq(f, ",") {
		rng, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, ok := value(stepStr, 1, hi-lo+1, nil)
			if !ok {
				return fmt.Errorf("%s %q: the step %q must be from 1 to %d", field, f, stepStr, hi-lo+1)
			}
			step = n
		}
		a, b := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var ok, ok2 bool
			a, ok = value(x, lo, hi, names)
			b, ok2 = value(y, lo, hi, names)
			if !ok || !ok2 || a > b {
				return fmt.Errorf("%s %q: the range %q must be two values from %d to %d, the first not after the second", field, f, rng, lo, hi)
			}
		default:
			var ok bool
			a, ok = value(rng, lo, hi, names)
			if !ok {
				return fmt.Errorf("%s %q: %q is not a value from %d to %d", field, f, rng, lo, hi)
			}
			if !hasStep {
				b = a
			}
		}
		for v := a; v <= b; v += step {
			set[v] = true
		}
	}
	return nil
}

// next is the first wall time of loc the expression allows that is after after.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	w := after.In(loc)
	day := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	for day.Year() <= MaxYear {
		y, m := day.Year(), day.Month()
		if y < MinYear || !c.years[y-MinYear] {
			day = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if !c.months[m] {
			day = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if c.dayMatches(day) {
			for h := range 24 {
				if !c.hours[h] {
					continue
				}
				for mi := range 60 {
					if !c.minutes[mi] {
						continue
					}
					// time.Date gives one instant of the wall time (or, if it is skipped,
					// one near it); the first is no later, so one not after after rules
					// it out without wallInstant's closer look.
					if !time.Date(y, m, day.Day(), h, mi, 0, 0, loc).After(after) {
						continue
					}
					if t, ok := wallInstant(y, m, day.Day(), h, mi, loc); ok && t.After(after) {
						return t, true
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// wallInstant is the instant at which loc's wall clock first reads y-m-d h:mi, and false
// when it never does (a daylight saving change, or a change of time zone, skips it). A
// wall time that a change repeats is its first occurrence, so that it fires once; one
// that a change skips does not fire (as EventBridge Scheduler's schedules: "When time
// shifts forward in the Spring, if a cron expression falls on a non-existent date and
// time, your schedule invocation is skipped. When time shifts backwards in the Fall, your
// schedule runs only once"). time.Date alone does not tell: it normalizes a skipped wall
// time, to an instant whose wall clock reads another time (an hour early in New York),
// and it does not promise which occurrence of a repeated one it returns.
func wallInstant(y int, m time.Month, d, h, mi int, loc *time.Location) (time.Time, bool) {
	wall := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
	t := time.Date(y, m, d, h, mi, 0, 0, loc)
	// The offsets in force around t: a wall time is read with one of them. Zones change
	// offset at most every few months, so half a day either side holds any change near t.
	var first time.Time
	found := false
	for _, probe := range [3]time.Time{t.Add(-12 * time.Hour), t, t.Add(12 * time.Hour)} {
		_, off := probe.Zone()
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(c, wall) && (!found || c.Before(first)) {
			first, found = c, true
		}
	}
	return first, found
}

// sameWall reports whether t's wall clock (in its location) reads wall's (a UTC time).
func sameWall(t, wall time.Time) bool {
	y, m, d := t.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute()
}

// dayMatches reports whether the day fields allow day (a UTC midnight standing for a date).
func (c *cronSpec) dayMatches(day time.Time) bool {
	d := day.Day()
	last := time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if c.dom != nil {
		switch s := c.dom; {
		case s.last:
			return d == last
		case s.lastWeekday:
			return d == nearestWeekday(day, last, last)
		case s.nearest > 0:
			return s.nearest <= last && d == nearestWeekday(day, s.nearest, last)
		default:
			return s.days[d]
		}
	}
	wd := int(day.Weekday()) + 1 // 1 Sunday … 7 Saturday
	switch s := c.dow; {
	case s.lastOf > 0:
		return wd == s.lastOf && d+7 > last
	case s.nth > 0:
		return wd == s.nth && (d-1)/7+1 == s.of
	default:
		return s.days[wd]
	}
}

// nearestWeekday is the day of day's month that is the weekday (Monday to Friday) nearest
// day n, without leaving the month (last is its last day).
func nearestWeekday(day time.Time, n, last int) int {
	switch time.Date(day.Year(), day.Month(), n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return n + 2
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
