// Package localserver is a local Amazon CloudWatch Logs endpoint: it serves the service's AWS
// JSON 1.1 protocol over HTTP with the service's shapes, limits, errors and pagination
// tokens, and keeps events durably: metadata and the chunk index in an embedded SQLite
// database (modernc.org/sqlite, pure Go, WAL mode), event payloads in append-only segment
// files beside it.
//
// Durability: a PutLogEvents request's packed events are written to a segment file (one
// write) before the SQLite row indexing them commits, and the request is answered only after
// that commit has reached the operating system (synchronous=NORMAL in WAL mode); concurrent
// requests share one commit (group commit). Killing the server process at any moment loses
// no acknowledged event, and on start each segment is truncated to its committed end, so a
// half-written batch is never visible. Set Config.FullSync to also survive power loss.
//
// Authentication: every request must carry a SigV4 signature, in its Authorization header or
// (presigned) its query string. Without configured credentials any well-formed signature is
// accepted; with credentials the signature is verified against the received Host header and
// body (see Config.Credentials), and temporary keys only with their session token (see
// Config.TemporaryCredentials). What the headers alone show (no signature, a malformed one,
// an unknown key or token, another region or service, a time outside the skew window) is
// refused before the body is read.
//
// Resources: request bodies are read up to Config.MaxRequestBytes each and
// Config.MaxInFlightBytes in all (further requests wait, at most a minute, then get 503
// ServiceUnavailableException, which SDKs retry); Start's listener drops clients that are
// slow to send their headers or body, or idle, and refuses oversized headers.
//
// Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries and GetLogRecord
// run queries of the Logs Insights query language (package
// [github.com/cwlogs/cwlogs/localserver/insights]) over the stored events, in the
// background. While a query runs, GetQueryResults answers its statistics and its answer
// so far (partial results); a query running longer than Config.QueryTimeout (60 minutes by
// default) ends with status Timeout, keeping what it found. Queries live in memory only;
// Shutdown cancels the running ones (they end Cancelled) and waits for them. Saved queries (PutQueryDefinition,
// DescribeQueryDefinitions, DeleteQueryDefinition) are stored with the other metadata, and
// GetLogGroupFields lists the fields found in a group's events around a time;
// ListLogGroupsForQuery lists the log groups a query read.
//
// Data sources: a log group's data source is the one its tags cw:datasource:name and
// cw:datasource:type name, as the service's custom data sources are; ListLogGroups
// filters by it, ListAggregateLogGroupSummaries counts the groups of each and
// GetLogFields lists the typed fields of their events. PutBearerTokenAuthentication
// stores a group's flag, which DescribeLogGroups shows; this server has no HTTP ingestion
// endpoint for it to open.
//
// Lookup tables (CreateLookupTable, GetLookupTable, UpdateLookupTable, DeleteLookupTable,
// DescribeLookupTables; tagged by their ARN) are stored with the other metadata; the Logs
// Insights lookup command joins them to events, each query reading its tables as they are
// when it starts.
//
// Destinations of cross-account subscriptions (PutDestination, PutDestinationPolicy,
// DescribeDestinations, DeleteDestination; tagged by their ARN) are stored with the other
// metadata; as with subscription filters, nothing is ever delivered to them.
//
// Export tasks (CreateExportTask, DescribeExportTasks, CancelExportTask) run in the
// background, one at a time, and write each object of the "S3 bucket" to a file under
// Config.ExportDir (DataDir/exports by default, none without a data directory): the
// bucket is the directory ExportDir/BUCKET, which must exist, and each object the file at
// its key, gzip-compressed as AWS writes it, renamed into place once whole. Shutdown
// stops a running task, which ends FAILED; one left running by a killed server is FAILED
// when the server restarts.
//
// The delivery APIs of vended logs (delivery sources, delivery destinations and their
// policies, deliveries; tagged by their ARNs) are stored with the other metadata, with the
// model's ValidationException, ConflictException and ResourceNotFoundException rules; as
// for destinations, nothing is ever delivered.
//
// Data protection, account and index policies (PutDataProtectionPolicy,
// GetDataProtectionPolicy, DeleteDataProtectionPolicy, PutAccountPolicy,
// DescribeAccountPolicies, DeleteAccountPolicy, PutIndexPolicy, DescribeIndexPolicies,
// DeleteIndexPolicy) are stored with the other metadata. Events are kept as sent and masked
// when read, by the group's and the account's data protection policies that were in force
// when they were ingested: GetLogEvents, FilterLogEvents and GetLogRecord mask unless asked
// to unmask, Logs Insights results unless the query calls unmask(@message), Live Tail and
// export objects always; filter patterns match the text returned. Matches of custom data
// identifiers, EmailAddress and IpAddress are masked, one '*' a character; the other
// managed identifiers mask nothing. DescribeFieldIndexes scans the stored events for the indexed fields; the other
// account policies are kept and never applied.
//
// Log transformers (PutTransformer, GetTransformer, DeleteTransformer, TestTransformer;
// package [github.com/cwlogs/cwlogs/localserver/transform]) are stored with every
// configuration a group had; Logs Insights (StartQuery, GetLogRecord, scheduled queries'
// runs) and GetLogGroupFields read each event as the transformer in force when it was
// ingested made it, then masked. The other reads see events as sent. Unsupported
// processors are refused by name.
//
// Scheduled queries (CreateScheduledQuery, GetScheduledQuery, UpdateScheduledQuery,
// DeleteScheduledQuery, ListScheduledQueries, GetScheduledQueryHistory; tagged by their
// ARN) are stored with the other metadata and run: one goroutine runs each ENABLED query
// when its schedule (package [github.com/cwlogs/cwlogs/localserver/schedule], read in the
// query's time zone, by Config.Now) says, over its window of events, writes the results
// of a successful run as a JSON object to its S3 destination under Config.ExportDir (as
// export tasks write theirs) and records the run in the query's history. Shutdown stops
// a run in flight, which ends Failed; one left running by a killed server is Failed when
// the server restarts.
//
// Log anomaly detectors (CreateLogAnomalyDetector, GetLogAnomalyDetector,
// UpdateLogAnomalyDetector, DeleteLogAnomalyDetector, ListLogAnomalyDetectors; tagged by
// their ARN) are stored with the other metadata and evaluated: one goroutine evaluates each
// enabled detector every evaluationFrequency (by Config.Now) over the events ingested into
// its log group since its last evaluation, clusters them into patterns (package
// [github.com/cwlogs/cwlogs/localserver/patterns]) and, once trained, reports patterns
// never seen before and counts far above a pattern's history as anomalies (ListAnomalies),
// which UpdateAnomaly suppresses or makes baseline. Shutdown abandons an evaluation in
// flight; the next server makes it again.
//
// Live Tail: StartLiveTail answers with an AWS event stream (package
// internal/eventstream) of the events PutLogEvents commits to the listed log groups (by
// ARN), one sessionUpdate a second of at most 500 events, sampled when more matched. A
// session ends when its client closes it, after Config.LiveTailTimeout (3 hours by
// default) with a SessionTimeoutException, or on Shutdown with a
// SessionStreamingException; at most 15 are open at once.
package localserver

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

