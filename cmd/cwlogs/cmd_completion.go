package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

var completionInfo = &commandInfo{
	name:    "completion",
	args:    "bash|zsh|fish",
	summary: "Print a shell completion script.",
	details: `bash:  source <(cwlogs completion bash)      (or save it in /etc/bash_completion.d/cwlogs)
zsh:   source <(cwlogs completion zsh)       (or save it as _cwlogs in a directory of $fpath)
fish:  cwlogs completion fish > ~/.config/fish/completions/cwlogs.fish`,
	examples: []string{"cwlogs completion bash > /etc/bash_completion.d/cwlogs"},
	new:      func(m *Main) command { return &CompletionCommand{m: m} },
}

// CompletionCommand is "cwlogs completion".
type CompletionCommand struct{ m *Main }

func (c *CompletionCommand) flags() *flag.FlagSet { return newFlagSet("completion") }

// Run implements the command.
func (c *CompletionCommand) Run(ctx context.Context, args []string) error {
	pos, err := c.m.parseArgs(completionInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs("completion", pos, 1, 1, "bash, zsh or fish"); err != nil {
		return err
	}
	spec := c.m.completionSpec()
	switch pos[0] {
	case "bash":
		writeBash(c.m.Stdout, spec)
	case "zsh":
		writeZsh(c.m.Stdout, spec)
	case "fish":
		writeFish(c.m.Stdout, spec)
	default:
		return usagef("completion", "unknown shell %q: want bash, zsh or fish", pos[0])
	}
	return nil
}

type flagSpec struct {
	name  string
	value bool // takes a value
	usage string
}

type cmdSpec struct {
	name, summary string
	flags         []flagSpec
}

type completionSpec struct {
	cmds       []cmdSpec
	operations []string // the AWS CLI names of call's operations
}

// Flag values with known choices, and flags taking file names.
var (
	flagChoices = map[string]string{"output": "text json table", "order-by": "name last-event"}
	fileFlags   = map[string]bool{"data": true, "credentials-file": true, "export-dir": true}
)

func (m *Main) completionSpec() completionSpec {
	s := completionSpec{operations: cliOperationNames()}
	for _, c := range commands {
		cs := cmdSpec{name: c.name, summary: c.summary}
		c.new(m).flags().VisitAll(func(f *flag.Flag) {
			_, usage := flag.UnquoteUsage(f)
			bf, isBool := f.Value.(interface{ IsBoolFlag() bool })
			cs.flags = append(cs.flags, flagSpec{name: f.Name, value: !(isBool && bf.IsBoolFlag()), usage: usage})
		})
		s.cmds = append(s.cmds, cs)
	}
	return s
}

func globalFlagSpecs() []flagSpec {
	return []flagSpec{
		{"region", true, "AWS region"},
		{"profile", true, "profile of the ~/.aws files"},
		{"endpoint-url", true, "send requests to this URL"},
		{"ca-bundle", true, "PEM file of trusted certificate authorities"},
		{"output", true, "text or json (call: json, text or table)"},
		{"utc", false, "show times in UTC"},
		{"local", false, "show times in the local time zone"},
		{"no-color", false, "no colour"},
		{"gzip", false, "compress PutLogEvents requests"},
	}
}

func (s completionSpec) names() string {
	var n []string
	for _, c := range s.cmds {
		n = append(n, c.name)
	}
	return strings.Join(n, " ")
}

// valueFlags lists every flag taking a value, global or not, as --name.
func (s completionSpec) valueFlags() []string {
	set := map[string]bool{}
	for _, f := range globalFlagSpecs() {
		if f.value {
			set["--"+f.name] = true
		}
	}
	for _, c := range s.cmds {
		for _, f := range c.flags {
			if f.value {
				set["--"+f.name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func dashed(fs []flagSpec) string {
	var out []string
	for _, f := range fs {
		out = append(out, "--"+f.name)
	}
	return strings.Join(out, " ")
}

// valueCase is the shell case pattern of the flags that take a value in c's arguments: the
// global ones and c's own.
func valueCase(c cmdSpec) string {
	pat := globalValueCase
	for _, f := range c.flags {
		if f.value {
			pat += "|--" + f.name
		}
	}
	return pat
}

// globalValueCase is the shell case pattern of the global flags that take a
// value, as extractGlobals reads them.
var globalValueCase = "--" + strings.Join(globalValueFlags, "|--")

func writeBash(w io.Writer, s completionSpec) {
	fmt.Fprintf(w, `# bash completion for cwlogs. Load it with: source <(cwlogs completion bash)
_cwlogs() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local commands="%s"
    local globals="%s --help"
    local cmd="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            %s) ((i++)) ;;
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$prev" in
`, s.names(), dashed(globalFlagSpecs()), globalValueCase)
	for _, k := range slices.Sorted(maps.Keys(flagChoices)) {
		fmt.Fprintf(w, "        --%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", k, flagChoices[k])
	}
	for _, k := range slices.Sorted(maps.Keys(fileFlags)) {
		fmt.Fprintf(w, "        --%s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", k)
	}
	fmt.Fprintf(w, "        %s) return ;;\n    esac\n", strings.Join(s.valueFlags(), "|"))
	fmt.Fprint(w, `    if [[ -z "$cmd" ]]; then
        if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W "$globals --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    local flags=""
    case "$cmd" in
        completion) [[ "$cur" != -* ]] && COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
`)
	for _, c := range s.cmds {
		if c.name == callInfo.name {
			// The operation is the first word after call that is not a flag or a flag's value.
			fmt.Fprintf(w, `        %s)
            local n=0 j
            for ((j = i + 1; j < COMP_CWORD; j++)); do
                case "${COMP_WORDS[j]}" in
                    %s) ((j++)) ;;
                    -*) ;;
                    *) ((n++)) ;;
                esac
            done
            if [[ "$cur" != -* && $n -eq 0 ]]; then
                COMPREPLY=($(compgen -W %q -- "$cur")); return
            fi
            flags=%q ;;
`, c.name, valueCase(c), strings.Join(s.operations, " "), dashed(c.flags))
			continue
		}
		if len(c.flags) > 0 {
			fmt.Fprintf(w, "        %s) flags=%q ;;\n", c.name, dashed(c.flags))
		}
	}
	fmt.Fprint(w, `    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags $globals" -- "$cur"))
    fi
}
complete -F _cwlogs cwlogs
`)
}

func writeZsh(w io.Writer, s completionSpec) {
	fmt.Fprint(w, `#compdef cwlogs
# zsh completion for cwlogs. Load it with: source <(cwlogs completion zsh),
# or save it as _cwlogs in a directory of $fpath.
_cwlogs() {
    local -a commands
    commands=(
`)
	for _, c := range s.cmds {
		fmt.Fprintf(w, "        %s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprintf(w, `    )
    local globals="%s --help"
    local cmd="" i
    for ((i = 2; i < CURRENT; i++)); do
        case "${words[i]}" in
            %s) ((i++)) ;;
            -*) ;;
            *) cmd="${words[i]}"; break ;;
        esac
    done
    case "${words[CURRENT-1]}" in
`, dashed(globalFlagSpecs()), globalValueCase)
	for _, k := range slices.Sorted(maps.Keys(flagChoices)) {
		fmt.Fprintf(w, "        --%s) compadd -- %s; return ;;\n", k, flagChoices[k])
	}
	for _, k := range slices.Sorted(maps.Keys(fileFlags)) {
		fmt.Fprintf(w, "        --%s) _files; return ;;\n", k)
	}
	fmt.Fprintf(w, "        %s) return ;;\n    esac\n", strings.Join(s.valueFlags(), "|"))
	fmt.Fprint(w, `    if [[ -z "$cmd" ]]; then
        if [[ "$PREFIX" == -* ]]; then
            compadd -- ${=globals} --version
        else
            _describe -t commands 'cwlogs command' commands
        fi
        return
    fi
    local flags=""
    case "$cmd" in
        completion) compadd -- bash zsh fish; return ;;
        help) _describe -t commands 'cwlogs command' commands; return ;;
`)
	for _, c := range s.cmds {
		if c.name == callInfo.name {
			// The operation is the first word after call that is not a flag or a flag's value.
			fmt.Fprintf(w, `        %s)
            local n=0 j
            for ((j = i + 1; j < CURRENT; j++)); do
                case "${words[j]}" in
                    %s) ((j++)) ;;
                    -*) ;;
                    *) ((n++)) ;;
                esac
            done
            if [[ "$PREFIX" != -* && $n -eq 0 ]]; then
                compadd -- %s; return
            fi
            flags=%q ;;
