package schedule

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	if loc == nil {
		loc = time.UTC
	}
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestNextCron(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	tests := []struct {
		expr, after, want string
		loc               *time.Location
	}{
		{"cron(0 9 * * ? *)", "2025-06-01 08:59", "2025-06-01 09:00", nil},
		{"cron(0 9 * * ? *)", "2025-06-01 09:00", "2025-06-02 09:00", nil}, // strictly after
		{"cron(*/15 * * * ? *)", "2025-06-01 10:01", "2025-06-01 10:15", nil},
		{"cron(0,30 * * * ? *)", "2025-06-01 10:30", "2025-06-01 11:00", nil},
		{"cron(0 */6 * * ? *)", "2025-06-01 13:00", "2025-06-01 18:00", nil},
		{"cron(0 9-17 ? * MON-FRI *)", "2025-05-30 17:30", "2025-06-02 09:00", nil}, // Fri evening → Mon
		{"cron(0 12 ? * SUN *)", "2025-06-02 00:00", "2025-06-08 12:00", nil},
		{"cron(0 9 L * ? *)", "2025-02-01 00:00", "2025-02-28 09:00", nil},
		{"cron(0 9 L * ? *)", "2024-02-01 00:00", "2024-02-29 09:00", nil},
		{"cron(0 10 1 1,4,7,10 ? *)", "2025-04-01 10:00", "2025-07-01 10:00", nil},
		{"cron(0 0 ? * MON#1 *)", "2025-06-01 00:00", "2025-06-02 00:00", nil},
		{"cron(0 0 ? * 2#1 *)", "2025-06-03 00:00", "2025-07-07 00:00", nil},
		{"cron(0 0 ? * 6L *)", "2025-06-01 00:00", "2025-06-27 00:00", nil},  // last Friday
		{"cron(0 0 ? * L *)", "2025-06-01 00:00", "2025-06-28 00:00", nil},   // last Saturday
		{"cron(0 0 15W * ? *)", "2025-06-01 00:00", "2025-06-16 00:00", nil}, // the 15th is a Sunday
		{"cron(0 0 14W * ? *)", "2025-06-01 00:00", "2025-06-13 00:00", nil}, // the 14th a Saturday
		{"cron(0 0 1W * ? *)", "2025-11-01 00:00", "2025-11-03 00:00", nil},  // the 1st a Saturday: Monday
		{"cron(0 0 LW * ? *)", "2025-08-01 00:00", "2025-08-29 00:00", nil},  // the 31st a Sunday
		{"cron(0 0 31 * ? *)", "2025-06-01 00:00", "2025-07-31 00:00", nil},
		{"cron(30 8 1 1 ? 2030)", "2025-06-01 00:00", "2030-01-01 08:30", nil},
		{"cron(0 9 * jan-mar ? *)", "2025-06-01 00:00", "2026-01-01 09:00", nil},
		{"cron(5/20 * * * ? *)", "2025-06-01 10:46", "2025-06-01 11:05", nil},
		// The guide's "Weekends at 6:00 AM UTC": * beside named days stands for ?.
		{"cron(0 6 * * SAT,SUN *)", "2025-06-02 00:00", "2025-06-07 06:00", nil},
		{"cron(0 6 15 * * *)", "2025-06-02 00:00", "2025-06-15 06:00", nil},
		// Wall clock of the time zone: 9:00 in New York is 13:00 UTC in summer, 14:00 in winter.
		{"cron(0 9 * * ? *)", "2025-06-01 09:00", "2025-06-02 09:00", ny},
		{"cron(0 9 * * ? *)", "2025-11-01 09:00", "2025-11-02 09:00", ny},
	}
	for _, tt := range tests {
		s, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		after, want := mustTime(t, tt.after, tt.loc), mustTime(t, tt.want, tt.loc)
		got, ok := s.Next(after, time.Time{}, tt.loc)
		if !ok || !got.Equal(want) {
			t.Errorf("%s after %s: got %v (%v), want %v", tt.expr, after, got, ok, want)
		}
	}
	// A year that is over never fires again.
	s, _ := Parse("cron(0 0 1 1 ? 2020)")
	if got, ok := s.Next(mustTime(t, "2025-01-01 00:00", nil), time.Time{}, nil); ok {
		t.Errorf("a past year fired at %v", got)
	}
	// 30 February never comes.
	s, _ = Parse("cron(0 0 30 2 ? *)")
	if got, ok := s.Next(mustTime(t, "2025-01-01 00:00", nil), time.Time{}, nil); ok {
		t.Errorf("30 February fired at %v", got)
	}
}

