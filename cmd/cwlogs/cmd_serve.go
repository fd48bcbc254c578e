package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

var serveInfo = &commandInfo{
	name:    "serve",
	args:    "[--addr HOST:PORT] [--data DIR | --memory] [--export-dir DIR] [--access-key-id ID --secret-access-key KEY [--session-token TOKEN]]... [--credentials-file FILE] [--region R] [--account-id ID] [--quiet]",
	summary: "Run a local CloudWatch Logs server (SQLite storage) until interrupted.",
	details: `It prints one line, "cwlogs: listening on http://HOST:PORT", on stdout, answers GET /health,
and shuts down gracefully on SIGINT or SIGTERM (exit 0). Events are stored in DIR/cwlogs.db
(default: $XDG_DATA_HOME/cwlogs, else ~/.local/share/cwlogs; on macOS and Windows the user
configuration directory's cwlogs folder); --memory keeps nothing on disk.

Export tasks (CreateExportTask) write their objects under --export-dir DIR (default: the data
directory's exports folder; with --memory, none unless given), laid out as S3 keys: the bucket
is the directory DIR/BUCKET, which must exist (create it as you would the bucket), and each
object the file at its key, e.g. DIR/BUCKET/exportedlogs/TASK_ID/STREAM/000000.gz (gzip, one
"TIMESTAMP MESSAGE" line per event).

Without credentials any well-formed SigV4 signature is accepted (as moto and LocalStack do).
With --access-key-id/--secret-access-key (repeatable, paired in order) or --credentials-file,
signatures are verified and unknown keys refused. A --session-token after an --access-key-id
makes that key a temporary one (as from STS): it is then accepted only with that token
(X-Amz-Security-Token), else refused with UnrecognizedClientException as AWS refuses it; the
other keys are accepted with or without a token, unchecked. The file holds either AWS credentials-file
sections ([name], aws_access_key_id = ID, aws_secret_access_key = KEY, and for a temporary key
aws_session_token = TOKEN, which then works as --session-token) or ID:SECRET lines; # and ;
start comments. A key given twice (in the file and the flags, or under two profiles) must have
the same secret and the same token, or none each time. Values on the command line
(--secret-access-key, --session-token) are visible to other users of the machine (ps,
/proc/PID/cmdline): for real keys, use --credentials-file, readable by you alone (chmod 600).
With the global --region R, only requests signed for region R are served, as by a regional
endpoint; without it, every region (ARNs carry the request's region).
Point clients at it with --endpoint-url or AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.`,
	examples: []string{"cwlogs serve --addr 127.0.0.1:4588 --data ./logs-data"},
	new:      func(m *Main) command { return &ServeCommand{m: m} },
}

// DefaultServeAddr is where serve listens without --addr.
const DefaultServeAddr = "127.0.0.1:4588"

// serverConfig configures the local server of serve and demo: the fields of
// localserver.Config they set, so that this file builds where that package does not
// (see localserver_none.go).
type serverConfig struct {
	Addr, DataDir, Region, AccountID string
	Memory                           bool
	Credentials                      map[string]string // nil: accept any well-formed signature
	// TemporaryCredentials are keys accepted only with their session token; nil: none.
	TemporaryCredentials map[string]tempCredential
	Logger               *slog.Logger
	// ExportDir is where export tasks write ("": DataDir/exports; none with Memory).
	ExportDir string
}

// tempCredential is the secret and session token of a temporary access key. It prints
// without either.
type tempCredential struct{ secret, token string }

// Format implements fmt.Formatter without revealing the secret or the token.
func (tempCredential) Format(f fmt.State, _ rune) { fmt.Fprint(f, "{REDACTED}") }

// sessionTokenFlag is --session-token: the token of the --access-key-id before it. Set
// never fails (the flag package would quote the token in its error); Run checks.
type sessionTokenFlag struct{ c *ServeCommand }

func (f sessionTokenFlag) String() string { return "" }

// Set implements flag.Value.
func (f sessionTokenFlag) Set(v string) error {
	f.c.tokens = append(f.c.tokens, keyToken{key: len(f.c.ids) - 1, token: v})
	return nil
}

// keyToken is a --session-token and the index of the --access-key-id before it (-1: none).
type keyToken struct {
	key   int
	token string
}

// localServer is what serve and demo use of a *localserver.Server.
type localServer interface {
	Start() error
	URL() string
	Shutdown(ctx context.Context) error
	// ExportDir is the absolute export directory the server resolved ("": none).
	ExportDir() string
}

// ServeCommand is "cwlogs serve".
type ServeCommand struct {
	m         *Main
	addr      string
	data      string
	memory    bool
	exportDir string
	ids       stringList
	secrets   stringList
	tokens    []keyToken
	credsFile string
	accountID string
	quiet     bool
}

