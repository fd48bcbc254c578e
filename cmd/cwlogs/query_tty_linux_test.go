package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCallOutputOnTerminal: on a terminal, call's text and table outputs show a message's
// control characters as escapes (as the other commands do; the AWS CLI does not), and the
// table is in the AWS CLI's colours unless colour is off; piped, the bytes are unchanged.
func TestCallOutputOnTerminal(t *testing.T) {
	c := newCLI(t, startLocal(t))
	c.env["TERM"] = "xterm"
	c.mustRun(0, "", "create-group", "tty")
	c.mustRun(0, "", "put", "--create", "tty", "s", "red \x1b[31malert\x1b[0m")
	query := []string{"call", "get-log-events", `{"logGroupName": "tty", "logStreamName": "s"}`, "--query", "events[].{m: message}"}

	text := runOnTTY(t, c, nil, nil, append(query, "--output", "text")...)
	if !strings.Contains(text, `red \x1b[31malert\x1b[0m`) || strings.Contains(text, "\x1b[31m") {
		t.Errorf("text on a terminal: %q", text)
	}
	var piped bytes.Buffer
	runOnTTY(t, c, nil, &piped, append(query, "--output", "text")...)
	if piped.String() != "red \x1b[31malert\x1b[0m\n" {
		t.Errorf("text piped: %q", piped.String())
	}

	table := runOnTTY(t, c, nil, nil, append(query, "--output", "table")...)
	if !strings.Contains(table, `\x1b[31malert`) || strings.Contains(table, "\x1b[31m") {
		t.Errorf("table on a terminal: %q", table)
	}
	if !strings.Contains(table, "\x1b[1m\x1b[34mm\x1b[0m") || !strings.HasSuffix(table, "\x1b[0m\x1b[0m") {
		t.Errorf("table on a terminal: not in the AWS CLI's colours: %q", table)
	}
	if plain := runOnTTY(t, c, nil, nil, append(query, "--output", "table", "--no-color")...); strings.Contains(plain, "\x1b[") {
		t.Errorf("table with --no-color: %q", plain)
	}
}
