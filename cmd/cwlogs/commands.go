package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand. Each command is a type holding its flag values;
// flags binds them to a new flag set (also used to print help).
type command interface {
	flags() *flag.FlagSet
	Run(ctx context.Context, args []string) error
}

// commandInfo describes a command for dispatch, help and completion.
type commandInfo struct {
	name     string
	args     string // synopsis after the name, e.g. "GROUP [--prefix P]"
	summary  string // one line
	details  string // paragraphs after the summary
	examples []string
	new      func(*Main) command
}

var commands []*commandInfo

func init() {
	// Set here rather than in the declaration: the help command refers to
	// the table.
	commands = []*commandInfo{
		createGroupInfo, createStreamInfo, deleteGroupInfo, deleteStreamInfo,
		groupsInfo, streamsInfo, retentionInfo, tagsInfo, tagInfo, untagInfo,
		putInfo, getInfo, filterInfo, tailInfo, queryInfo, callInfo,
		serveInfo, demoInfo,
		versionInfo, completionInfo, helpInfo,
	}
}

func lookupCommand(name string) *commandInfo {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

const globalHelp = `Global flags (before or after the command name):
  --region REGION        AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
  --profile NAME         profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, else "default")
  --endpoint-url URL     send requests to URL, e.g. a local server (default: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
                         AWS_ENDPOINT_URL, the profile's endpoint_url, else https://logs.REGION.amazonaws.com)
  --ca-bundle FILE       trust only the certificate authorities in this PEM file for HTTPS
                         (default: AWS_CA_BUNDLE, the profile's ca_bundle, else the system's)
  --output text|json     aligned text (default) or JSON, one object per line;
                         call: json (default), text or table, as aws prints them
  --utc, --local         show times in UTC (default) or in the local time zone
  --no-color             no colour (also: NO_COLOR set, TERM=dumb, or output not a terminal)
  --gzip                 compress PutLogEvents requests (Content-Encoding: gzip, default level);
                         AWS and cwlogs serve accept them, moto_server does not
`

const timeHelp = `Times (T): ISO 8601 (2024-05-01T12:00:00Z, 2024-05-01T14:00+02:00, 2024-05-01 12:00; UTC
without a zone), a date (2024-05-01, midnight UTC), epoch milliseconds (1714564800000), "now",
or a duration before now (90s, 10m, 2h, 1d, 1w, 1h30m).
`

func (m *Main) printTopUsage(w io.Writer) {
	fmt.Fprint(w, `cwlogs: Amazon CloudWatch Logs from the shell, and a local CloudWatch Logs server.

Usage: cwlogs [global flags] COMMAND [arguments] [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\n", globalHelp, "\n", timeHelp, `
Exit status: 0 success, 1 service or network error, 2 usage or configuration error,
130 interrupted. Run 'cwlogs COMMAND --help' for a command's flags and an example.
`)
}

func (m *Main) printCommandHelp(w io.Writer, c *commandInfo) {
	fmt.Fprintf(w, "Usage: cwlogs %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.details, "\n"))
	}
	fs := c.new(m).flags()
	var flags strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + name
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(&flags, "  %-22s %s%s\n", left, usage, def)
	})
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.String())
	}
	fmt.Fprint(w, "\nGlobal flags: --region R, --profile P, --endpoint-url URL, --ca-bundle FILE, --output text|json\n(call: json|text|table), --utc|--local, --no-color, --gzip (see 'cwlogs help').\n")
	if len(c.examples) > 0 {
		fmt.Fprint(w, "\nExample:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}