func (c *ServeCommand) flags() *flag.FlagSet {
	fs := newFlagSet("serve")
	fs.StringVar(&c.addr, "addr", DefaultServeAddr, "listen on `HOST:PORT` (port 0: a free port)")
	fs.StringVar(&c.data, "data", "", "keep the database in `DIR` (default: the per-user data directory)")
	fs.BoolVar(&c.memory, "memory", false, "keep everything in memory (lost at exit)")
	fs.StringVar(&c.exportDir, "export-dir", "", "write the objects of export tasks under `DIR` (default: DATA/exports; none with --memory)")
	fs.Var(&c.ids, "access-key-id", "accept the access key `ID` (repeatable; pair with --secret-access-key)")
	fs.Var(&c.secrets, "secret-access-key", "secret `KEY` of the preceding --access-key-id")
	fs.Var(sessionTokenFlag{c}, "session-token", "session `TOKEN` of the preceding --access-key-id: accept that key only with it")
	fs.StringVar(&c.credsFile, "credentials-file", "", "accept the access keys listed in `FILE`")
	fs.StringVar(&c.accountID, "account-id", "", "12-digit account `ID` in ARNs (default 123456789012)")
	fs.BoolVar(&c.quiet, "quiet", false, "log only errors on stderr (no start-up or shutdown lines)")
	return fs
}

// defaultDataDir is the per-user data directory of serve.
func defaultDataDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "cwlogs"), nil
	}
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "cwlogs"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the default --data: %w", err)
	}
	return filepath.Join(home, ".local", "share", "cwlogs"), nil
}

// addFlagKeys adds the --access-key-id keys, each with its --session-token if any, to
// r. Errors name the key, never the secret or the token.
func (c *ServeCommand) addFlagKeys(r *keyRing) error {
	tokens := make([][]string, len(c.ids))
	for _, kt := range c.tokens {
		if kt.key < 0 {
			return fmt.Errorf("--session-token must follow the --access-key-id it belongs to")
		}
		if kt.token == "" {
			return fmt.Errorf("%s: empty --session-token for %s", flagKey(kt.key).where, c.ids[kt.key])
		}
		tokens[kt.key] = append(tokens[kt.key], kt.token)
	}
	for i, id := range c.ids {
		if len(tokens[i]) == 0 {
			tokens[i] = []string{""}
		}
		for _, token := range tokens[i] {
			if err := r.add(id, c.secrets[i], token, flagKey(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run implements the command.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	const name = "serve"
	pos, err := c.m.parseArgs(serveInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		// Not quoted, unlike other commands' stray arguments: one may be a secret or a
		// token whose flag name was left out (--secret-access-key ID SECRET).
		return usagef(name, "%d unexpected argument(s): serve takes none (every value follows its flag)", len(pos))
	}
	if c.memory && c.data != "" {
		return usagef(name, "--memory and --data cannot be combined")
	}
	if len(c.ids) != len(c.secrets) {
		return usagef(name, "%d --access-key-id but %d --secret-access-key: give them in pairs", len(c.ids), len(c.secrets))
	}
	var keys keyRing
	if err := c.addFlagKeys(&keys); err != nil {
		return usagef(name, "%v", err)
	}
	if c.credsFile != "" {
		data, err := os.ReadFile(c.credsFile)
		if err != nil {
			return usagef(name, "--credentials-file: %v", err)
		}
		if err := keys.readCredentialsFile(c.credsFile, string(data)); err != nil {
			return usagef(name, "--credentials-file: %v", err)
		}
	}
	creds, temps := keys.longTerm(), keys.temporary()
	if c.accountID != "" && (len(c.accountID) != 12 || strings.Trim(c.accountID, "0123456789") != "") {
		return usagef(name, "--account-id %q: want 12 digits", c.accountID)
	}
	dataDir := c.data
	if !c.memory && dataDir == "" {
		if dataDir, err = defaultDataDir(c.m.Getenv); err != nil {
			return &configError{err: err}
		}
	}
	if !c.memory {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return fmt.Errorf("cwlogs serve: %w", err)
		}
		if dataDir, err = filepath.Abs(dataDir); err != nil { // the start-up line names it
			return fmt.Errorf("cwlogs serve: %w", err)
		}
	}
	level := slog.LevelInfo
	if c.quiet {
		level = slog.LevelError
	}
	logger := slog.New(slog.NewTextHandler(c.m.Stderr, &slog.HandlerOptions{Level: level}))
	cfg := serverConfig{Addr: c.addr, DataDir: dataDir, ExportDir: c.exportDir, Memory: c.memory, Region: c.m.g.region,
		AccountID: c.accountID, Logger: logger}
	cfg.Credentials, cfg.TemporaryCredentials = creds, temps
	srv, err := newLocalServer(cfg)
	if err != nil {
		if _, ok := err.(*configError); ok {
			return err
		}
		return fmt.Errorf("cwlogs serve: %w", err)
	}
	if err := srv.Start(); err != nil {
		srv.Shutdown(context.Background())
		return fmt.Errorf("cwlogs serve: %w", err)
	}
	fmt.Fprintf(c.m.Stdout, "cwlogs: listening on %s\n", srv.URL())
	storage := "memory"
	if !c.memory {
		storage = filepath.Join(dataDir, "cwlogs.db")
	}
	auth := "any well-formed signature"
	if n := len(creds) + len(temps); n > 0 {
		auth = fmt.Sprintf("%d access key(s), signatures verified", n)
		if len(temps) > 0 {
			auth += fmt.Sprintf(", %d temporary (session token checked)", len(temps))
		}
	}
	exports := srv.ExportDir() // as the server resolved it: absolute
	if exports == "" {
		exports = "none"
	}
	logger.Info("cwlogs serve started", "url", srv.URL(), "storage", storage, "exports", exports, "auth", auth)

	<-ctx.Done()
	logger.Info("cwlogs serve shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("cwlogs serve: shutdown: %w", err)
	}
	return nil
}