const (
	targetPrefix    = "Logs_20140328."
	contentTypeJSON = "application/x-amz-json-1.1"
	signingName     = "logs" // the service a credential scope must name
)

// Limits of the listener Start opens (variables for tests).
var (
	// requestReadTimeout bounds reading one request, headers and body, so that a
	// client that stalls mid-body does not hold a goroutine and a buffer for
	// ever. An 8 MiB body needs 140 KB/s to arrive in time.
	requestReadTimeout = time.Minute
	// requestHeaderTimeout bounds reading a request's headers: SDKs send them at once,
	// a client trickling them (slowloris) holds a connection for at most this long.
	requestHeaderTimeout = 10 * time.Second
	// idleTimeout closes a kept-alive connection with no request for this long. It is
	// longer than the idle timeout of Go's HTTP client (90 s), so that such clients close
	// first: a POST on a connection the server has just closed is not retried by them.
	idleTimeout = 2 * time.Minute
	// maxHeaderBytes bounds a request's headers (net/http answers 431 beyond it). A SigV4
	// request's are well under 8 KiB, a session token included (STS's are about 1-2 KiB).
	maxHeaderBytes = 64 << 10
	// budgetWaitTimeout bounds how long a request waits for in-flight body bytes
	// (Config.MaxInFlightBytes) before it is answered 503: net/http does not notice a
	// client going away while its request's body is unread, so the wait must end by
	// itself.
	budgetWaitTimeout = time.Minute
)

// bodyBufSize is the capacity of a new request body buffer, and so the least a request
// counts of the in-flight budget: a request with a tiny body still holds such a buffer.
const bodyBufSize = 64 << 10

// keepAliveRefusedBytes is the largest announced body of a request refused from its
// headers whose connection is kept (net/http discards the body first); a larger one, or
// one of unknown length, is answered at once and its connection closed.
const keepAliveRefusedBytes = 64 << 10

