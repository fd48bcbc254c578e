package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// printer renders results as text tables or JSON lines.
type printer struct {
	w      io.Writer
	json   bool
	color  bool
	local  bool
	errTTY bool // stderr is a terminal: progress may be shown
	outTTY bool // stdout is a terminal
}

func newPrinter(m *Main) *printer {
	outTTY := isTerminal(m.Stdout)
	return &printer{
		w:      m.Stdout,
		json:   m.g.output == "json",
		color:  useColor(outTTY, m.g.noColor, m.Getenv),
		local:  m.g.local,
		errTTY: isTerminal(m.Stderr),
		outTTY: outTTY,
	}
}

// useColor: only on a terminal, never with --no-color, NO_COLOR (any
// non-empty value, see no-color.org) or TERM=dumb.
func useColor(tty, noColorFlag bool, getenv func(string) string) bool {
	if !tty || noColorFlag {
		return false
	}
	if getenv != nil && (getenv("NO_COLOR") != "" || getenv("TERM") == "dumb") {
		return false
	}
	return true
}

// isTerminal reports whether w is an *os.File connected to a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	return isTTY(f.Fd())
}

// terminalWidth returns the width of the terminal w is, as the AWS CLI reads it for its
// tables (even 0, when a terminal has no size set); ok is false when w is not a terminal.
func terminalWidth(w any) (cols int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile || f == nil {
		return 0, false
	}
	return termColumns(f.Fd())
}

// ANSI styles.
const (
	styleBold  = "1"
	styleDim   = "2"
	styleGreen = "32"
	styleCyan  = "36"
	styleRed   = "31"
)

func (p *printer) style(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// timeLayout is used for every time shown in text output.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// fmtTime formats epoch milliseconds in UTC (default, --utc) or the local
// zone (--local); 0 shows as "-".
func (p *printer) fmtTime(ms int64) string {
	if ms == 0 {
		return "-"
	}
	t := time.UnixMilli(ms)
	if p.local {
		return t.Local().Format(timeLayout)
	}
	return t.UTC().Format(timeLayout)
}

// jsonLine writes v as one line of JSON. On a terminal, DEL and the C1
// controls (U+0080–U+009F: U+009B is an 8-bit CSI to some terminals), which
// encoding/json leaves as they are, are escaped as \u007f…\u009f too, as call
// prints them, so that no log message can act on the screen.
func (p *printer) jsonLine(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return p.writeJSONLine(buf.Bytes())
}

// writeJSONLine writes an encoded JSON line, DEL and the C1 controls escaped on
// a terminal (see jsonLine).
func (p *printer) writeJSONLine(b []byte) error {
	if p.outTTY {
		b = escapeC1(b)
	}
	_, err := p.w.Write(b)
	return err
}

// escapeC1 escapes DEL (0x7f) and the UTF-8 encodings of U+0080–U+009F (0xc2
// 0x80–0x9f) in encoded JSON. Both can only stand inside strings there.
func escapeC1(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); i++ {
		var r int
		switch {
		case b[i] == 0x7f:
			r = 0x7f
		case b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			r = int(b[i+1])
		default:
			continue
		}
		out = append(out, b[last:i]...)
		out = fmt.Appendf(out, `\u%04x`, r)
		if r != 0x7f {
			i++
		}
		last = i + 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// table writes aligned columns with a header row (bold on a terminal).
type table struct {
	p   *printer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func (p *printer) newTable(headers ...string) *table {
	t := &table{p: p}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 4, 2, ' ', 0)
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		// Keep one cell on one line and out of the column logic.
		cells[i] = cellCleaner.Replace(c)
		if t.p.outTTY {
			cells[i] = termSafe(cells[i])
		}
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	head, body, _ := strings.Cut(t.buf.String(), "\n")
	_, err := fmt.Fprint(t.p.w, t.p.style(styleBold, strings.TrimRight(head, " ")), "\n", body)
	return err
}

// progress shows a counter on stderr, only when stderr is a terminal and only
// once the operation has lasted a second ("long" operations). Only loop
// writes; end reads shown after loop has returned.
type progress struct {
	w     io.Writer
	start time.Time
	shown bool
	stop  chan struct{}
	done  chan struct{}
	text  func() string
	once  sync.Once
}

// startReadProgress is startProgress for commands that print what they read:
// the counter is shown only when stdout goes elsewhere than the terminal
// (a file or a pipe), so that it does not mix with the events.
func (m *Main) startReadProgress(text func() string) *progress {
	if m.out.outTTY {
		return nil
	}
	return m.startProgress(text)
}

// startProgress starts a progress line refreshed from text; nil when stderr
// is not a terminal.
func (m *Main) startProgress(text func() string) *progress {
	if !m.out.errTTY {
		return nil
	}
	pr := &progress{w: m.Stderr, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{}), text: text}
	go pr.loop()
	return pr
}

func (pr *progress) loop() {
	defer close(pr.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-pr.stop:
			return
		case <-tick.C:
			if time.Since(pr.start) < time.Second {
				continue
			}
			fmt.Fprintf(pr.w, "\r\x1b[K%s", pr.text())
			pr.shown = true
		}
	}
}

// end stops the progress line and erases it; it may be called more than once.
func (pr *progress) end() {
	if pr == nil {
		return
	}
	pr.once.Do(func() {
		close(pr.stop)
		<-pr.done
		if pr.shown {
			fmt.Fprint(pr.w, "\r\x1b[K")
		}
	})
}

// cellCleaner keeps a table cell on one line and out of the column logic.
var cellCleaner = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
