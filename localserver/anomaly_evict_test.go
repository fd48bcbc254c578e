package localserver

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// jobLines are n lines of the pattern "<word> job <*> finished in <*>ms" (one pattern a
// word: the clusterer groups lines by their first word).
func jobLines(word string, run, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s job %d finished in %dms", word, run*100+i, 10+i))
	}
	return out
}

// knownWords are the first words of the patterns detector e knows, sorted, and the
// pattern ID of each.
func (e *adEnv) knownWords() ([]string, map[string]string) {
	e.t.Helper()
	rows, err := e.s.st.r.Query(`SELECT pattern_id, template FROM anomaly_patterns WHERE detector_id = ?`, e.id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var words []string
	ids := map[string]string{}
	for rows.Next() {
		var id, tmpl string
		if err := rows.Scan(&id, &tmpl); err != nil {
			e.t.Fatal(err)
		}
		w, _, _ := strings.Cut(tmpl, " ")
		words = append(words, w)
		ids[w] = id
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(words)
	return words, ids
}

// reported are the first words of the patterns of the detector's anomalies, sorted.
func (e *adEnv) reported() []string {
	e.t.Helper()
	var out []string
	for _, a := range e.anomalies(nil) {
		w, _, _ := strings.Cut(a["patternString"].(string), " ")
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// TestAnomalyDetectorEvictsStalest: a detector whose pattern table is full forgets the
// pattern seen least recently to learn (and report) a new one, but keeps a suppressed
// pattern and patterns with an open anomaly or a baseline one still listed, however
// stale; a new pattern with no room is neither kept nor reported. A forgotten pattern
// seen again is new.
func TestAnomalyDetectorEvictsStalest(t *testing.T) {
	defer func(n int) { maxDetectorPatterns = n }(maxDetectorPatterns)
	maxDetectorPatterns = 5
	e := newADEnv(t, "", nil)
	step := func(run int, words ...string) {
		t.Helper()
		for _, w := range words {
			e.put(jobLines(w, run, 3)...)
		}
		e.evaluate()
	}
	check := func(when string, wantKnown, wantReported []string) {
		t.Helper()
		if got, _ := e.knownWords(); !slices.Equal(got, wantKnown) {
			t.Errorf("%s: known patterns %v, want %v", when, got, wantKnown)
		}
		if got := e.reported(); !slices.Equal(got, wantReported) {
			t.Errorf("%s: anomalies of %v, want %v", when, got, wantReported)
		}
	}

	// Training: alpha, bravo, charlie and delta first; then alpha and charlie only.
	run := 0
	step(run, "alpha", "bravo", "charlie", "delta")
	for run = 1; run < anomalyTrainingRuns; run++ {
		step(run, "alpha", "charlie")
	}
	// echo is new: reported, and the table (5) is full.
	step(run, "alpha", "echo")
	run++
	check("echo new", []string{"alpha", "bravo", "charlie", "delta", "echo"}, []string{"echo"})
	// bravo (the stalest, with delta; seen at the first evaluation) is suppressed.
	_, ids := e.knownWords()
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "patternId": ids["bravo"], "suppressionType": "INFINITE"})

	// foxtrot is new: delta, the stalest pattern neither suppressed nor with an open
	// anomaly, is forgotten, and foxtrot reported.
	step(run, "alpha", "foxtrot")
	run++
	check("foxtrot new", []string{"alpha", "bravo", "charlie", "echo", "foxtrot"}, []string{"echo", "foxtrot"})
	// golf is new: charlie goes (echo, older than foxtrot, has an open anomaly).
	step(run, "alpha", "golf")
	run++
	check("golf new", []string{"alpha", "bravo", "echo", "foxtrot", "golf"}, []string{"echo", "foxtrot", "golf"})
	// hotel is new, but every pattern is seen (alpha), suppressed (bravo) or has an open
	// anomaly: hotel is neither kept nor reported.
	step(run, "alpha", "hotel")
	run++
	check("hotel new", []string{"alpha", "bravo", "echo", "foxtrot", "golf"}, []string{"echo", "foxtrot", "golf"})
	// bravo's suppression ends and echo is made baseline (its anomaly is still listed:
	// its pattern is kept). delta (forgotten, so new again) and india are new: bravo is
	// forgotten for delta, the larger; india finds no room.
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "patternId": ids["bravo"]})
	mustOK(t, e.s, "UpdateAnomaly", m{"anomalyDetectorArn": e.arn, "patternId": ids["echo"], "baseline": true})
	e.put(jobLines("delta", run, 5)...)
	step(run, "alpha", "india")
	check("delta again", []string{"alpha", "delta", "echo", "foxtrot", "golf"}, []string{"delta", "echo", "foxtrot", "golf"})
	for _, a := range e.anomalies(nil) {
		if strings.HasPrefix(a["patternString"].(string), "echo") && a["state"] != "Baseline" {
			t.Errorf("echo's anomaly is %v, want Baseline", a["state"])
		}
	}
}

