package localserver

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"
)

// Defaults applied to zero Config fields.
const (
	// DefaultAddr is the listen address used when Config.Addr is empty: loopback, free port.
	DefaultAddr = "127.0.0.1:0"
	// DefaultAccountID is the account used in ARNs when Config.AccountID is empty.
	DefaultAccountID = "123456789012"
	// DefaultRetentionSweepInterval is how often expired events are deleted when
	// Config.RetentionSweepInterval is zero.
	DefaultRetentionSweepInterval = time.Minute
	// DefaultMaxRequestBytes is the request body limit used when Config.MaxRequestBytes is
	// zero: 8 MiB. A PutLogEvents batch may carry 1,048,576 bytes of messages, but its JSON
	// encoding is larger: about 45 bytes of framing per event (up to 10,000 events) and up to
	// six bytes per message byte when a client escapes control or non-ASCII characters
	// (\u00XX, as botocore's json.dumps does for non-ASCII). 8 MiB admits every batch AWS
	// would accept from real clients while refusing anything grossly oversized before it
	// is read.
	DefaultMaxRequestBytes = 8 << 20
	// DefaultLiveTailTimeout is how long a Live Tail session (StartLiveTail) lasts when
	// Config.LiveTailTimeout is zero: three hours, as the service's.
	DefaultLiveTailTimeout = 3 * time.Hour
	// DefaultMaxInFlightBytes bounds the request body bytes held at once when
	// Config.MaxInFlightBytes is zero: 64 MiB, eight bodies of DefaultMaxRequestBytes or
	// many thousands of ordinary PutLogEvents batches.
	DefaultMaxInFlightBytes = 64 << 20
)

