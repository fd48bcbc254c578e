package localserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go)
)

// DatabaseFile is the name of the SQLite database inside Config.DataDir.
const DatabaseFile = "cwlogs.db"

// LockFile is the file in Config.DataDir that a running server holds locked,
// so that a second server on the same directory refuses to start.
const LockFile = "cwlogs.lock"

// errLocked: another server holds the data directory's lock.
var errLocked = errors.New("locked")

// Checkpoint thresholds: the write-ahead log is copied back into the database by a background
// goroutine once checkpointBytes have been committed since the last checkpoint; the writer
// itself checkpoints when the backlog reaches checkpointHardBytes (back-pressure). After a
// background checkpoint the writer runs a short one of its own, under wmu: only a checkpoint
// that no commit overtook lets SQLite start the WAL over at the next write, so that it cannot
// grow without bound (variables, so that tests can lower them).
var (
	checkpointBytes     int64 = 32 << 20
	checkpointHardBytes int64 = 256 << 20
)

// store wraps the SQLite database: one writer connection (writes are serialized by wmu),
// a pool of reader connections and a background checkpointer.
type store struct {
	w      *sql.DB // exactly one connection
	r      *sql.DB // readers (== w in memory mode)
	ckpt   *sql.DB // checkpointer connection (nil in memory mode)
	wmu    sync.Mutex
	memory bool

	walBytes atomic.Int64 // bytes committed since the last checkpoint (approximate)
	// ckptFinish: a background checkpoint ran; the writer finishes it under wmu.
	ckptFinish atomic.Bool
	ckptReq    chan struct{}
	ckptDone   chan struct{}
	// ckptRunning: the checkpointer goroutine was started (openStore's last step), so
	// close waits for ckptDone; a store that failed to open never started it.
	ckptRunning bool
	closeOnce   sync.Once

	segs *segments
	// lock is the data directory's LockFile, held while the store is open (nil in memory).
	lock *os.File
	// lastIngest is the ingestion time of the last group commit, or the time of the last
	// data protection policy change if later (under wmu): the next commit's is not earlier.
	lastIngest int64
	logger     *slog.Logger // Config.Logger
	// insertChunks[k] inserts k chunk rows in one statement, for k = 1..maxRowsPerInsert
	// (prepared on w when the store opens: preparing needs w's only connection, which a
	// write transaction holds; used under wmu).
	insertChunks [maxRowsPerInsert + 1]*sql.Stmt
	// removeAfterCommit lists segments whose last chunk the current write transaction
	// deleted; write removes their files after the commit (under wmu).
	removeAfterCommit []int64
	// Statements of the group commit (on w).
	updStream, updStreamEmpty, updGroupBytes *sql.Stmt
	// putQueue holds PutLogEvents jobs waiting for a group commit (guarded by qmu).
	qmu       sync.Mutex
	putQueue  []*putJob
	arriving  atomic.Int64  // PutLogEvents requests being decoded (see putArriving)
	queuedSig chan struct{} // signalled when one of them is queued or fails
	args      []any         // insert arguments, reused under wmu
}

var memSeq atomic.Int64

