package main

import (
	"fmt"
	"strings"
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
	var err error
	if showStream {
		_, err = fmt.Fprintf(p.w, "%s  %s  %s\n", p.style(styleGreen, p.fmtTime(e.Timestamp)), p.style(styleCyan, e.LogStreamName), msg)
	} else {
		_, err = fmt.Fprintf(p.w, "%s  %s\n", p.style(styleGreen, p.fmtTime(e.Timestamp)), msg)
	}
	return err
}