// Server is a local CloudWatch Logs endpoint. Create it with New; it is an http.Handler and
// can also listen by itself (Start).
type Server struct {
	cfg      Config
	st       *store
	verifier *sigv4.Verifier

	mu       sync.Mutex
	httpSrv  *http.Server
	ln       net.Listener
	stopOnce sync.Once
	stop     chan struct{}
	sweepWG  sync.WaitGroup
	// queryCtx is the parent of every Logs Insights query's context; Shutdown cancels
	// it (stopQueries) right after closing stop.
	queryCtx    context.Context
	stopQueries context.CancelFunc

	budget      *byteBudget // nil: no bound (Config.MaxInFlightBytes < 0)
	bodyPool    sync.Pool   // *[]byte of capacity bodyBufSize at most
	bigBodyPool sync.Pool   // *[]byte of capacity over bodyBufSize
	evPool      sync.Pool   // *[]putEvent

	scanBudget int64 // FilterLogEvents scan budget override (tests); 0: default

	queryReg queryRegistry // Logs Insights queries (ops_insights.go)
	dp       dpState       // data protection policies for reads (dataprotection_mask.go)
	tf       tfState       // log transformers for reads (ops_transformers.go)
	tails    tailRegistry  // Live Tail sessions (ops_livetail.go)
	tailTick time.Duration // Live Tail update interval override (tests); 0: liveTailTick

	exports exportRegistry // export tasks (ops_export.go)
	sched   schedRunner    // scheduled queries' runner (ops_scheduledqueries_run.go)
	anom    schedRunner    // log anomaly detectors' runner (ops_anomaly_run.go)
}

// New opens (creating and migrating if needed) the store and returns a Server ready to serve.
// The retention sweeper starts immediately; call Shutdown to stop it and close the store.
func New(cfg Config) (*Server, error) {
	c := cfg.withDefaults()
	if !c.Memory && c.DataDir == "" {
		return nil, errors.New("localserver: Config.DataDir is required unless Config.Memory is set")
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		return nil, fmt.Errorf("localserver: Config.AccountID %q must be 12 digits", c.AccountID)
	}
	creds, tokens, err := credentialsOf(&c)
	if err != nil {
		return nil, err
	}
	st, err := openStore(&c)
	if err != nil {
		return nil, err
	}
	// Kept only in the verifier's closures: printing a Server must not show them.
	c.Credentials, c.TemporaryCredentials = nil, nil
	s := &Server{cfg: c, st: st, stop: make(chan struct{})}
	if err := s.loadDataProtectionAtStart(context.Background()); err != nil {
		st.close()
		return nil, fmt.Errorf("localserver: reading the data protection policies: %w", err)
	}
	if err := s.loadTransformersAtStart(context.Background()); err != nil {
		st.close()
		return nil, fmt.Errorf("localserver: reading the log transformers: %w", err)
	}
	s.queryCtx, s.stopQueries = context.WithCancel(context.Background())
	if c.MaxInFlightBytes > 0 {
		s.budget = newByteBudget(c.MaxInFlightBytes)
		s.budget.maxWait = budgetWaitTimeout
	}
	// X-Amz-Target chooses the operation: a signature that does not cover it would let
	// anyone who has seen a signed request run another operation with it.
	s.verifier = &sigv4.Verifier{Now: c.Now, Service: signingName, Region: c.Region, RequireSigned: []string{"x-amz-target"}}
	if len(creds) > 0 {
		s.verifier.Credentials = func(id string) (string, bool) {
			secret, ok := creds[id]
			return secret, ok
		}
	}
	if len(tokens) > 0 {
		s.verifier.SessionToken = func(id string) (string, bool) {
			token, ok := tokens[id]
			return token, ok
		}
	}
	s.sweepWG.Add(1)
	go s.sweeper()
	if err := s.startScheduler(); err != nil {
		s.Shutdown(context.Background())
		return nil, fmt.Errorf("localserver: starting the scheduled queries: %w", err)
	}
	s.startAnomalyRunner()
	return s, nil
}

// credentialsOf checks c's Credentials and TemporaryCredentials and returns copies: every
// key's secret, and the session tokens of the temporary ones.
func credentialsOf(c *Config) (creds, tokens map[string]string, err error) {
	creds = make(map[string]string, len(c.Credentials)+len(c.TemporaryCredentials))
	for id, secret := range c.Credentials {
		// An empty secret would let anyone who knows the key ID sign as its holder.
		switch {
		case id == "":
			return nil, nil, errors.New("localserver: Config.Credentials: empty access key ID")
		case secret == "":
			return nil, nil, fmt.Errorf("localserver: Config.Credentials: empty secret access key for %q", id)
		}
		creds[id] = secret
	}
	tokens = make(map[string]string, len(c.TemporaryCredentials))
	for id, tc := range c.TemporaryCredentials {
		switch {
		case id == "":
			return nil, nil, errors.New("localserver: Config.TemporaryCredentials: empty access key ID")
		case tc.SecretAccessKey == "":
			return nil, nil, fmt.Errorf("localserver: Config.TemporaryCredentials: empty secret access key for %q", id)
		case tc.SessionToken == "":
			return nil, nil, fmt.Errorf("localserver: Config.TemporaryCredentials: empty session token for %q", id)
		}
		if _, dup := creds[id]; dup {
			return nil, nil, fmt.Errorf("localserver: access key ID %q is in both Config.Credentials and Config.TemporaryCredentials", id)
		}
		creds[id], tokens[id] = tc.SecretAccessKey, tc.SessionToken
	}
	return creds, tokens, nil
}

