package schedule_test

import (
	"fmt"
	"time"

	"github.com/cwlogs/cwlogs/localserver/schedule"
)

// Weekdays at 9:00 in New York: the runs after a Friday noon.
func ExampleSchedule_Next() {
	s, err := schedule.Parse("cron(0 9 ? * MON-FRI *)")
	if err != nil {
		fmt.Println(err)
		return
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		fmt.Println(err)
		return
	}
	t := time.Date(2025, 6, 6, 12, 0, 0, 0, ny) // a Friday
	for range 2 {
		t, _ = s.Next(t, time.Time{}, ny)
		fmt.Println(t.UTC().Format(time.RFC3339))
	}
	// Output:
	// 2025-06-09T13:00:00Z
	// 2025-06-10T13:00:00Z
}

// A rate fires every period from its anchor; Parse names what is wrong with an expression.
func ExampleParse() {
	s, _ := schedule.Parse("rate(15 minutes)")
	anchor := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	next, _ := s.Next(anchor.Add(20*time.Minute), anchor, nil)
	fmt.Println(s.Rate(), next.Format(time.TimeOnly))

	_, err := schedule.Parse("rate(1 minutes)")
	fmt.Println(err)
	// Output:
	// 15m0s 12:30:00
	// schedule expression "rate(1 minutes)": a rate of 1 takes the singular unit "minute"
}
