package localserver

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// preparedRequest is a pre-encoded, pre-signed request the load generator replays.
type preparedRequest struct {
	body   []byte
	header http.Header
	raw    []byte // the whole HTTP/1.1 request: headers and body
	events int
}

// buildBatch encodes a full PutLogEvents batch (as close to 1 MiB as the limits allow) of
// events with msgSize-byte messages, timestamps ending at now.
func buildBatch(group, stream string, msgSize int, now time.Time) ([]byte, int) {
	n := min(maxBatchEvents, maxBatchBytes/(msgSize+eventOverhead))
	msg := strings.Repeat("x", msgSize-8)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"logGroupName":%q,"logStreamName":%q,"logEvents":[`, group, stream)
	base := now.UnixMilli() - int64(n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timestamp":%d,"message":"%08d%s"}`, base+int64(i), i, msg)
	}
	b.WriteString("]}")
	return b.Bytes(), n
}

func prepare(t testing.TB, host, op string, body []byte, at time.Time) preparedRequest {
	r := signedRequest(t, "http://"+host+"/", op, body, testCreds, at)
	p := preparedRequest{body: body, header: r.Header.Clone()}
	var raw bytes.Buffer
	if err := r.Write(&raw); err != nil {
		t.Fatal(err)
	}
	p.raw = raw.Bytes()
	return p
}

// loadGen replays reqs round-robin from workers goroutines until total requests are sent and
// returns the elapsed time. Any non-200 answer fails the benchmark.
//
// Each worker keeps one connection and writes every pre-encoded request (headers and body)
// with a single write, reconnecting when the server closes the connection (moto_server
// answers HTTP/1.0 and closes). net/http's client copies a request body through a 32 KiB
// buffer, about 32 write system calls per MiB, which on two cores took CPU from the server
// under test; this keeps the generator's own cost to one write and one read loop per request.
func loadGen(b *testing.B, url string, reqs []preparedRequest, workers, total int) time.Duration {
	host := strings.TrimPrefix(url, "http://")
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for {
				i := next.Add(1) - 1
				if i >= int64(total) || failed.Load() != nil {
					return
				}
				p := reqs[int(i)%len(reqs)]
				if conn == nil {
					c, err := net.Dial("tcp", host)
					if err != nil {
						failed.Store(err.Error())
						return
					}
					conn, br = c, bufio.NewReaderSize(c, 64<<10)
				}
				if _, err := conn.Write(p.raw); err != nil {
					failed.Store(err.Error())
					return
				}
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 || bytes.Contains(body, []byte("rejectedLogEventsInfo")) {
					failed.Store(fmt.Sprintf("status %d: %v %.300s", res.StatusCode, err, body))
					return
				}
				if res.Close {
					conn.Close()
					conn = nil
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if f := failed.Load(); f != nil {
		b.Fatalf("load generator: %v", f)
	}
	return el
}

// setupTarget creates the group and streams through plain signed HTTP calls.
func setupTarget(b *testing.B, url string, group string, streams []string) {
	host := strings.TrimPrefix(url, "http://")
	send := func(op string, in any) {
		body, _ := json.Marshal(in)
		p := prepare(b, host, op, body, time.Now())
		r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		r.Header = p.header
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 && !bytes.Contains(raw, []byte("AlreadyExists")) {
			b.Fatalf("%s: %d %s", op, res.StatusCode, raw)
		}
	}
	send("CreateLogGroup", m{"logGroupName": group})
	for _, s := range streams {
		send("CreateLogStream", m{"logGroupName": group, "logStreamName": s})
	}
}

const ingestWorkers = 4

// benchIngest measures events/s of full batches against url; inProcess reports the heap of
// a server running in the benchmark's process.
func benchIngest(b *testing.B, url string, msgSize int, inProcess bool) {
	group := fmt.Sprintf("bench-%d-%d", msgSize, time.Now().UnixNano())
	streams := make([]string, ingestWorkers)
	for i := range streams {
		streams[i] = fmt.Sprintf("stream-%d", i)
	}
	setupTarget(b, url, group, streams)
	host := strings.TrimPrefix(url, "http://")
	now := time.Now()
	var reqs []preparedRequest
	for _, st := range streams {
		body, n := buildBatch(group, st, msgSize, now)
		p := prepare(b, host, "PutLogEvents", body, now)
		p.events = n
		reqs = append(reqs, p)
	}
	b.SetBytes(int64(len(reqs[0].body)))
	b.ResetTimer()
	el := loadGen(b, url, reqs, ingestWorkers, b.N)
	b.StopTimer()
	events := float64(b.N * reqs[0].events)
	b.ReportMetric(events/el.Seconds(), "events/s")
	b.ReportMetric(float64(reqs[0].events), "events/batch")
	// The server's live heap after the run (same process): it must not grow with b.N for
	// the file-backed modes; the in-memory mode keeps every payload on the heap.
	if inProcess {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heapMB")
	}
}

// BenchmarkIngest measures durable PutLogEvents throughput over loopback HTTP with full
// (≈1 MiB) batches, for this server (file-backed, synchronous=NORMAL in WAL mode; and
// FullSync), in memory (not durable, like moto) and, when installed, moto_server under the
// same load generator.
func BenchmarkIngest(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("local/%dB", size), func(b *testing.B) {
			s := newTestServer(b, Config{DataDir: b.TempDir(), Now: time.Now})
			if err := s.Start(); err != nil {
				b.Fatal(err)
			}
			benchIngest(b, s.URL(), size, true)
		})
		b.Run(fmt.Sprintf("local-fullsync/%dB", size), func(b *testing.B) {
			s := newTestServer(b, Config{DataDir: b.TempDir(), Now: time.Now, FullSync: true})
			if err := s.Start(); err != nil {
				b.Fatal(err)
			}
			benchIngest(b, s.URL(), size, true)
		})
		b.Run(fmt.Sprintf("local-memory/%dB", size), func(b *testing.B) {
			s := newTestServer(b, Config{Memory: true, Now: time.Now})
			if err := s.Start(); err != nil {
				b.Fatal(err)
			}
			benchIngest(b, s.URL(), size, true)
		})
		b.Run(fmt.Sprintf("moto/%dB", size), func(b *testing.B) {
			url := startMoto(b)
			benchIngest(b, url, size, false)
		})
	}
}