func TestNextRate(t *testing.T) {
	anchor := mustTime(t, "2025-06-01 12:00", nil)
	tests := []struct {
		expr, after, want string
	}{
		{"rate(5 minutes)", "2025-06-01 11:00", "2025-06-01 12:00"}, // before the anchor: the anchor
		{"rate(5 minutes)", "2025-06-01 12:00", "2025-06-01 12:05"},
		{"rate(5 minutes)", "2025-06-01 12:07", "2025-06-01 12:10"},
		{"rate(1 minute)", "2025-06-01 12:07", "2025-06-01 12:08"},
		{"rate(1 hour)", "2025-06-01 14:59", "2025-06-01 15:00"},
		{"rate(2 days)", "2025-06-02 12:00", "2025-06-03 12:00"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		got, ok := s.Next(mustTime(t, tt.after, nil), anchor, nil)
		if want := mustTime(t, tt.want, nil); !ok || !got.Equal(want) {
			t.Errorf("%s after %s: got %v, want %v", tt.expr, tt.after, got, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, expr := range []string{
		"", "cron()", "rate()", "every 5 minutes", "cron(0 9 * * ? *", "CRON(0 9 * * ? *)",
		"cron(0 9 * * *)",       // five fields
		"cron(0 9 * * * *)",     // no ?, and * in both
		"cron(0 9 1 * MON *)",   // days named in both
		"cron(0 9 ? * ? *)",     // two ?
		"cron(60 9 * * ? *)",    // minute out of range
		"cron(0 24 * * ? *)",    // hour out of range
		"cron(0 9 0 * ? *)",     // day 0
		"cron(0 9 32 * ? *)",    // day 32
		"cron(0 9 * 13 ? *)",    // month 13
		"cron(0 9 ? * 8 *)",     // weekday 8
		"cron(0 9 ? * FOO *)",   // unknown name
		"cron(0 9 * * ? 1969)",  // year before 1970
		"cron(0 9 * * ? 2200)",  // year after 2199
		"cron(0 9 5-3 * ? *)",   // backwards range
		"cron(*/0 9 * * ? *)",   // step 0
		"cron(0 9 32W * ? *)",   // W after 32
		"cron(0 9 ? * MON#6 *)", // sixth Monday
		"cron(0 9 ? * 9L *)",    // weekday 9
		"cron(0 9 ,, * ? *)",    // empty items
		"rate(0 minutes)", "rate(-5 minutes)", "rate(5 minute)", "rate(1 minutes)", "rate(5 weeks)",
		"rate(5  minutes)", "rate(+5 minutes)", "rate(1.5 hours)", "rate(999999999 days)",
	} {
		_, err := Parse(expr)
		var e *Error
		if !errors.As(err, &e) || e.Expr != expr || e.Reason == "" {
			t.Errorf("Parse(%q) = %v, want an *Error", expr, err)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it accepts fires, if ever, after
// the given time and (for a rate) on its period.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"cron(0 9 * * ? *)", "cron(*/15 9-17 ? * MON-FRI 2025-2030)", "cron(0 0 LW * ? *)",
		"cron(0 0 ? * 6L *)", "cron(0 0 ? * MON#2 *)", "rate(5 minutes)", "rate(1 day)", "cron(0 0 30 2 ? *)"} {
		f.Add(s, int64(1748779200))
	}
	f.Fuzz(func(t *testing.T, expr string, sec int64) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		after := time.Unix(sec%(1<<33), 0).UTC()
		got, ok := s.Next(after, after, nil)
		if !ok {
			return
		}
		if !got.After(after) {
			t.Fatalf("%s: Next(%v) = %v, not after it", expr, after, got)
		}
		if d := s.Rate(); d > 0 && got.Sub(after) != d {
			t.Fatalf("%s: Next(%v) = %v, not one period on", expr, after, got)
		}
		if s.Rate() == 0 && (got.Second() != 0 || got.Year() > MaxYear) {
			t.Fatalf("%s: Next(%v) = %v, not a whole minute of an allowed year", expr, after, got)
		}
	})
}

// TestNextDaylightSaving: a cron expression's wall times that a change of offset skips do
// not fire, and those it repeats fire once, at their first occurrence (EventBridge
// Scheduler's rule), in zones whose changes are an hour, half an hour, or a whole day.
func TestNextDaylightSaving(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		return loc
	}
	ny, lordHowe, apia := load("America/New_York"), load("Australia/Lord_Howe"), load("Pacific/Apia")
	tests := []struct {
		name, expr string
		loc        *time.Location
		after      string
		want       []string // the next runs, as RFC 3339 with the zone's offset
	}{
		{"a daily time that spring skips", "cron(30 2 * * ? *)", ny, "2026-03-07 00:00",
			[]string{"2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00"}},
		{"every 20 minutes over spring's gap", "cron(*/20 * * * ? *)", ny, "2026-03-08 01:30",
			[]string{"2026-03-08T01:40:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:20:00-04:00"}},
		{"a daily time that autumn repeats", "cron(30 1 * * ? *)", ny, "2026-10-31 12:00",
			[]string{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
		{"every 20 minutes over autumn's repeat", "cron(*/20 * * * ? *)", ny, "2026-11-01 01:10",
			[]string{"2026-11-01T01:20:00-04:00", "2026-11-01T01:40:00-04:00", "2026-11-01T02:00:00-05:00"}},
		{"a half-hour change skips 2:15", "cron(15 2 * * ? *)", lordHowe, "2026-10-03 12:00",
			[]string{"2026-10-05T02:15:00+11:00"}},
		{"a half-hour change repeats 1:45", "cron(45 1 * * ? *)", lordHowe, "2026-04-04 12:00",
			[]string{"2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"}},
		{"a day the zone skipped", "cron(0 12 * * ? *)", apia, "2011-12-29 13:00",
			[]string{"2011-12-31T12:00:00+14:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			at := mustTime(t, tt.after, tt.loc)
			var got []string
			for range tt.want {
				next, ok := s.Next(at, time.Time{}, tt.loc)
				if !ok {
					break
				}
				got = append(got, next.Format(time.RFC3339))
				at = next
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s after %s: %q, want %q", tt.expr, tt.after, got, tt.want)
			}
		})
	}
}

// FuzzNextInZone: in a zone with daylight saving changes, what Next returns for a cron
// expression is after the given time, reads on the zone's wall clock as a minute, hour,
// day and month the expression allows, is the first instant that wall time occurs, and
// comes before the year field's end (so Next ends).
func FuzzNextInZone(f *testing.F) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Skip("no time zone database:", err)
	}
	for _, s := range []string{"cron(30 2 * * ? *)", "cron(*/20 * * * ? *)", "cron(30 1 * * ? *)",
		"cron(0 0 LW * ? 2026-2030)", "cron(0 2 ? * SUN#2 *)", "cron(59 23 31 12 ? 2199)"} {
		f.Add(s, int64(1772928000)) // 2026-03-08 00:00 UTC, a spring-forward day in New York
		f.Add(s, int64(1793505600)) // 2026-11-01 04:00 UTC
	}
	f.Fuzz(func(t *testing.T, expr string, sec int64) {
		s, err := Parse(expr)
		if err != nil || s.Rate() > 0 {
			return
		}
		after := time.Unix(sec%(1<<33), 0).In(ny)
		got, ok := s.Next(after, time.Time{}, ny)
		if !ok {
			return
		}
		c := s.cron
		if !got.After(after) || got.Second() != 0 || got.Year() > MaxYear || !c.years[got.Year()-MinYear] ||
			!c.months[got.Month()] || !c.hours[got.Hour()] || !c.minutes[got.Minute()] ||
			!c.dayMatches(time.Date(got.Year(), got.Month(), got.Day(), 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s: Next(%v) = %v, not a wall time the expression allows after it", expr, after, got)
		}
		for _, d := range []time.Duration{30 * time.Minute, time.Hour} {
			if e := got.Add(-d); e.Hour() == got.Hour() && e.Minute() == got.Minute() && e.Day() == got.Day() {
				t.Fatalf("%s: Next(%v) = %v, the second occurrence of its wall time (first %v)", expr, after, got, e)
			}
		}
	})
}
