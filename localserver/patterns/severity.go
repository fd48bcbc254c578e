package patterns

import "strings"

// Severity labels, as Pattern.Severity answers them. The service documents the label
// only by example ("Error, Warning, Info, or Debug"); these are upper-case, as the
// values third-party consoles compare @severityLabel with ("ERROR").
const (
	SeverityError = "ERROR"
	SeverityWarn  = "WARN"
	SeverityInfo  = "INFO"
	SeverityDebug = "DEBUG"
)

// severityWords is how many words, from the first, are searched for a level word.
const severityWords = 8

// severity ranks: 0 none, then by increasing severity.
var severityLabels = [...]string{"", SeverityDebug, SeverityInfo, SeverityWarn, SeverityError}

// severityOf finds the first level word among the first words of m (compared without
// regard to case): error, err, fatal, crit, emerg, emergency (ERROR); warn, warning
// (WARN); info (INFO); debug (DEBUG). The level words that are also common English
// words, critical, panic, severe, alert (ERROR), information, notice (INFO), trace,
// verbose, fine, finer, finest (DEBUG), count only where they read as a level: in upper
// case ("SEVERE", "FINE"), in brackets ("[notice]", "<trace>"), or after a word level,
// lvl, loglevel or severity ("level=trace", {"severity":"notice"}). So "errors are fine"
// or "stack trace follows" have no level. 0 when none.
func severityOf(m *message) int8 {
	for i, w := range m.words {
		if i == severityWords {
			break
		}
		if len(w) < 3 || len(w) > 11 {
			continue
		}
		var buf [11]byte
		upper := true
		for j := 0; j < len(w); j++ {
			b := w[j]
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			} else {
				upper = false
			}
			buf[j] = b
		}
		rank, ambiguous := levelWord(buf[:len(w)])
		if rank > 0 && (!ambiguous || upper || levelPosition(m, i)) {
			return rank
		}
	}
	return 0
}

// levelWord ranks a lower-case word: 0 for none, then by increasing severity; ambiguous
// for the level words that are also common English words.
func levelWord(w []byte) (rank int8, ambiguous bool) {
	switch string(w) {
	case "error", "err", "fatal", "crit", "emerg", "emergency":
		return 4, false
	case "warn", "warning":
		return 3, false
	case "info":
		return 2, false
	case "debug":
		return 1, false
	case "critical", "panic", "severe", "alert":
		return 4, true
	case "information", "notice":
		return 2, true
	case "trace", "verbose", "fine", "finer", "finest":
		return 1, true
	}
	return 0, false
}

// levelPosition reports whether word i of m stands where a level does: in brackets, or
// after a word level, lvl, loglevel or severity.
func levelPosition(m *message, i int) bool {
	if sep := strings.TrimRight(m.seps[i], ` "'`); strings.HasSuffix(sep, "[") || strings.HasSuffix(sep, "<") {
		return true
	}
	if i == 0 {
		return false
	}
	switch strings.ToLower(m.words[i-1]) {
	case "level", "lvl", "loglevel", "severity":
		return true
	}
	return false
}
