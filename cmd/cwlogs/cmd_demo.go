package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
)

var demoInfo = &commandInfo{
	name:    "demo",
	args:    "",
	summary: "Run the original library's flow against a local server started in-process.",
	details: `No AWS account, network or flags needed: a local server starts on a free loopback port
with a temporary data directory and strict signature checking, and the seed's flow runs
through the public client's Action API: create a group with tags, create a stream, put
events (one with quotes, a backslash and a newline), read them back, delete the stream and
the group. Each step prints the status code, request id and body, as the original
library's callbacks logged them. The exit status is 0 when every step succeeded.`,
	examples: []string{"cwlogs demo"},
	new:      func(m *Main) command { return &DemoCommand{m: m} },
}

// DemoCommand is "cwlogs demo".
type DemoCommand struct{ m *Main }

func (c *DemoCommand) flags() *flag.FlagSet { return newFlagSet("demo") }

// demoStep is the --output json shape of one demo step.
type demoStep struct {
	Step       int            `json:"step"`
	Action     string         `json:"action"`
	Params     map[string]any `json:"params"`
	StatusCode int            `json:"statusCode"`
	RequestID  string         `json:"requestId"`
	Body       string         `json:"body"`
	Log        string         `json:"log"`
}

// Demo credentials: the in-process server verifies signatures made with them.
const (
	demoAccessKeyID = "AKIDCWLOGSDEMO000001"
	demoSecret      = "cwlogs-demo-secret-key-not-a-real-one"
	demoGroup       = "cwlogs-demo"
	demoStream      = "demo-stream"
)

// Run implements the command.
func (c *DemoCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(demoInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("demo", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cwlogs-demo-")
	if err != nil {
		return fmt.Errorf("cwlogs demo: %w", err)
	}
	defer os.RemoveAll(dir)
	srv, err := newLocalServer(serverConfig{Addr: "127.0.0.1:0", DataDir: dir,
		Credentials: map[string]string{demoAccessKeyID: demoSecret}})
	if err != nil {
		if _, ok := err.(*configError); ok {
			return err
		}
		return fmt.Errorf("cwlogs demo: %w", err)
	}
	defer srv.Shutdown(context.WithoutCancel(ctx))
	if err := srv.Start(); err != nil {
		return fmt.Errorf("cwlogs demo: %w", err)
	}
	region := "us-east-1"
	cl, err := cwlogs.New(region, demoAccessKeyID, demoSecret, cwlogs.WithEndpoint(srv.URL()))
	if err != nil {
		return fmt.Errorf("cwlogs demo: %w", err)
	}
	p := c.m.out
	if !p.json {
		fmt.Fprintf(p.w, "cwlogs demo: local CloudWatch Logs server on %s (region %s, data in %s)\n", srv.URL(), region, dir)
	}

	// The seed's users passed epoch milliseconds as a digit string: seconds
	// from time() followed by three millisecond digits.
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10) + fmt.Sprintf("%03d", now.Nanosecond()/int(time.Millisecond))
	steps := []struct {
		action  cwlogs.ActionType
		params  map[string]any
		ok, bad string // the seed example's server.log lines
	}{
		{cwlogs.ActionCreateLogGroup, map[string]any{"logGroupName": demoGroup, "tags": map[string]string{"Environment": "test"}},
			"Created a log group successfully", "Failed to create log group. error: "},
		{cwlogs.ActionCreateLogStream, map[string]any{"logGroupName": demoGroup, "logStreamName": demoStream},
			"Created a log stream successfully", "Failed to create log stream. error: "},
		{cwlogs.ActionPutLogEvents, map[string]any{"logGroupName": demoGroup, "logStreamName": demoStream,
			"logEvents": []map[string]any{
				{"message": "Hello from the cwlogs demo", "timestamp": ts},
				{"message": "He said \"hi\" \\ then left\nsecond line", "timestamp": ts},
			}},
			"successfully put a log in a stream", "failed to put a log in a stream"},
		{"GetLogEvents", map[string]any{"logGroupName": demoGroup, "logStreamName": demoStream, "startFromHead": true},
			"read the events back", "failed to read the events back. error: "},
		{cwlogs.ActionDeleteLogStream, map[string]any{"logGroupName": demoGroup, "logStreamName": demoStream},
			"Deleted log stream successfully", "Failed to delete log stream. error: "},
		{cwlogs.ActionDeleteLogGroup, map[string]any{"logGroupName": demoGroup},
			"Deleted log group successfully", "Failed to delete log group. error: "},
	}
	for i, st := range steps {
		resp, err := cl.Action(ctx, st.action, st.params)
		var ae *cwlogs.APIError
		if (err != nil && !errors.As(err, &ae)) || resp == nil {
			return fmt.Errorf("cwlogs demo: step %d (%s): %w", i+1, st.action, err)
		}
		ds := demoStep{Step: i + 1, Action: string(st.action), Params: st.params,
			StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Amzn-Requestid"), Body: string(resp.Body)}
		if ae == nil && resp.StatusCode == 200 {
			ds.Log = st.ok
			if st.action == "GetLogEvents" {
				ds.Log = fmt.Sprintf("read %d events back", strings.Count(ds.Body, `"ingestionTime"`))
			}
		} else {
			ds.Log = st.bad + apiMessage(ae)
		}
		if p.json {
			if err := p.jsonLine(ds); err != nil {
				return err
			}
		} else {
			body := ds.Body
			if body == "" {
				body = "(empty)"
			}
			fmt.Fprintf(p.w, "\n[%d/%d] %s %s\n  statuscode: %d\n  x-amzn-requestid: %s\n  body: %s\n  %s\n",
				ds.Step, len(steps), ds.Action, jsonText(ds.Params), ds.StatusCode, ds.RequestID, body, p.style(logStyle(ae), ds.Log))
		}
		if ae != nil || resp.StatusCode != 200 {
			return fmt.Errorf("cwlogs demo: step %d (%s) failed: %w", i+1, st.action, err)
		}
	}
	if !p.json {
		fmt.Fprintln(p.w, "\ncwlogs demo: all steps succeeded")
	}
	return nil
}

func apiMessage(ae *cwlogs.APIError) string {
	if ae == nil {
		return ""
	}
	return ae.Message
}

func logStyle(ae *cwlogs.APIError) string {
	if ae != nil {
		return styleRed
	}
	return styleGreen
}

// jsonText is v as compact JSON without HTML escaping.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