// Start listens on Config.Addr and serves in the background. URL reports the address.
// The listener bounds how long a client may take to send a request's headers (10 s) and
// whole request (1 min; for a request that waited for in-flight bytes, its body has 1 min
// from the end of the wait), how long a kept-alive connection may stay idle (2 min), and the
// size of a request's headers (64 KiB; 431 beyond).
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("localserver: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("localserver: listen on %q: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: requestHeaderTimeout,
		ReadTimeout:       requestReadTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("serve", "err", err)
		}
	}()
	return nil
}

// URL is "http://HOST:PORT" of the listener after Start, or "" before.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// ExportDir is the absolute directory export tasks and scheduled queries write their
// objects under (Config.ExportDir as resolved by New), or "" when there is none.
func (s *Server) ExportDir() string { return s.cfg.ExportDir }

// Shutdown stops accepting connections, waits for in-flight requests (until ctx is done),
// cancels the running Logs Insights queries (they end Cancelled), export tasks (they
// end FAILED), scheduled query runs (they end Failed) and anomaly detector evaluations
// (abandoned) and waits for them, stops the retention sweeper and closes the store (checkpointing the WAL). StartQuery is then
// answered ServiceUnavailableException.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	// Live Tail sessions end first: their requests would otherwise hold hs.Shutdown.
	s.tails.close()
	s.mu.Lock()
	hs := s.httpSrv
	s.mu.Unlock()
	if hs != nil {
		err = hs.Shutdown(ctx)
	}
	s.stopOnce.Do(func() {
		// Under the query registry's lock: StartQuery adds to sweepWG under it, having
		// checked s.stop, so no query can be added to sweepWG once Wait may run. The
		// queries are cancelled after s.stop closes: one that sees its context end by
		// this cancel also sees s.stopping() (it ends Cancelled, not Failed).
		reg := s.queries()
		reg.mu.Lock()
		close(s.stop)
		s.stopQueries()
		reg.mu.Unlock()
	})
	s.sweepWG.Wait()
	s.st.wmu.Lock()
	cerr := s.st.close()
	s.st.wmu.Unlock()
	return errors.Join(err, cerr)
}

// reqCtx carries per-request state to operation handlers.
type reqCtx struct {
	ctx    context.Context
	body   []byte
	region string
	now    time.Time
}

type opFunc func(s *Server, rc *reqCtx) ([]byte, *apiError)

var operations map[string]opFunc