// TestAnomalyStalestPatterns: the patterns forgotten to make room, and how many new ones fit.
func TestAnomalyStalestPatterns(t *testing.T) {
	defer func(n int) { maxDetectorPatterns = n }(maxDetectorPatterns)
	maxDetectorPatterns = 4
	const now = 1_000_000
	pat := func(id string, lastSeen, count int64, suppressed ...int64) *knownPattern {
		k := &knownPattern{id: id, lastSeen: lastSeen, count: count}
		if len(suppressed) > 0 {
			k.suppressedUntil = sql.NullInt64{Int64: suppressed[0], Valid: true}
		}
		return k
	}
	for _, tc := range []struct {
		name      string
		known     []*knownPattern
		fresh     int
		kept      []string
		wantEvict []string
		wantFit   int
	}{
		{"room left", []*knownPattern{pat("a", 1, 0), pat("b", 2, 0)}, 2, nil, nil, 2},
		{"stalest first", []*knownPattern{pat("a", 3, 0), pat("b", 1, 0), pat("c", 2, 0), pat("d", 4, 0)}, 2, nil, []string{"b", "c"}, 2},
		{"ties by ID", []*knownPattern{pat("d", 1, 0), pat("c", 1, 0), pat("b", 1, 0), pat("a", 5, 0)}, 1, nil, []string{"b"}, 1},
		{"seen now kept", []*knownPattern{pat("a", 1, 7), pat("b", 2, 0), pat("c", 3, 0), pat("d", 4, 0)}, 1, nil, []string{"b"}, 1},
		{"anomaly kept", []*knownPattern{pat("a", 1, 0), pat("b", 2, 0), pat("c", 3, 0), pat("d", 4, 0)}, 1, []string{"a"}, []string{"b"}, 1},
		{"suppressed kept", []*knownPattern{pat("a", 1, 0, 0), pat("b", 2, 0, now+1), pat("c", 3, 0), pat("d", 4, 0)}, 1, nil, []string{"c"}, 1},
		{"suppression ended", []*knownPattern{pat("a", 1, 0, now), pat("b", 2, 0), pat("c", 3, 0), pat("d", 4, 0)}, 1, nil, []string{"a"}, 1},
		{"partly", []*knownPattern{pat("a", 1, 0), pat("b", 2, 1), pat("c", 3, 1), pat("d", 4, 1)}, 3, nil, []string{"a"}, 1},
		{"none", []*knownPattern{pat("a", 1, 1), pat("b", 2, 0, 0), pat("c", 3, 0), pat("d", 4, 0)}, 2, []string{"c", "d"}, nil, 0},
		{"over the bound", []*knownPattern{pat("a", 1, 0), pat("b", 2, 1), pat("c", 3, 1), pat("d", 4, 1), pat("e", 5, 1)}, 1, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := map[string]bool{}
			for _, id := range tc.kept {
				kept[id] = true
			}
			evict, fit := stalestPatterns(tc.known, tc.fresh, kept, now)
			var got []string
			for _, k := range evict {
				got = append(got, k.id)
			}
			if !slices.Equal(got, tc.wantEvict) || fit != tc.wantFit {
				t.Errorf("forgets %v, fits %d; want %v, %d", got, fit, tc.wantEvict, tc.wantFit)
			}
		})
	}
}
