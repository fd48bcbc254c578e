package metrics_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/ship/metrics"
)

// setLeaves sets every integer field of the struct v points to, nested
// structs included, to a value of its own from *next, and returns the
// fields' paths by value.
func setLeaves(v reflect.Value, path string, next *int64, got map[int64]string) {
	for i := range v.NumField() {
		f, name := v.Field(i), path+v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Struct:
			if f.Type().PkgPath() != "time" {
				setLeaves(f, name+".", next, got)
			}
		case reflect.Int, reflect.Int64:
			*next++
			f.SetInt(*next)
			got[*next] = name
		}
	}
}

// TestEveryStatsFieldMapped: each integer field of ship.Stats and
// spool.Stats, as found by reflection (so a field added later counts too),
// is the value of exactly one sample, and every sample but the last error
// time is one of them.
func TestEveryStatsFieldMapped(t *testing.T) {
	var sh fakeShip
	var sp fakeSpool
	for _, tc := range []struct {
		name string
		v    any
		add  func(*metrics.Collector) error
	}{
		{"ship.Stats", &sh, func(c *metrics.Collector) error { _, err := c.AddShipper(&sh, nil); return err }},
		{"spool.Stats", &sp, func(c *metrics.Collector) error { _, err := c.AddSpool(&sp, nil); return err }},
	} {
		next := int64(1000)
		fields := map[int64]string{}
		setLeaves(reflect.ValueOf(tc.v).Elem(), "", &next, fields)
		c := metrics.New()
		if err := tc.add(c); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]int{}
		for _, line := range strings.Split(scrape(t, c), "\n") {
			if line == "" || strings.HasPrefix(line, "#") || strings.Contains(line, "_last_error_timestamp_seconds") {
				continue
			}
			n, err := strconv.ParseInt(line[strings.LastIndexByte(line, ' ')+1:], 10, 64)
			if err != nil || fields[n] == "" {
				t.Errorf("%s: sample %q is no field's value", tc.name, line)
				continue
			}
			seen[n]++
		}
		for n, name := range fields {
			if seen[n] != 1 {
				t.Errorf("%s: field %s is in %d samples, want 1", tc.name, name, seen[n])
			}
		}
	}
}
