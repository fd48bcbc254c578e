package localserver

import (
	"context"
	"database/sql"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// Masking. "Sensitive data is detected and masked when it is ingested into the log group.
// When you set a data protection policy, log events ingested into the log group before
// that time are not masked", and "when a user views a log event that includes masked
// data, the sensitive data is replaced by asterisks" unless the read asks for unmask (the
// API reference of PutDataProtectionPolicy). A log group's own policy and the account's
// "are cumulative. Any sensitive term specified in either policy is masked"; the account's
// applies to the Standard and Infrequent Access classes only (the user guide: "Masking
// sensitive data is supported for log groups in both the Standard and Infrequent Access
// log classes").
//
// This server keeps events as they were sent and masks them when they are read: every
// policy that was ever in force is kept with the interval it was in force
// (data_protection_policies, migration 10), and an event is masked by the policies in force
// at its ingestion time. A change takes effect at its request's time, or 1 ms after the
// last ingestion time committed before it if that is later, and later events are ingested
// no earlier (see dpState), so that "before" and "after" a change are the order of commits
// even within a millisecond and across a restart. So an event ingested while a policy was in force stays masked after
// the policy is replaced or deleted, and one ingested before stays clear, as if it had been
// masked at ingestion.
//
// Where. "Sensitive data that matches the data identifiers you've selected is masked at
// all egress points, including CloudWatch Logs Insights, metric filters, and subscription
// filters. Only users who have the logs:Unmask IAM permission can view unmasked data"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html).
// Masked here are GetLogEvents', FilterLogEvents' and GetLogRecord's messages (unless
// unmask is true, the only operations with that parameter), the events Logs Insights
// queries read (a query that calls unmask(@message) reads the clear text too), Live
// Tail's events (publishTail) and exported objects (streamExporter.stream), always: neither
// StartLiveTail nor CreateExportTask can ask for unmasked data. Subscription filters and
// metric filters deliver and publish nothing here (ops_subscriptions.go,
// ops_metricfilters.go), so there is nothing of theirs to mask. Filter patterns match the
// text the operation returns: a Live Tail logEventFilterPattern the masked text (see
// publishTail), FilterLogEvents' filterPattern the masked text unless unmask is true (see
// filterReader), and GetLogGroupFields finds the fields of the masked text, as Logs
// Insights queries read it. Whether AWS matches the masked or the sent text is not on
// record; matched against the sent text, a pattern would tell a reader without unmask
// whether a masked value is there.
//
// What is masked, and how, is ours where AWS's detection ("machine learning and pattern
// matching") is not specified. Only these identifiers mask anything:
//
//   - custom data identifiers: every match of their regular expression (Go's regexp,
//     leftmost-first), as the user guide specifies them;
//   - EmailAddress (no keyword required, per the user guide's table): an RFC 5322 dot-atom
//     local part (letters, digits and !#$%*+^_~-, dot-separated: RFC 5322's atext less
//     &'/=?`{|}, which in log lines delimit fields rather than belong to addresses, as in
//     user=jane@example.com, /users/jane@example.com or 'jane@example.com'), '@', and a
//     domain of at least two dot-separated labels of letters, digits and inner hyphens (at
//     most 63 characters each), not followed by another label character;
//   - IpAddress (no keyword required): a run of hexadecimal digits, '.' and ':' that is not
//     next to a letter, digit or '_' (dots and colons at either end of the run separate it
//     from such a neighbour, as in "ip:10.0.0.1"), and that is an IPv4 address in
//     dotted-decimal form (four decimal octets 0–255 without leading zeros) or an IPv6
//     address in an RFC 4291 text form, compressed ones included (net/netip's parser,
//     without a zone), optionally followed by ":PORT" for IPv4.
//
// Every other managed identifier (credit card numbers, keys, names, addresses, national
// numbers, …) is accepted and stored, and masks nothing: their rules depend on keywords
// near the data and on checks AWS documents only in part. A masked match is replaced by as
// many asterisks as it has characters (how many AWS writes is not on record).
//
// Reads look the policies up in an in-memory snapshot: with no data protection policy in
// the account, a read costs one atomic load more (a Logs Insights query, a FilterLogEvents
// with a filter pattern and an export one an event). Each
// change of a policy publishes a new snapshot; DeleteLogGroup does not (its trigger deletes
// the group's rows): a deleted group's entries stay until the next change, unread, as log
// group ids are never reused (AUTOINCREMENT).

// dpVersion is one data protection policy over the interval [from, to) in which it was in
// force (to is math.MaxInt64 while it is).
type dpVersion struct {
	from, to int64
	finders  []finder // nil: the policy masks nothing this server can find
}

// finder appends to dst the byte ranges of msg that an identifier matches.
type finder func(msg string, dst [][2]int) [][2]int

// dpSnapshot is every data protection policy, in force or not.
type dpSnapshot struct {
	account    []dpVersion           // the account-level policy's versions
	groups     map[int64][]dpVersion // each log group's own policy's versions
	lastChange int64                 // the latest from or to of them all (0: none)
	finders    map[int64][]finder    // each version's finders by row id, for the next load
}

// dpState holds the current snapshot, published under the writer lock (store.wmu) right
// after the commit that changed a policy, so before any later write commits.
//
// Why reads never see an event masked one time and clear another: a change takes effect
// at a time after every ingestion time committed before it (writeDataProtection), and every
// event committed after it is ingested at that time or later; its snapshot is published
// before any such event commits; and reads take the snapshot after they have read their
// events (Insights, whose scan runs long, checks it at each event). So an event a read
// sees was masked or not by a snapshot that already knew every change that concerns it.
type dpState struct {
	cur atomic.Pointer[dpSnapshot]
}

// dataProtection returns the current snapshot (nil only for a Server not made by New).
func (s *Server) dataProtection() *dpSnapshot { return s.dp.cur.Load() }

// loadDataProtectionAtStart reads the snapshot when the server starts (see publishAtStart).
func (s *Server) loadDataProtectionAtStart(ctx context.Context) error {
	sn, err := loadDataProtection(ctx, s.st.r, nil)
	if err != nil {
		return err
	}
	s.publishAtStart(sn.lastChange, func() { s.dp.cur.Store(sn) })
	return nil
}

// publishAtStart publishes, under the writer lock, a snapshot of a configuration that
// reads apply by ingestion time (data protection policies, transformers) read when the
// server starts, and moves the store's last ingestion time to its latest change
// (lastChange): events ingested after a restart are ingested after every change made
// before it, even if the clock has not moved since.
func (s *Server) publishAtStart(lastChange int64, publish func()) {
	s.st.wmu.Lock()
	defer s.st.wmu.Unlock()
	s.st.lastIngest = max(s.st.lastIngest, lastChange)
	publish()
}

// writeDataProtection is write for a change that may add, replace or end a data protection
// policy, requested at reqMs (see writeVersioned).
func (s *Server) writeDataProtection(reqMs int64, fn func(tx *sql.Tx, at int64) *apiError) *apiError {
	return writeVersioned(s, reqMs, fn, func(tx *sql.Tx) (*dpSnapshot, error) {
		return loadDataProtection(context.Background(), tx, s.dataProtection())
	}, s.dp.cur.Store)
}

// writeVersioned is write for a change of a configuration that reads apply by ingestion
// time (data protection policies, transformers), requested at reqMs. fn gets the time the
// change takes effect: reqMs, or just after the last committed ingestion time if that is
// not earlier; every event committed after the change is ingested at that time or later.
// load reads the snapshot again in the same transaction; publish gets it once the
// transaction has committed, under the writer lock.
func writeVersioned[T any](s *Server, reqMs int64, fn func(tx *sql.Tx, at int64) *apiError, load func(tx *sql.Tx) (T, error), publish func(T)) *apiError {
	var sn T
	return s.writeThen(func(tx *sql.Tx) *apiError {
		at := max(reqMs, s.st.lastIngest+1)
		if aerr := fn(tx, at); aerr != nil {
			return aerr
		}
		var err error
		if sn, err = load(tx); err != nil {
			return s.dbErr(err)
		}
		s.st.lastIngest = at // at is not after the clock, or 1 ms after the last ingestion
		return nil
	}, func() { publish(sn) })
}

// loadDataProtection reads every data protection policy version. Those prev (nil: none)
// holds keep their finders: a version's document never changes (rows are only inserted,
// and their to_ms set), and parsing every document again at each change held the writer
// lock for 24 µs a policy.
func loadDataProtection(ctx context.Context, q queryer, prev *dpSnapshot) (*dpSnapshot, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, group_id, from_ms, to_ms, document FROM data_protection_policies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sn := &dpSnapshot{groups: map[int64][]dpVersion{}, finders: map[int64][]finder{}}
	for rows.Next() {
		var id, from int64
		var group, to sql.NullInt64
		var doc sql.RawBytes
		if err := rows.Scan(&id, &group, &from, &to, &doc); err != nil {
			return nil, err
		}
		v := dpVersion{from: from, to: math.MaxInt64}
		sn.lastChange = max(sn.lastChange, from)
		if to.Valid {
			v.to = to.Int64
			sn.lastChange = max(sn.lastChange, to.Int64)
		}
		var known bool
		if prev != nil {
			v.finders, known = prev.finders[id]
		}
		if !known {
			// Stored documents were checked when they were put; one that no longer parses (a
			// later, stricter server) masks nothing rather than failing every read.
			if p, derr := parseDataProtectionPolicy(string(doc), ""); derr == nil {
				v.finders = p.finders()
			}
		}
		sn.finders[id] = v.finders
		if group.Valid {
			sn.groups[group.Int64] = append(sn.groups[group.Int64], v)
		} else {
			sn.account = append(sn.account, v)
		}
	}
	return sn, rows.Err()
}

// status is the dataProtectionStatus of log group id: ACTIVATED while it has its own
// policy, DELETED when it had one, "" when it never had one.
func (sn *dpSnapshot) status(id int64) string {
	if sn == nil {
		return ""
	}
	vs := sn.groups[id]
	switch {
	case len(vs) == 0:
		return ""
	case vs[len(vs)-1].to == math.MaxInt64:
		return "ACTIVATED"
	}
	return "DELETED"
}

// accountApplies reports whether an account-level data protection policy is in force for
// a group of class.
func (sn *dpSnapshot) accountApplies(class string) bool {
	if sn == nil {
		return false
	}
	n := len(sn.account)
	return n > 0 && sn.account[n-1].to == math.MaxInt64 && class != "DELIVERY"
}

// masker returns the masker of g's events, or nil when no policy that masks anything was
// ever in force for g.
func (sn *dpSnapshot) masker(g *groupRow) *groupMasker {
	if sn == nil {
		return nil
	}
	var vs []dpVersion
	for _, v := range sn.groups[g.id] {
		if v.finders != nil {
			vs = append(vs, v)
		}
	}
	if g.class != "DELIVERY" {
		for _, v := range sn.account {
			if v.finders != nil {
				vs = append(vs, v)
			}
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return &groupMasker{versions: vs}
}

// maskerFor returns the masker of g's events for a read, nil when nothing is to be masked
// (unmask, or no policy). Call it once the events to mask have been read (see dpState).
func (s *Server) maskerFor(g *groupRow, unmask *bool) *groupMasker {
	if unmask != nil && *unmask {
		return nil
	}
	return s.dataProtection().masker(g)
}

// readMasker masks the events of one group that a read (an export, FilterLogEvents,
// GetLogGroupFields) reads one after another: each under the snapshot current once it has
// been read (see dpState). While no policy changes, that costs one atomic load an event.
// Its zero value but for s and g is ready.
type readMasker struct {
	s  *Server
	g  *groupRow
	sn *dpSnapshot  // the snapshot gm was made from
	gm *groupMasker // nil: nothing to mask under sn
}

// current returns the masker of the snapshot current now: nil when no policy that masks
// anything was ever in force for the group, so that nothing read until now is masked.
func (rm *readMasker) current() *groupMasker {
	if sn := rm.s.dataProtection(); sn != rm.sn {
		rm.sn, rm.gm = sn, sn.masker(rm.g)
	}
	return rm.gm
}

// mask returns msg, read just now, as it reads for an event ingested at ingest.
func (rm *readMasker) mask(msg string, ingest int64) string {
	return rm.current().mask(msg, ingest)
}

// groupMasker masks one log group's events.
type groupMasker struct {
	versions []dpVersion
	ranges   [][2]int // scratch
}

// mask returns msg as it reads for an event ingested at ingest. A nil masker returns msg.
func (gm *groupMasker) mask(msg string, ingest int64) string {
	if gm == nil {
		return msg
	}
	r := gm.ranges[:0]
	for _, v := range gm.versions {
		if ingest < v.from || ingest >= v.to {
			continue
		}
		for _, f := range v.finders {
			r = f(msg, r)
		}
	}
	gm.ranges = r
	if len(r) == 0 {
		return msg
	}
	return maskRanges(msg, r)
}

// asterisks is written in pieces for masked characters (strings.Repeat allocated each time).
const asterisks = "****************************************************************"

// maskRanges replaces every character of msg inside one of the byte ranges r (in any
// order, possibly overlapping) with '*'.
func maskRanges(msg string, r [][2]int) string {
	slices.SortFunc(r, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	b.Grow(len(msg))
	pos := 0
	for _, x := range r {
		start, end := max(x[0], pos), x[1]
		if end <= start {
			continue
		}
		b.WriteString(msg[pos:start])
		for n := utf8.RuneCountInString(msg[start:end]); n > 0; {
			k := min(n, len(asterisks))
			b.WriteString(asterisks[:k])
			n -= k
		}
		pos = end
	}
	b.WriteString(msg[pos:])
	return b.String()
}

// finders returns the finders of p's identifiers, nil when none of them masks anything
// here.
func (p *dpPolicy) finders() []finder {
	var fs []finder
	for _, c := range p.custom {
		fs = append(fs, regexpFinder(c.re))
	}
	for _, name := range p.managed {
		switch name {
		case "EmailAddress":
			fs = append(fs, findEmails)
		case "IpAddress":
			fs = append(fs, findIPs)
		}
	}
	return fs
}

func regexpFinder(re *regexp.Regexp) finder {
	return func(msg string, dst [][2]int) [][2]int {
		for _, loc := range re.FindAllStringIndex(msg, -1) {
			if loc[1] > loc[0] {
				dst = append(dst, [2]int{loc[0], loc[1]})
			}
		}
		return dst
	}
}

// emailRE is EmailAddress's rule (see above); the label-character check after the match
// is findEmails'.
var emailRE = regexp.MustCompile(`[A-Za-z0-9!#$%*+^_~-]+(?:\.[A-Za-z0-9!#$%*+^_~-]+)*` +
	`@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+`)

// findEmails runs emailRE on the window around each '@' that its characters allow: the
// run of local-part characters before it and of domain characters after it.
func findEmails(msg string, dst [][2]int) [][2]int {
	for from := 0; ; {
		at := strings.IndexByte(msg[from:], '@')
		if at < 0 {
			return dst
		}
		at += from
		l, r := at, at+1
		for l > from && isLocalByte(msg[l-1]) {
			l--
		}
		for r < len(msg) && (isLabelByte(msg[r]) || msg[r] == '.') {
			r++
		}
		from = at + 1
		loc := emailRE.FindStringIndex(msg[l:r])
		if loc == nil {
			continue
		}
		end := l + loc[1]
		if end < len(msg) && isLabelByte(msg[end]) {
			continue // a label longer than 63 characters: not a domain
		}
		dst = append(dst, [2]int{l + loc[0], end})
		from = end
	}
}

// isLocalByte reports whether c may be in an email address's local part.
func isLocalByte(c byte) bool {
	return c == '.' || isLabelByte(c) || strings.IndexByte("!#$%*+^_~", c) >= 0
}

func isLabelByte(c byte) bool {
	return c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isWordByte(c byte) bool { return c == '_' || isLabelByte(c) && c != '-' }

func isIPByte(c byte) bool {
	return c == '.' || c == ':' || c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
}

// findIPs finds IpAddress's matches (see above).
func findIPs(msg string, dst [][2]int) [][2]int {
	for i := 0; i < len(msg); {
		if !isIPByte(msg[i]) {
			i++
			continue
		}
		j := i
		for j < len(msg) && isIPByte(msg[j]) {
			j++
		}
		// Dots and colons between a word and the run separate them: "ip:10.0.0.1",
		// "10.0.0.1:port".
		start, end := i, j
		if start > 0 && isWordByte(msg[start-1]) {
			for start < end && isIPSep(msg[start]) {
				start++
			}
		}
		if end < len(msg) && isWordByte(msg[end]) {
			for end > start && isIPSep(msg[end-1]) {
				end--
			}
		}
		if start < end && (start == 0 || !isWordByte(msg[start-1])) && (end == len(msg) || !isWordByte(msg[end])) {
			if n := ipEnd(msg[start:end]); n > 0 {
				dst = append(dst, [2]int{start, start + n})
			}
		}
		i = j
	}
	return dst
}

func isIPSep(c byte) bool { return c == '.' || c == ':' }

// ipEnd returns the length of the IP address run starts with, 0 when it is none: the whole
// run less trailing dots and colons (punctuation, as in "from 10.0.0.1."), but for the
// "::" that ends a compressed IPv6 address ("2001:db8::"); or its IPv4 address before a
// ":PORT".
func ipEnd(run string) int {
	trimmed := strings.TrimRight(run, ".:")
	if trimmed != "" && strings.HasPrefix(run[len(trimmed):], "::") {
		if a, err := netip.ParseAddr(trimmed + "::"); err == nil && a.Is6() && a.Zone() == "" {
			return len(trimmed) + 2
		}
	}
	run = trimmed
	dots, colons := strings.Count(run, "."), strings.Count(run, ":")
	if colons < 2 && (dots != 3 || colons == 1 && strings.IndexByte(run, ':') < strings.LastIndexByte(run, '.')) {
		return 0 // neither dotted-decimal (with a port) nor IPv6: skip the parser
	}
	if a, err := netip.ParseAddr(run); err == nil && a.Zone() == "" {
		if a.Is4() || strings.Count(run, ":") >= 2 {
			return len(run)
		}
	}
	if host, port, ok := strings.Cut(run, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
			return len(host)
		}
	}
	return 0
}