// Config configures a Server. The zero value of every field has a documented default; only
// DataDir (or Memory) must be set.
type Config struct {
	// Addr is the TCP listen address used by Start. "" means "127.0.0.1:0": loopback and a
	// free port chosen by the kernel (see Server.URL).
	Addr string
	// DataDir is the directory holding the SQLite database (cwlogs.db and its -wal/-shm
	// files) and the segments/ directory of event payloads. It is created if missing.
	// Required unless Memory is set.
	DataDir string
	// Memory keeps everything in an in-memory SQLite database; nothing touches the disk and
	// everything is lost on Shutdown. DataDir is ignored.
	Memory bool
	// FullSync makes every commit fsync the segment file and then the write-ahead log
	// (SQLite synchronous=FULL), so acknowledged events also survive a power loss or kernel
	// crash. The default
	// (synchronous=NORMAL in WAL mode) writes each commit to the operating system before
	// PutLogEvents is answered, which survives the server process being killed (kill -9)
	// at any moment, and fsyncs only at checkpoints.
	FullSync bool
	// Credentials maps access key IDs to secret access keys. When empty (and
	// TemporaryCredentials too), any well-formed SigV4 Authorization header is accepted
	// (as moto and LocalStack do); when set, signatures are verified and unknown keys are
	// refused. An empty key ID or secret is an error (New refuses it). A request signed
	// with one of these keys is accepted with or without an X-Amz-Security-Token, which is
	// not checked: list temporary credentials in TemporaryCredentials instead.
	Credentials Secrets
	// TemporaryCredentials maps the access key IDs of temporary credentials (an STS, SSO
	// or instance-role key: its secret and session token) to their secret and token.
	// Setting it turns verification on, as Credentials does. A request signed with such a
	// key is accepted only if it carries exactly that token (X-Amz-Security-Token header,
	// or query parameter when presigned); a missing or different token is refused as AWS
	// refuses it: HTTP 400 UnrecognizedClientException "The security token included in the
	// request is invalid.". The comparison takes the same time whatever the token sent,
	// and the tokens are never logged. New refuses an empty key ID, secret or token, and
	// a key ID that is also in Credentials. Nil: none.
	TemporaryCredentials TemporaryCredentials
	// Region, when set, is the only region served: a request whose credential scope names
	// another is refused with InvalidSignatureException ("Credential should be scoped to a
	// valid region"), as a regional AWS endpoint refuses it. "" serves every region. ARNs in
	// responses carry the region of the request's credential scope; all regions share one
	// data set.
	Region string
	// AccountID is the 12-digit account in ARNs. "" means "123456789012".
	AccountID string
	// Now returns the current time (ingestion times, retention, signature skew); nil means
	// time.Now.
	Now func() time.Time
	// Logger receives operational messages (one line per failed request, sweeps, errors);
	// nil discards them. Secrets are never logged.
	Logger *slog.Logger
	// RetentionSweepInterval is how often events older than their group's retention are
	// deleted from storage; 0 means one minute. Reads filter expired events regardless.
	RetentionSweepInterval time.Duration
	// MaxRequestBytes caps request bodies; 0 means DefaultMaxRequestBytes (8 MiB). The cap
	// of CreateLookupTable and UpdateLookupTable, whose table may be 10 MB, is at least
	// 32 MiB. A body whose Content-Length exceeds its cap is refused with HTTP 413 without
	// being read; a body without Content-Length is read only up to the cap.
	MaxRequestBytes int64
	// MaxInFlightBytes bounds the request body bytes that requests being served hold at
	// once, so that the server's memory stays bounded however many clients send at once;
	// 0 means DefaultMaxInFlightBytes (64 MiB), a negative value means no bound. A request
	// counts its Content-Length (MaxRequestBytes when it has none), at least 64 KiB (the
	// buffer its body is read into), plus MaxRequestBytes more when its body is
	// gzip-compressed (the decompressed copy), at most MaxInFlightBytes in all, from after
	// its signature's header checks (a request refused by those is answered without its
	// body being read) until it is answered. A request that would exceed the bound waits,
	// in arrival order, until earlier ones are answered, for at most a minute; it is then,
	// or if its context is done first, answered 503 ServiceUnavailableException (which
	// SDKs retry) without its body being read. (net/http does not end the context of a
	// request whose client goes away while its body is unread.) Once its turn comes, its
	// body has the listening http.Server's whole ReadTimeout to arrive. When
	// MaxRequestBytes exceeds MaxInFlightBytes, a request counting more than the bound is
	// served alone but may read up to MaxRequestBytes.
	MaxInFlightBytes int64
	// LiveTailTimeout is how long a Live Tail session (StartLiveTail) lasts before its
	// stream ends with a SessionTimeoutException; 0 (or less) means
	// DefaultLiveTailTimeout (3 hours), as the service's.
	LiveTailTimeout time.Duration

	// ExportDir stands for Amazon S3: it is where export tasks (CreateExportTask) write
	// their objects and scheduled queries (CreateScheduledQuery) the results of their
	// runs, laid out as the S3 keys AWS would write. The bucket named by a destination is
	// the directory ExportDir/BUCKET, which must exist, as the bucket must, and each
	// object is the file at its key's path beneath it: an export's
	// ExportDir/BUCKET/exportedlogs/TASKID/STREAM/000000.gz, a scheduled query run's
	// ExportDir/BUCKET/[PREFIX/]QUERYID/RUNID.json. A missing bucket directory is refused
	// as AWS refuses the bucket: CreateExportTask with InvalidParameterException "The
	// given bucket does not exist. Please make sure the bucket is valid."; a scheduled
	// query's run records its destination CLIENT_ERROR "The specified bucket does not
	// exist" (its results are not written). Nothing is written outside ExportDir: keys
	// never hold "..", absolute paths or empty segments, and a symbolic link leading out
	// of ExportDir is not followed (the write fails). Objects are written to
	// ExportDir/.cwlogs-tmp first and renamed into place, so the bucket directories must
	// be on the same file system. "" means DataDir/exports; with Memory (no data
	// directory) "" means no exports and no results: CreateExportTask is refused with
	// InvalidParameterException and a CreateScheduledQuery or UpdateScheduledQuery with a
	// destinationConfiguration with ValidationException, while an ExportDir that is set
	// is used in Memory mode too.
	ExportDir string

	// QueryTimeout is how long a Logs Insights query (StartQuery) may run, measured on
	// the wall clock from StartQuery (not with Now); one running longer ends with status
	// Timeout and keeps the rows and statistics it had found, as the service's do. 0
	// means DefaultQueryTimeout (60 minutes); a negative value means no limit.
	QueryTimeout time.Duration
}

