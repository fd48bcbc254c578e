package localserver

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs/localserver/patterns"
)

// The detection of log anomaly detectors (see ops_anomaly.go and ops_anomaly_run.go). AWS
// documents what a detector reports, not how it decides: "The anomaly detector uses
// pattern recognition to find anomalies, which are unusual log events. It uses the
// evaluationFrequency to compare current log events and patterns with trained baselines"
// (API_CreateLogAnomalyDetector), with a priority "computed based on log severity labels
// such as FATAL and ERROR and the amount of deviation from the baseline" (API_Anomaly).
// The rules here are ours:
//
//   - Each evaluation clusters its window's events (package localserver/patterns) and maps
//     each cluster to a pattern the detector knows: the one of the same ID, else the first
//     (by ID) whose regex matches every sample of the cluster, or whose stored sample the
//     cluster's regex matches (the same pattern seen more or less generalised). A cluster
//     matching none is a new pattern, which the detector then knows. It keeps at most
//     maxDetectorPatterns: to make room for new ones, an evaluation (in its transaction)
//     forgets the known patterns seen least recently (last_seen, ties by pattern ID) that
//     it did not see itself, that are not suppressed and that no anomaly still kept refers
//     to (an open one, or a baseline one still listed: ListAnomalies answers an anomaly
//     with its pattern); new patterns it finds no room for (the smallest clusters first)
//     are neither kept nor reported. A forgotten pattern seen again is new.
//   - For each known pattern the detector keeps the count of every evaluation since it
//     first saw it, or since its evaluation period last changed (as the sum and sum of
//     squares: their mean and standard deviation).
//   - While the detector trains (its first anomalyTrainingRuns evaluations) every pattern it
//     sees is normal and nothing is reported.
//   - Then (a) a pattern first seen is reported as an anomaly ("new pattern"), and stays
//     one (updated, active) at each evaluation where it occurs, inactive where it does
//     not, until it is made baseline or its visibility ends; (b) a normal pattern whose
//     count in an evaluation is at least spikeFloor and more than mean + 3·max(σ, √mean) of
//     its previous evaluations (√mean: the spread of counts that vary by chance, so that a
//     perfectly steady pattern is not flagged for one event more), and more than any count
//     made baseline for it, is reported as a spike; the same anomaly is updated by later
//     spikes of the pattern (active while they last) until it is made baseline or its
//     visibility ends.
//   - Priority: HIGH for a pattern whose severity (package patterns) is ERROR; MEDIUM for
//     WARN, or for a spike at least three times its expected count; otherwise LOW.
//   - A suppressed anomaly, or one of a suppressed pattern, is neither created nor
//     updated (UpdateAnomaly); the pattern's counts are still learnt.
//   - An anomaly keeps its first maxAnomalySamples events (logSamples), the counts of its
//     last maxHistogramEntries evaluations (histogram, keyed by the evaluation's time) and
//     its pattern's tokens, with the enumerations of every evaluation added (at most
//     maxTokenEnumerations values a token, the most frequent).

// maxDetectorPatterns bounds the patterns a detector knows (and the clusters of an
// evaluation); a variable for tests.
var maxDetectorPatterns = 1000

const (
	maxAnomalySamples   = 10
	maxHistogramEntries = 100
	spikeFloor          = 10
	// maxTokenEnumerations bounds the values an anomaly's dynamic token enumerates.
	maxTokenEnumerations = 10

	anomalyNew   = "new"
	anomalySpike = "spike"
)

// knownPattern is a row of anomaly_patterns.
type knownPattern struct {
	id, template, regex, sample, severity string
	normal                                bool
	baselineMax                           int64
	firstRun                              int64
	sum, sumSq                            float64
	lastSeen                              int64
	suppressedUntil                       sql.NullInt64

	re      *regexp.Regexp // compiled on demand; nil if it does not compile
	reTried bool
	count   int64               // this evaluation's
	found   []*patterns.Pattern // this evaluation's clusters, largest first
	isNew   bool
}

