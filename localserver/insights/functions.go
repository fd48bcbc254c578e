package insights

import (
	"math"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// funcSpec describes a function: its argument count (max -1: any number), whether it
// aggregates (stats only), an optional parse-time check, and, for scalar functions, its
// implementation over evaluated arguments.
type funcSpec struct {
	min, max int
	agg      bool
	check    func(c *call) error
	fn       func(r *row, a []value) value
}

var functions map[string]funcSpec

func init() {
	str1 := func(f func(string) string) funcSpec {
		return funcSpec{min: 1, max: 1, fn: func(_ *row, a []value) value {
			if a[0].k == kNull {
				return null
			}
			return str(f(a[0].String()))
		}}
	}
	trim := func(side int) funcSpec {
		return funcSpec{min: 1, max: 2, fn: func(_ *row, a []value) value {
			if a[0].k == kNull {
				return null
			}
			s := a[0].String()
			if len(a) == 2 {
				cut := a[1].String()
				switch side {
				case -1:
					return str(strings.TrimLeft(s, cut))
				case 1:
					return str(strings.TrimRight(s, cut))
				}
				return str(strings.Trim(s, cut))
			}
			switch side {
			case -1:
				return str(strings.TrimLeftFunc(s, unicode.IsSpace))
			case 1:
				return str(strings.TrimRightFunc(s, unicode.IsSpace))
			}
			return str(strings.TrimSpace(s))
		}}
	}
	num1 := func(f func(float64) float64) funcSpec {
		return funcSpec{min: 1, max: 1, fn: func(_ *row, a []value) value {
			x, ok := a[0].number()
			if !ok {
				return null
			}
			y := f(x)
			if math.IsNaN(y) || math.IsInf(y, 0) {
				return null
			}
			return num(y)
		}}
	}
	extreme := func(greater bool) funcSpec {
		return funcSpec{min: 1, max: -1, fn: func(_ *row, a []value) value {
			var best value
			for _, v := range a {
				if _, ok := v.number(); !ok {
					continue
				}
				if best.k == kNull {
					best = v
					continue
				}
				c, _ := compare(v, best)
				if (greater && c > 0) || (!greater && c < 0) {
					best = v
				}
			}
			if x, ok := best.number(); ok && best.k == kStr {
				return num(x)
			}
			return best
		}}
	}
	agg := func(min, max int) funcSpec { return funcSpec{min: min, max: max, agg: true} }

	functions = map[string]funcSpec{
		// General functions.
		"ispresent": {min: 1, max: 1, fn: func(_ *row, a []value) value { return boolean(a[0].k != kNull) }},
		// unmask(@message): the event's text before masking (unmask.go).
		"unmask": {min: 1, max: 1, check: unmaskCheck, fn: unmaskFn},
		"coalesce": {min: 1, max: -1, fn: func(_ *row, a []value) value {
			for _, v := range a {
				if v.k != kNull {
					return v
				}
			}
			return null
		}},
		// String functions.
		"isempty": {min: 1, max: 1, fn: func(_ *row, a []value) value { return boolean(a[0].k == kNull || a[0].String() == "") }},
		"isblank": {min: 1, max: 1, fn: func(_ *row, a []value) value {
			return boolean(a[0].k == kNull || strings.TrimSpace(a[0].String()) == "")
		}},
		"strlen": {min: 1, max: 1, fn: func(_ *row, a []value) value {
			if a[0].k == kNull {
				return null
			}
			return num(float64(utf8.RuneCountInString(a[0].String())))
		}},
		"toupper": str1(strings.ToUpper),
		"tolower": str1(strings.ToLower),
		"trim":    trim(0),
		"ltrim":   trim(-1),
		"rtrim":   trim(1),
		"concat": {min: 1, max: -1, fn: func(_ *row, a []value) value {
			var b strings.Builder
			for _, v := range a {
				b.WriteString(v.String())
			}
			return str(b.String())
		}},
		"substr": {min: 2, max: 3, fn: func(_ *row, a []value) value {
			if a[0].k == kNull {
				return null
			}
			rs := []rune(a[0].String())
			start, ok := a[1].number()
			if !ok {
				return null
			}
			i := max(0, min(len(rs), int(start)))
			j := len(rs)
			if len(a) == 3 {
				n, ok := a[2].number()
				if !ok {
					return null
				}
				j = max(i, min(len(rs), i+int(n)))
			}
			return str(string(rs[i:j]))
		}},
		"replace": {min: 3, max: 3, fn: func(_ *row, a []value) value {
			if a[0].k == kNull {
				return null
			}
			return str(strings.ReplaceAll(a[0].String(), a[1].String(), a[2].String()))
		}},
		"strcontains": {min: 2, max: 2, fn: func(_ *row, a []value) value {
			if a[0].k == kNull || a[1].k == kNull {
				return null
			}
			if strings.Contains(a[0].String(), a[1].String()) {
				return num(1)
			}
			return num(0)
		}},
		// Numeric functions.
		"abs":      num1(math.Abs),
		"ceil":     num1(math.Ceil),
		"floor":    num1(math.Floor),
		"log":      num1(math.Log),
		"sqrt":     num1(math.Sqrt),
		"greatest": extreme(true),
		"least":    extreme(false),
		// Datetime functions.
		"bin": {min: 1, max: 1, check: periodArg(0), fn: func(r *row, a []value) value {
			ts, ok := r.get("@timestamp").number()
			if !ok {
				return null
			}
			return tstamp(floorPeriod(int64(ts), a[0]))
		}},
		"datefloor": {min: 2, max: 2, check: periodArg(1), fn: func(_ *row, a []value) value {
			ts, ok := timeArg(a[0])
			if !ok {
				return null
			}
			return tstamp(floorPeriod(ts, a[1]))
		}},
		"dateceil": {min: 2, max: 2, check: periodArg(1), fn: func(_ *row, a []value) value {
			ts, ok := timeArg(a[0])
			if !ok {
				return null
			}
			f := floorPeriod(ts, a[1])
			if f != ts {
				f = addPeriod(f, a[1])
			}
			return tstamp(f)
		}},
		"frommillis": {min: 1, max: 1, fn: func(_ *row, a []value) value {
			x, ok := a[0].number()
			if !ok {
				return null
			}
			return tstamp(int64(x))
		}},
		"tomillis": {min: 1, max: 1, fn: func(_ *row, a []value) value {
			x, ok := timeArg(a[0])
			if !ok {
				return null
			}
			return num(float64(x))
		}},
		// IP address functions.
		"isvalidip":      ipCheck(func(a netip.Addr) bool { return true }),
		"isvalidipv4":    ipCheck(func(a netip.Addr) bool { return a.Is4() }),
		"isvalidipv6":    ipCheck(func(a netip.Addr) bool { return a.Is6() }),
		"isipinsubnet":   ipInSubnet(func(a netip.Addr) bool { return true }),
		"isipv4insubnet": ipInSubnet(func(a netip.Addr) bool { return a.Is4() }),
		"isipv6insubnet": ipInSubnet(func(a netip.Addr) bool { return a.Is6() }),
		// Aggregation functions (stats).
		"count":          agg(0, 1),
		"count_distinct": agg(1, 1),
		"sum":            agg(1, 1),
		"avg":            agg(1, 1),
		"min":            agg(1, 1),
		"max":            agg(1, 1),
		"stddev":         agg(1, 1),
		"earliest":       agg(1, 1),
		"latest":         agg(1, 1),
		"pct": {min: 2, max: 2, agg: true, check: func(c *call) error {
			if l, ok := c.args[1].(*literal); ok && l.v.k == kNum && l.v.n >= 0 && l.v.n <= 100 {
				return nil
			}
			{
				s, e := c.args[1].span()
				return &SyntaxError{Start: s, End: e, Msg: "pct() takes a percentile from 0 to 100 as its second argument"}
			}
		}},
	}
}

// ipCheck is isValidIp and its v4 and v6 forms: whether the value is an IP address
// (of the kind ok accepts).
func ipCheck(ok func(netip.Addr) bool) funcSpec {
	return funcSpec{min: 1, max: 1, fn: func(_ *row, a []value) value {
		addr, err := netip.ParseAddr(a[0].String())
		return boolean(a[0].k != kNull && err == nil && ok(addr))
	}}
}

// ipInSubnet is isIpInSubnet and its v4 and v6 forms: whether the value is an address
// (of the kind ok accepts) in the CIDR subnet of the second argument.
func ipInSubnet(ok func(netip.Addr) bool) funcSpec {
	return funcSpec{min: 2, max: 2, fn: func(_ *row, a []value) value {
		addr, err1 := netip.ParseAddr(a[0].String())
		pfx, err2 := netip.ParsePrefix(a[1].String())
		return boolean(a[0].k != kNull && err1 == nil && err2 == nil && ok(addr) && pfx.Contains(addr))
	}}
}

// periodArg checks that argument i is a time period literal (5m, 1h).
func periodArg(i int) func(c *call) error {
	return func(c *call) error {
		if l, ok := c.args[i].(*literal); ok && (l.v.k == kPeriod || l.v.k == kMonths) {
			return nil
		}
		s, e := c.args[i].span()
		return &SyntaxError{Start: s, End: e, Msg: c.name + "() needs a time period such as 5m or 1h"}
	}
}

// timeArg reads a timestamp argument: a time, or a number of milliseconds.
func timeArg(v value) (int64, bool) {
	if v.k != kTime && v.k != kNum && v.k != kStr {
		return 0, false
	}
	x, ok := v.number()
	return int64(x), ok
}

func floorTo(ts, p int64) int64 {
	f := ts - ts%p
	if ts < 0 && ts%p != 0 {
		f -= p
	}
	return f
}

// floorPeriod truncates ts (ms) to the period p: a multiple of p's milliseconds since
// the epoch, or, for a calendar period of n months, the first instant (UTC) of a month
// whose number since January 1970 is a multiple of n.
func floorPeriod(ts int64, p value) int64 {
	if p.k != kMonths {
		return floorTo(ts, int64(p.n))
	}
	t := time.UnixMilli(ts).UTC()
	m := floorTo(int64(t.Year()-1970)*12+int64(t.Month()-1), int64(p.n))
	y := floorTo(m, 12)
	return time.Date(1970+int(y/12), time.Month(m-y+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

// addPeriod moves ts (ms) forward by the period p.
func addPeriod(ts int64, p value) int64 {
	if p.k != kMonths {
		return ts + int64(p.n)
	}
	return time.UnixMilli(ts).UTC().AddDate(0, int(p.n), 0).UnixMilli()
}
