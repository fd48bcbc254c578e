package localserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashServerEnv makes the test binary run a server on the named data directory instead of
// the tests (see TestMain); it prints the URL and serves until killed.
const crashServerEnv = "CWLOGS_CRASH_SERVER_DIR"

func runCrashServer() {
	s, err := New(Config{DataDir: os.Getenv(crashServerEnv)})
	if err == nil {
		err = s.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(s.URL())
	select {}
}

func startCrashServer(t *testing.T, dir string) (*exec.Cmd, string) {
	return startChild(t, "^$", crashServerEnv+"="+dir)
}

// startChild runs this test binary again with -test.run=run and env added to the
// environment, and returns it with the first line it prints (a server's URL).
func startChild(t *testing.T, run, env string) (*exec.Cmd, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run="+run)
	cmd.Env = append(os.Environ(), env)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("server did not start: %v", err)
	}
	return cmd, strings.TrimSpace(line)
}

// TestCrashDurability kills (SIGKILL) a server process while several clients are ingesting,
// twice, then checks after restart that every acknowledged batch is stored completely and
// that no batch is stored partially.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns server processes")
	}
	dir := t.TempDir()
	var mu sync.Mutex
	acked := map[string]int{} // batch id -> events
	sent := map[string]int{}
	for round := 0; round < 2; round++ {
		cmd, url := startCrashServer(t, dir)
		client := &http.Client{Timeout: 10 * time.Second}
		post := func(op string, body []byte) (int, error) {
			r := signedRequest(t, url+"/", op, body, testCreds, time.Now())
			res, err := client.Do(r)
			if err != nil {
				return 0, err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode, nil
		}
		if round == 0 {
			post("CreateLogGroup", []byte(`{"logGroupName":"crash"}`))
			if code, err := post("CreateLogStream", []byte(`{"logGroupName":"crash","logStreamName":"s"}`)); code != 200 || err != nil {
				t.Fatalf("CreateLogStream: %d %v", code, err)
			}
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("r%d-w%d-b%d", round, w, i)
					n := 20 + 7*(i%50)
					var b bytes.Buffer
					fmt.Fprintf(&b, `{"logGroupName":"crash","logStreamName":"s","logEvents":[`)
					ts := time.Now().UnixMilli()
					for e := 0; e < n; e++ {
						if e > 0 {
							b.WriteByte(',')
						}
						fmt.Fprintf(&b, `{"timestamp":%d,"message":"%s-e%d %s"}`, ts, id, e, strings.Repeat("p", 50))
					}
					b.WriteString("]}")
					mu.Lock()
					sent[id] = n
					mu.Unlock()
					code, err := post("PutLogEvents", b.Bytes())
					if err != nil {
						return // server killed
					}
					if code != 200 {
						t.Errorf("PutLogEvents: %d", code)
						return
					}
					mu.Lock()
					acked[id] = n
					mu.Unlock()
				}
			}(w)
		}
		time.Sleep(time.Duration(400+300*round) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no shutdown, no checkpoint
		cmd.Wait()
		close(stop)
		wg.Wait()
	}
	if len(acked) < 10 {
		t.Fatalf("only %d batches acknowledged; the test did not exercise ingest", len(acked))
	}

	s := newTestServer(t, Config{DataDir: dir, Now: time.Now})
	stored := map[string]int{}
	in := m{"logGroupName": "crash", "logStreamName": "s", "startFromHead": true}
	for {
		r := mustOK(t, s, "GetLogEvents", in)
		for _, e := range list(r.body["events"]) {
			msg := e.(map[string]any)["message"].(string)
			stored[msg[:strings.Index(msg, "-e")]]++
		}
		if r.body["nextForwardToken"] == in["nextToken"] {
			break
		}
		in["nextToken"] = r.body["nextForwardToken"]
	}
	for id, n := range acked {
		if stored[id] != n {
			t.Errorf("acknowledged batch %s: %d of %d events stored", id, stored[id], n)
		}
	}
	for id, n := range stored {
		if n != sent[id] {
			t.Errorf("batch %s stored partially: %d of %d", id, n, sent[id])
		}
	}
	// Every segment file ends exactly where its last committed write ended: bytes written
	// by a batch whose commit the kill interrupted are gone.
	rows, err := s.st.r.Query(`SELECT id, end_off FROM segments`)
	if err != nil {
		t.Fatal(err)
	}
	segs := 0
	for rows.Next() {
		var id, end int64
		if err := rows.Scan(&id, &end); err != nil {
			t.Fatal(err)
		}
		segs++
		info, err := os.Stat(filepath.Join(dir, segmentDir, segmentName(id)))
		if err != nil {
			t.Errorf("segment %d: %v", id, err)
		} else if info.Size() != end {
			t.Errorf("segment %d: size %d, committed end %d", id, info.Size(), end)
		}
	}
	rows.Close()
	if segs == 0 {
		t.Error("no segment recorded")
	}
	t.Logf("%d batches acknowledged, %d stored (unacknowledged but committed: %d)", len(acked), len(stored), len(stored)-len(acked))
}