// startMoto starts a fresh moto_server for one sub-benchmark and stops it when that ends, so
// that neither side runs next to a moto process still holding (and collecting) millions of
// events from an earlier run. It skips when moto_server is missing (fatal when CI=true).
func startMoto(b *testing.B) string {
	url, err := launchMoto()
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("moto_server: %v", err)
		}
		b.Skipf("moto_server unavailable: %v", err)
	}
	b.Cleanup(stopMoto)
	return url
}

func launchMoto() (string, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		return "", err
	}
	motoProc = cmd
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return fmt.Sprintf("http://127.0.0.1:%d", port), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopMoto()
	return "", fmt.Errorf("moto_server did not start")
}

func stopMoto() {
	if motoProc != nil {
		motoProc.Process.Kill()
		motoProc.Wait()
		motoProc = nil
	}
}

// motoProc is the running moto_server, if any (TestMain stops it too).
var motoProc *exec.Cmd

// BenchmarkSQLiteRowInsert is the raw per-row insert rate of modernc.org/sqlite on this
// machine (100-byte rows, one index, 10,000-row transactions, multi-row prepared statement),
// for context: the server stores events in packed chunks instead.
func BenchmarkSQLiteRowInsert(b *testing.B) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "rows.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE ev(id INTEGER PRIMARY KEY, stream INTEGER, ts INTEGER, ingest INTEGER, msg TEXT); CREATE INDEX ev_s ON ev(stream, ts)`); err != nil {
		b.Fatal(err)
	}
	const per = 100 // rows per statement
	stmt, err := db.Prepare("INSERT INTO ev(stream, ts, ingest, msg) VALUES " + strings.TrimSuffix(strings.Repeat("(?,?,?,?),", per), ","))
	if err != nil {
		b.Fatal(err)
	}
	msg := strings.Repeat("x", 100)
	args := make([]any, 4*per)
	b.SetBytes(100)
	b.ResetTimer()
	start := time.Now()
	rows := 0
	for rows < b.N {
		tx, _ := db.Begin()
		st := tx.Stmt(stmt)
		for k := 0; k < 10_000/per && rows < b.N; k++ {
			for i := 0; i < per; i++ {
				args[4*i], args[4*i+1], args[4*i+2], args[4*i+3] = int64(rows%4), int64(rows), int64(rows), msg
				rows++
			}
			if _, err := st.Exec(args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// Query benchmarks run against one dataset of 1,000,000 events (100 streams × 10,000 events
// of ~100 bytes over 10 hours, 1% containing "ERROR"), built once per run in a temp dir.
const (
	datasetStreams   = 100
	datasetPerStream = 10_000
)

var (
	datasetOnce sync.Once
	datasetDir  string
	datasetErr  error
)

func datasetMessage(stream, i int) string {
	lvl := "INFO"
	if (stream*datasetPerStream+i)%100 == 7 {
		lvl = "ERROR"
	}
	return fmt.Sprintf("2025-06-01T00:00:00Z %-5s request id=%08d stream=%03d path=/api/v1/items status=200 bytes=%06d", lvl, i, stream, i*7%999999)
}

func dataset(b *testing.B) string {
	datasetOnce.Do(func() {
		datasetDir, datasetErr = buildDataset(b, "cwlogs-bench-", func(s *Server) { fillDataset(b, s) })
	})
	if datasetErr != nil {
		b.Fatal(datasetErr)
	}
	return datasetDir
}

// buildDataset makes a data directory and fills it through a server running on it.
func buildDataset(b *testing.B, prefix string, fill func(s *Server)) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	s, err := New(Config{DataDir: dir, Now: func() time.Time { return testNow }})
	if err != nil {
		return "", err
	}
	defer s.Shutdown(context.Background())
	fill(s)
	return dir, nil
}

// fillDataset writes the data set of dataset.
func fillDataset(b *testing.B, s *Server) {
	setupStream(b, s, "bench", "s000")
	for st := 1; st < datasetStreams; st++ {
		mustOK(b, s, "CreateLogStream", m{"logGroupName": "bench", "logStreamName": fmt.Sprintf("s%03d", st)})
	}
	// Streams interleave in time: event i of every stream is at base + i*3600ms + stream*10ms.
	base := nowMs() - 11*3600*1000
	for st := 0; st < datasetStreams; st++ {
		for off := 0; off < datasetPerStream; off += 5000 {
			evs := make([]m, 0, 5000)
			for i := off; i < off+5000; i++ {
				evs = append(evs, m{"timestamp": base + int64(i)*3600 + int64(st)*10, "message": datasetMessage(st, i)})
			}
			mustOK(b, s, "PutLogEvents", m{"logGroupName": "bench", "logStreamName": fmt.Sprintf("s%03d", st), "logEvents": evs})
		}
	}
}

func BenchmarkQuery1M(b *testing.B) {
	dir := dataset(b)
	s := newTestServer(b, Config{DataDir: dir})
	runQueryCases(b, s, []queryCase{
		{"GetLogEvents/head", "GetLogEvents", m{"logGroupName": "bench", "logStreamName": "s042", "startFromHead": true}, wantEvents(-1)},
		{"GetLogEvents/tail", "GetLogEvents", m{"logGroupName": "bench", "logStreamName": "s042"}, wantEvents(-1)},
		{"GetLogEvents/head-limit100", "GetLogEvents", m{"logGroupName": "bench", "logStreamName": "s042", "startFromHead": true, "limit": 100}, wantEvents(100)},
		{"FilterLogEvents/1pct-limit100", "FilterLogEvents", m{"logGroupName": "bench", "filterPattern": "ERROR", "limit": 100}, wantEvents(100)},
		{"FilterLogEvents/1pct-default", "FilterLogEvents", m{"logGroupName": "bench", "filterPattern": "ERROR"}, wantEvents(-1)},
		{"FilterLogEvents/1pct-one-stream", "FilterLogEvents", m{"logGroupName": "bench", "logStreamNames": []string{"s007"}, "filterPattern": "ERROR"}, wantEvents(-1)},
		{"DescribeLogStreams/name", "DescribeLogStreams", m{"logGroupName": "bench"}, nil},
		{"DescribeLogStreams/lastEventTime", "DescribeLogStreams", m{"logGroupName": "bench", "orderBy": "LastEventTime", "descending": true}, nil},
	})
}

// queryCase is one request of a query benchmark; check, when set, checks its last answer.
type queryCase struct {
	name, op string
	in       m
	check    func(b *testing.B, r *response)
}

// runQueryCases benchmarks each case as a signed request through s.ServeHTTP, and reports
// the events of its page.
func runQueryCases(b *testing.B, s *Server, cases []queryCase) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			body, _ := json.Marshal(c.in)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, signedRequest(b, "http://logs.local/", c.op, body, testCreds, testNow))
				if w.Code != 200 {
					b.Fatalf("%s", w.Body)
				}
			}
			b.StopTimer()
			last := do(b, s, signedRequest(b, "http://logs.local/", c.op, body, testCreds, testNow))
			if c.check != nil {
				c.check(b, last)
			}
			b.ReportMetric(float64(len(list(last.body["events"]))), "events/page")
		})
	}
}

