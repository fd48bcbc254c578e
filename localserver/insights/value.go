package insights

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type kind uint8

const (
	kNull   kind = iota // missing field or undefined result
	kStr                // text (log fields are text; they convert to numbers where one is needed)
	kNum                // a number
	kBool               // a condition's result: n is 1 or 0
	kTime               // a timestamp: n is milliseconds since the epoch
	kPeriod             // a time period literal (5m): n is milliseconds
	kMonths             // a calendar time period literal (1mo, 1q, 1y): n is months
)

// value is a field or expression value.
type value struct {
	k kind
	s string
	n float64
}

var null = value{}

func str(s string) value    { return value{k: kStr, s: s} }
func num(f float64) value   { return value{k: kNum, n: f} }
func tstamp(ms int64) value { return value{k: kTime, n: float64(ms)} }

func boolean(b bool) value {
	if b {
		return value{k: kBool, n: 1}
	}
	return value{k: kBool, n: 0}
}

// owned returns v with its text copied: records' text (messages, and fields cut from
// them) may share the memory of a whole chunk of events, which state kept across records
// (stats groups, distinct values, min, max) must not pin.
func (v value) owned() value {
	if v.k == kStr {
		v.s = strings.Clone(v.s)
	}
	return v
}

// TimeLayout is how timestamps appear in query results ("2024-01-02 03:04:05.678", UTC).
const TimeLayout = "2006-01-02 15:04:05.000"

// FormatTime formats milliseconds since the epoch as query results show timestamps.
func FormatTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(TimeLayout) }

// String is the value as a result field shows it.
func (v value) String() string {
	switch v.k {
	case kStr:
		return v.s
	case kNum, kPeriod:
		return formatNum(v.n)
	case kMonths:
		return formatNum(v.n) + "mo"
	case kBool:
		if v.n != 0 {
			return "1"
		}
		return "0"
	case kTime:
		return FormatTime(int64(v.n))
	}
	return ""
}

func formatNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// number converts v to a number: numbers, booleans and times as they are, text when it
// is a number (surrounding spaces allowed). ok is false otherwise.
func (v value) number() (float64, bool) {
	switch v.k {
	case kNum, kBool, kTime, kPeriod:
		return v.n, true
	case kStr:
		s := strings.TrimSpace(v.s)
		if s == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// truthy is v as a condition: a true comparison, a non-zero number, non-empty text.
func (v value) truthy() bool {
	switch v.k {
	case kBool, kNum, kTime, kPeriod, kMonths:
		return v.n != 0
	case kStr:
		return v.s != ""
	}
	return false
}

// compare orders two present values for comparisons: numerically when both are
// numbers (or text holding one), else as text. ok is false when either is missing.
func compare(a, b value) (int, bool) {
	if a.k == kNull || b.k == kNull {
		return 0, false
	}
	if x, ok := a.number(); ok {
		if y, ok := b.number(); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	return strings.Compare(a.String(), b.String()), true
}

// sortCompare orders values as the sort command does (the service's "updated natural
// sort"): missing values last; then every non-number before every number; numbers by
// value; other text in chunks, digits runs compared by length and then by value, other
// runs by Unicode code point.
func sortCompare(a, b value) int {
	switch {
	case a.k == kNull && b.k == kNull:
		return 0
	case a.k == kNull:
		return 1
	case b.k == kNull:
		return -1
	}
	x, xn := a.number()
	y, yn := b.number()
	switch {
	case xn && yn:
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return strings.Compare(a.String(), b.String()) // "01" before "1"
	case xn:
		return 1
	case yn:
		return -1
	}
	return naturalCompare(a.String(), b.String())
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := 0, 0
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			// Longer digit runs are larger; equal lengths compare digit by digit.
			if i != j {
				if i < j {
					return -1
				}
				return 1
			}
			if c := strings.Compare(a[:i], b[:j]); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}