// TestRestart stores data, shuts down gracefully, reopens the same directory and finds
// everything (groups, tags, retention, streams, events, tokens).
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	s1, err := New(Config{DataDir: dir, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	setupStream(t, s1, "g", "s")
	mustOK(t, s1, "TagLogGroup", m{"logGroupName": "g", "tags": m{"k": "v"}})
	mustOK(t, s1, "PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": 14})
	mustOK(t, s1, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-2, nowMs()-1)})
	r := mustOK(t, s1, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
	tok := r.body["nextForwardToken"].(string)
	if err := s1.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := newTestServer(t, Config{DataDir: dir})
	if got := fmt.Sprint(streamMessages(t, s2, "g", "s")); got != "[event 0 event 1]" {
		t.Errorf("events after restart: %s", got)
	}
	mustOK(t, s2, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs(), "message": "after"}}})
	// A token from before the restart still works.
	r = mustOK(t, s2, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": tok})
	if messages(r) != "[after]" {
		t.Errorf("old token: %s", r.raw)
	}
	r = mustOK(t, s2, "ListTagsLogGroup", m{"logGroupName": "g"})
	if fmt.Sprint(r.body["tags"]) != "map[k:v]" {
		t.Errorf("tags: %s", r.raw)
	}
	r = mustOK(t, s2, "DescribeLogGroups", m{})
	if g := list(r.body["logGroups"])[0].(map[string]any); fmt.Sprint(g["retentionInDays"]) != "14" || num(t, g["storedBytes"]) == 0 {
		t.Errorf("group: %v", g)
	}
	var v int
	if err := s2.st.r.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != schemaVersion {
		t.Errorf("user_version = %d, %v", v, err)
	}
	var mode string
	if err := s2.st.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
}

// TestDataDirectoryInUse: a second server on a data directory in use
// refuses to start, and the directory is free again once the first shuts
// down. A review ran two `cwlogs serve --data D`: both started, wrote the same
// segment at the same offsets, and an acknowledged event was destroyed
// ("corrupt chunk (checksum mismatch)").
func TestDataDirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	s1, err := New(Config{DataDir: dir, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if s2, err := New(Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "in use by another cwlogs server") {
		if s2 != nil {
			s2.Shutdown(context.Background())
		}
		t.Fatalf("second server on %s: %v, want an in-use error", dir, err)
	}
	setupStream(t, s1, "g", "s") // the first is unharmed
	if err := s1.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s3 := newTestServer(t, Config{DataDir: dir})
	mustOK(t, s3, "DescribeLogStreams", m{"logGroupName": "g"})
}

func TestNewConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no data dir", Config{}, "DataDir is required"},
		{"bad account", Config{Memory: true, AccountID: "12"}, `AccountID "12" must be 12 digits`},
		{"data dir is a file", Config{DataDir: "/dev/null/x"}, "data directory"},
	} {
		_, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