func openStore(cfg *Config) (*store, error) {
	s := &store{memory: cfg.Memory, ckptReq: make(chan struct{}, 1), ckptDone: make(chan struct{}), queuedSig: make(chan struct{}, 1), logger: cfg.Logger}
	if cfg.Memory {
		// A private in-memory database lives as long as its single connection: keep it open.
		dsn := fmt.Sprintf("file:cwlogs-mem-%d?mode=memory&_pragma=foreign_keys(0)", memSeq.Add(1))
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.w, s.r = db, db
		close(s.ckptDone)
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("localserver: data directory %q: %w", cfg.DataDir, err)
		}
		// One server per data directory: two would write the same segment files
		// at the same offsets and destroy each other's events.
		lock, err := lockFile(filepath.Join(cfg.DataDir, LockFile))
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("localserver: data directory %q is in use by another cwlogs server", cfg.DataDir)
		}
		if err != nil {
			return nil, fmt.Errorf("localserver: data directory %q: lock: %w", cfg.DataDir, err)
		}
		s.lock = lock
		path := filepath.Join(cfg.DataDir, DatabaseFile)
		syncMode := "NORMAL"
		if cfg.FullSync {
			syncMode = "FULL"
		}
		common := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + syncMode + ")" +
			"&_pragma=cache_size(-8000)&_pragma=foreign_keys(0)&_pragma=temp_store(MEMORY)"
		base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
		if s.w, err = sql.Open("sqlite", base+common+"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate"); err != nil {
			s.lock.Close()
			return nil, err
		}
		s.w.SetMaxOpenConns(1)
		s.w.SetMaxIdleConns(1)
		s.w.SetConnMaxLifetime(0)
		if err := s.w.Ping(); err != nil {
			s.w.Close()
			s.lock.Close()
			return nil, fmt.Errorf("localserver: open %s: %w", path, err)
		}
		// Readers and the checkpointer open only after the writer has set WAL mode.
		if s.r, err = sql.Open("sqlite", base+common+"&_pragma=query_only(1)"); err != nil {
			s.w.Close()
			s.lock.Close()
			return nil, err
		}
		s.r.SetMaxOpenConns(4)
		s.r.SetMaxIdleConns(4)
		if s.ckpt, err = sql.Open("sqlite", base+common+"&_pragma=wal_autocheckpoint(0)"); err != nil {
			s.w.Close()
			s.r.Close()
			s.lock.Close()
			return nil, err
		}
		s.ckpt.SetMaxOpenConns(1)
	}
	if err := migrate(context.Background(), s.w); err != nil {
		s.close()
		return nil, err
	}
	if err := s.openSegments(cfg); err != nil {
		s.close()
		return nil, err
	}
	if err := s.prepareWriteStmts(); err != nil {
		s.close()
		return nil, fmt.Errorf("localserver: prepare statements: %w", err)
	}
	if err := s.prepareChunkInserts(); err != nil {
		s.close()
		return nil, fmt.Errorf("localserver: prepare chunk insert: %w", err)
	}
	if !s.memory {
		s.ckptRunning = true
		go s.checkpointer()
	}
	return s, nil
}

// checkpointer copies the WAL back into the database in the background (PASSIVE: it never
// blocks the writer or readers).
func (s *store) checkpointer() {
	defer close(s.ckptDone)
	for range s.ckptReq {
		s.checkpoint("PASSIVE")
		s.ckptFinish.Store(true)
	}
}

func (s *store) checkpoint(mode string) {
	before := s.walBytes.Load()
	// Rows about to reach the database file should not point at payloads still only in the
	// page cache (a failure is retried at the next checkpoint; the WAL must not grow
	// without bound meanwhile).
	s.segs.syncAll()
	var busy, logPages, done int
	if err := s.ckpt.QueryRow("PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &done); err == nil && busy == 0 {
		s.walBytes.Add(-before)
	}
}

// committed records n bytes written by a commit and triggers a checkpoint when due. Call
// under wmu after every write transaction.
func (s *store) committed(n int64) {
	if s.memory {
		return
	}
	v := s.walBytes.Add(n)
	if v >= checkpointHardBytes || s.ckptFinish.CompareAndSwap(true, false) {
		// Under wmu no commit can overtake this checkpoint (after a background one it
		// copies only the frames committed meanwhile), so the next write restarts the WAL.
		s.checkpoint("PASSIVE")
		return
	}
	if v >= checkpointBytes {
		select {
		case s.ckptReq <- struct{}{}:
		default:
		}
	}
}

func (s *store) close() error {
	var err error
	s.closeOnce.Do(func() {
		for _, st := range append(s.insertChunks[:], s.updStream, s.updStreamEmpty, s.updGroupBytes) {
			if st != nil {
				st.Close()
			}
		}
		if !s.memory {
			close(s.ckptReq)
			if s.ckptRunning {
				<-s.ckptDone
			}
			if s.ckpt != nil {
				if s.segs != nil {
					s.segs.syncAll()
				}
				s.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
				s.ckpt.Close()
			}
			if s.r != nil {
				s.r.Close()
			}
		}
		err = s.w.Close()
		if s.segs != nil {
			err = errors.Join(err, s.segs.close())
		}
		if s.lock != nil {
			err = errors.Join(err, s.lock.Close()) // last: the files are ours until here
		}
	})
	return err
}