// matches reports whether the pattern's regex matches msg.
func (k *knownPattern) matches(msg string) bool {
	if !k.reTried {
		k.reTried = true
		k.re, _ = regexp.Compile(k.regex)
	}
	return k.re != nil && k.re.MatchString(msg)
}

// anomalyToken is a PatternToken as stored and answered.
type anomalyToken struct {
	DynamicTokenPosition int              `json:"dynamicTokenPosition"`
	IsDynamic            bool             `json:"isDynamic"`
	TokenString          string           `json:"tokenString"`
	Enumerations         map[string]int64 `json:"enumerations"`
	InferredTokenName    string           `json:"inferredTokenName,omitempty"`
}

// anomalySample is a LogEvent of logSamples.
type anomalySample struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// openAnomaly is an anomaly still updated by evaluations (a row of anomalies not
// baseline).
type openAnomaly struct {
	id              string
	histogram       [][2]int64
	samples         []anomalySample
	tokens          []anomalyToken
	peak            int64
	active          bool
	suppressedUntil sql.NullInt64
}

// detectionPlan is an evaluation's clusters, matched to the patterns its detector knew
// when it started: found maps a known pattern's ID to its clusters; fresh are the new
// patterns (with their clusters).
type detectionPlan struct {
	found map[string][]*patterns.Pattern
	fresh []*knownPattern
	// unmatched counts the clusters left out once the evaluation's matchBudget ran out.
	unmatched int
	// evicted counts the known patterns forgotten to make room for fresh ones, dropped
	// the fresh ones no room was found for (set by detectAnomalies).
	evicted, dropped int
}

// matchBudget bounds the message bytes one evaluation runs known patterns' regexes over
// (matchKnown). A regex runs in time linear in its input, but a window's clusters times
// a detector's known patterns times samples of up to 256 KB each reached minutes of
// regex work per evaluation on crafted input (50 clusters of 200 KB messages against 50
// known patterns: 15.6 s), holding up every other detector. 64 MiB is about a second.
// Once it has run out, a cluster that no known pattern has the ID of is left out of the
// evaluation (counted, and in its log line) rather than taken as a new pattern, which
// would report an anomaly that may be none.
var matchBudget int64 = 64 << 20

