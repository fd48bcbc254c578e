package testpeer

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The AWS CLI (v1 from pip, v2 from Debian) is a Python program, and starting it costs about
// a second of CPU, of which the command itself takes a fifth: the rest is Python starting and
// importing awscli and botocore. Suites that run hundreds of commands spent most of their time
// there. An AWSCLIRunner runs commands in runner processes (awscli_runner.py): long-lived
// interpreters of the CLI's own Python that import its awscli once and then, per command, do
// what the aws script does (sys.exit of awscli.clidriver.main() with sys.argv set) under the
// command's environment, with an empty stdin and stdout and stderr captured. Each command
// still builds its own session, credentials and clients, and goes through the installed
// CLI's own parsing, signing and output. internal/conformance's
// TestAWSCLIRunnerMatchesProcess checks that a runner prints, byte for byte, what the
// executable prints, and exits as it does.

//go:embed awscli_runner.py
var awscliRunnerScript string

// AWSCLITimeout bounds one command run by an AWSCLIRunner.
const AWSCLITimeout = 60 * time.Second

// AWSCLIRunner runs the commands of one AWS CLI executable in runner processes. It starts a
// runner whenever none is idle (up to maxRunners busy at once per executable); runners end
// with the test binary. It is safe for concurrent use.
type AWSCLIRunner struct {
	python  []string // the interpreter command of the CLI's script (its #! line)
	path    string   // the executable
	version string   // what its --version reports first, e.g. "aws-cli/2.9.19"

	busy chan struct{} // a slot per command running, at most maxRunners

	mu   sync.Mutex
	idle map[string][]*cliProcess // by interpreterEnv
}

var (
	awsCLIRunnersMu sync.Mutex
	awsCLIRunners   = map[string]*AWSCLIRunner{} // by executable; nil: run processes
)

// AWSCLIRunnerFor returns the runner of the AWS CLI executable at path (a pyenv shim is
// resolved to the executable it runs), or nil when its commands are to run as processes: when
// CWLOGS_AWS_CLI_PROCESS=1, or when the executable is not a Python script (AWS's own v2
// bundle is not). version is what the executable's --version reports first (e.g.
// "aws-cli/2.9.19"); "" has it asked once. Every call for one path returns the same runner.
func AWSCLIRunnerFor(path, version string) (*AWSCLIRunner, error) {
	awsCLIRunnersMu.Lock()
	defer awsCLIRunnersMu.Unlock()
	if r, ok := awsCLIRunners[path]; ok {
		return r, nil
	}
	r, err := newAWSCLIRunner(path, version)
	if err != nil {
		return nil, err
	}
	awsCLIRunners[path] = r
	return r, nil
}

// newAWSCLIRunner is AWSCLIRunnerFor without its memory.
func newAWSCLIRunner(path, version string) (*AWSCLIRunner, error) {
	if os.Getenv("CWLOGS_AWS_CLI_PROCESS") == "1" {
		return nil, nil
	}
	exe := ResolvePyenvShim(path)
	python, err := pythonOf(exe)
	if err != nil || python == nil {
		return nil, err
	}
	if version == "" {
		if version, err = AWSCLIVersion(exe); err != nil {
			return nil, err
		}
	}
	return &AWSCLIRunner{python: python, path: exe, version: version,
		busy: make(chan struct{}, maxRunners), idle: map[string][]*cliProcess{}}, nil
}

// RunAWSCLI runs `aws ARGS...` with env (the whole environment, as exec.Cmd's Env), the CLI
// being the executable at path whose --version reports version first ("" has it asked): in
// its runner (AWSCLIRunnerFor) when it has one, else as a process. It returns what the
// command printed and its exit status; err means that it could not be run, or gave no answer
// within AWSCLITimeout.
func RunAWSCLI(path, version string, env, args []string) (stdout, stderr []byte, code int, err error) {
	r, err := AWSCLIRunnerFor(path, version)
	if err != nil {
		return nil, nil, 0, err
	}
	if r == nil {
		return RunAWSCLIProcess(path, env, args)
	}
	return r.Run(env, args)
}

// RunAWSCLIProcess is RunAWSCLI in a process of its own, whatever the CLI.
func RunAWSCLIProcess(path string, env, args []string) (stdout, stderr []byte, code int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), AWSCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ctx.Err() == nil {
		return o.Bytes(), e.Bytes(), ee.ExitCode(), nil
	}
	return o.Bytes(), e.Bytes(), 0, err
}

// AWSCLIVersion returns the first word of what the AWS CLI at path prints for --version,
// e.g. "aws-cli/2.9.19", reading no user configuration.
func AWSCLIVersion(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), AWSCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s --version: %v: %s", path, err, bytes.TrimSpace(out))
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return "", fmt.Errorf("%s --version: empty output", path)
	}
	return f[0], nil
}

// ResolvePyenvShim returns the executable that the pyenv shim at path runs (a shim is a
// shell script that costs ~0.3 s per run), or path itself when it is not a shim or pyenv
// cannot tell.
func ResolvePyenvShim(path string) string {
	if filepath.Base(filepath.Dir(path)) != "shims" {
		return path
	}
	out, err := exec.Command("pyenv", "which", filepath.Base(path)).Output()
	if err != nil {
		return path
	}
	if real := strings.TrimSpace(string(out)); real != "" {
		if _, err := os.Stat(real); err == nil {
			return real
		}
	}
	return path
}

