package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/cwlogs/cwlogs"
)

// ---- version ----

var versionInfo = &commandInfo{
	name:     "version",
	args:     "",
	summary:  "Print the version of cwlogs.",
	examples: []string{"cwlogs version --output json"},
	new:      func(m *Main) command { return &VersionCommand{m: m} },
}

// VersionCommand is "cwlogs version".
type VersionCommand struct{ m *Main }

func (c *VersionCommand) flags() *flag.FlagSet { return newFlagSet("version") }

// versionJSON is the --output json shape of version.
type versionJSON struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Commit   string `json:"commit,omitempty"`
}

// Run implements the command.
func (c *VersionCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(versionInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("version", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	v := versionJSON{Version: cwlogs.Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v.Commit = s.Value[:12]
			}
		}
	}
	if c.m.out.json {
		return c.m.out.jsonLine(v)
	}
	line := fmt.Sprintf("cwlogs %s (%s %s", v.Version, v.Go, v.Platform)
	if v.Commit != "" {
		line += ", commit " + v.Commit
	}
	_, err = fmt.Fprintln(c.m.Stdout, line+")")
	return err
}

// ---- help ----

var helpInfo = &commandInfo{
	name:     "help",
	args:     "[COMMAND]",
	summary:  "Show the list of commands, or a command's flags and an example.",
	examples: []string{"cwlogs help tail"},
	new:      func(m *Main) command { return &HelpCommand{m: m} },
}

// HelpCommand is "cwlogs help".
type HelpCommand struct{ m *Main }

func (c *HelpCommand) flags() *flag.FlagSet { return newFlagSet("help") }

// Run implements the command.
func (c *HelpCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(helpInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("help", pos, 0, 1, "[COMMAND]"); err != nil {
		return err
	}
	if len(pos) == 0 {
		c.m.printTopUsage(c.m.Stdout)
		return nil
	}
	info := lookupCommand(pos[0])
	if info == nil {
		return usagef("help", "unknown command %q", pos[0])
	}
	c.m.printCommandHelp(c.m.Stdout, info)
	return nil
}