// planDetection matches the clusters c made of detector d's evaluation window to the
// patterns d knows (see the package comment), outside the evaluation's write transaction:
// only the runner adds or forgets patterns, one evaluation at a time, so what it reads
// here is what the transaction finds.
func (s *Server) planDetection(ctx context.Context, d *anomalyDetector, c *patterns.Clusterer) (*detectionPlan, error) {
	known, err := loadKnownPatterns(ctx, s.st.r, d.id)
	if err != nil {
		return nil, err
	}
	plan := &detectionPlan{found: map[string][]*patterns.Pattern{}}
	byID := make(map[string]*knownPattern, len(known))
	for _, k := range known {
		byID[k.id] = k
	}
	budget := matchBudget
	for _, p := range c.Patterns() {
		k := byID[p.ID()]
		if k == nil {
			var spent bool
			if k, spent = matchKnown(ctx, known, p, &budget); spent {
				plan.unmatched++
				continue
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err // deleted or shutting down: matching may take long (see matchKnown)
		}
		if k == nil {
			if len(plan.fresh) >= maxDetectorPatterns {
				continue // room is made in the transaction (detectAnomalies), at most for this many
			}
			k = &knownPattern{id: p.ID(), template: p.String(), regex: p.Regex(), severity: p.Severity(), isNew: true}
			if smp := p.Samples(); len(smp) > 0 {
				k.sample = smp[0].Message
			}
			known = append(known, k)
			byID[k.id] = k
			plan.fresh = append(plan.fresh, k)
		}
		plan.found[k.id] = append(plan.found[k.id], p)
	}
	return plan, nil
}

// detectAnomalies records what detector d's evaluation at at (ms; its runs not yet
// counting it) found (plan), in the evaluation's transaction.
func (s *Server) detectAnomalies(ctx context.Context, tx *sql.Tx, d *anomalyDetector, at, nowMs int64, plan *detectionPlan) *apiError {
	// Anomalies past their visibility are baseline: closed, their pattern normal up to
	// their largest count; then forgotten.
	cut := at - d.visibilityDays*dayMs
	if _, err := tx.ExecContext(ctx, `UPDATE anomaly_patterns SET normal = 1, baseline_max = max(baseline_max,
		(SELECT max(a.peak) FROM anomalies a WHERE a.detector_id = anomaly_patterns.detector_id
			AND a.pattern_id = anomaly_patterns.pattern_id AND a.baseline = 0 AND a.first_seen < ?))
		WHERE detector_id = ? AND pattern_id IN (SELECT pattern_id FROM anomalies WHERE detector_id = ? AND baseline = 0 AND first_seen < ?)`,
		cut, d.id, d.id, cut); err != nil {
		return s.dbErr(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM anomalies WHERE detector_id = ? AND first_seen < ?`, d.id, cut); err != nil {
		return s.dbErr(err)
	}

	// The known patterns as they are now (suppression and baseline may have changed
	// since planDetection), and the new ones.
	known, err := loadKnownPatterns(ctx, tx, d.id)
	if err != nil {
		return s.dbErr(err)
	}
	run := d.runs // this evaluation's index
	training := run < int64(anomalyTrainingRuns)
	for _, ks := range [][]*knownPattern{known, plan.fresh} {
		for _, k := range ks {
			k.found = plan.found[k.id]
			k.count = 0
			for _, p := range k.found {
				k.count += p.Count()
			}
		}
	}
	if aerr := s.makeRoom(ctx, tx, d.id, &known, plan, nowMs); aerr != nil {
		return aerr
	}
	for _, k := range plan.fresh {
		k.normal, k.firstRun = training, run
		known = append(known, k)
	}

	open, err := loadOpenAnomalies(ctx, tx, d.id)
	if err != nil {
		return s.dbErr(err)
	}
	for _, k := range known {
		n := float64(run - k.firstRun) // evaluations before this one since it was first seen
		mean, sd := 0.0, 0.0
		if n > 0 {
			mean = k.sum / n
			sd = math.Sqrt(max(k.sumSq/n-mean*mean, 0))
		}
		kind := ""
		switch {
		case training:
		case !k.normal && k.count > 0:
			kind = anomalyNew
		case k.normal && n > 0 && k.count >= spikeFloor && float64(k.count) > mean+3*max(sd, math.Sqrt(mean)) &&
			k.count > k.baselineMax:
			kind = anomalySpike
		}
		if aerr := s.recordFinding(ctx, tx, d, k, open[k.id], kind, at, nowMs, mean); aerr != nil {
			return aerr
		}
		// The pattern's counts, this evaluation's included.
		c := float64(k.count)
		k.sum += c
		k.sumSq += c * c
		if k.count == 0 && !k.isNew {
			continue // unchanged: an evaluation writes only the patterns it saw
		}
		k.lastSeen = at
		if aerr := s.storeKnownPattern(ctx, tx, d.id, k); aerr != nil {
			return aerr
		}
	}
	return nil
}

// makeRoom makes room in the patterns detector id knows (*known, as stored, this
// evaluation's counts set) for plan's fresh ones (see the package comment): it deletes
// the patterns it forgets (and takes them out of *known) and leaves in plan.fresh only
// those that fit.
func (s *Server) makeRoom(ctx context.Context, tx *sql.Tx, detectorID string, known *[]*knownPattern, plan *detectionPlan, nowMs int64) *apiError {
	if len(*known)+len(plan.fresh) <= maxDetectorPatterns {
		return nil
	}
	kept := map[string]bool{} // the patterns an anomaly refers to (expired ones are deleted)
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT pattern_id FROM anomalies WHERE detector_id = ?`, detectorID)
	if err != nil {
		return s.dbErr(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return s.dbErr(err)
		}
		kept[id] = true
	}
	if err := rows.Close(); err != nil {
		return s.dbErr(err)
	}
	if err := rows.Err(); err != nil {
		return s.dbErr(err)
	}
	evict, fit := stalestPatterns(*known, len(plan.fresh), kept, nowMs)
	gone := make(map[string]bool, len(evict))
	for _, k := range evict {
		if _, err := tx.ExecContext(ctx, `DELETE FROM anomaly_patterns WHERE detector_id = ? AND pattern_id = ?`,
			detectorID, k.id); err != nil {
			return s.dbErr(err)
		}
		gone[k.id] = true
	}
	*known = slices.DeleteFunc(*known, func(k *knownPattern) bool { return gone[k.id] })
	for _, k := range plan.fresh[fit:] {
		delete(plan.found, k.id)
	}
	plan.evicted, plan.dropped = len(evict), len(plan.fresh)-fit
	plan.fresh = plan.fresh[:fit]
	return nil
}

// stalestPatterns picks, of the known patterns, those to forget so that fresh new ones
// fit in maxDetectorPatterns: the ones seen least recently (last_seen, then pattern ID)
// that this evaluation did not see (count 0), that are not suppressed at nowMs and that
// are not kept (an anomaly refers to them). fit is how many of the fresh ones then fit
// (the first ones). It never forgets more patterns than there are fresh ones.
func stalestPatterns(known []*knownPattern, fresh int, kept map[string]bool, nowMs int64) (evict []*knownPattern, fit int) {
	need := min(len(known)+fresh-maxDetectorPatterns, fresh)
	if need <= 0 {
		return nil, fresh
	}
	var cands []*knownPattern
	for _, k := range known {
		if k.count == 0 && !kept[k.id] && !suppressedAt(k.suppressedUntil, nowMs) {
			cands = append(cands, k)
		}
	}
	slices.SortFunc(cands, func(a, b *knownPattern) int {
		return cmp.Or(cmp.Compare(a.lastSeen, b.lastSeen), strings.Compare(a.id, b.id))
	})
	evict = cands[:min(need, len(cands))]
	fit = min(fresh, max(maxDetectorPatterns-(len(known)-len(evict)), 0))
	if fit == 0 {
		return nil, 0 // (a table over the bound, lowered since) forgetting would make no room
	}
	return evict, fit
}

// matchKnown returns the known pattern p is (see the package comment), or nil; nil
// too once ctx is done. Its regexes run in time proportional to the messages they are
// run over (up to 256 KB each), for each of the known patterns: it stops at ctx's end,
// so that a deletion or Shutdown does not wait for it, and it takes each message's bytes
// from *budget before running a regex over it, returning spent when there were too few
// left to decide.
func matchKnown(ctx context.Context, known []*knownPattern, p *patterns.Pattern, budget *int64) (k *knownPattern, spent bool) {
	take := func(msg string) bool {
		if *budget < int64(len(msg)) {
			spent = true
			return false
		}
		*budget -= int64(len(msg))
		return true
	}
	samples := p.Samples()
	var re *regexp.Regexp
	for _, k := range known {
		if ctx.Err() != nil {
			return nil, false
		}
		if k.template == "<*>" {
			continue // the overflow pattern (or a one-word variable) matches anything
		}
		all := len(samples) > 0
		for _, smp := range samples {
			if !take(smp.Message) {
				return nil, true
			}
			if !k.matches(smp.Message) {
				all = false
				break
			}
		}
		if all {
			return k, false
		}
		if k.sample == "" {
			continue
		}
		if p.String() == "<*>" {
			continue
		}
		if re == nil {
			var err error
			if re, err = regexp.Compile(p.Regex()); err != nil {
				re = regexp.MustCompile(`\z.`) // matches nothing
			}
		}
		if !take(k.sample) {
			return nil, true
		}
		if re.MatchString(k.sample) {
			return k, false
		}
	}
	return nil, false
}

// loadKnownPatterns reads detector id's patterns, by ID.
func loadKnownPatterns(ctx context.Context, q queryer, id string) ([]*knownPattern, error) {
	rows, err := q.QueryContext(ctx, `SELECT pattern_id, template, regex, sample, severity, normal, baseline_max, first_run,
		sum, sum_sq, last_seen, suppressed_until FROM anomaly_patterns WHERE detector_id = ? ORDER BY pattern_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*knownPattern
	for rows.Next() {
		k := &knownPattern{}
		if err := rows.Scan(&k.id, &k.template, &k.regex, &k.sample, &k.severity, &k.normal, &k.baselineMax, &k.firstRun,
			&k.sum, &k.sumSq, &k.lastSeen, &k.suppressedUntil); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// loadOpenAnomalies reads detector id's open anomalies, by pattern ID.
func loadOpenAnomalies(ctx context.Context, tx *sql.Tx, id string) (map[string]*openAnomaly, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, pattern_id, histogram, samples, tokens, peak, active, suppressed_until
		FROM anomalies WHERE detector_id = ? AND baseline = 0`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*openAnomaly{}
	for rows.Next() {
		a := &openAnomaly{}
		var patternID, hist, samples, tokens string
		if err := rows.Scan(&a.id, &patternID, &hist, &samples, &tokens, &a.peak, &a.active, &a.suppressedUntil); err != nil {
			return nil, err
		}
		if err := decodeJSONColumns(hist, &a.histogram, samples, &a.samples, tokens, &a.tokens); err != nil {
			return nil, err
		}
		out[patternID] = a
	}
	return out, rows.Err()
}

// decodeJSONColumns decodes pairs of (JSON text, destination).
func decodeJSONColumns(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := json.Unmarshal([]byte(pairs[i].(string)), pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// storeKnownPattern writes k (inserted when new).
func (s *Server) storeKnownPattern(ctx context.Context, tx *sql.Tx, detectorID string, k *knownPattern) *apiError {
	var err error
	if k.isNew {
		_, err = tx.ExecContext(ctx, `INSERT INTO anomaly_patterns(detector_id, pattern_id, template, regex, sample, severity,
			normal, baseline_max, first_run, sum, sum_sq, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			detectorID, k.id, k.template, k.regex, k.sample, k.severity, k.normal, k.baselineMax, k.firstRun, k.sum, k.sumSq, k.lastSeen)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE anomaly_patterns SET sum = ?, sum_sq = ?, last_seen = ? WHERE detector_id = ? AND pattern_id = ?`,
			k.sum, k.sumSq, k.lastSeen, detectorID, k.id)
	}
	if err != nil {
		return s.dbErr(err)
	}
	return nil
}

// recordFinding creates or updates the anomaly of pattern k for this evaluation (kind
// "" when it found none: an open anomaly becomes inactive), unless the pattern or the
// anomaly is suppressed.
func (s *Server) recordFinding(ctx context.Context, tx *sql.Tx, d *anomalyDetector, k *knownPattern, a *openAnomaly, kind string, at, nowMs int64, mean float64) *apiError {
	if suppressedAt(k.suppressedUntil, nowMs) || (a != nil && suppressedAt(a.suppressedUntil, nowMs)) {
		return nil
	}
	if kind == "" {
		if a == nil || !a.active {
			return nil // nothing to change
		}
		if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET active = 0 WHERE id = ?`, a.id); err != nil {
			return s.dbErr(err)
		}
		return nil
	}
	if a == nil {
		a = &openAnomaly{id: newRequestID()}
		a.tokens = tokensOf(k.found[0])
		desc := fmt.Sprintf("New log pattern: %d events matched it; it was not seen while the detector trained.", k.count)
		if kind == anomalySpike {
			desc = fmt.Sprintf("Count of events matching the pattern deviated expected by: %.2f%%", (float64(k.count)-mean)/max(mean, 1)*100)
		}
		a.add(k, at)
		hist, samples, tokens := a.jsonColumns()
		_, err := tx.ExecContext(ctx, `INSERT INTO anomalies(id, detector_id, pattern_id, priority, description,
			first_seen, last_seen, active, peak, histogram, samples, tokens) VALUES (?,?,?,?,?,?,?,1,?,?,?,?)`,
			a.id, d.id, k.id, anomalyPriority(k, kind, mean), desc, at, at, a.peak, hist, samples, tokens)
		if err != nil {
			return s.dbErr(err)
		}
		return nil
	}
	mergeTokens(a.tokens, tokensOf(k.found[0]))
	a.add(k, at)
	hist, samples, tokens := a.jsonColumns()
	if _, err := tx.ExecContext(ctx, `UPDATE anomalies SET last_seen = ?, active = 1, peak = ?, histogram = ?, samples = ?,
		tokens = ? WHERE id = ?`, at, a.peak, hist, samples, tokens, a.id); err != nil {
		return s.dbErr(err)
	}
	return nil
}

// add records this evaluation's occurrences of k into a: its histogram (bounded), peak and
// samples (the first ones).
func (a *openAnomaly) add(k *knownPattern, at int64) {
	a.histogram = append(a.histogram, [2]int64{at, k.count})
	if len(a.histogram) > maxHistogramEntries {
		a.histogram = slices.Delete(a.histogram, 0, len(a.histogram)-maxHistogramEntries)
	}
	a.peak = max(a.peak, k.count)
	for _, p := range k.found {
		for _, smp := range p.Samples() {
			if len(a.samples) >= maxAnomalySamples {
				return
			}
			a.samples = append(a.samples, anomalySample{Timestamp: smp.Timestamp, Message: smp.Message})
		}
	}
}

// jsonColumns is a's histogram, samples and tokens as stored (and answered).
func (a *openAnomaly) jsonColumns() (hist, samples, tokens string) {
	h, _ := json.Marshal(a.histogram) // of plain values: Marshal cannot fail
	sm, _ := json.Marshal(a.samples)
	tk, _ := json.Marshal(a.tokens)
	if a.samples == nil {
		sm = []byte("[]")
	}
	if a.tokens == nil {
		tk = []byte("[]")
	}
	return string(h), string(sm), string(tk)
}

// tokensOf is p's tokens as PatternTokens.
func tokensOf(p *patterns.Pattern) []anomalyToken {
	var out []anomalyToken
	for _, t := range p.Tokens() {
		e := t.Enumerations
		if e == nil {
			e = map[string]int64{}
		}
		out = append(out, anomalyToken{DynamicTokenPosition: t.Position, IsDynamic: t.Dynamic, TokenString: t.Text,
			Enumerations: e, InferredTokenName: t.InferredName})
	}
	return out
}

// mergeTokens adds the enumerations of add to those of into when both are the same
// sequence of tokens, keeping the maxTokenEnumerations most frequent values of
// each dynamic token.
func mergeTokens(into, add []anomalyToken) {
	if len(into) != len(add) {
		return
	}
	for i := range into {
		if into[i].IsDynamic != add[i].IsDynamic || (!into[i].IsDynamic && into[i].TokenString != add[i].TokenString) {
			return
		}
	}
	for i := range into {
		if !into[i].IsDynamic {
			continue
		}
		for v, n := range add[i].Enumerations {
			into[i].Enumerations[v] += n
		}
		if len(into[i].Enumerations) > maxTokenEnumerations {
			type kv struct {
				v string
				n int64
			}
			var all []kv
			for v, n := range into[i].Enumerations {
				all = append(all, kv{v, n})
			}
			slices.SortFunc(all, func(a, b kv) int {
				if c := cmp.Compare(b.n, a.n); c != 0 {
					return c
				}
				return strings.Compare(a.v, b.v)
			})
			for _, e := range all[maxTokenEnumerations:] {
				delete(into[i].Enumerations, e.v)
			}
		}
	}
}

// anomalyPriority is the priority of a new anomaly of k (see the package comment).
func anomalyPriority(k *knownPattern, kind string, mean float64) string {
	switch strings.ToUpper(k.severity) {
	case "ERROR":
		return "HIGH"
	case "WARN":
		return "MEDIUM"
	}
	if kind == anomalySpike && float64(k.count) >= 3*max(mean, 1) {
		return "MEDIUM"
	}
	return "LOW"
}
