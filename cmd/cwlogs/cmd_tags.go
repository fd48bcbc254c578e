package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cwlogs/cwlogs"
)

// groupARN returns the ARN to tag for ref, a log group name or ARN: an ARN is
// used as given (without a trailing ":*"); a name is looked up with
// DescribeLogGroups, since TagResource and its siblings take ARNs only.
func groupARN(ctx context.Context, cl *cwlogs.Client, ref string) (arn, name string, err error) {
	if strings.HasPrefix(ref, "arn:") {
		arn = strings.TrimSuffix(ref, ":*")
		name = arn // shown when the ARN is not a log group's
		if i := strings.Index(arn, ":log-group:"); i >= 0 {
			name = arn[i+len(":log-group:"):]
		}
		return arn, name, nil
	}
	for g, err := range cl.DescribeLogGroupsIter(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupNamePrefix: ref}) {
		if err != nil {
			return "", "", err
		}
		if g.LogGroupName != ref {
			continue
		}
		if g.LogGroupArn != "" {
			return g.LogGroupArn, ref, nil
		}
		return strings.TrimSuffix(g.Arn, ":*"), ref, nil
	}
	return "", "", fmt.Errorf("log group %s does not exist", ref)
}

// ---- tags ----

var tagsInfo = &commandInfo{
	name:    "tags",
	args:    "GROUP",
	summary: "List the tags of a log group.",
	details: `GROUP is a log group name or ARN (ListTagsForResource).
With --output json: {"resourceArn":S, "tags":{S:S}}.`,
	examples: []string{"cwlogs tags my-app"},
	new:      func(m *Main) command { return &TagsCommand{m: m} },
}

// TagsCommand is "cwlogs tags".
type TagsCommand struct{ m *Main }

func (c *TagsCommand) flags() *flag.FlagSet { return newFlagSet("tags") }

// tagsJSON is the --output json shape of tags.
type tagsJSON struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

// Run implements the command.
func (c *TagsCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(tagsInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("tags", pos, 1, 1, "GROUP"); err != nil {
		return err
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	arn, _, err := groupARN(ctx, cl, pos[0])
	if err != nil {
		return err
	}
	out, err := cl.ListTagsForResource(ctx, &cwlogs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil {
		return err
	}
	p := c.m.out
	if p.json {
		tags := out.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		return p.jsonLine(tagsJSON{ResourceArn: arn, Tags: tags})
	}
	t := p.newTable("KEY", "VALUE")
	for _, k := range slices.Sorted(maps.Keys(out.Tags)) {
		t.row(k, out.Tags[k])
	}
	return t.flush()
}

// ---- tag ----

var tagInfo = &commandInfo{
	name:     "tag",
	args:     "GROUP KEY=VALUE...",
	summary:  "Add tags to a log group, or change their values.",
	details:  `GROUP is a log group name or ARN (TagResource). Other tags are kept.`,
	examples: []string{"cwlogs tag my-app team=payments env=prod"},
	new:      func(m *Main) command { return &TagCommand{m: m} },
}

// TagCommand is "cwlogs tag".
type TagCommand struct{ m *Main }

func (c *TagCommand) flags() *flag.FlagSet { return newFlagSet("tag") }

// Run implements the command.
func (c *TagCommand) Run(ctx context.Context, args []string) error {
	tags := tagFlag{}
	return c.m.runTagCommand(ctx, tagInfo, c.flags(), args, func(rest []string) error {
		for _, kv := range rest {
			if err := tags.Set(kv); err != nil {
				return usagef(tagInfo.name, "invalid tag: %v", err)
			}
		}
		return nil
	}, func(cl *cwlogs.Client, arn, group string, _ []string) (string, writeResult, error) {
		if err := cl.TagResource(ctx, &cwlogs.TagResourceInput{ResourceArn: arn, Tags: tags}); err != nil {
			return "", writeResult{}, err
		}
		shown := make([]string, 0, len(tags))
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			shown = append(shown, k+"="+tags[k])
		}
		return "tagged log group " + group + ": " + strings.Join(shown, ", "),
			writeResult{Operation: "TagResource", LogGroupName: group, Tags: tags}, nil
	})
}

// runTagCommand runs tag or untag: GROUP and at least one more argument,
// which check (when not nil) reads for usage errors; do changes the tags of
// the group's ARN and describes what was done, as runWrite's callbacks do.
func (m *Main) runTagCommand(ctx context.Context, info *commandInfo, fs *flag.FlagSet, args []string,
	check func(rest []string) error, do func(cl *cwlogs.Client, arn, group string, rest []string) (string, writeResult, error)) error {
	pos, err := m.parseArgs(info, fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(info.name, pos, 2, -1, info.args); err != nil {
		return err
	}
	if check != nil {
		if err := check(pos[1:]); err != nil {
			return err
		}
	}
	cl, err := m.client(ctx)
	if err != nil {
		return err
	}
	arn, group, err := groupARN(ctx, cl, pos[0])
	if err != nil {
		return err
	}
	text, res, err := do(cl, arn, group, pos[1:])
	if err != nil {
		return err
	}
	return m.done(text, res)
}

// ---- untag ----

var untagInfo = &commandInfo{
	name:     "untag",
	args:     "GROUP KEY...",
	summary:  "Remove tags from a log group.",
	details:  `GROUP is a log group name or ARN (UntagResource). Keys the group does not have are ignored.`,
	examples: []string{"cwlogs untag my-app env"},
	new:      func(m *Main) command { return &UntagCommand{m: m} },
}

// UntagCommand is "cwlogs untag".
type UntagCommand struct{ m *Main }

func (c *UntagCommand) flags() *flag.FlagSet { return newFlagSet("untag") }

// Run implements the command.
func (c *UntagCommand) Run(ctx context.Context, args []string) error {
	return c.m.runTagCommand(ctx, untagInfo, c.flags(), args, nil, func(cl *cwlogs.Client, arn, group string, keys []string) (string, writeResult, error) {
		if err := cl.UntagResource(ctx, &cwlogs.UntagResourceInput{ResourceArn: arn, TagKeys: keys}); err != nil {
			return "", writeResult{}, err
		}
		return "untagged log group " + group + ": " + strings.Join(keys, ", "),
			writeResult{Operation: "UntagResource", LogGroupName: group, TagKeys: keys}, nil
	})
}
