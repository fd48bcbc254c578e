package localserver

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMaskingSameMillisecond: with a clock that does not move, an event ingested before
// PutDataProtectionPolicy reads clear, one ingested after it masked, and one ingested
// after DeleteDataProtectionPolicy clear again; so also across a restart, the clock
// unmoved. Each event reads masked exactly when its ingestionTime is in the policy's
// interval, which starts at the lastUpdatedTime PutDataProtectionPolicy answered. (The
// policy's interval started at the request's time, which an event committed in that
// millisecond before the policy also had: it read masked, and one committed after the
// deletion in that millisecond read masked too.)
func TestMaskingSameMillisecond(t *testing.T) {
	eachDPStore(t, func(t *testing.T, store *dpStore) {
		put := func(msg string) {
			t.Helper()
			mustOK(t, store.s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": store.clock.UnixMilli() - 1000, "message": msg}}})
		}
		put("before a@b.io")
		r := mustOK(t, store.s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
		from := num(t, r.body["lastUpdatedTime"])
		store.restart()
		put("during a@b.io")
		mustOK(t, store.s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
		store.restart()
		put("after a@b.io")

		r = mustOK(t, store.s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
		want := []string{"before a@b.io", "during ******", "after a@b.io"}
		if got := messagesOf(r); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		var ingest []int64
		for _, e := range list(r.body["events"]) {
			ingest = append(ingest, num(t, e.(map[string]any)["ingestionTime"]))
		}
		if len(ingest) == 3 && !(ingest[0] < from && from <= ingest[1] && ingest[1] < ingest[2]) {
			t.Errorf("ingestion times %v around the policy's lastUpdatedTime %d", ingest, from)
		}
	})
}

// TestMaskingConcurrentPolicyChange: while PutLogEvents, PutDataProtectionPolicy,
// DeleteDataProtectionPolicy and GetLogEvents run at once, no event ever reads both masked
// and clear: each is masked or not as it was ingested, read after read.
func TestMaskingConcurrentPolicyChange(t *testing.T) {
	s := newTestServer(t, Config{Now: time.Now})
	setupStream(t, s, "g", "s")
	doc := dpDoc("", "EmailAddress")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	go func() { // writer: one event a request
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			call(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s",
				"logEvents": []m{{"timestamp": time.Now().UnixMilli(), "message": fmt.Sprintf("%06d a@b.io", i)}}})
		}
	}()
	go func() { // policy changes
		defer wg.Done()
		for i := range 40 {
			if i%2 == 0 {
				call(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": doc})
			} else {
				call(t, s, "DeleteDataProtectionPolicy", m{"logGroupIdentifier": "g"})
			}
		}
		close(stop)
	}()
	seen := map[string]string{} // event number: its message as first read
	check := func() {
		r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true, "limit": 10000})
		for _, msg := range messagesOf(r) {
			n, _, _ := strings.Cut(msg, " ")
			if prev, ok := seen[n]; !ok {
				seen[n] = msg
			} else if prev != msg {
				t.Errorf("event %s read %q, then %q", n, prev, msg)
			}
		}
	}
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		check()
	}
	wg.Wait()
	check()
	if len(seen) == 0 {
		t.Fatal("no event read")
	}
}
