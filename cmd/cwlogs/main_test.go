package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/localserver"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// binPath is the cwlogs binary built once by TestMain.
var binPath string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "cwlogs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "cwlogs")
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cwlogs:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startLocal starts an in-memory local server for one test.
func startLocal(t testing.TB) string {
	t.Helper()
	return startLocalWith(t, localserver.Config{Memory: true, Addr: "127.0.0.1:0"})
}

// startLocalWith starts a local server of cfg for one test and returns its URL.
func startLocalWith(t testing.TB, cfg localserver.Config) string {
	t.Helper()
	srv, err := localserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv.URL()
}

// cli runs the built binary with a controlled environment.
type cli struct {
	t   testing.TB
	env map[string]string
}

// newCLI returns a runner whose environment holds test credentials, a
// region, UTC as the time zone, an empty HOME and, when endpoint is not
// empty, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
func newCLI(t testing.TB, endpoint string) *cli {
	home := t.TempDir()
	env := map[string]string{
		"PATH":                  os.Getenv("PATH"),
		"HOME":                  home,
		"TMPDIR":                os.TempDir(),
		"TZ":                    "UTC",
		"AWS_ACCESS_KEY_ID":     "AKIDCLITEST",
		"AWS_SECRET_ACCESS_KEY": "cli-test-secret",
		"AWS_REGION":            "us-east-1",
		// Off EC2 the instance metadata service does not answer; do not wait for it.
		"AWS_EC2_METADATA_DISABLED": "true",
	}
	if endpoint != "" {
		env["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = endpoint
	}
	return &cli{t: t, env: env}
}

type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (c *cli) environ() []string {
	var out []string
	for k, v := range c.env {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

// run runs cwlogs args with stdin (may be empty) and returns its outputs.
func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = c.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r := result{args: args, stdout: so.String(), stderr: se.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		c.t.Fatalf("running cwlogs %q: %v", args, err)
	}
	return r
}

// mustRun runs a command that must exit with want.
func (c *cli) mustRun(want int, stdin string, args ...string) result {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != want {
		c.t.Fatalf("cwlogs %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// transcript accumulates commands and their outputs for a golden file.
type transcript struct {
	t    testing.TB
	norm *normalizer
	b    strings.Builder
}

func (tr *transcript) add(r result) {
	fmt.Fprintf(&tr.b, "$ cwlogs %s\n[exit %d]\n", quoteArgs(r.args), r.code)
	if r.stdout != "" {
		fmt.Fprintf(&tr.b, "--- stdout\n%s", withNewline(r.stdout))
	}
	if r.stderr != "" {
		fmt.Fprintf(&tr.b, "--- stderr\n%s", withNewline(r.stderr))
	}
	tr.b.WriteString("\n")
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n[no final newline]\n"
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n\"'$*?{}[]|&;<>()\\") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}

// check compares the normalized transcript with testdata/name.golden.
func (tr *transcript) check(name string) {
	tr.t.Helper()
	got := tr.norm.apply(tr.b.String())
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tr.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tr.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tr.t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, diffLines(string(want), got))
	}
}

// diffLines shows the first differing lines.
func diffLines(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			lo, hi := max(0, i-3), min(len(gl), i+8)
			return fmt.Sprintf("line %d:\nwant: %q\ngot:  %q\ncontext (got):\n%s", i+1, w, g, strings.Join(gl[lo:hi], "\n"))
		}
	}
	return "(no difference)"
}

// normalizer replaces what varies between runs: known event times by labels,
// other times, request ids, event ids, tokens and the endpoint.
type normalizer struct {
	repl []string // old, new pairs applied first
}

// label maps the event time base+off (ms) to <T+off> in every form cwlogs
// prints it: epoch milliseconds and RFC 3339 UTC.
func (n *normalizer) label(base time.Time, offsets ...int64) {
	for _, off := range offsets {
		ms := base.UnixMilli() + off
		lbl := fmt.Sprintf("<T+%d>", off)
		n.repl = append(n.repl, fmt.Sprint(ms), lbl, time.UnixMilli(ms).UTC().Format(timeLayout), lbl,
			time.UnixMilli(ms).UTC().Format(time.RFC3339Nano), lbl)
	}
}

func (n *normalizer) literal(old, new string) { n.repl = append(n.repl, old, new) }

var normRes = []struct {
	re  *regexp.Regexp
	new string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<REQUEST-ID>"},
	{regexp.MustCompile(`\b\d{20,}\b`), "<ID>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`), "<TIME>"},
	{regexp.MustCompile(`\b1\d{12}\b`), "<MS>"},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "<ENDPOINT>"},
}

func (n *normalizer) apply(s string) string {
	if n != nil && len(n.repl) > 0 {
		s = strings.NewReplacer(n.repl...).Replace(s)
	}
	for _, r := range normRes {
		s = r.re.ReplaceAllString(s, r.new)
	}
	return s
}
