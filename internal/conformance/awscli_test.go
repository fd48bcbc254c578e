package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// awsCLI runs one installed AWS CLI (v1 or v2) against one endpoint.
type awsCLI struct {
	major    int    // 1 or 2
	path     string // the executable
	version  string // first word of `aws --version`, e.g. "aws-cli/2.9.19"
	endpoint string
	env      []string
	calls    *atomic.Int64 // invocations, shared by copies made with with()
}

// cliTimeout bounds one CLI invocation.
const cliTimeout = testpeer.AWSCLITimeout

// findCLI locates AWS CLI v<major>: $CWLOGS_AWS_CLI_V<major> when set, else detection
// (`aws` on PATH for v1, /usr/bin/aws for v2, each checked with --version). A missing CLI
// skips the test, or fails it when CI=true. Detection runs once per major version.
func findCLI(t *testing.T, major int) *awsCLI {
	t.Helper()
	found := locateCLI(major)
	if found.missing != "" {
		testpeer.Missing(t, found.missing)
		return nil
	}
	return &awsCLI{major: major, path: found.path, version: found.version, calls: new(atomic.Int64)}
}

// foundCLI is what locateCLI found: the executable and its version, or why there is none.
type foundCLI struct{ path, version, missing string }

var (
	foundCLIsMu sync.Mutex
	foundCLIs   = map[int]foundCLI{}
)

// locateCLI is findCLI's detection, done once per major version: each --version costs a
// second of CPU, and 18 tests ask.
func locateCLI(major int) foundCLI {
	foundCLIsMu.Lock()
	defer foundCLIsMu.Unlock()
	if f, ok := foundCLIs[major]; ok {
		return f
	}
	envName := fmt.Sprintf("CWLOGS_AWS_CLI_V%d", major)
	var candidates []string
	if p := os.Getenv(envName); p != "" {
		candidates = []string{p}
	} else {
		if p, err := exec.LookPath("aws"); err == nil {
			candidates = append(candidates, p)
		}
		if major == 2 {
			candidates = append([]string{"/usr/bin/aws"}, candidates...)
		}
	}
	want := fmt.Sprintf("aws-cli/%d.", major)
	var tried []string
	f := foundCLI{}
	for _, p := range candidates {
		ver, err := testpeer.AWSCLIVersion(p)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		if !strings.HasPrefix(ver, want) {
			tried = append(tried, fmt.Sprintf("%s is %s", p, ver))
			continue
		}
		f = foundCLI{path: testpeer.ResolvePyenvShim(p), version: ver}
		break
	}
	if f.path == "" {
		f.missing = fmt.Sprintf("AWS CLI v%d not found (set %s; tried %q)", major, envName, tried)
	}
	foundCLIs[major] = f
	return f
}

// configure points the CLI at endpoint with the given credentials; HOME is a fresh
// directory so that no user configuration is read.
func (c *awsCLI) configure(t *testing.T, endpoint, accessKeyID, secret string) {
	home := t.TempDir()
	c.endpoint = endpoint
	c.env = nil
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		c.env = append(c.env, kv)
	}
	c.env = append(c.env,
		"HOME="+home,
		"AWS_ACCESS_KEY_ID="+accessKeyID,
		"AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION="+testRegion,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		// A conformance answer must be the first answer: no retries hide a 5xx.
		"AWS_RETRY_MODE=standard",
		"AWS_MAX_ATTEMPTS=1",
	)
}

// with returns a copy of c whose environment has extra variables appended.
func (c *awsCLI) with(extra ...string) *awsCLI {
	cp := *c
	cp.env = append(append([]string(nil), c.env...), extra...)
	return &cp
}

// exec runs `aws logs ARGS --endpoint-url URL --output json` (testpeer.RunAWSCLI: in a
// runner process when the CLI is a Python script). err is nil when the exit status is 0.
func (c *awsCLI) exec(args ...string) (stdout, stderr []byte, err error) {
	c.calls.Add(1)
	full := append([]string{"logs"}, args...)
	full = append(full, "--endpoint-url", c.endpoint, "--output", "json")
	stdout, stderr, code, err := testpeer.RunAWSCLI(c.path, c.version, c.env, full)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit status %d", code)
	}
	return stdout, stderr, err
}

// ok runs a command that must succeed and decodes its JSON output into out (nil: the output
// must be empty, as for operations without output).
func (c *awsCLI) ok(t *testing.T, out any, args ...string) {
	t.Helper()
	stdout, stderr, err := c.exec(args...)
	if err != nil {
		t.Fatalf("aws logs %s: %v\nstderr: %s", shellJoin(args), err, stderr)
	}
	if out == nil {
		if len(bytes.TrimSpace(stdout)) != 0 {
			t.Fatalf("aws logs %s: unexpected output %s", shellJoin(args), stdout)
		}
		return
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("aws logs %s: output is not the expected JSON: %v\n%s", shellJoin(args), err, stdout)
	}
}

// text runs a command that must succeed and returns its standard output.
func (c *awsCLI) text(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, err := c.exec(args...)
	if err != nil {
		t.Fatalf("aws logs %s: %v\nstderr: %s", shellJoin(args), err, stderr)
	}
	return string(stdout)
}

var cliErrorRE = regexp.MustCompile(`An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)`)

// fail runs a command that must fail with a service error and checks the error code,
// operation and exact message the CLI reports. A message ending in "*" is a prefix.
func (c *awsCLI) fail(t *testing.T, code, op, message string, args ...string) {
	t.Helper()
	stdout, stderr, err := c.exec(args...)
	if err == nil {
		t.Fatalf("aws logs %s succeeded, want %s: %s", shellJoin(args), code, stdout)
	}
	m := cliErrorRE.FindSubmatch(stderr)
	if m == nil {
		t.Fatalf("aws logs %s: no service error in stderr: %s", shellJoin(args), stderr)
	}
	msgOK := string(m[3]) == message
	if p, ok := strings.CutSuffix(message, "*"); ok {
		msgOK = strings.HasPrefix(string(m[3]), p)
	}
	if string(m[1]) != code || string(m[2]) != op || !msgOK {
		t.Errorf("aws logs %s:\n got (%s) %s: %q\nwant (%s) %s: %q", shellJoin(args), m[1], m[2], m[3], code, op, message)
	}
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \"'{}[]$?*") {
			q[i] = "'" + a + "'"
		} else {
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}