`, c.name, valueCase(c), strings.Join(s.operations, " "), dashed(c.flags))
			continue
		}
		if len(c.flags) > 0 {
			fmt.Fprintf(w, "        %s) flags=%q ;;\n", c.name, dashed(c.flags))
		}
	}
	fmt.Fprint(w, `    esac
    if [[ "$PREFIX" == -* ]]; then
        compadd -- ${=flags} ${=globals}
    fi
}
if [[ "$funcstack[1]" == "_cwlogs" ]]; then
    _cwlogs "$@"
else
    compdef _cwlogs cwlogs
fi
`)
}

func writeFish(w io.Writer, s completionSpec) {
	fmt.Fprint(w, "# fish completion for cwlogs. Save it as ~/.config/fish/completions/cwlogs.fish\ncomplete -c cwlogs -f\n")
	for _, c := range s.cmds {
		fmt.Fprintf(w, "complete -c cwlogs -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, f := range globalFlagSpecs() {
		fmt.Fprintf(w, "complete -c cwlogs -l %s%s -d %s\n", f.name, fishValue(f), fishQuote(f.usage))
	}
	for _, c := range s.cmds {
		for _, f := range c.flags {
			fmt.Fprintf(w, "complete -c cwlogs -n '__fish_seen_subcommand_from %s' -l %s%s -d %s\n", c.name, f.name, fishValue(f), fishQuote(f.usage))
		}
	}
	ops := strings.Join(s.operations, " ")
	fmt.Fprintf(w, "complete -c cwlogs -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s' -a %s\n", callInfo.name, ops, fishQuote(ops))
	fmt.Fprint(w, "complete -c cwlogs -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	fmt.Fprintf(w, "complete -c cwlogs -n '__fish_seen_subcommand_from help' -a %s\n", fishQuote(s.names()))
}

func fishValue(f flagSpec) string {
	switch {
	case !f.value:
		return ""
	case flagChoices[f.name] != "":
		return " -x -a " + fishQuote(flagChoices[f.name])
	case fileFlags[f.name]:
		return " -r -F"
	}
	return " -x"
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
