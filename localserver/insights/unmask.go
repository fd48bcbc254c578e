package insights

// The unmask function. "Use unmask to display all the content of a log event that has
// some content masked because of a data protection policy. To use this command, you must
// have the logs:Unmask permission"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unmask.html),
// and the one documented form is a call on @message: "Use a CloudWatch Logs Insights
// query that includes the unmask(@message) command", as in
// "fields @timestamp, @message, unmask(@message) | sort @timestamp desc | limit 20"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-viewunmasked.html).
//
// This package knows nothing of policies or permissions: the caller gives each Record its
// text before masking (Record.Unmasked) when the query unmasks (Query.Unmasks). Where the
// documentation is silent, this package chooses:
//
//   - unmask takes @message only, the one documented argument; any other is a SyntaxError
//     (fields discovered in the message are found in its masked text, as the service's
//     "masked at all egress points" suggests).
//   - It is a scalar function like any other: in fields, display, filter, sort, dedup,
//     stats by and the arguments of aggregations. Its column is named by its text,
//     "unmask(@message)", unless "as" names it.
//   - Over an event with nothing masked, it returns @message as it is.
//   - Where @message is not the event's (a field the query made with that name, or a
//     stats row), it returns its argument unchanged: only an event's own text has a
//     clear version.

// unmaskCheck accepts unmask(@message) only.
func unmaskCheck(c *call) error {
	if f, ok := c.args[0].(*fieldRef); ok && f.name == "@message" {
		return nil
	}
	s, e := c.args[0].span()
	return &SyntaxError{Start: s, End: e, Msg: "unmask() takes @message, the only field it can unmask"}
}

// unmaskFn is unmask(@message): the record's text before masking.
func unmaskFn(r *row, a []value) value {
	if r.rec == nil {
		return a[0]
	}
	for i := range r.set {
		if r.set[i].name == "@message" {
			return a[0]
		}
	}
	if r.rec.Unmasked == "" {
		return str(r.rec.Message)
	}
	return str(r.rec.Unmasked)
}

// Unmasks reports whether the query calls unmask: whether its records need their text
// before masking (Record.Unmasked).
func (q *Query) Unmasks() bool {
	found := false
	var walk func(x expr)
	walk = func(x expr) {
		if found || x == nil {
			return
		}
		if c, ok := x.(*call); ok && c.name == "unmask" {
			found = true
			return
		}
		eachOperand(x, walk)
	}
	for _, c := range q.cmds {
		switch c := c.(type) {
		case *fieldsCmd:
			for _, it := range c.items {
				walk(it.x)
			}
		case *displayCmd:
			for _, it := range c.items {
				walk(it.x)
			}
		case *filterCmd:
			walk(c.cond)
		case *statsCmd:
			for _, it := range c.aggs {
				walk(it.x)
			}
			for _, it := range c.by {
				walk(it.x)
			}
		case *sortCmd:
			for _, k := range c.keys {
				walk(k.x)
			}
		case *parseCmd:
			walk(c.src)
		case *patternCmd:
			walk(c.src)
		case *dedupCmd:
			for _, k := range c.keys {
				walk(k)
			}
		}
	}
	return found
}

// Unmasks reports whether the run's query calls unmask (see Query.Unmasks).
func (run *Run) Unmasks() bool { return run.q.Unmasks() }