// wantEvents checks a page holds n events (n < 0: at least one).
func wantEvents(n int) func(b *testing.B, r *response) {
	return func(b *testing.B, r *response) {
		got := len(list(r.body["events"]))
		if (n >= 0 && got != n) || (n < 0 && got == 0) {
			b.Fatalf("page has %d events, want %d", got, n)
		}
	}
}

var _ = sigv4.EmptyPayloadHash

// BenchmarkPutDirect measures PutLogEvents through ServeHTTP without the network (one
// stream, full batches), to separate the server's own cost from the transport's.
func BenchmarkPutDirect(b *testing.B) {
	for _, size := range []int{100, 1000} {
		for _, mode := range []string{"durable", "memory"} {
			b.Run(fmt.Sprintf("%s/%dB", mode, size), func(b *testing.B) {
				cfg := Config{DataDir: b.TempDir(), Now: time.Now}
				if mode == "memory" {
					cfg = Config{Memory: true, Now: time.Now}
				}
				s := newTestServer(b, cfg)
				setupStream(b, s, "g", "s")
				now := time.Now()
				body, n := buildBatch("g", "s", size, now)
				signed := signedRequest(b, "http://logs.local/", "PutLogEvents", body, testCreds, now)
				b.SetBytes(int64(len(body)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					w := httptest.NewRecorder()
					r := signed.Clone(context.Background())
					r.Body = io.NopCloser(bytes.NewReader(body))
					s.ServeHTTP(w, r)
					if w.Code != 200 {
						b.Fatalf("%d %s", w.Code, w.Body)
					}
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

var (
	smallChunksOnce sync.Once
	smallChunksDir  string
	smallChunksErr  error
	smallChunksBase int64
)

// smallChunks is a data set of small puts, as test suites and log handlers make them:
// stream "big" holds 100,000 events put 10 at a time (10,000 chunks, 1 event per 36 ms
// over an hour), and 99 other streams 100 events each, put 10 at a time.
func smallChunks(b *testing.B) string {
	smallChunksOnce.Do(func() {
		smallChunksBase = nowMs() - 2*3600*1000
		smallChunksDir, smallChunksErr = buildDataset(b, "cwlogs-bench-small-", func(s *Server) { fillSmallChunks(b, s) })
	})
	if smallChunksErr != nil {
		b.Fatal(smallChunksErr)
	}
	return smallChunksDir
}

// fillSmallChunks writes the data set of smallChunks.
func fillSmallChunks(b *testing.B, s *Server) {
	setupStream(b, s, "small", "big")
	for i := 0; i < 100_000; i += 10 {
		evs := make([]m, 10)
		for j := range evs {
			evs[j] = m{"timestamp": smallChunksBase + int64(i+j)*36, "message": datasetMessage(0, i+j)}
		}
		mustOK(b, s, "PutLogEvents", m{"logGroupName": "small", "logStreamName": "big", "logEvents": evs})
	}
	for st := 1; st < 100; st++ {
		name := fmt.Sprintf("s%03d", st)
		mustOK(b, s, "CreateLogStream", m{"logGroupName": "small", "logStreamName": name})
		for i := 0; i < 100; i += 10 {
			evs := make([]m, 10)
			for j := range evs {
				evs[j] = m{"timestamp": smallChunksBase + int64(i+j)*36_000 + int64(st), "message": datasetMessage(st, i+j)}
			}
			mustOK(b, s, "PutLogEvents", m{"logGroupName": "small", "logStreamName": name, "logEvents": evs})
		}
	}
}

// BenchmarkQuerySmallChunks: a page deep into data made of small chunks, and the idle poll
// of tail --follow. A read once scanned every chunk of the day before its position, so a
// page cost grew with how far into the data it started.
func BenchmarkQuerySmallChunks(b *testing.B) {
	dir := smallChunks(b)
	s := newTestServer(b, Config{DataDir: dir})
	at := func(pct int64) int64 { return smallChunksBase + 100_000*36*pct/100 }
	runQueryCases(b, s, []queryCase{
		{"GetLogEvents/forward-limit100-at-1pct", "GetLogEvents", m{"logGroupName": "small", "logStreamName": "big", "startFromHead": true, "startTime": at(1), "limit": 100}, wantEvents(100)},
		{"GetLogEvents/forward-limit100-at-90pct", "GetLogEvents", m{"logGroupName": "small", "logStreamName": "big", "startFromHead": true, "startTime": at(90), "limit": 100}, wantEvents(100)},
		{"GetLogEvents/backward-limit100-at-10pct", "GetLogEvents", m{"logGroupName": "small", "logStreamName": "big", "endTime": at(10), "limit": 100}, wantEvents(100)},
		{"FilterLogEvents/limit100-at-90pct", "FilterLogEvents", m{"logGroupName": "small", "startTime": at(90), "limit": 100}, wantEvents(100)},
		{"FilterLogEvents/two-streams-at-0pct", "FilterLogEvents", m{"logGroupName": "small", "logStreamNames": []string{"s007", "s050"}}, wantEvents(200)},
		{"FilterLogEvents/tail-poll-after-last", "FilterLogEvents", m{"logGroupName": "small", "startTime": at(100) + 1000}, wantEvents(0)},
	})
}
