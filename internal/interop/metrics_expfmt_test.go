package interop

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/metrics"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// The Prometheus project's own parser (github.com/prometheus/common/expfmt)
// reads what ship/metrics serves: the families, their types, label sets and
// values must be those of the sources' Stats.

// scriptedLogs is a stand-in for CloudWatch Logs answering the i-th
// PutLogEvents with answers[i] (status, body), later ones with 200 "{}".
func scriptedLogs(t testing.TB, answers ...[2]any) *cwlogs.Client {
	t.Helper()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		status, body := 200, "{}"
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			mu.Lock()
			if calls < len(answers) {
				status, body = answers[calls][0].(int), answers[calls][1].(string)
			}
			calls++
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "not-a-real-secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// want is one expected family: its type and, per sample, the labels and value.
type wantFamily struct {
	typ     dto.MetricType
	samples map[string]float64 // key: sorted name=value pairs joined with ","
}

func labelKey(pairs map[string]string) string {
	var kv []string
	for k, v := range pairs {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

func add(w map[string]*wantFamily, name string, typ dto.MetricType, labels map[string]string, v float64) {
	f := w[name]
	if f == nil {
		f = &wantFamily{typ: typ, samples: map[string]float64{}}
		w[name] = f
	}
	f.samples[labelKey(labels)] = v
}

func with(labels map[string]string, k, v string) map[string]string {
	m := map[string]string{k: v}
	for a, b := range labels {
		m[a] = b
	}
	return m
}

func seconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1e3
}

// wantShip adds the families of a ship.Stats, mapped here independently of
// the package's own table.
func wantShip(w map[string]*wantFamily, l map[string]string, s ship.Stats) {
	C, G := dto.MetricType_COUNTER, dto.MetricType_GAUGE
	for name, v := range map[string]int64{
		"events_total": s.Events, "sent_events_total": s.Sent, "sent_bytes_total": s.Bytes,
		"batches_total": s.Batches, "requests_total": s.Requests, "retries_total": s.Retries,
		"throttled_total": s.Throttled, "streams_created_total": s.StreamsCreated,
		"groups_created_total": s.GroupsCreated, "split_events_total": s.Split,
		"truncated_events_total": s.Truncated, "clamped_events_total": s.Clamped,
	} {
		add(w, "cwlogs_ship_"+name, C, l, float64(v))
	}
	for name, v := range map[string]int64{"queued_events": s.Queued, "queued_bytes": s.QueuedBytes, "in_flight_events": s.InFlight} {
		add(w, "cwlogs_ship_"+name, G, l, float64(v))
	}
	add(w, "cwlogs_ship_last_error_timestamp_seconds", G, l, seconds(s.LastErrorTime))
	for r, v := range map[string]int64{"too_new": s.Rejected.TooNew, "too_old": s.Rejected.TooOld, "expired": s.Rejected.Expired} {
		add(w, "cwlogs_ship_rejected_events_total", C, with(l, "reason", r), float64(v))
	}
	d := s.Dropped
	for r, v := range map[string]int64{"empty": d.Empty, "too_large": d.TooLarge, "too_old": d.TooOld, "too_new": d.TooNew,
		"buffer_full": d.BufferFull, "retry_exhausted": d.RetryExhausted, "permanent_error": d.PermanentError, "closed": d.Closed} {
		add(w, "cwlogs_ship_dropped_events_total", C, with(l, "reason", r), float64(v))
	}
}

// wantSpool adds the families of a spool.Stats.
func wantSpool(w map[string]*wantFamily, l map[string]string, s spool.Stats) {
	C, G := dto.MetricType_COUNTER, dto.MetricType_GAUGE
	for name, v := range map[string]int64{
		"offered_records_total": s.Offered, "accepted_records_total": s.Accepted, "accepted_bytes_total": s.AcceptedBytes,
		"delivered_records_total": s.Delivered, "checkpoints_total": s.Checkpoints, "handed_records_total": s.Handed,
		"replayed_records_total": s.Replayed, "failures_total": s.Failures, "torn_bytes_total": s.TornBytes,
	} {
		add(w, "cwlogs_spool_"+name, C, l, float64(v))
	}
	for name, v := range map[string]int64{"pending_records": s.Pending, "recovered_records": s.Recovered,
		"disk_bytes": s.DiskBytes, "segments": int64(s.Segments)} {
		add(w, "cwlogs_spool_"+name, G, l, float64(v))
	}
	add(w, "cwlogs_spool_last_error_timestamp_seconds", G, l, seconds(s.LastErrorTime))
	d := s.Dropped
	for r, v := range map[string]int64{"empty": d.Empty, "too_large": d.TooLarge, "full": d.Full, "closed": d.Closed,
		"write_error": d.WriteError, "oldest": d.Oldest, "corrupt": d.Corrupt, "refused": d.Refused, "replay_limit": d.ReplayLimit} {
		add(w, "cwlogs_spool_dropped_records_total", C, with(l, "reason", r), float64(v))
	}
}

// scrapeFamilies GETs url and decodes it with expfmt, by the format the
// response's Content-Type names.
func scrapeFamilies(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	format := expfmt.ResponseFormat(resp.Header)
	if format.FormatType() != expfmt.TypeTextPlain {
		t.Fatalf("Content-Type %q is not recognised as the text format (%s)", resp.Header.Get("Content-Type"), format)
	}
	dec := expfmt.NewDecoder(resp.Body, format)
	fams := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("expfmt: %v", err)
		}
		if fams[mf.GetName()] != nil {
			t.Errorf("family %s twice", mf.GetName())
		}
		fams[mf.GetName()] = &mf
	}
	return fams
}