// migrations are applied in order; PRAGMA user_version records how many have run.
var migrations = []string{
	// 1: initial schema.
	`CREATE TABLE log_groups(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		name TEXT NOT NULL UNIQUE,
		creation_time INTEGER NOT NULL,
		retention_days INTEGER,
		kms_key_id TEXT,
		class TEXT NOT NULL,
		deletion_protection INTEGER NOT NULL DEFAULT 0,
		stored_bytes INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE group_tags(
		group_id INTEGER NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(group_id, key)
	) WITHOUT ROWID;
	CREATE TABLE log_streams(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		group_id INTEGER NOT NULL,
		name TEXT NOT NULL,
		creation_time INTEGER NOT NULL,
		first_ts INTEGER,
		last_ts INTEGER,
		last_ingest INTEGER,
		last_sort INTEGER NOT NULL DEFAULT 0,
		upload_seq INTEGER NOT NULL DEFAULT 0,
		UNIQUE(group_id, name)
	);
	CREATE INDEX log_streams_last ON log_streams(group_id, last_sort, name);
	CREATE TABLE chunks(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		group_id INTEGER NOT NULL,
		stream_id INTEGER NOT NULL,
		min_ts INTEGER NOT NULL,
		max_ts INTEGER NOT NULL,
		ingest INTEGER NOT NULL,
		n INTEGER NOT NULL,
		bytes INTEGER NOT NULL,
		data BLOB NOT NULL
	);
	CREATE INDEX chunks_stream_min ON chunks(stream_id, min_ts);
	CREATE INDEX chunks_stream_max ON chunks(stream_id, max_ts);
	CREATE INDEX chunks_group_min ON chunks(group_id, min_ts);
	CREATE INDEX chunks_group_max ON chunks(group_id, max_ts);`,
	// 2: payloads in segment files. Version-1 rows keep their blob in data (seg IS NULL);
	// newer rows store an empty blob and point into a segment. No read scans a whole group
	// backwards, so the (group_id, max_ts) index goes: one b-tree less per inserted chunk.
	`DROP INDEX chunks_group_max;
	ALTER TABLE chunks ADD COLUMN seg INTEGER;
	ALTER TABLE chunks ADD COLUMN seg_off INTEGER;
	ALTER TABLE chunks ADD COLUMN seg_len INTEGER;
	ALTER TABLE chunks ADD COLUMN crc INTEGER;
	CREATE TABLE segments(
		id INTEGER PRIMARY KEY,
		chunks INTEGER NOT NULL,
		bytes INTEGER NOT NULL,
		end_off INTEGER NOT NULL
	);`,
	// 3: the widest chunk (max_ts - min_ts) of each stream and group, so that a read's
	// candidate scan starts max_span (not maxChunkSpan) before its cut.
	`ALTER TABLE log_streams ADD COLUMN max_span INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE log_groups ADD COLUMN max_span INTEGER NOT NULL DEFAULT 0;
	UPDATE log_streams SET max_span = coalesce((SELECT max(max_ts - min_ts) FROM chunks WHERE stream_id = log_streams.id), 0);
	UPDATE log_groups SET max_span = coalesce((SELECT max(max_ts - min_ts) FROM chunks WHERE group_id = log_groups.id), 0);`,
	// 4: metric filters and subscription filters of a log group (deleted with it). A metric
	// filter's transformation is kept as the JSON object DescribeMetricFilters returns; its
	// metric name and namespace are columns for the describe-by-metric query.
	`CREATE TABLE metric_filters(
		group_id INTEGER NOT NULL,
		name TEXT NOT NULL,
		pattern TEXT NOT NULL,
		metric_name TEXT NOT NULL,
		metric_namespace TEXT NOT NULL,
		transformation TEXT NOT NULL,
		creation_time INTEGER NOT NULL,
		apply_on_transformed INTEGER NOT NULL DEFAULT 0,
		field_selection TEXT,
		emit_fields TEXT,
		PRIMARY KEY(group_id, name)
	) WITHOUT ROWID;
	CREATE INDEX metric_filters_name ON metric_filters(name);
	CREATE INDEX metric_filters_metric ON metric_filters(metric_namespace, metric_name, name);
	CREATE TABLE subscription_filters(
		group_id INTEGER NOT NULL,
		name TEXT NOT NULL,
		pattern TEXT NOT NULL,
		destination_arn TEXT NOT NULL,
		role_arn TEXT,
		distribution TEXT NOT NULL,
		creation_time INTEGER NOT NULL,
		apply_on_transformed INTEGER NOT NULL DEFAULT 0,
		field_selection TEXT,
		emit_fields TEXT,
		PRIMARY KEY(group_id, name)
	) WITHOUT ROWID;`,
	// 5: resource policies. An account-scoped policy has a name (unique); a resource-scoped
	// one is attached to one log group (unique), keeps the resourceArn it was put with and
	// has a revision. A group's policy is deleted with the group.
	`CREATE TABLE resource_policies(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		scope TEXT NOT NULL,
		name TEXT UNIQUE,
		group_id INTEGER UNIQUE,
		resource_arn TEXT,
		document TEXT NOT NULL,
		last_updated INTEGER NOT NULL,
		revision TEXT
	);
	CREATE INDEX resource_policies_arn ON resource_policies(scope, resource_arn);
	CREATE TRIGGER log_groups_delete_resource_policy AFTER DELETE ON log_groups BEGIN
		DELETE FROM resource_policies WHERE group_id = old.id;
	END;`,
	// 6: Logs Insights query definitions (saved queries), account-wide, keyed by their
	// UUID. log_group_names and parameters hold the JSON arrays DescribeQueryDefinitions
	// answers (NULL when the definition has none); client_token is the idempotency token
	// of the PutQueryDefinition that created the definition. Definitions name log groups
	// but do not belong to them: deleting a group keeps them.
	`CREATE TABLE query_definitions(
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		query_string TEXT NOT NULL,
		query_language TEXT NOT NULL,
		log_group_names TEXT,
		parameters TEXT,
		last_modified INTEGER NOT NULL,
		client_token TEXT
	) WITHOUT ROWID;
	CREATE INDEX query_definitions_name ON query_definitions(name, id);
	CREATE INDEX query_definitions_token ON query_definitions(client_token);`,
	// 7: destinations (PutDestination), account-wide, keyed by name, with the access
	// policy PutDestinationPolicy sets (NULL until then) and their tags, which are
	// deleted with the destination.
	`CREATE TABLE destinations(
		name TEXT PRIMARY KEY,
		target_arn TEXT NOT NULL,
		role_arn TEXT NOT NULL,
		access_policy TEXT,
		creation_time INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE destination_tags(
		name TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(name, key)
	) WITHOUT ROWID;
	CREATE TRIGGER destinations_delete_tags AFTER DELETE ON destinations BEGIN
		DELETE FROM destination_tags WHERE name = old.name;
	END;`,
	// 8: export tasks (CreateExportTask), account-wide, in creation order (seq), keyed by
	// their UUID. name and stream_prefix are NULL when the request gave none;
	// destination_prefix is the prefix in effect ("exportedlogs" when none was given, which
	// prefix_given tells apart for the aws-logs-write-test object); completion_time is
	// NULL until the task ends. Tasks name their log group but outlive it.
	`CREATE TABLE export_tasks(
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		name TEXT,
		log_group_name TEXT NOT NULL,
		stream_prefix TEXT,
		from_ts INTEGER NOT NULL,
		to_ts INTEGER NOT NULL,
		destination TEXT NOT NULL,
		destination_prefix TEXT NOT NULL,
		prefix_given INTEGER NOT NULL,
		status TEXT NOT NULL,
		message TEXT NOT NULL,
		creation_time INTEGER NOT NULL,
		completion_time INTEGER
	);
	CREATE INDEX export_tasks_status ON export_tasks(status, seq);`,
	// 9: the delivery APIs (ops_delivery.go), account-wide: delivery sources by name (one per
	// resource ARN and log type), delivery destinations by name (resource_arn NULL for
	// XRAY, policy NULL until PutDeliveryDestinationPolicy), deliveries by id (list_key,
	// "source destination", orders DescribeDeliveries and holds one delivery per pair;
	// record_fields and s3_config are the JSON they are answered as), each with tags that
	// are deleted with it.
	`CREATE TABLE delivery_sources(
		name TEXT PRIMARY KEY,
		resource_arn TEXT NOT NULL,
		service TEXT NOT NULL,
		log_type TEXT NOT NULL,
		configuration TEXT
	) WITHOUT ROWID;
	CREATE UNIQUE INDEX delivery_sources_resource ON delivery_sources(resource_arn, log_type);
	CREATE TABLE delivery_source_tags(
		name TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(name, key)
	) WITHOUT ROWID;
	CREATE TRIGGER delivery_sources_delete_tags AFTER DELETE ON delivery_sources BEGIN
		DELETE FROM delivery_source_tags WHERE name = old.name;
	END;
	CREATE TABLE delivery_destinations(
		name TEXT PRIMARY KEY,
		type TEXT NOT NULL,
		output_format TEXT,
		resource_arn TEXT,
		policy TEXT
	) WITHOUT ROWID;
	CREATE TABLE delivery_destination_tags(
		name TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(name, key)
	) WITHOUT ROWID;
	CREATE TRIGGER delivery_destinations_delete_tags AFTER DELETE ON delivery_destinations BEGIN
		DELETE FROM delivery_destination_tags WHERE name = old.name;
	END;
	CREATE TABLE deliveries(
		id TEXT PRIMARY KEY,
		list_key TEXT NOT NULL UNIQUE,
		source_name TEXT NOT NULL,
		destination_name TEXT NOT NULL,
		destination_arn TEXT NOT NULL,
		destination_type TEXT NOT NULL,
		record_fields TEXT,
		field_delimiter TEXT,
		s3_config TEXT
	) WITHOUT ROWID;
	CREATE INDEX deliveries_source ON deliveries(source_name);
	CREATE INDEX deliveries_destination ON deliveries(destination_name);
	CREATE TABLE delivery_tags(
		id TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(id, key)
	) WITHOUT ROWID;
	CREATE TRIGGER deliveries_delete_tags AFTER DELETE ON deliveries BEGIN
		DELETE FROM delivery_tags WHERE id = old.id;
	END;`,
	// 10: data protection, account and index policies (ops_dataprotection.go,
	// ops_accountpolicies.go, ops_indexpolicies.go). data_protection_policies keeps every
	// data protection policy that was ever in force, a log group's (group_id) or the
	// account's (group_id NULL), with the interval [from_ms, to_ms) it was in force (to_ms
	// NULL while it is): reads mask an event by the policies in force when it was
	// ingested. account_policies are keyed by type and name (created: the first put);
	// index_policies by log group. A group's policies go with it.
	`CREATE TABLE data_protection_policies(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		group_id INTEGER,
		document TEXT NOT NULL,
		from_ms INTEGER NOT NULL,
		to_ms INTEGER
	);
	CREATE INDEX data_protection_policies_group ON data_protection_policies(group_id, to_ms);
	CREATE TABLE account_policies(
		type TEXT NOT NULL,
		name TEXT NOT NULL,
		document TEXT NOT NULL,
		scope TEXT NOT NULL,
		selection_criteria TEXT,
		last_updated INTEGER NOT NULL,
		created INTEGER NOT NULL,
		PRIMARY KEY(type, name)
	) WITHOUT ROWID;
	CREATE TABLE index_policies(
		group_id INTEGER PRIMARY KEY,
		document TEXT NOT NULL,
		last_updated INTEGER NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE TRIGGER log_groups_delete_policies AFTER DELETE ON log_groups BEGIN
		DELETE FROM data_protection_policies WHERE group_id = old.id;
		DELETE FROM index_policies WHERE group_id = old.id;
	END;`,
	// 11: log transformers (ops_transformers.go). transformers keeps every configuration a
	// log group ever had, with the interval [from_ms, to_ms) it was in force (to_ms NULL
	// while it is), as data_protection_policies does: reads transform an event by the
	// configuration in force when it was ingested. config is the transformerConfig JSON
	// as put, region the put's (the @regionName metadata key), created_ms the creation time
	// GetTransformer answers. A group's transformers go with it.
	`CREATE TABLE transformers(
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		group_id INTEGER NOT NULL,
		config TEXT NOT NULL,
		region TEXT NOT NULL,
		created_ms INTEGER NOT NULL,
		from_ms INTEGER NOT NULL,
		to_ms INTEGER
	);
	CREATE INDEX transformers_group ON transformers(group_id, to_ms);
	CREATE TRIGGER log_groups_delete_transformers AFTER DELETE ON log_groups BEGIN
		DELETE FROM transformers WHERE group_id = old.id;
	END;`,
	// 12: scheduled queries (ops_scheduledqueries*.go), keyed by id (the ARN's last part),
	// names unique; log_groups and destination are the request's JSON, next_run the time
	// (ms) of the next trigger (NULL: none, DISABLED or over). Each run is a row of
	// scheduled_query_history; a query's tags and history go with it.
	`CREATE TABLE scheduled_queries(
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		description TEXT,
		query_language TEXT NOT NULL,
		query_string TEXT NOT NULL,
		log_groups TEXT,
		schedule_expression TEXT NOT NULL,
		timezone TEXT,
		start_time_offset INTEGER,
		destination TEXT,
		schedule_start INTEGER,
		schedule_end INTEGER,
		execution_role_arn TEXT NOT NULL,
		state TEXT NOT NULL,
		last_triggered INTEGER,
		last_status TEXT,
		creation_time INTEGER NOT NULL,
		last_updated INTEGER NOT NULL,
		next_run INTEGER
	) WITHOUT ROWID;
	CREATE INDEX scheduled_queries_next_run ON scheduled_queries(next_run) WHERE next_run IS NOT NULL;
	CREATE TABLE scheduled_query_tags(
		id TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(id, key)
	) WITHOUT ROWID;
	CREATE TABLE scheduled_query_history(
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		query_id TEXT NOT NULL,
		run_id TEXT NOT NULL,
		status TEXT NOT NULL,
		triggered INTEGER NOT NULL,
		error_message TEXT,
		destinations TEXT
	);
	CREATE INDEX scheduled_query_history_query ON scheduled_query_history(query_id, seq);
	CREATE TRIGGER scheduled_queries_delete AFTER DELETE ON scheduled_queries BEGIN
		DELETE FROM scheduled_query_tags WHERE id = old.id;
		DELETE FROM scheduled_query_history WHERE query_id = old.id;
	END;`,
	// 13: lookup tables (ops_lookuptables.go), their CSV body as sent; fields is the
	// header's names as a JSON array. A rowid table: bodies are up to 10 MB.
	`CREATE TABLE lookup_tables(
		name TEXT NOT NULL UNIQUE,
		description TEXT,
		kms_key_id TEXT,
		fields TEXT NOT NULL,
		records INTEGER NOT NULL,
		size_bytes INTEGER NOT NULL,
		created INTEGER NOT NULL,
		last_updated INTEGER NOT NULL,
		body TEXT NOT NULL
	);
	CREATE TABLE lookup_table_tags(
		name TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(name, key)
	) WITHOUT ROWID;
	CREATE TRIGGER lookup_tables_delete AFTER DELETE ON lookup_tables BEGIN
		DELETE FROM lookup_table_tags WHERE name = old.name;
	END;`,
	// 14: scheduled queries' endTimeOffset (ops_scheduledqueries.go), NULL when not given.
	`ALTER TABLE scheduled_queries ADD COLUMN end_time_offset INTEGER;`,
	// 15: the region of the request that created a scheduled query, for the ARN in its
	// results objects (NULL for the queries stored before).
	`ALTER TABLE scheduled_queries ADD COLUMN region TEXT;`,
	// 16: log anomaly detectors (ops_anomaly*.go), keyed by id (the ARN's last part).
	// log_groups is logGroupArnList as sent (a JSON array), with the names of its groups in
	// anomaly_detector_groups for ListLogAnomalyDetectors' filter; name, frequency,
	// filter_pattern and kms_key_id are NULL when not given. runs counts the evaluations
	// done, last_run is the end of the last one's window (ms), next_run the next one (NULL:
	// paused). anomaly_patterns are the patterns a detector knows, with the count
	// statistics of its evaluations since first_run (n runs: sum, sum_sq) and the
	// pattern-level suppression (suppressed_until NULL: none, 0: INFINITE); anomalies are
	// what it reported, histogram/samples/tokens the JSON they are answered with; one not
	// baseline is still updated by evaluations. A
	// detector's groups, tags, patterns and anomalies go with it; detectors outlive their
	// log groups (evaluations skip a missing group).
	`CREATE TABLE anomaly_detectors(
		id TEXT PRIMARY KEY,
		name TEXT,
		log_groups TEXT NOT NULL,
		frequency TEXT,
		filter_pattern TEXT,
		kms_key_id TEXT,
		visibility_days INTEGER NOT NULL,
		enabled INTEGER NOT NULL,
		runs INTEGER NOT NULL DEFAULT 0,
		creation_time INTEGER NOT NULL,
		last_modified INTEGER NOT NULL,
		last_run INTEGER NOT NULL,
		next_run INTEGER
	) WITHOUT ROWID;
	CREATE INDEX anomaly_detectors_next_run ON anomaly_detectors(next_run) WHERE next_run IS NOT NULL;
	CREATE TABLE anomaly_detector_groups(
		detector_id TEXT NOT NULL,
		group_name TEXT NOT NULL,
		PRIMARY KEY(group_name, detector_id)
	) WITHOUT ROWID;
	CREATE TABLE anomaly_detector_tags(
		id TEXT NOT NULL,
		key TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY(id, key)
	) WITHOUT ROWID;
	CREATE TABLE anomaly_patterns(
		detector_id TEXT NOT NULL,
		pattern_id TEXT NOT NULL,
		template TEXT NOT NULL,
		regex TEXT NOT NULL,
		sample TEXT NOT NULL,
		severity TEXT NOT NULL,
		normal INTEGER NOT NULL,
		baseline_max INTEGER NOT NULL DEFAULT 0,
		first_run INTEGER NOT NULL,
		sum REAL NOT NULL DEFAULT 0,
		sum_sq REAL NOT NULL DEFAULT 0,
		last_seen INTEGER NOT NULL,
		suppressed_until INTEGER,
		suppressed_date INTEGER,
		PRIMARY KEY(detector_id, pattern_id)
	) WITHOUT ROWID;
	CREATE TABLE anomalies(
		id TEXT PRIMARY KEY,
		detector_id TEXT NOT NULL,
		pattern_id TEXT NOT NULL,
		priority TEXT NOT NULL,
		description TEXT NOT NULL,
		first_seen INTEGER NOT NULL,
		last_seen INTEGER NOT NULL,
		active INTEGER NOT NULL,
		baseline INTEGER NOT NULL DEFAULT 0,
		peak INTEGER NOT NULL,
		histogram TEXT NOT NULL,
		samples TEXT NOT NULL,
		tokens TEXT NOT NULL,
		suppressed_until INTEGER,
		suppressed_date INTEGER
	) WITHOUT ROWID;
	CREATE INDEX anomalies_detector ON anomalies(detector_id, pattern_id, baseline);
	CREATE TRIGGER anomaly_detectors_delete AFTER DELETE ON anomaly_detectors BEGIN
		DELETE FROM anomaly_detector_groups WHERE detector_id = old.id;
		DELETE FROM anomaly_detector_tags WHERE id = old.id;
		DELETE FROM anomaly_patterns WHERE detector_id = old.id;
		DELETE FROM anomalies WHERE detector_id = old.id;
	END;`,
	// 17: a log group's bearer token authentication (ops_bearertoken.go), off by default.
	`ALTER TABLE log_groups ADD COLUMN bearer_token_auth INTEGER NOT NULL DEFAULT 0;`,
}

// schemaVersion is the user_version of a fully migrated database.
var schemaVersion = len(migrations)

func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("localserver: read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("localserver: database schema version %d is newer than this server (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("localserver: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("localserver: migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("localserver: migration %d: %w", i+1, err)
		}
	}
	return nil
}
