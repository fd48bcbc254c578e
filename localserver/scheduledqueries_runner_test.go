package localserver

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestScheduledQueryRunnerRaces: many queries run while others are created, updated,
// disabled and deleted and the clock jumps; then Shutdown. No run is left Running, no
// history outlives its query, every run that ended was recorded once, and no goroutine of
// the runner outlives Shutdown. Checked, found right; kept as a regression test (with
// -race). The clock jumps between requests, never within one (sqClock.steadily): a request
// signed before a jump of an hour would be refused as expired.
func TestScheduledQueryRunnerRaces(t *testing.T) {
	clk := &sqClock{t: testNow}
	dataDir := t.TempDir()
	s, _ := newSQServer(t, clk, Config{DataDir: dataDir})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-1000, nowMs()-500)})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/races", "roleArn": sqRole}}
	const queries = 24
	for i := range queries {
		mustOK(t, s, "CreateScheduledQuery", sqInput(fmt.Sprintf("q%02d", i), "g", m{"scheduleExpression": "rate(1 minute)",
			"destinationConfiguration": dest, "startTimeOffset": 600}))
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := w; i < queries; i += 3 {
				clk.steadily(func() {
					name := fmt.Sprintf("q%02d", i)
					switch i % 4 {
					case 0:
						mustOK(t, s, "DeleteScheduledQuery", m{"identifier": name})
					case 1:
						mustOK(t, s, "UpdateScheduledQuery", m{"identifier": name, "queryLanguage": "CWLI",
							"queryString": "stats count(*) as n", "logGroupIdentifiers": []string{"g"},
							"scheduleExpression": "cron(* * * * ? *)", "executionRoleArn": sqRole, "destinationConfiguration": dest})
					case 2:
						mustOK(t, s, "UpdateScheduledQuery", m{"identifier": name, "queryLanguage": "CWLI",
							"queryString": "fields @message", "logGroupIdentifiers": []string{"g"},
							"scheduleExpression": "rate(1 minute)", "executionRoleArn": sqRole, "state": sqDisabled})
					default:
						mustOK(t, s, "CreateScheduledQuery", sqInput(fmt.Sprintf("new%02d", i), "g", m{"scheduleExpression": "rate(2 minutes)"}))
					}
				})
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			clk.advance(s, time.Minute)
			time.Sleep(time.Millisecond)
		}
		clk.advance(s, time.Hour) // a jump over many triggers
	})
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // let runs start, so that Shutdown may interrupt some
	if !strings.Contains(goroutines(), "(*Server).scheduler") {
		t.Fatal("no runner goroutine found by its name before Shutdown: the check below would prove nothing")
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The store as Shutdown left it (a new server would mark Running runs Failed).
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, DatabaseFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var running, orphans, dupes int
	for _, c := range []struct {
		q string
		n *int
	}{
		{`SELECT count(*) FROM scheduled_query_history WHERE status = 'Running'`, &running},
		{`SELECT count(*) FROM scheduled_query_history WHERE query_id NOT IN (SELECT id FROM scheduled_queries)`, &orphans},
		{`SELECT count(*) FROM (SELECT 1 FROM scheduled_query_history GROUP BY query_id, triggered HAVING count(*) > 1)`, &dupes},
	} {
		if err := db.QueryRow(c.q).Scan(c.n); err != nil {
			t.Fatal(err)
		}
	}
	var runs int
	if err := db.QueryRow(`SELECT count(*) FROM scheduled_query_history`).Scan(&runs); err != nil || runs == 0 {
		t.Fatalf("no run recorded (%v): the checks prove nothing", err)
	}
	t.Logf("%d runs recorded", runs)
	if running != 0 || orphans != 0 || dupes != 0 {
		t.Errorf("after Shutdown: %d runs Running, %d history rows without their query, %d triggers run twice", running, orphans, dupes)
	}
	checkGoroutinesGone(t, "(*Server).scheduler", "(*Server).triggerScheduledQuery")
}

// goroutines is the stacks of all goroutines.
func goroutines() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// checkGoroutinesGone fails t if a goroutine running any of fns is left after Shutdown.
// A goroutine that signalled its WaitGroup in a deferred Done may still be returning when
// Shutdown's Wait ends (seen once under load), so it has a moment to exit; one still at
// work would not.
func checkGoroutinesGone(t *testing.T, fns ...string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		stacks := goroutines()
		var left []string
		for _, fn := range fns {
			if strings.Contains(stacks, fn) {
				left = append(left, fn)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s outlives Shutdown:\n%s", strings.Join(left, " and "), stacks)
			return
		}
	}
}

// TestScheduledQueryShutdownDuringRetryPause: when the runner cannot record a trigger
// (here a store that refuses the history row), it pauses before it looks again; Shutdown
// ends the pause instead of waiting it out.
func TestScheduledQueryShutdownDuringRetryPause(t *testing.T) {
	defer func(d time.Duration) { schedRetryWait = d }(schedRetryWait)
	schedRetryWait = time.Hour
	clk := &sqClock{t: testNow}
	// Not newSQServer: its cleanup's Shutdown would hang a failing test for the hour.
	s, err := New(Config{Memory: true, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	setupStream(t, s, "g", "s")
	if aerr := s.write(func(tx *sql.Tx) *apiError {
		if _, err := tx.Exec(`CREATE TEMP TRIGGER refuse_runs BEFORE INSERT ON scheduled_query_history
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
			return s.dbErr(err)
		}
		return nil
	}); aerr != nil {
		t.Fatal(aerr)
	}
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", nil))
	clk.advance(s, 5*time.Minute)
	// The runner fails to record the trigger, then pauses: wait until it does.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(goroutines(), "(*Server).triggerScheduledQuery") {
		if time.Now().After(deadline) {
			t.Fatal("the runner never tried the trigger")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if h := history(t, s, "q"); len(h) != 0 {
		t.Fatalf("the refused trigger was recorded: %v", h)
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown waits for the runner's pause after a failed trigger")
	}

}

// TestScheduledQueryUpdateAfterItsRun: an update whose time (read when its request came)
// is before a trigger the runner has already run — the runner ran it while the update
// waited for the writer — schedules the next trigger after that one, not that one again
// (TestScheduledQueryRunnerRaces saw "1 triggers run twice" under load). The clock set
// back stands for the update's earlier read.
func TestScheduledQueryUpdateAfterItsRun(t *testing.T) {
	clk := &sqClock{t: testNow} // 12:00:00
	s, _ := newSQServer(t, clk, Config{})
	every := m{"scheduleExpression": "cron(* * * * ? *)"}
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", every))
	clk.advance(s, 61*time.Second) // the 12:01:00 trigger runs
	if h := waitRuns(t, s, "q", 1); len(h) != 1 {
		t.Fatalf("history %v", h)
	}
	clk.advance(s, -31*time.Second) // 12:00:30: the update's time
	mustOK(t, s, "UpdateScheduledQuery", m{"identifier": "q", "queryLanguage": "CWLI",
		"queryString": "fields @message", "logGroupIdentifiers": []string{"g"},
		"scheduleExpression": "cron(* * * * ? *)", "executionRoleArn": sqRole})
	var next int64
	if err := s.st.r.QueryRow(`SELECT next_run FROM scheduled_queries`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if want := testNow.Add(2 * time.Minute); next != want.UnixMilli() {
		t.Errorf("next trigger after the update %v, want %v (12:01:00 has run)", time.UnixMilli(next).UTC(), want)
	}
}
