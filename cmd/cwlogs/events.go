package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// eventJSON is the --output json shape of one log event (get, filter, tail),
// one object per line. eventId is absent for get (GetLogEvents has none).
type eventJSON struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	IngestionTime int64  `json:"ingestionTime"`
	Message       string `json:"message"`
	EventID       string `json:"eventId,omitempty"`
}

// event prints one event: "TIME  MESSAGE" (get) or "TIME  STREAM  MESSAGE"
// (filter, tail) in text, an eventJSON line in JSON. A message's final
// newline is not repeated; other newlines are printed as they are.
func (p *printer) event(e eventJSON, showStream bool) error {
	if p.json {
		return p.jsonLine(e)
	}
	msg := strings.TrimRight(e.Message, "\r\n")
	if p.outTTY {
		// A terminal acts on escape sequences, CR and BEL: show them instead.
		msg, e.LogStreamName = termSafe(msg), termSafe(e.LogStreamName)
	}
	var err error
	if showStream {
		_, err = fmt.Fprintf(p.w, "%s  %s  %s\n", p.style(styleGreen, p.fmtTime(e.Timestamp)), p.style(styleCyan, e.LogStreamName), msg)
	} else {
		_, err = fmt.Fprintf(p.w, "%s  %s\n", p.style(styleGreen, p.fmtTime(e.Timestamp)), msg)
	}
	return err
}

// termSafe shows the control characters of s other than newline and tab
// (ESC, CR, BEL, DEL, C1) and its invalid UTF-8 bytes as Go escapes, so that
// a log message cannot drive the terminal it is printed on.
func termSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0):
			q := fmt.Sprintf("%+q", string(r)) // "\x1b", "\u009b"
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
