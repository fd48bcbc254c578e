package localserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const tfConfig = `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"env","value":"prod"}]}},{"copyValue":{"entries":[{"source":"@logGroupName","target":"group"}]}}]`

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// TestTransformerOps: the answers and errors of Put/Get/Delete/TestTransformer.
func TestTransformerOps(t *testing.T) {
	s, clock := dpServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	put := func(ident, cfg string) *response {
		return call(t, s, "PutTransformer", m{"logGroupIdentifier": ident, "transformerConfig": rawJSON(cfg)})
	}

	// No transformer yet.
	r := mustOK(t, s, "GetTransformer", m{"logGroupIdentifier": "g"})
	if string(r.raw) != `{"logGroupIdentifier":"g"}` {
		t.Errorf("GetTransformer without one: %s", r.raw)
	}
	checkAnswer(t, call(t, s, "DeleteTransformer", m{"logGroupIdentifier": "g"}), codeResourceNotFound, msgTransformerNotFound)

	errs := []struct {
		name, ident, cfg, code, msg string
	}{
		{"missing group", "nope", tfConfig, codeResourceNotFound, msgGroupNotFound},
		{"missing group by ARN", "arn:aws:logs:us-east-1:123456789012:log-group:nope", tfConfig, codeResourceNotFound, msgGroupNotFound},
		{"DELIVERY group", "d", tfConfig, codeInvalidParameter, msgTransformerClass},
		{"INFREQUENT_ACCESS group", "ia", tfConfig, codeInvalidParameter, msgTransformerClass},
		{"first not a parser", "g", `[{"trimString":{"withKeys":["a"]}}]`, codeInvalidParameter,
			`~Invalid transformerConfig: transformerConfig[0]: value "trimString": the first processor of a transformer must be a parser`},
		{"unsupported processor", "g", `[{"parseJSON":{}},{"parseToOCSF":{"eventSource":"VPCFlow","ocsfVersion":"V1.1"}}]`, codeInvalidParameter,
			"Invalid transformerConfig: transformerConfig[1]: the parseToOCSF processor is not supported by this server"},
		{"vended parser not first", "g", `[{"parseJSON":{}},{"parseWAF":{}}]`, codeInvalidParameter,
			`Invalid transformerConfig: transformerConfig[1]: value "parseWAF": a parser of AWS vended logs must be the first processor of a transformer`},
		{"long key", "g", `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"` + strings.Repeat("k", 129) + `","value":"v"}]}}]`, codeInvalidParameter,
			`~transformerConfig[1].addKeys.entries[0].key: value "` + strings.Repeat("k", 129) + `": must be at most 128 characters long`},
		{"empty config", "g", `[]`, codeInvalidParameter, `~must hold between 1 and 20 processors`},
		{"bad identifier", "g*", tfConfig, codeInvalidParameter, "~Value 'g*' at 'logGroupIdentifier' failed to satisfy constraint"},
	}
	for _, tc := range errs {
		checkAnswer(t, put(tc.ident, tc.cfg), tc.code, tc.msg)
	}
	checkAnswer(t, call(t, s, "PutTransformer", m{"logGroupIdentifier": "g"}), codeInvalidParameter, "~'transformerConfig'")

	// Put, by ARN; Get answers the identifier as given and the configuration as put.
	created := clock.Now().UnixMilli()
	if r := put(arn, tfConfig); r.status != 200 || string(r.raw) != "{}" {
		t.Fatalf("PutTransformer: %d %s", r.status, r.raw)
	}
	r = mustOK(t, s, "GetTransformer", m{"logGroupIdentifier": arn})
	want := `{"logGroupIdentifier":"` + arn + `","creationTime":` + itoa(created) + `,"lastModifiedTime":` + itoa(created) + `,"transformerConfig":` + tfConfig + `}`
	if string(r.raw) != want {
		t.Errorf("GetTransformer:\n got %s\nwant %s", r.raw, want)
	}
	// A replacement keeps creationTime.
	clock.Add(5 * time.Second)
	mustOK(t, s, "PutTransformer", m{"logGroupIdentifier": "g", "transformerConfig": rawJSON(`[{"csv":{}}]`)})
	r = mustOK(t, s, "GetTransformer", m{"logGroupIdentifier": "g"})
	if num(t, r.body["creationTime"]) != created || num(t, r.body["lastModifiedTime"]) != created+5000 {
		t.Errorf("after a replacement: %s", r.raw)
	}
	mustOK(t, s, "DeleteTransformer", m{"logGroupIdentifier": "g"})
	if r := mustOK(t, s, "GetTransformer", m{"logGroupIdentifier": "g"}); string(r.raw) != `{"logGroupIdentifier":"g"}` {
		t.Errorf("GetTransformer after delete: %s", r.raw)
	}
	// DeleteLogGroup takes the transformer's history with it.
	mustOK(t, s, "PutTransformer", m{"logGroupIdentifier": "g", "transformerConfig": rawJSON(tfConfig)})
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "g"})
	var n int
	if err := s.st.r.QueryRow(`SELECT count(*) FROM transformers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("transformers left after DeleteLogGroup: %d, %v", n, err)
	}
}

func TestTestTransformer(t *testing.T) {
	s := newTestServer(t, Config{})
	r := mustOK(t, s, "TestTransformer", m{"transformerConfig": rawJSON(tfConfig), "logEventMessages": []string{`{"a":1}`, `not json`}})
	want := `{"transformedLogs":[{"eventNumber":1,"eventMessage":"{\"a\":1}","transformedEventMessage":"{\"a\":1,\"env\":\"prod\",\"group\":\"\"}"},` +
		`{"eventNumber":2,"eventMessage":"not json"}]}`
	if string(r.raw) != want {
		t.Errorf("TestTransformer:\n got %s\nwant %s", r.raw, want)
	}
	errs := []struct {
		name string
		in   m
		code string
		msg  string
	}{
		{"no messages", m{"transformerConfig": rawJSON(tfConfig)}, codeInvalidParameter, "~'logEventMessages'"},
		{"empty messages", m{"transformerConfig": rawJSON(tfConfig), "logEventMessages": []string{}}, codeInvalidParameter, "~Member must have length greater than or equal to 1"},
		{"51 messages", m{"transformerConfig": rawJSON(tfConfig), "logEventMessages": slices.Repeat([]string{"x"}, 51)}, codeInvalidParameter, "~Member must have length less than or equal to 50"},
		{"empty message", m{"transformerConfig": rawJSON(tfConfig), "logEventMessages": []string{""}}, codeInvalidParameter, "~logEventMessages.1.member"},
		{"no config", m{"logEventMessages": []string{"x"}}, codeInvalidParameter, "~'transformerConfig'"},
		{"unsupported", m{"transformerConfig": rawJSON(`[{"parseToOCSF":{"eventSource":"VPCFlow","ocsfVersion":"V1.1"}}]`), "logEventMessages": []string{"x"}}, codeInvalidParameter,
			"Invalid transformerConfig: transformerConfig[0]: the parseToOCSF processor is not supported by this server"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { checkAnswer(t, call(t, s, "TestTransformer", tc.in), tc.code, tc.msg) })
	}
}

// TestTransformerReads: Logs Insights reads each event as the transformer in force when it
// was ingested made it, masked after; GetLogEvents reads events as sent. The clock does not
// move, and the disk store restarts between the changes.
func TestTransformerReads(t *testing.T) {
	eachDPStore(t, func(t *testing.T, store *dpStore) {
		ts := store.clock.UnixMilli() - 1000
		put := func(msg string) {
			t.Helper()
			mustOK(t, store.s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": ts, "message": msg}}})
			ts++
		}
		cfg := `[{"parseJSON":{}},{"copyValue":{"entries":[{"source":"user","target":"who"},{"source":"@logGroupStream","target":"stream"}]}},{"upperCaseString":{"withKeys":["level"]}}]`
		put(`{"n":1,"level":"info","user":"a@b.io"}`)
		mustOK(t, store.s, "PutTransformer", m{"logGroupIdentifier": "g", "transformerConfig": rawJSON(cfg)})
		store.restart()
		put(`{"n":2,"level":"info","user":"a@b.io"}`)
		put(`not json`)
		mustOK(t, store.s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
		put(`{"n":3,"level":"warn","user":"c@d.io"}`)
		mustOK(t, store.s, "DeleteTransformer", m{"logGroupIdentifier": "g"})
		store.restart()
		put(`{"n":4,"level":"info","user":"e@f.io"}`)

		id := startQuery(t, store.s, m{"logGroupName": "g", "startTime": ts/1000 - 10, "endTime": ts/1000 + 10,
			"queryString": "fields n, level, who, stream, @message | sort @timestamp asc"})
		r := waitQuery(t, store.s, id, nil)
		want := []string{
			`n=1; level=info; @message={"n":1,"level":"info","user":"a@b.io"}`,
			`n=2; level=INFO; who=a@b.io; stream=s; @message={"n":2,"level":"INFO","user":"a@b.io","who":"a@b.io","stream":"s"}`,
			`@message=not json`,
			`n=3; level=WARN; who=******; stream=s; @message={"n":3,"level":"WARN","user":"******","who":"******","stream":"s"}`,
			`n=4; level=info; @message={"n":4,"level":"info","user":"******"}`,
		}
		if got := rowsOf(r); !slices.Equal(got, want) {
			t.Errorf("query rows:\n got %q\nwant %q", got, want)
		}
		// GetLogRecord reads the same.
		rows := list(r.body["results"])
		if len(rows) == 5 {
			var ptr string
			for _, f := range list(rows[1]) {
				if fm := f.(map[string]any); fm["field"] == "@ptr" {
					ptr, _ = fm["value"].(string)
				}
			}
			rec := mustOK(t, store.s, "GetLogRecord", m{"logRecordPointer": ptr})
			lr, _ := rec.body["logRecord"].(map[string]any)
			if lr["who"] != "a@b.io" || lr["level"] != "INFO" {
				t.Errorf("GetLogRecord: %s", rec.raw)
			}
		}
		// GetLogEvents: as sent (then masked).
		r = mustOK(t, store.s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
		wantMsgs := []string{`{"n":1,"level":"info","user":"a@b.io"}`, `{"n":2,"level":"info","user":"a@b.io"}`, `not json`,
			`{"n":3,"level":"warn","user":"******"}`, `{"n":4,"level":"info","user":"******"}`}
		if got := messagesOf(r); !slices.Equal(got, wantMsgs) {
			t.Errorf("GetLogEvents:\n got %q\nwant %q", got, wantMsgs)
		}
	})
}

// TestTransformerConcurrentChange: while PutLogEvents, PutTransformer, DeleteTransformer and
// Logs Insights queries run at once, no event is ever read transformed one time and as sent
// another.
func TestTransformerConcurrentChange(t *testing.T) {
	s := newTestServer(t, Config{Now: time.Now})
	setupStream(t, s, "g", "s")
	start := time.Now().Unix() - 60
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	var written atomic.Int64
	go func() { // writer: one event a request
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			call(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s",
				"logEvents": []m{{"timestamp": time.Now().UnixMilli(), "message": fmt.Sprintf(`{"n":%d}`, i)}}})
			written.Add(1)
		}
	}()
	go func() { // transformer changes, each after a few more events were written
		defer wg.Done()
		for i := range 16 {
			for w := written.Load(); written.Load() < w+3; {
				time.Sleep(100 * time.Microsecond)
			}
			if i%2 == 0 {
				call(t, s, "PutTransformer", m{"logGroupIdentifier": "g", "transformerConfig": rawJSON(tfConfig)})
			} else {
				call(t, s, "DeleteTransformer", m{"logGroupIdentifier": "g"})
			}
		}
		close(stop)
	}()
	seen := map[string]string{} // event number: its message as first read
	check := func() {
		id := startQuery(t, s, m{"logGroupName": "g", "startTime": start, "endTime": time.Now().Unix() + 60,
			"queryString": "fields n, @message | limit 10000"})
		r := waitQuery(t, s, id, nil)
		for _, row := range list(r.body["results"]) {
			var n, msg string
			for _, f := range list(row) {
				switch fm := f.(map[string]any); fm["field"] {
				case "n":
					n, _ = fm["value"].(string)
				case "@message":
					msg, _ = fm["value"].(string)
				}
			}
			if prev, ok := seen[n]; !ok {
				seen[n] = msg
			} else if prev != msg {
				t.Errorf("event %s read %q, then %q", n, prev, msg)
			}
		}
	}
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		check()
	}
	wg.Wait()
	check()
	transformed := 0
	for _, msg := range seen {
		if strings.Contains(msg, `"env":"prod"`) {
			transformed++
		}
	}
	if transformed == 0 || transformed == len(seen) {
		t.Errorf("%d of %d events transformed: the changes did not interleave with the writes", transformed, len(seen))
	}
}