// Secrets maps access key IDs to secret access keys. It prints (with any fmt
// verb, and so in slog and %+v of a Config) and encodes to JSON as its size only.
type Secrets map[string]string

// Format implements fmt.Formatter without revealing the secrets.
func (s Secrets) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "localserver.Secrets{%d keys}", len(s)) }

// LogValue implements slog.LogValuer without revealing the secrets (a JSON handler would
// otherwise print the map).
func (s Secrets) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

// MarshalJSON implements json.Marshaler without revealing the secrets (loggers that
// encode their arguments with encoding/json would otherwise print the map).
func (s Secrets) MarshalJSON() ([]byte, error) { return redactedJSON(s) }

// redactedJSON is the JSON string of v's fmt form (its redacted Format).
func redactedJSON(v fmt.Formatter) ([]byte, error) { return json.Marshal(fmt.Sprint(v)) }

// TemporaryCredential is the secret access key and the session token of a temporary
// access key (see Config.TemporaryCredentials). It prints, with any fmt verb and in slog,
// and encodes to JSON, without either.
type TemporaryCredential struct {
	SecretAccessKey string
	SessionToken    string
}

// Format implements fmt.Formatter without revealing the secret or the token.
func (TemporaryCredential) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, "localserver.TemporaryCredential{REDACTED}")
}

// LogValue implements slog.LogValuer without revealing the secret or the token.
func (c TemporaryCredential) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// MarshalJSON implements json.Marshaler without revealing the secret or the token.
func (c TemporaryCredential) MarshalJSON() ([]byte, error) { return redactedJSON(c) }

// TemporaryCredentials maps the access key IDs of temporary credentials to their secret
// and session token. It prints (with any fmt verb, in slog, and so in %+v of a Config) and
// encodes to JSON as its size only.
type TemporaryCredentials map[string]TemporaryCredential

// Format implements fmt.Formatter without revealing the secrets or the tokens.
func (t TemporaryCredentials) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "localserver.TemporaryCredentials{%d keys}", len(t))
}

// LogValue implements slog.LogValuer without revealing the secrets or the tokens.
func (t TemporaryCredentials) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(t)) }

// MarshalJSON implements json.Marshaler without revealing the secrets or the tokens.
func (t TemporaryCredentials) MarshalJSON() ([]byte, error) { return redactedJSON(t) }

func (c *Config) withDefaults() Config {
	out := *c
	if out.Addr == "" {
		out.Addr = DefaultAddr
	}
	if out.AccountID == "" {
		out.AccountID = DefaultAccountID
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	if out.RetentionSweepInterval <= 0 {
		out.RetentionSweepInterval = DefaultRetentionSweepInterval
	}
	if out.MaxRequestBytes <= 0 {
		out.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if out.LiveTailTimeout <= 0 {
		out.LiveTailTimeout = DefaultLiveTailTimeout
	}
	if out.ExportDir == "" && !out.Memory && out.DataDir != "" {
		out.ExportDir = filepath.Join(out.DataDir, "exports")
	}
	if out.ExportDir != "" {
		if abs, err := filepath.Abs(out.ExportDir); err == nil {
			out.ExportDir = abs // exports outlive a change of working directory
		}
	}
	if out.MaxInFlightBytes == 0 {
		out.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	return out
}