func init() {
	operations = map[string]opFunc{
		"CreateLogGroup":                (*Server).createLogGroup,
		"CreateLogStream":               (*Server).createLogStream,
		"DeleteLogGroup":                (*Server).deleteLogGroup,
		"DeleteLogStream":               (*Server).deleteLogStream,
		"PutLogEvents":                  (*Server).putLogEvents,
		"DescribeLogGroups":             (*Server).describeLogGroups,
		"DescribeLogStreams":            (*Server).describeLogStreams,
		"GetLogEvents":                  (*Server).getLogEvents,
		"FilterLogEvents":               (*Server).filterLogEvents,
		"PutRetentionPolicy":            (*Server).putRetentionPolicy,
		"DeleteRetentionPolicy":         (*Server).deleteRetentionPolicy,
		"PutLogGroupDeletionProtection": (*Server).putLogGroupDeletionProtection,
		"TagResource":                   (*Server).tagResource,
		"UntagResource":                 (*Server).untagResource,
		"ListTagsForResource":           (*Server).listTagsForResource,
		"TagLogGroup":                   (*Server).tagLogGroup,
		"UntagLogGroup":                 (*Server).untagLogGroup,
		"ListTagsLogGroup":              (*Server).listTagsLogGroup,
		"PutMetricFilter":               (*Server).putMetricFilter,
		"DescribeMetricFilters":         (*Server).describeMetricFilters,
		"DeleteMetricFilter":            (*Server).deleteMetricFilter,
		"TestMetricFilter":              (*Server).testMetricFilter,
		"PutSubscriptionFilter":         (*Server).putSubscriptionFilter,
		"DescribeSubscriptionFilters":   (*Server).describeSubscriptionFilters,
		"DeleteSubscriptionFilter":      (*Server).deleteSubscriptionFilter,
		"AssociateKmsKey":               (*Server).associateKmsKey,
		"DisassociateKmsKey":            (*Server).disassociateKmsKey,
		"ListLogGroups":                 (*Server).listLogGroups,
		"PutResourcePolicy":             (*Server).putResourcePolicy,
		"DescribeResourcePolicies":      (*Server).describeResourcePolicies,
		"DeleteResourcePolicy":          (*Server).deleteResourcePolicy,
		"StartQuery":                    (*Server).startQuery,
		"GetQueryResults":               (*Server).getQueryResults,
		"StopQuery":                     (*Server).stopQuery,
		"DescribeQueries":               (*Server).describeQueries,
		"GetLogRecord":                  (*Server).getLogRecord,
		"PutQueryDefinition":            (*Server).putQueryDefinition,
		"DescribeQueryDefinitions":      (*Server).describeQueryDefinitions,
		"DeleteQueryDefinition":         (*Server).deleteQueryDefinition,
		"GetLogGroupFields":             (*Server).getLogGroupFields,
		"ListLogGroupsForQuery":         (*Server).listLogGroupsForQuery,
		"PutDestination":                (*Server).putDestination,
		"PutDestinationPolicy":          (*Server).putDestinationPolicy,
		"DescribeDestinations":          (*Server).describeDestinations,
		"DeleteDestination":             (*Server).deleteDestination,
		"CreateLookupTable":             (*Server).createLookupTable,
		"GetLookupTable":                (*Server).getLookupTable,
		"UpdateLookupTable":             (*Server).updateLookupTable,
		"DeleteLookupTable":             (*Server).deleteLookupTable,
		"DescribeLookupTables":          (*Server).describeLookupTables,
		"CreateExportTask":              (*Server).createExportTask,
		"DescribeExportTasks":           (*Server).describeExportTasks,
		"CancelExportTask":              (*Server).cancelExportTask,

		// The delivery APIs (ops_delivery*.go).
		"PutDeliverySource":               (*Server).putDeliverySource,
		"GetDeliverySource":               (*Server).getDeliverySource,
		"DescribeDeliverySources":         (*Server).describeDeliverySources,
		"DeleteDeliverySource":            (*Server).deleteDeliverySource,
		"PutDeliveryDestination":          (*Server).putDeliveryDestination,
		"GetDeliveryDestination":          (*Server).getDeliveryDestination,
		"DescribeDeliveryDestinations":    (*Server).describeDeliveryDestinations,
		"DeleteDeliveryDestination":       (*Server).deleteDeliveryDestination,
		"PutDeliveryDestinationPolicy":    (*Server).putDeliveryDestinationPolicy,
		"GetDeliveryDestinationPolicy":    (*Server).getDeliveryDestinationPolicy,
		"DeleteDeliveryDestinationPolicy": (*Server).deleteDeliveryDestinationPolicy,
		"CreateDelivery":                  (*Server).createDelivery,
		"GetDelivery":                     (*Server).getDelivery,
		"DescribeDeliveries":              (*Server).describeDeliveries,
		"DeleteDelivery":                  (*Server).deleteDelivery,
		"UpdateDeliveryConfiguration":     (*Server).updateDeliveryConfiguration,

		// Data protection, account and index policies (ops_dataprotection.go,
		// ops_accountpolicies.go, ops_indexpolicies.go).
		"PutDataProtectionPolicy":    (*Server).putDataProtectionPolicy,
		"GetDataProtectionPolicy":    (*Server).getDataProtectionPolicy,
		"DeleteDataProtectionPolicy": (*Server).deleteDataProtectionPolicy,
		"PutAccountPolicy":           (*Server).putAccountPolicy,
		"DescribeAccountPolicies":    (*Server).describeAccountPolicies,
		"DeleteAccountPolicy":        (*Server).deleteAccountPolicy,
		"PutIndexPolicy":             (*Server).putIndexPolicy,
		"DescribeIndexPolicies":      (*Server).describeIndexPolicies,
		"DeleteIndexPolicy":          (*Server).deleteIndexPolicy,
		"DescribeFieldIndexes":       (*Server).describeFieldIndexes,

		// Log transformers (ops_transformers.go).
		"PutTransformer":    (*Server).putTransformer,
		"GetTransformer":    (*Server).getTransformer,
		"DeleteTransformer": (*Server).deleteTransformer,
		"TestTransformer":   (*Server).testTransformer,

		// Scheduled queries (ops_scheduledqueries*.go).
		"CreateScheduledQuery":     (*Server).createScheduledQuery,
		"GetScheduledQuery":        (*Server).getScheduledQuery,
		"UpdateScheduledQuery":     (*Server).updateScheduledQuery,
		"DeleteScheduledQuery":     (*Server).deleteScheduledQuery,
		"ListScheduledQueries":     (*Server).listScheduledQueries,
		"GetScheduledQueryHistory": (*Server).getScheduledQueryHistory,

		// Log anomaly detectors and their anomalies (ops_anomaly*.go).
		"CreateLogAnomalyDetector": (*Server).createLogAnomalyDetector,
		"GetLogAnomalyDetector":    (*Server).getLogAnomalyDetector,
		"UpdateLogAnomalyDetector": (*Server).updateLogAnomalyDetector,
		"DeleteLogAnomalyDetector": (*Server).deleteLogAnomalyDetector,
		"ListLogAnomalyDetectors":  (*Server).listLogAnomalyDetectors,
		"ListAnomalies":            (*Server).listAnomalies,
		"UpdateAnomaly":            (*Server).updateAnomaly,

		// Bearer token authentication and data sources (ops_bearertoken.go,
		// ops_aggregatesummaries.go, ops_logfields.go).
		"PutBearerTokenAuthentication":   (*Server).putBearerTokenAuthentication,
		"ListAggregateLogGroupSummaries": (*Server).listAggregateLogGroupSummaries,
		"GetLogFields":                   (*Server).getLogFields,
	}
}

