package localserver

import (
	"strings"
	"testing"
	"time"
)

// TestScheduledQueryMissedTriggers: when the clock comes past several triggers at once
// (a server stopped for an hour, a run longer than its period), the query runs once, at
// the first missed trigger, and its next trigger is the first after the current time;
// without startTimeOffset the next run's window starts at that missed trigger, so no
// event is skipped. Checked, found right; kept as a regression test.
func TestScheduledQueryMissedTriggers(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	t0 := nowMs()
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/missed", "roleArn": sqRole}}
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"destinationConfiguration": dest,
		"queryString": "fields @message | sort @timestamp asc"}))
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": t0 + 60_000, "message": "in the first window"},
		{"timestamp": t0 + 1_800_000, "message": "between the missed triggers"},
	}})

	clk.advance(s, time.Hour) // twelve triggers come at once
	h := waitRuns(t, s, "q", 1)
	if len(h) != 1 || num(t, h[0]["triggeredTimestamp"]) != t0+300_000 {
		t.Fatalf("after an hour at once: %v, want one run triggered at t0+5m", h)
	}
	if got := strings.Join(resultMessages(readResults(t, dir, h[0])), "|"); got != "in the first window" {
		t.Errorf("the catch-up run's rows = %q", got)
	}
	clk.advance(s, 4*time.Minute) // t0+64m: the next trigger is t0+65m
	time.Sleep(20 * time.Millisecond)
	if h := history(t, s, "q"); len(h) != 1 {
		t.Fatalf("a missed trigger ran again: %v", h)
	}
	clk.advance(s, time.Minute)
	h = waitRuns(t, s, "q", 2)
	if num(t, h[0]["triggeredTimestamp"]) != t0+3_900_000 {
		t.Fatalf("second run: %v, want triggered at t0+65m", h[0])
	}
	obj := readResults(t, dir, h[0])
	if got := strings.Join(resultMessages(obj), "|"); got != "between the missed triggers" || num(t, obj["startTime"]) != t0+300_000 {
		t.Errorf("second run's rows = %q from %v, want the event between the missed triggers, from t0+5m", got, obj["startTime"])
	}
}

// TestScheduledQueryDaylightSaving: a cron query in a time zone with daylight saving runs
// at the wall times of its zone, not on the day that skips its time (as EventBridge
// Scheduler), and once on the day that repeats it.
func TestScheduledQueryDaylightSaving(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	tests := []struct {
		name, expr string
		start      time.Time // the clock when the query is created
		want       []string  // the triggers over the next three days, RFC 3339 in New York
	}{
		{"spring skips 2:30", "cron(30 2 * * ? *)", time.Date(2026, 3, 7, 0, 0, 0, 0, ny),
			[]string{"2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00"}},
		{"autumn repeats 1:30", "cron(30 1 * * ? *)", time.Date(2026, 10, 31, 0, 0, 0, 0, ny),
			[]string{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &sqClock{t: tt.start}
			s, _ := newSQServer(t, clk, Config{})
			mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"scheduleExpression": tt.expr, "timezone": "America/New_York"}))
			for range 3 * 24 * 2 { // three days, half an hour at a time
				clk.advance(s, 30*time.Minute)
				want := 0
				for _, w := range tt.want {
					if at, _ := time.Parse(time.RFC3339, w); !at.After(clk.Now()) {
						want++
					}
				}
				if want > 0 {
					waitRuns(t, s, "q", want)
				}
			}
			var got []string
			for _, r := range history(t, s, "q") {
				got = append([]string{time.UnixMilli(num(t, r["triggeredTimestamp"])).In(ny).Format(time.RFC3339)}, got...)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("triggers %q, want %q", got, tt.want)
			}
		})
	}
}
