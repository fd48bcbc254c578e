package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// usageError is a bad command line: cwlogs prints it with a hint and exits 2.
type usageError struct {
	cmd string // the command, "" for the top level
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return "cwlogs: " + e.msg
	}
	return "cwlogs " + e.cmd + ": " + e.msg
}

func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// newFlagSet returns a flag set that reports errors instead of printing them
// or exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags anywhere among the positional arguments (as the AWS
// CLI allows), stopping at "--" after which everything is positional. The
// arguments after an awsList flag are its values up to the next flag. It
// returns the positional arguments. -h/--help gives errHelpShown after
// printing the command's help to m.Stdout.
func (m *Main) parseArgs(info *commandInfo, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	var list *awsList // the list flag taking the arguments that follow it
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			m.printCommandHelp(m.Stdout, info)
			return nil, errHelpShown
		}
		if err != nil {
			return nil, &usageError{cmd: info.name, msg: flagErrorText(err)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if consumed > 0 {
			list = lastAWSList(fs, args[:consumed])
		}
		if list != nil {
			_ = list.Set(rest[0]) // a stringList never fails
		} else {
			pos = append(pos, rest[0])
		}
		args = rest[1:]
	}
}

// awsList is a repeatable string flag that, like the AWS CLI's list options,
// also takes the arguments after it up to the next flag: --log-stream-names
// a b c. It is used under the AWS CLI's flag names only.
type awsList struct{ *stringList }

// lastAWSList returns the flag of the last flag token in args (flags that
// fs parsed) if it is an awsList, else nil.
func lastAWSList(fs *flag.FlagSet, args []string) *awsList {
	var last *flag.Flag
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' || a == "--" {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		last = f
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) {
			i++ // its value
		}
	}
	if last == nil {
		return nil
	}
	l, _ := last.Value.(*awsList)
	return l
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, pos []string, min, max int, names string) error {
	switch {
	case len(pos) < min:
		return usagef(cmd, "missing arguments: want %s", names)
	case max >= 0 && len(pos) > max:
		return usagef(cmd, "too many arguments %q: want %s", pos[max:], names)
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

// Set implements flag.Value.
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// tagFlag is a repeatable K=V flag.
type tagFlag map[string]string

func (t tagFlag) String() string { return "" }

// Set implements flag.Value.
func (t tagFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	if _, dup := t[k]; dup {
		return fmt.Errorf("tag %q given twice", k)
	}
	t[k] = val
	return nil
}

// positiveInt parses a count flag value.
func positiveInt(cmd, field, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, usagef(cmd, "invalid %s %q: want a positive integer", field, s)
	}
	return n, nil
}

// flagErrorText shows flag names with two dashes, as they are documented.
func flagErrorText(err error) string {
	return flagDash.ReplaceAllString(err.Error(), "$1--$2")
}

var flagDash = regexp.MustCompile(`(flag |" for |defined: |argument: )-([a-zA-Z])`)

// durationFlag is a time.Duration flag whose error says what a duration
// looks like (the flag package only says "parse error").
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

// Set implements flag.Value.
func (d *durationFlag) Set(v string) error {
	t, err := time.ParseDuration(v)
	if err != nil || t <= 0 {
		return errors.New("want a positive duration with a unit, such as 30s, 2m or 1h30m")
	}
	*d = durationFlag(t)
	return nil
}
