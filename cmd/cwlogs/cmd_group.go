package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// writeResult is the --output json shape of the write commands.
type writeResult struct {
	Operation       string            `json:"operation"`
	LogGroupName    string            `json:"logGroupName"`
	LogStreamName   string            `json:"logStreamName,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	TagKeys         []string          `json:"tagKeys,omitempty"`
	RetentionInDays *int              `json:"retentionInDays,omitempty"`
}

// done reports a successful write: a line of text or a JSON object.
func (m *Main) done(text string, r writeResult) error {
	if m.out.json {
		return m.out.jsonLine(r)
	}
	_, err := fmt.Fprintln(m.out.w, text)
	return err
}

// runWrite runs a write command that takes exactly n positional arguments (named by
// info.args) and no flags of its own: it checks them, calls the service through call and
// reports what call describes.
func (m *Main) runWrite(ctx context.Context, info *commandInfo, fs *flag.FlagSet, args []string, n int,
	call func(cl *cwlogs.Client, pos []string) (string, writeResult, error)) error {
	pos, err := m.parseArgs(info, fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(info.name, pos, n, n, info.args); err != nil {
		return err
	}
	cl, err := m.client(ctx)
	if err != nil {
		return err
	}
	text, res, err := call(cl, pos)
	if err != nil {
		return err
	}
	return m.done(text, res)
}

// parseRetention reads DAYS for create-group and retention: one of the values
// the service accepts, or "never" (only where allowNever).
func parseRetention(cmd, s string, allowNever bool) (days int, never bool, err error) {
	if allowNever && s == "never" {
		return 0, true, nil
	}
	n, convErr := strconv.Atoi(s)
	if convErr != nil || !slices.Contains(cwlogs.RetentionDays, n) {
		vals := make([]string, len(cwlogs.RetentionDays))
		for i, d := range cwlogs.RetentionDays {
			vals[i] = strconv.Itoa(d)
		}
		extra := ""
		if allowNever {
			extra = " or never"
		}
		return 0, false, usagef(cmd, "invalid retention %q: want one of %s%s (days)", s, strings.Join(vals, ", "), extra)
	}
	return n, false, nil
}

func fmtRetention(days int) string {
	if days == 0 {
		return "never"
	}
	return strconv.Itoa(days) + "d"
}

// ---- create-group ----

var createGroupInfo = &commandInfo{
	name:    "create-group",
	args:    "GROUP [--tag KEY=VALUE]... [--retention DAYS]",
	summary: "Create a log group, optionally with tags and a retention policy.",
	details: `DAYS is one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
2192, 2557, 2922, 3288, 3653. Without --retention, events never expire.`,
	examples: []string{"cwlogs create-group my-app --tag team=payments --retention 30"},
	new:      func(m *Main) command { return &CreateGroupCommand{m: m, tags: tagFlag{}} },
}

// CreateGroupCommand is "cwlogs create-group".
type CreateGroupCommand struct {
	m         *Main
	tags      tagFlag
	retention string
}

func (c *CreateGroupCommand) flags() *flag.FlagSet {
	fs := newFlagSet("create-group")
	fs.Var(c.tags, "tag", "add the tag `KEY=VALUE` (repeatable)")
	fs.StringVar(&c.retention, "retention", "", "keep events `DAYS` days")
	return fs
}

// Run implements the command.
func (c *CreateGroupCommand) Run(ctx context.Context, args []string) error {
	const name = "create-group"
	pos, err := c.m.parseArgs(createGroupInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 1, 1, "GROUP"); err != nil {
		return err
	}
	var days int
	if c.retention != "" {
		if days, _, err = parseRetention(name, c.retention, false); err != nil {
			return err
		}
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	in := &cwlogs.CreateLogGroupInput{LogGroupName: pos[0]}
	if len(c.tags) > 0 {
		in.Tags = c.tags
	}
	if err := cl.CreateLogGroup(ctx, in); err != nil {
		return err
	}
	text := "created log group " + pos[0]
	res := writeResult{Operation: "CreateLogGroup", LogGroupName: pos[0], Tags: in.Tags}
	if days > 0 {
		if err := cl.PutRetentionPolicy(ctx, &cwlogs.PutRetentionPolicyInput{LogGroupName: pos[0], RetentionInDays: days}); err != nil {
			return fmt.Errorf("log group %s created, but setting its retention failed: %w", pos[0], err)
		}
		text += fmt.Sprintf(" (retention %d days)", days)
		res.RetentionInDays = &days
	}
	return c.m.done(text, res)
}

// ---- delete-group ----

var deleteGroupInfo = &commandInfo{
	name:     "delete-group",
	args:     "GROUP",
	summary:  "Delete a log group with all its streams and events.",
	examples: []string{"cwlogs delete-group my-app"},
	new:      func(m *Main) command { return &DeleteGroupCommand{m: m} },
}

// DeleteGroupCommand is "cwlogs delete-group".
type DeleteGroupCommand struct{ m *Main }

func (c *DeleteGroupCommand) flags() *flag.FlagSet { return newFlagSet("delete-group") }

// Run implements the command.
func (c *DeleteGroupCommand) Run(ctx context.Context, args []string) error {
	return c.m.runWrite(ctx, deleteGroupInfo, c.flags(), args, 1, func(cl *cwlogs.Client, pos []string) (string, writeResult, error) {
		err := cl.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: pos[0]})
		return "deleted log group " + pos[0], writeResult{Operation: "DeleteLogGroup", LogGroupName: pos[0]}, err
	})
}

// ---- retention ----

var retentionInfo = &commandInfo{
	name:    "retention",
	args:    "GROUP DAYS|never",
	summary: "Set how long a log group keeps its events, or make them never expire.",
	details: `DAYS is one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
2192, 2557, 2922, 3288, 3653; "never" deletes the retention policy.`,
	examples: []string{"cwlogs retention my-app 14", "cwlogs retention my-app never"},
	new:      func(m *Main) command { return &RetentionCommand{m: m} },
}

// RetentionCommand is "cwlogs retention".
type RetentionCommand struct{ m *Main }

func (c *RetentionCommand) flags() *flag.FlagSet { return newFlagSet("retention") }

// Run implements the command.
func (c *RetentionCommand) Run(ctx context.Context, args []string) error {
	const name = "retention"
	pos, err := c.m.parseArgs(retentionInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 2, 2, "GROUP DAYS|never"); err != nil {
		return err
	}
	days, never, err := parseRetention(name, pos[1], true)
	if err != nil {
		return err
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	if never {
		if err := cl.DeleteRetentionPolicy(ctx, &cwlogs.DeleteRetentionPolicyInput{LogGroupName: pos[0]}); err != nil {
			return err
		}
		return c.m.done("events of "+pos[0]+" never expire", writeResult{Operation: "DeleteRetentionPolicy", LogGroupName: pos[0]})
	}
	if err := cl.PutRetentionPolicy(ctx, &cwlogs.PutRetentionPolicyInput{LogGroupName: pos[0], RetentionInDays: days}); err != nil {
		return err
	}
	return c.m.done(fmt.Sprintf("events of %s expire after %d days", pos[0], days),
		writeResult{Operation: "PutRetentionPolicy", LogGroupName: pos[0], RetentionInDays: &days})
}

// ---- groups ----

var groupsInfo = &commandInfo{
	name:     "groups",
	args:     "[--prefix P]",
	summary:  "List log groups.",
	examples: []string{"cwlogs groups --prefix /aws/lambda/"},
	new:      func(m *Main) command { return &GroupsCommand{m: m} },
}

// GroupsCommand is "cwlogs groups".
type GroupsCommand struct {
	m      *Main
	prefix string
}

func (c *GroupsCommand) flags() *flag.FlagSet {
	fs := newFlagSet("groups")
	fs.StringVar(&c.prefix, "prefix", "", "only groups whose name starts with `P`")
	return fs
}

// groupJSON is the --output json shape of one log group.
type groupJSON struct {
	LogGroupName    string `json:"logGroupName"`
	Arn             string `json:"arn"`
	CreationTime    int64  `json:"creationTime"`
	RetentionInDays *int   `json:"retentionInDays"`
	StoredBytes     int64  `json:"storedBytes"`
	LogGroupClass   string `json:"logGroupClass"`
}

// Run implements the command.
func (c *GroupsCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(groupsInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("groups", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	p := c.m.out
	var t *table
	if !p.json {
		t = p.newTable("NAME", "CREATED", "RETENTION", "STORED BYTES")
	}
	for g, err := range cl.DescribeLogGroupsIter(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupNamePrefix: c.prefix}) {
		if err != nil {
			return err // the table is not printed: stdout stays empty
		}
		if p.json {
			j := groupJSON{LogGroupName: g.LogGroupName, Arn: g.Arn, CreationTime: g.CreationTime,
				StoredBytes: g.StoredBytes, LogGroupClass: g.LogGroupClass}
			if g.RetentionInDays != 0 {
				d := g.RetentionInDays
				j.RetentionInDays = &d
			}
			if j.LogGroupClass == "" {
				j.LogGroupClass = "STANDARD"
			}
			if err := p.jsonLine(j); err != nil {
				return err
			}
			continue
		}
		t.row(g.LogGroupName, p.fmtTime(g.CreationTime), fmtRetention(g.RetentionInDays), strconv.FormatInt(g.StoredBytes, 10))
	}
	if t != nil {
		return t.flush()
	}
	return nil
}