// pythonOf returns the interpreter command of the script at path when it is a Python script
// (its #! line names python, directly or through env), else nil.
func pythonOf(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#!")
	if !ok {
		return nil, nil
	}
	argv := strings.Fields(rest)
	if len(argv) > 1 && filepath.Base(argv[0]) == "env" {
		argv = argv[1:]
	}
	if len(argv) == 0 || !strings.HasPrefix(filepath.Base(argv[0]), "python") {
		return nil, nil
	}
	return argv, nil
}

// interpreterEnv is the part of env that Python reads only as it starts (its PYTHON*
// variables, the locale, TZ), which a runner cannot change per command: a command runs only
// in a runner started with the same. The last of repeated entries counts, as for a process.
func interpreterEnv(env []string) string {
	last := map[string]string{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PYTHON") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "TZ" {
			last[k] = kv
		}
	}
	keep := slices.Sorted(maps.Values(last))
	return strings.Join(keep, "\x00")
}

// maxRunners bounds the runners of one executable busy at once (each holds about 100 MB);
// more commands at once wait for one.
const maxRunners = 4

// Run runs `aws ARGS...` with env (the whole environment, as exec.Cmd's Env) and returns what
// it printed and its exit status. err reports a runner that failed or gave no answer within
// AWSCLITimeout; that runner is dropped. A command with a `help` argument runs as a process
// (help is written through a pager on the process's own stdout).
func (r *AWSCLIRunner) Run(env, args []string) (stdout, stderr []byte, code int, err error) {
	if slices.Contains(args, "help") {
		return RunAWSCLIProcess(r.path, env, args)
	}
	r.busy <- struct{}{}
	defer func() { <-r.busy }()
	key := interpreterEnv(env)
	r.mu.Lock()
	var p *cliProcess
	if idle := r.idle[key]; len(idle) > 0 {
		p, r.idle[key] = idle[len(idle)-1], idle[:len(idle)-1]
	}
	r.mu.Unlock()
	if p == nil {
		if p, err = r.start(env); err != nil {
			return nil, nil, 0, err
		}
	}
	stdout, stderr, code, err = p.run(env, args)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("aws %s: %w", strings.Join(args, " "), err)
	}
	r.mu.Lock()
	r.idle[key] = append(r.idle[key], p)
	r.mu.Unlock()
	return stdout, stderr, code, nil
}

// cliProcess is one awscli_runner.py process.
type cliProcess struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *LockedBuffer // what the runner itself wrote on stderr, for its failures
}

// start starts a runner under env and checks that the awscli it imports is the executable's.
func (r *AWSCLIRunner) start(env []string) (*cliProcess, error) {
	lcCtype := "-" // LC_CTYPE as the runner starts, for its PEP 538 check (awscli_runner.py)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "LC_CTYPE="); ok {
			lcCtype = v
		}
	}
	argv := append(slices.Clone(r.python), "-c", awscliRunnerScript, r.path, lcCtype)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	// Wait must not wait for a child of the runner (a credential_process, say) still holding
	// its stderr once the runner is gone.
	cmd.WaitDelay = 5 * time.Second
	p := &cliProcess{cmd: cmd, stderr: new(LockedBuffer)}
	cmd.Stderr = p.stderr
	var err error
	if p.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = bufio.NewReader(out)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("AWS CLI runner: %w", err)
	}
	var hello struct{ Version string }
	if err := p.exchange(nil, &hello); err != nil {
		return nil, err
	}
	if hello.Version != r.version {
		p.kill()
		return nil, fmt.Errorf("AWS CLI runner under %s imports %s, but %s is %s", r.python[0], hello.Version, r.path, r.version)
	}
	return p, nil
}

// run sends one command and reads its answer.
func (p *cliProcess) run(env, args []string) (stdout, stderr []byte, code int, err error) {
	req, err := json.Marshal(struct {
		Args []string `json:"args"`
		Env  []string `json:"env"`
	}{args, env})
	if err != nil {
		return nil, nil, 0, err
	}
	var ans struct {
		Code           int
		Stdout, Stderr []byte // base64 in the JSON
	}
	if err := p.exchange(append(req, '\n'), &ans); err != nil {
		return nil, nil, 0, err
	}
	return ans.Stdout, ans.Stderr, ans.Code, nil
}

// exchange writes req (if any) and decodes the runner's next line into v, within
// AWSCLITimeout. On any failure the runner is killed, and the error quotes its stderr.
func (p *cliProcess) exchange(req []byte, v any) error {
	var (
		mu       sync.Mutex
		timedOut bool
	)
	timer := time.AfterFunc(AWSCLITimeout, func() {
		mu.Lock()
		timedOut = true
		mu.Unlock()
		p.cmd.Process.Kill()
	})
	var err error
	if req != nil {
		_, err = p.in.Write(req)
	}
	var line []byte
	if err == nil {
		line, err = p.out.ReadBytes('\n')
	}
	if err == nil {
		if err = json.Unmarshal(line, v); err != nil {
			err = fmt.Errorf("%w in %q", err, line)
		}
	}
	if err == nil && !timer.Stop() {
		err = errors.New("answered as the timeout killed it")
	}
	if err == nil {
		return nil
	}
	timer.Stop()
	p.kill() // and wait for its stderr to be copied in full
	mu.Lock()
	defer mu.Unlock()
	if timedOut {
		err = fmt.Errorf("no answer within %v", AWSCLITimeout)
	}
	return fmt.Errorf("AWS CLI runner: %w; its stderr: %s", err, p.stderr)
}

// kill stops the runner and reaps it.
func (p *cliProcess) kill() {
	p.in.Close()
	p.cmd.Process.Kill()
	p.cmd.Wait()
}
