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
	const name = "tag"
	pos, err := c.m.parseArgs(tagInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 2, -1, "GROUP KEY=VALUE..."); err != nil {
		return err
	}
	tags := tagFlag{}
	for _, kv := range pos[1:] {
		if err := tags.Set(kv); err != nil {
			return usagef(name, "invalid tag: %v", err)
		}
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	arn, group, err := groupARN(ctx, cl, pos[0])
	if err != nil {
		return err
	}
	if err := cl.TagResource(ctx, &cwlogs.TagResourceInput{ResourceArn: arn, Tags: tags}); err != nil {
		return err
	}
	shown := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		shown = append(shown, k+"="+tags[k])
	}
	return c.m.done("tagged log group "+group+": "+strings.Join(shown, ", "),
		writeResult{Operation: "TagResource", LogGroupName: group, Tags: tags})
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
	const name = "untag"
	pos, err := c.m.parseArgs(untagInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 2, -1, "GROUP KEY..."); err != nil {
		return err
	}
	keys := pos[1:]
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	arn, group, err := groupARN(ctx, cl, pos[0])
	if err != nil {
		return err
	}
	if err := cl.UntagResource(ctx, &cwlogs.UntagResourceInput{ResourceArn: arn, TagKeys: keys}); err != nil {
		return err
	}
	return c.m.done("untagged log group "+group+": "+strings.Join(keys, ", "),
		writeResult{Operation: "UntagResource", LogGroupName: group, TagKeys: keys})
}