// ServeHTTP answers one request: GET /health, or a CloudWatch Logs operation (POST with
// X-Amz-Target: Logs_20140328.<Operation>).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if stream := s.serve(w, r); stream != nil {
		// A streamed answer (StartLiveTail) runs once serve has released the request's
		// body buffers and in-flight bytes.
		stream(w, r)
	}
}

// serve answers a request, or returns the function that streams its answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (stream func(w http.ResponseWriter, r *http.Request)) {
	reqID := newRequestID()
	h := w.Header()
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	if r.Header.Get("Origin") != "" {
		// CORS, as the service allows it (aws-sdk-js lists CloudWatch Logs among the
		// services usable from a browser): any origin; a preflight is answered without
		// authentication, and the answers' headers are readable by the page.
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, Date")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
				h.Set("Access-Control-Allow-Headers", v)
			}
			h.Set("Access-Control-Max-Age", "172800")
			h.Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	if r.URL.Path == "/health" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"status":"ok"}`)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, targetPrefix)
	if r.Method != http.MethodPost {
		closeIfBodyLarge(h, r)
		s.writeError(w, op, clientErr(codeUnknownOperation, fmt.Sprintf("Method %s is not supported; operations are POST requests.", r.Method)))
		return
	}
	limit := s.bodyLimit(op)
	if r.ContentLength > limit {
		closeIfBodyLarge(h, r)
		s.writeError(w, op, tooLarge(r.ContentLength, limit))
		return
	}
	// What the headers alone refuse is refused before the body is read: a client without
	// a valid key cannot make the server read (and hold) a body.
	checked, verr := s.verifier.CheckHeaders(r)
	if verr != nil {
		closeIfBodyLarge(h, r)
		s.writeVerifyError(w, op, verr)
		return
	}
	gzipped := isGzip(r.Header.Get("Content-Encoding"))
	// The bytes the body takes: at least the buffer it is read into.
	share := r.ContentLength
	if share < 0 {
		share = limit
	}
	share = max(share, bodyBufSize)
	if s.budget != nil {
		n := share
		if gzipped {
			n += limit // the decompressed copy
		}
		waited, err := s.budget.acquireWait(r.Context(), n)
		if err != nil {
			h.Set("Connection", "close") // do not read its body
			msg := "The request was abandoned while it waited for the server's in-flight body bytes (Config.MaxInFlightBytes)."
			if errors.Is(err, errBudgetWait) {
				msg = fmt.Sprintf("The server is busy: the request waited %s for in-flight body bytes (Config.MaxInFlightBytes). Retry later.", s.budget.maxWait)
			}
			s.writeError(w, op, &apiError{Status: http.StatusServiceUnavailable, Code: codeServiceUnavailable, Message: msg})
			return
		}
		defer s.budget.release(n)
		if waited {
			// The read deadline net/http set when the headers arrived has run while the
			// request waited: give the body the server's whole ReadTimeout from now.
			if hs, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && hs.ReadTimeout > 0 {
				_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(hs.ReadTimeout))
			}
		}
	}
	bufp := s.getBody(share)
	defer s.putBody(bufp)
	body, err := readBody(r.Body, *bufp, limit)
	*bufp = body[:0]
	if err != nil {
		// The rest of the body, if any, is not read: net/http would read (and discard)
		// up to 256 KiB more before answering.
		h.Set("Connection", "close")
		if errors.Is(err, errBodyTooLarge) {
			s.writeError(w, op, tooLarge(-1, limit))
			return
		}
		s.writeError(w, op, clientErr(codeSerialization, "Could not read the request body."))
		return
	}

	id, verr := s.verifier.VerifyBody(r, checked, body)
	if verr != nil {
		s.writeVerifyError(w, op, verr)
		return
	}
	if target == "" {
		s.writeError(w, "", clientErr(codeUnknownOperation, "Missing X-Amz-Target header; expected Logs_20140328.<Operation>."))
		return
	}
	fn, sfn := operations[op], streamOperations[op]
	if (fn == nil && sfn == nil) || !strings.HasPrefix(target, targetPrefix) {
		s.writeError(w, op, clientErr(codeUnknownOperation, fmt.Sprintf("Unknown operation %q.", target)))
		return
	}
	if gzipped {
		// The service takes gzip-compressed bodies: the CloudWatch agent and the
		// OpenTelemetry Collector send PutLogEvents so. The signature is over the bytes
		// sent, so decompression comes after verification.
		zbufp := s.getBody(limit)
		defer s.putBody(zbufp)
		var aerr *apiError
		body, aerr = gunzip(body, *zbufp, limit)
		if body != nil {
			*zbufp = body[:0]
		}
		if aerr != nil {
			s.writeError(w, op, aerr)
			return
		}
	}
	rc := &reqCtx{ctx: r.Context(), body: body, region: id.Region, now: s.cfg.Now()}
	if sfn != nil {
		stream, aerr := sfn(s, rc)
		if aerr != nil {
			s.writeError(w, op, aerr)
			return nil
		}
		return stream
	}
	out, aerr := fn(s, rc)
	if aerr != nil {
		s.writeError(w, op, aerr)
		return
	}
	if out == nil {
		out = []byte("{}")
	}
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", fmt.Sprint(len(out)))
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	return nil
}

// closeIfBodyLarge marks the answer to a request refused before its body is read to close
// the connection when the body is large or of unknown length: net/http would otherwise
// read (and discard) up to 256 KiB of it, as slowly as the client sends it, before
// writing the answer. A small body is read so, to keep the connection for the client's
// next request.
func closeIfBodyLarge(h http.Header, r *http.Request) {
	if r.ContentLength < 0 || r.ContentLength > keepAliveRefusedBytes {
		h.Set("Connection", "close")
	}
}

// writeVerifyError answers a request whose signature the verifier refused.
func (s *Server) writeVerifyError(w http.ResponseWriter, op string, verr error) {
	var ve *sigv4.VerifyError
	if errors.As(verr, &ve) {
		s.writeError(w, op, clientErr(ve.Code, ve.Message))
	} else {
		s.writeError(w, op, clientErr(sigv4.CodeIncompleteSignature, "The request signature is malformed."))
	}
}

func tooLarge(n, limit int64) *apiError {
	msg := fmt.Sprintf("Request body exceeds the limit of %d bytes.", limit)
	if n >= 0 {
		msg = fmt.Sprintf("Request body of %d bytes exceeds the limit of %d bytes.", n, limit)
	}
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeRequestEntityTooLarge, Message: msg}
}

func (s *Server) writeError(w http.ResponseWriter, op string, e *apiError) {
	body := e.body()
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("X-Amzn-Errortype", e.Code)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if e.Status >= 500 {
		s.cfg.Logger.Error("request failed", "op", op, "code", e.Code, "status", e.Status)
	} else {
		s.cfg.Logger.Debug("request refused", "op", op, "code", e.Code, "status", e.Status, "message", e.Message)
	}
	w.WriteHeader(e.Status)
	w.Write(body)
}

var errBodyTooLarge = errors.New("request body too large")

// getBody returns an empty buffer for a body counted as n bytes of the in-flight budget
// (see ServeHTTP): a pooled one of at most 2n (or bodyBufSize) bytes, else a new one of
// bodyBufSize bytes, grown as the body is read. A pooled buffer much larger than n is let
// go: held by a request that counts little, it would escape the budget.
func (s *Server) getBody(n int64) *[]byte {
	if n <= bodyBufSize {
		if p, ok := s.bodyPool.Get().(*[]byte); ok {
			return p
		}
	} else if p, ok := s.bigBodyPool.Get().(*[]byte); ok && int64(cap(*p)) <= 2*n {
		return p
	}
	b := make([]byte, 0, bodyBufSize)
	return &b
}

// putBody returns a buffer of getBody to its pool.
func (s *Server) putBody(p *[]byte) {
	*p = (*p)[:0]
	if cap(*p) <= bodyBufSize {
		s.bodyPool.Put(p)
	} else {
		s.bigBodyPool.Put(p)
	}
}

// bodyLimit is the body size limit of a request for operation op: Config.MaxRequestBytes,
// or for CreateLookupTable and UpdateLookupTable at least lookupTableRequestBytes, since
// their tableBody alone may be 10 MB.
func (s *Server) bodyLimit(op string) int64 {
	if op == "CreateLookupTable" || op == "UpdateLookupTable" {
		return max(s.cfg.MaxRequestBytes, lookupTableRequestBytes)
	}
	return s.cfg.MaxRequestBytes
}

// lookupTableRequestBytes is the smallest body limit of CreateLookupTable and
// UpdateLookupTable: 32 MiB, room for a 10 MB tableBody whose JSON encoding doubles it
// (quotes and line ends escaped; non-ASCII text as \uXXXX, as botocore sends it, costs
// 2–3 bytes per byte) with the other members.
const lookupTableRequestBytes = 32 << 20

// isGzip reports whether a Content-Encoding value is gzip ("x-gzip" is its old name).
func isGzip(enc string) bool {
	enc = strings.TrimSpace(enc)
	return strings.EqualFold(enc, "gzip") || strings.EqualFold(enc, "x-gzip")
}

var gzipReaders sync.Pool // *gzip.Reader

// gunzip decompresses a gzip body into buf (grown as needed), up to limit bytes. The
// result is nil only when nothing was read into buf.
func gunzip(body, buf []byte, limit int64) ([]byte, *apiError) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	if zr == nil {
		zr = new(gzip.Reader) // gzip.NewReader is new and Reset
	}
	defer gzipReaders.Put(zr)
	if err := zr.Reset(bytes.NewReader(body)); err != nil {
		return nil, clientErr(codeSerialization, "The request body could not be decompressed (Content-Encoding: gzip): "+err.Error())
	}
	out, err := readBody(zr, buf, limit)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return out, tooLarge(-1, limit)
	case err != nil:
		return out, clientErr(codeSerialization, "The request body could not be decompressed (Content-Encoding: gzip): "+err.Error())
	}
	return out, nil
}

// readBody reads r into buf (grown as needed) up to limit bytes.
func readBody(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// decodeJSON decodes a (small) operation body into *v, a pointer to a flat struct whose
// fields carry json tags. An empty body is {}.
//
// Member names are matched exactly, as the service does: a member whose name differs from the
// model's only in case (e.g. "LogGroupName" or "Limit") is unknown and ignored, so a required
// one then fails validation with "Value null at ...". encoding/json alone would match it
// case-insensitively and accept what AWS refuses.
func decodeJSON(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return clientErr(codeSerialization, fmt.Sprintf("Unexpected JSON %s for the request body (expected an object).", te.Value))
		}
		return clientErr(codeSerialization, "The request body is not valid JSON: "+err.Error())
	}
	rv := reflect.ValueOf(v).Elem()
	for _, f := range jsonMembers(rv.Type()) {
		raw, ok := members[f.name]
		if !ok {
			continue
		}
		if t, ok := truncatedInteger(raw, rv.Field(f.index).Type()); ok {
			raw = t
		}
		if err := json.Unmarshal(raw, rv.Field(f.index).Addr().Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return clientErr(codeSerialization, fmt.Sprintf("Unexpected JSON %s for member %s (expected %s).", te.Value, f.name, te.Type))
			}
			return clientErr(codeSerialization, "The request body is not valid JSON: "+err.Error())
		}
	}
	return nil
}

// truncatedInteger returns the integer part of raw, a JSON number with a fraction or an
// exponent, when t (or what it points to) is an integer type: AWS accepts such numbers for
// integer and long members and keeps the integer part (the PHP SDK sends PHP floats as they
// are). ok is false when raw is not such a number, or is out of int64's range (left to
// json.Unmarshal to refuse).
func truncatedInteger(raw json.RawMessage, t reflect.Type) (json.RawMessage, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
	default:
		return nil, false
	}
	s := bytes.TrimSpace(raw)
	if len(s) == 0 || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) || !bytes.ContainsAny(s, ".eE") {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil || f <= -(1<<63) || f >= 1<<63 {
		return nil, false
	}
	return strconv.AppendInt(nil, int64(f), 10), true
}

// jsonMember is a struct field and the exact JSON member name it decodes.
type jsonMember struct {
	name  string
	index int
}

var jsonMembersCache sync.Map // reflect.Type -> []jsonMember

// jsonMembers lists the json-tagged fields of struct type t, in field order.
func jsonMembers(t reflect.Type) []jsonMember {
	if c, ok := jsonMembersCache.Load(t); ok {
		return c.([]jsonMember)
	}
	var out []jsonMember
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, jsonMember{name: name, index: i})
		}
	}
	jsonMembersCache.Store(t, out)
	return out
}
