// Package testpeer starts peers for end-to-end tests: moto_server, a Python
// implementation of the CloudWatch Logs API; the AWS CLI's commands, in runner processes
// (AWSCLIRunner); and it finds botocore.
package testpeer

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	once     sync.Once
	endpoint string
	startErr error
	// keepAlive holds the write end of the watchdog's stdin: when the test
	// binary exits it is closed and the watchdog kills moto_server.
	keepAlive io.WriteCloser
	stopMu    sync.Mutex
)

// Stop stops the shared moto_server now (it is stopped anyway when the test
// binary exits). Later calls to Moto in the same binary fail.
func Stop() {
	stopMu.Lock()
	defer stopMu.Unlock()
	if keepAlive != nil {
		keepAlive.Close()
		keepAlive = nil
	}
}

// StartTimeout bounds how long Moto waits for moto_server to answer.
const StartTimeout = 60 * time.Second

// Moto returns the endpoint ("http://127.0.0.1:PORT") of a moto_server shared
// by the whole test binary, started on first use on a free loopback port, and
// resets its state (POST /moto-api/reset) on every call. Tests that call it
// must not run in parallel with each other. If moto_server is not installed
// the test is skipped, or fails when the environment has CI=true.
func Moto(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		Missing(t, "testpeer: moto_server not found in PATH")
		return ""
	}
	once.Do(func() { endpoint, startErr = start(path) })
	if startErr != nil {
		Missing(t, fmt.Sprintf("testpeer: starting moto_server: %v", startErr))
		return ""
	}
	if err := Reset(endpoint); err != nil {
		t.Fatalf("testpeer: resetting moto_server: %v", err)
	}
	return endpoint
}

// Missing reports that a peer the test needs (a server, a CLI) is unavailable,
// saying why: it skips the test, or fails it when the environment has CI=true,
// where every peer is required.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (required when CI=true)", why)
	}
	t.Skip(why)
}

// Reset clears all state of the moto_server at endpoint.
func Reset(endpoint string) error {
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset: HTTP %d", resp.StatusCode)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// watchdog runs moto_server in the background and kills it when its stdin
// reaches EOF, that is when the test process exits for any reason.
const watchdog = `"$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 &
pid=$!
cat >/dev/null
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null`

func start(path string) (string, error) {
	var lastErr error
	for try := 0; try < 3; try++ {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		cmd := exec.Command("sh", "-c", watchdog, path, strconv.Itoa(port))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return "", err
		}
		if err := cmd.Start(); err != nil {
			return "", err
		}
		ep := "http://127.0.0.1:" + strconv.Itoa(port)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := waitReady(ep, exited); err != nil {
			stdin.Close()
			lastErr = err
			continue
		}
		stopMu.Lock()
		keepAlive = stdin
		stopMu.Unlock()
		return ep, nil
	}
	return "", lastErr
}

func waitReady(ep string, exited <-chan error) error {
	deadline := time.Now().Add(StartTimeout)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("moto_server exited early: %v", err)
		default:
		}
		resp, err := c.Get(ep + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server did not answer on %s within %v", ep, StartTimeout)
}

// Botocore returns the python3 that imports botocore (the AWS CLI's engine,
// installed with moto and the pip AWS CLI), or "" after Missing: the test is
// skipped, or fails when CI=true.
func Botocore(t testing.TB) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import botocore").Run()
	}
	if err != nil {
		Missing(t, "python3 with botocore (the AWS CLI's engine, installed with moto) not found")
		return ""
	}
	return python
}