func compareFamilies(t *testing.T, got map[string]*dto.MetricFamily, want map[string]*wantFamily) {
	t.Helper()
	for name, wf := range want {
		mf := got[name]
		if mf == nil {
			t.Errorf("family %s missing", name)
			continue
		}
		if mf.GetType() != wf.typ {
			t.Errorf("%s: type %s, want %s", name, mf.GetType(), wf.typ)
		}
		if mf.GetHelp() == "" {
			t.Errorf("%s: no HELP", name)
		}
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			k := labelKey(l)
			seen[k] = true
			v := m.GetGauge().GetValue()
			if wf.typ == dto.MetricType_COUNTER {
				v = m.GetCounter().GetValue()
			}
			w, ok := wf.samples[k]
			if !ok {
				t.Errorf("%s{%s}: unexpected sample", name, k)
			} else if math.Abs(v-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("%s{%s} = %v, want %v", name, k, v, w)
			}
		}
		for k := range wf.samples {
			if !seen[k] {
				t.Errorf("%s{%s}: sample missing", name, k)
			}
		}
	}
	for name := range got {
		if want[name] == nil {
			t.Errorf("unexpected family %s", name)
		}
	}
}

func TestMetricsExpfmt(t *testing.T) {
	ctx := context.Background()
	client := scriptedLogs(t,
		[2]any{500, `{"__type":"ServiceUnavailableException","message":"try again"}`},
		[2]any{200, "{}"},
		[2]any{200, `{"rejectedLogEventsInfo":{"tooNewLogEventStartIndex":1}}`},
	)
	s, err := ship.New(client, "app", "web-1", &ship.Options{Concurrency: 1, InitialBackoff: time.Millisecond,
		MaxBackoff: time.Millisecond, MaxMessageBytes: 50, Oversize: ship.Truncate})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.Log(now, "first")
	_ = s.Flush(ctx)
	s.Log(now, "kept")
	s.Log(now.Add(time.Second), "rejected as too new by the fake") // sorted last; the fake rejects from index 1 on: 2 events
	s.Log(now, strings.Repeat("long ", 20))                        // truncated
	s.Log(now, "")                                                 // dropped: empty

	mux, err := ship.NewMux(scriptedLogs(t), &ship.Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = mux.Log("app", "a", now, "via the mux")

	sd, err := ship.New(scriptedLogs(t), "app", "spooled", nil)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(t.TempDir(), sd, &spool.Options{Sync: spool.SyncNever})
	if err != nil {
		t.Fatal(err)
	}
	_ = sp.Log(now, "on disk")
	_ = sp.Log(now, "")

	c := metrics.New()
	shipLabels := map[string]string{"log_group": "app", "log_stream": "web-1", "host": "gw \"1\"\\\nü"}
	if _, err := c.AddShipper(s, shipLabels); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddShipper(mux, metrics.Labels{"log_group": "app"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddSpool(sp, metrics.Labels{"dir": `C:\spool`}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()

	check := func(when string) {
		t.Run(when, func(t *testing.T) {
			got := scrapeFamilies(t, srv.URL)
			want := map[string]*wantFamily{}
			wantShip(want, shipLabels, s.Stats())
			wantShip(want, map[string]string{"log_group": "app"}, mux.Stats())
			wantSpool(want, map[string]string{"dir": `C:\spool`}, sp.Stats())
			compareFamilies(t, got, want)
		})
	}
	_ = sp.Close(ctx)
	_ = sd.Close(ctx)
	_ = mux.Close(ctx)
	_ = s.Close(ctx)
	st := s.Stats()
	if st.Retries != 1 || st.Rejected.TooNew != 2 || st.Truncated != 1 || st.Dropped.Empty != 1 || st.LastErrorTime.IsZero() {
		t.Fatalf("the fake did not drive the shipper as planned: %+v", st)
	}
	if ss := sp.Stats(); ss.Delivered != 1 || ss.Dropped.Empty != 1 {
		t.Fatalf("the spool was not driven as planned: %+v", ss)
	}
	check("closed")
}

// FuzzMetricsLabelValue registers a source labelled with any string: a
// valid UTF-8 value must read back the same through expfmt, an invalid one
// be refused with a *metrics.LabelError.
func FuzzMetricsLabelValue(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "new\nline", `\n`, "ü日本", "\xff", "tab\t", "\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c := metrics.New()
		_, err := c.AddShipper(&fixedShip{}, metrics.Labels{"v": v})
		if !utf8.ValidString(v) {
			var le *metrics.LabelError
			if !errors.As(err, &le) || le.Value != v {
				t.Fatalf("invalid UTF-8 %q: got %v", v, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if _, err := c.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("value %q: expfmt: %v", v, err)
		}
		m := fams["cwlogs_ship_sent_events_total"].GetMetric()
		if len(m) != 1 || len(m[0].GetLabel()) != 1 || m[0].GetLabel()[0].GetValue() != v {
			t.Fatalf("value %q read back as %v", v, m)
		}
	})
}

type fixedShip ship.Stats

func (f *fixedShip) Stats() ship.Stats { return ship.Stats(*f) }
