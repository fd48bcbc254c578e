package patterns

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
// regard to case): error, err, fatal, critical, crit, panic, severe, emerg, emergency,
// alert (ERROR); warn, warning (WARN); info, information, notice (INFO); debug, trace,
// verbose, fine, finer, finest (DEBUG). 0 when none.
func severityOf(words []string) int8 {
	for i, w := range words {
		if i == severityWords {
			break
		}
		if len(w) < 3 || len(w) > 11 {
			continue
		}
		var buf [11]byte
		for j := 0; j < len(w); j++ {
			b := w[j]
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			buf[j] = b
		}
		switch string(buf[:len(w)]) {
		case "error", "err", "fatal", "critical", "crit", "panic", "severe", "emerg", "emergency", "alert":
			return 4
		case "warn", "warning":
			return 3
		case "info", "information", "notice":
			return 2
		case "debug", "trace", "verbose", "fine", "finer", "finest":
			return 1
		}
	}
	return 0
}
