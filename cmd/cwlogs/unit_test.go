package main

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestExtractGlobals(t *testing.T) {
	tests := []struct {
		args     []string
		want     globals
		rest     []string
		errMatch string
	}{
		{[]string{"groups"}, globals{output: "text"}, []string{"groups"}, ""},
		{[]string{"--region", "eu-west-1", "groups", "--prefix", "a"}, globals{region: "eu-west-1", output: "text"}, []string{"groups", "--prefix", "a"}, ""},
		{[]string{"groups", "--output=json", "--profile", "p", "--endpoint-url", "http://x"}, globals{profile: "p", endpoint: "http://x", output: "json", outputGiven: true}, []string{"groups"}, ""},
		{[]string{"call", "--output", "table", "x"}, globals{output: "table", outputGiven: true}, []string{"call", "x"}, ""},
		{[]string{"--output=text", "call"}, globals{output: "text", outputGiven: true}, []string{"call"}, ""},
		{[]string{"-region=r", "get", "g", "s", "--utc", "--no-color"}, globals{region: "r", output: "text", utc: true, noColor: true}, []string{"get", "g", "s"}, ""},
		{[]string{"get", "--local", "g"}, globals{output: "text", local: true}, []string{"get", "g"}, ""},
		{[]string{"groups", "--ca-bundle", "/etc/ca.pem"}, globals{caBundle: "/etc/ca.pem", output: "text"}, []string{"groups"}, ""},
		{[]string{"--no-color=false", "groups"}, globals{output: "text"}, []string{"groups"}, ""},
		{[]string{"put", "--gzip", "g", "s"}, globals{output: "text", gzip: true}, []string{"put", "g", "s"}, ""},
		{[]string{"--gzip=false", "put", "g", "s"}, globals{output: "text"}, []string{"put", "g", "s"}, ""},
		{[]string{"--gzip=yes", "put"}, globals{}, nil, `invalid boolean "yes" for --gzip`},
		{[]string{"put", "g", "s", "--", "--region", "x"}, globals{output: "text"}, []string{"put", "g", "s", "--", "--region", "x"}, ""},
		{[]string{"put", "-", "--pattern"}, globals{output: "text"}, []string{"put", "-", "--pattern"}, ""},
		{[]string{"groups", "--region"}, globals{}, nil, "flag needs an argument: --region"},
		{[]string{"--output", "yaml"}, globals{}, nil, `invalid --output "yaml"`},
		{[]string{"--utc", "--local"}, globals{}, nil, "cannot be combined"},
		{[]string{"--utc=maybe"}, globals{}, nil, `invalid boolean "maybe"`},
	}
	for _, tc := range tests {
		g, rest, err := extractGlobals(tc.args)
		if tc.errMatch != "" {
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%q: error %v, want a usage error containing %q", tc.args, err, tc.errMatch)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if g != tc.want || !reflect.DeepEqual(rest, tc.rest) {
			t.Errorf("%q: got %+v %q, want %+v %q", tc.args, g, rest, tc.want, tc.rest)
		}
	}
}

func FuzzExtractGlobals(f *testing.F) {
	f.Add("--region\x00r\x00groups\x00--output=json")
	f.Add("put\x00g\x00--\x00--utc")
	f.Add("--local=1\x00--no-color\x00x")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		g, rest, err := extractGlobals(args)
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("non-usage error %T: %v", err, err)
			}
			return
		}
		if g.output != "text" && g.output != "json" && g.output != "table" {
			t.Fatalf("output %q accepted", g.output)
		}
		if len(rest) > len(args) {
			t.Fatalf("rest longer than args")
		}
		// What is left before "--" holds no global flag.
		for _, a := range rest {
			if a == "--" {
				break
			}
			name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
			name, _, _ = strings.Cut(name, "=")
			if len(a) > 1 && a[0] == '-' && (slices.Contains(globalValueFlags, name) || slices.Contains(globalBoolFlags, name)) {
				t.Fatalf("global flag %q left in %q", a, rest)
			}
		}
	})
}

func TestParseArgsInterspersed(t *testing.T) {
	m := &Main{Stdout: &strings.Builder{}}
	info := lookupCommand("get")
	tests := []struct {
		args    []string
		pos     []string
		limit   string
		streams []string
		head    bool
	}{
		{[]string{"g", "s", "--limit", "5"}, []string{"g", "s"}, "5", nil, false},
		{[]string{"--head", "g", "--stream", "a", "s", "--stream=b"}, []string{"g", "s"}, "", []string{"a", "b"}, true},
		{[]string{"g", "--", "--head", "-"}, []string{"g", "--head", "-"}, "", nil, false},
		{[]string{"-", "g"}, []string{"-", "g"}, "", nil, false},
		// --names takes the arguments after it, as the AWS CLI's list options do; --stream does not.
		{[]string{"g", "--names", "a", "b", "c"}, []string{"g"}, "", []string{"a", "b", "c"}, false},
		{[]string{"--names", "a", "b", "--limit", "5", "g"}, []string{"g"}, "5", []string{"a", "b"}, false},
		{[]string{"--names=a", "b", "--head", "g"}, []string{"g"}, "", []string{"a", "b"}, true},
		{[]string{"--names", "a", "--stream", "b", "g"}, []string{"g"}, "", []string{"a", "b"}, false},
		{[]string{"--names", "a", "--", "g"}, []string{"g"}, "", []string{"a"}, false},
		{[]string{"--limit", "--names", "g"}, []string{"g"}, "--names", nil, false}, // a value, not the flag
		{[]string{"--head", "g", "s"}, []string{"g", "s"}, "", nil, true},
	}
	for _, tc := range tests {
		fs := newFlagSet("x")
		var limit string
		var streams stringList
		var head bool
		fs.StringVar(&limit, "limit", "", "")
		fs.Var(&streams, "stream", "")
		fs.Var(&awsList{&streams}, "names", "")
		fs.BoolVar(&head, "head", false, "")
		pos, err := m.parseArgs(info, fs, tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(pos, tc.pos) || limit != tc.limit || !reflect.DeepEqual([]string(streams), tc.streams) || head != tc.head {
			t.Errorf("%q: pos %q limit %q streams %q head %v", tc.args, pos, limit, streams, head)
		}
	}
	fs := newFlagSet("x")
	if _, err := m.parseArgs(info, fs, []string{"g", "--nope"}); err == nil || !strings.Contains(err.Error(), "--nope") {
		t.Errorf("unknown flag: %v", err)
	}
	if _, err := m.parseArgs(info, newFlagSet("x"), []string{"g", "--help"}); !errors.Is(err, errHelpShown) {
		t.Errorf("--help: %v", err)
	}
	if !strings.Contains(m.Stdout.(*strings.Builder).String(), "Usage: cwlogs get") {
		t.Errorf("--help did not print the command's help")
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T14:00:00.250+02:00", time.Date(2024, 5, 1, 12, 0, 0, 250e6, time.UTC), false},
		{"2024-04-30", time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC), false},
		// ISO 8601 forms that aws logs tail --since accepts (a time without
		// a zone is UTC there too, whatever TZ says).
		{"2024-05-01T10:00:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01 10:00:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T10:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01 10:30", time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC), false},
		{"2024-05-01T10Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01t10:00:00z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T10:00:00.123456", time.Date(2024, 5, 1, 10, 0, 0, 123456e3, time.UTC), false},
		{"2024-05-01T12:00:00+0200", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T12:00:00+02", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T07:30:00-02:30", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01 12:00:00 +02:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), false},
		{"2024-05-01T25:00:00", time.Time{}, true},
		{"2024-05-01T10:61", time.Time{}, true},
		{"2024-05-01T10:00:00+25:00", time.Time{}, true},
		{"2024-05-01T", time.Time{}, true},
		{"2024-05-01T10:00:00 UTC+", time.Time{}, true},
		{"2024-02-30T10:00:00", time.Time{}, true},
		{"1714564800000", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), false},
		{"0", time.Unix(0, 0), false},
		{"now", now, false},
		{"90s", now.Add(-90 * time.Second), false},
		{"10m", now.Add(-10 * time.Minute), false},
		{"2h", now.Add(-2 * time.Hour), false},
		{"1d", now.Add(-24 * time.Hour), false},
		{"1w", now.Add(-7 * 24 * time.Hour), false},
		{"1h30m", now.Add(-90 * time.Minute), false},
		{"1d12h", now.Add(-36 * time.Hour), false},
		{"250ms", now.Add(-250 * time.Millisecond), false},
		{" 10m ", now.Add(-10 * time.Minute), false},
		{"", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"10", time.Unix(0, 10e6), false},
		// Epoch seconds (date +%s) where milliseconds belong would mean January 1970: refused.
		{"1714564800", time.Time{}, true},
		{"99999999999", time.Time{}, true},
		{"999999999", time.Unix(0, 999999999e6), false},
		{"100000000000", time.Unix(100000000, 0), false},
		{"10x", time.Time{}, true},
		{"m", time.Time{}, true},
		{"-10m", time.Time{}, true},
		{"1.5h", time.Time{}, true},
		{"2024-13-01", time.Time{}, true},
		{"99999999999999999999", time.Time{}, true},
		{"9999999999d", time.Time{}, true},
		{"106752d", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := parseTime(tc.in, now)
		if tc.err {
			if err == nil {
				t.Errorf("parseTime(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"10m", "1h30m", "2024-05-01T10:00:00Z", "2024-05-01", "1714564800000", "now", "9d9d9d", "1w2d3h4m5s6ms"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime(s, now)
		if err != nil {
			if !utf8.ValidString(s) {
				return
			}
			if !strings.Contains(err.Error(), "time") && !strings.Contains(err.Error(), "duration") && !strings.Contains(err.Error(), "milliseconds") {
				t.Fatalf("unhelpful error for %q: %v", s, err)
			}
			return
		}
		// A relative time is never after now.
		if d, derr := parseDuration(strings.TrimSpace(s)); derr == nil {
			if d < 0 || got.After(now) {
				t.Fatalf("%q: duration %v, time %v after now", s, d, got)
			}
		}
	})
}

func TestParseCredentialsFile(t *testing.T) {
	tests := []struct {
		name, data string
		want       map[string]string
		errMatch   string
	}{
		{"pairs", "# comment\nAKID1:secret1\n\n; other comment\n AKID2 : secret2 \r\n", map[string]string{"AKID1": "secret1", "AKID2": "secret2"}, ""},
		{"ini", "[default]\naws_access_key_id = AKIDA\naws_secret_access_key=sa\naws_session_token = tok\n[two]\nAWS_ACCESS_KEY_ID=AKIDB\naws_secret_access_key = sb\n", map[string]string{"AKIDA": "sa", "AKIDB": "sb"}, ""},
		{"mixed", "AKIDP:sp\n[s]\naws_access_key_id=AKIDS\naws_secret_access_key=ss\n", map[string]string{"AKIDP": "sp", "AKIDS": "ss"}, ""},
		{"secret with colon", "AKID:a:b\n", map[string]string{"AKID": "a:b"}, ""},
		{"empty section ignored", "[empty]\nregion = us-east-1\nAKID:s\n", map[string]string{"AKID": "s"}, ""},
		// The README's example: a pair after a section (a docs audit found it refused).
		{"pair after a section", "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\n# or one pair per line:\nAKIDDEV:dev-secret\n",
			map[string]string{"AKIDCI": "ci-secret", "AKIDDEV": "dev-secret"}, ""},
		{"pair with = in its secret inside a section", "[x]\nAKID:abc=def\n", map[string]string{"AKID": "abc=def"}, ""},
		{"neither inside a section", "[x]\njust-a-word\n", nil, "want KEY = VALUE (inside section [x]) or ID:SECRET"},
		{"empty", "# nothing\n", nil, "no credentials"},
		{"no secret", "[x]\naws_access_key_id = AKID\n", nil, "no aws_secret_access_key"},
		{"no id", "[x]\naws_secret_access_key = TOPSECRET\n", nil, "no aws_access_key_id"},
		{"bad line", "just-a-word\n", nil, "want ID:SECRET"},
		{"duplicate", "A:s1\nA:s2\n", nil, "given twice with different secrets"},
		{"same keys in two profiles", "[default]\naws_access_key_id = A\naws_secret_access_key = s\n[again]\naws_access_key_id = A\naws_secret_access_key = s\n", map[string]string{"A": "s"}, ""},
		{"same keys with and without a token", "[default]\naws_access_key_id = A\naws_secret_access_key = s\n[tok]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = TOPSECRET\n", nil, "A is given both with and without aws_session_token"},
		{"a pair line for a temporary key", "[tok]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = TOPSECRET\n[x]\nA:s\n", nil, "A is given both with and without aws_session_token"},
		{"two tokens", "[a]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = TOPSECRET\n[b]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = TOPSECRET2\n", nil, "given twice with different session tokens"},
		{"space in token", "[a]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = TOP SECRET\n", nil, "aws_session_token for A contains white space"},
		{"space in secret", "A:TOP SECRET\n", nil, "white space"},
		{"unterminated", "[x\n", nil, "unterminated"},
		// A key = value line outside a section is read as ID:SECRET when its value has a
		// ':'; the error quoted the "id", a secret's first part (a secrets audit found it).
		{"secret line outside a section", "aws_secret_access_key = TOPSECRET:XYZ\n", nil, "invalid access key id"},
	}
	for _, tc := range tests {
		got, _, err := parseCredentialsFile("creds", tc.data)
		if tc.errMatch != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.errMatch)
			}
			if err != nil && (strings.Contains(err.Error(), "TOPSECRET") || strings.Contains(err.Error(), "TOP SECRET")) {
				t.Errorf("%s: secret in error: %v", tc.name, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestParseCredentialsFileTokens: a section's aws_session_token (or its old
// name, aws_security_token) makes its key a temporary one; the other keys
// have no token.
func TestParseCredentialsFileTokens(t *testing.T) {
	data := "[tmp]\naws_access_key_id = ASIA1\naws_secret_access_key = s1\naws_session_token = tok/1+=\n" +
		"[old]\naws_access_key_id = ASIA2\naws_secret_access_key = s2\naws_security_token = tok2\n" +
		"[perm]\naws_access_key_id = AKIA3\naws_secret_access_key = s3\n" +
		"[again]\naws_access_key_id = ASIA1\naws_secret_access_key = s1\naws_session_token = tok/1+=\n" +
		"AKIA4:s4\n"
	creds, tokens, err := parseCredentialsFile("creds", data)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"ASIA1": "s1", "ASIA2": "s2", "AKIA3": "s3", "AKIA4": "s4"}; !reflect.DeepEqual(creds, want) {
		t.Errorf("keys %v, want %v", creds, want)
	}
	if want := map[string]string{"ASIA1": "tok/1+=", "ASIA2": "tok2"}; !reflect.DeepEqual(tokens, want) {
		t.Errorf("tokens %v, want %v", tokens, want)
	}
}

func FuzzParseCredentialsFile(f *testing.F) {
	f.Add("AKID:secret\n")
	f.Add("[p]\naws_access_key_id=A\naws_secret_access_key=S\n")
	f.Add("# c\n;c\n[x]\n")
	f.Add("[p]\naws_access_key_id=A\naws_secret_access_key=S\naws_session_token=T\n")
	f.Fuzz(func(t *testing.T, data string) {
		creds, tokens, err := parseCredentialsFile("f", data)
		if err != nil {
			return
		}
		if len(creds) == 0 {
			t.Fatal("success without credentials")
		}
		for id, token := range tokens {
			if _, ok := creds[id]; !ok || token == "" || strings.ContainsAny(token, " \t") || !strings.Contains(data, token) {
				t.Fatalf("token for %q: key known %v, token %q", id, ok, token)
			}
		}
		for id, secret := range creds {
			if checkKeyPair(id, secret) != nil {
				t.Fatalf("invalid pair accepted: %q", id)
			}
			if strings.Contains(data, secret) == false {
				t.Fatalf("secret for %q not from the input", id)
			}
		}
	})
}

func TestUseColor(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		tty, flag bool
		getenv    func(string) string
		want      bool
	}{
		{true, false, env("TERM", "xterm"), true},
		{false, false, env("TERM", "xterm"), false},
		{true, true, env("TERM", "xterm"), false},
		{true, false, env("NO_COLOR", "1"), false},
		{true, false, env("NO_COLOR", ""), true},
		{true, false, env("TERM", "dumb"), false},
	}
	for i, tc := range tests {
		if got := useColor(tc.tty, tc.flag, tc.getenv); got != tc.want {
			t.Errorf("case %d: useColor = %v, want %v", i, got, tc.want)
		}
	}
	p := &printer{color: true}
	if got := p.style(styleBold, "x"); got != "\x1b[1mx\x1b[0m" {
		t.Errorf("style: %q", got)
	}
	p.color = false
	if got := p.style(styleBold, "x"); got != "x" {
		t.Errorf("style without colour: %q", got)
	}
}

func TestPutSummaryText(t *testing.T) {
	s := putSummary{Events: 5, Sent: 2, Bytes: 60, Batches: 1, Retries: 3, Rejected: 1, Dropped: 2,
		Reasons: map[string]int64{"rejectedTooOld": 1, "droppedPermanentError": 2}}
	want := "cwlogs put: events=5 sent=2 bytes=60 batches=1 retries=3 rejected=1 dropped=2 (droppedPermanentError=2 rejectedTooOld=1)"
	if got := s.text(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "cwlogs: plain"},
		{errors.New("cwlogs: X: cwlogs: y"), "cwlogs: X: y"},
		{&usageError{cmd: "get", msg: "m"}, "cwlogs get: m"},
	}
	for _, tc := range tests {
		if got := errorText(tc.err); got != tc.want {
			t.Errorf("errorText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestFlagErrorsNameTheFlag: every error of the flag package names the flag
// with two dashes, as the help text and the AWS CLI spell flags, and shows
// the bad value.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	tests := []struct {
		cmd  string
		args []string
		want string
	}{
		{"tail", []string{"g", "--follow=maybe"}, `invalid boolean value "maybe" for --follow`},
		{"get", []string{"g", "s", "-head=2"}, `invalid boolean value "2" for --head`},
		{"put", []string{"g", "s", "--timeout", "5"}, `invalid value "5" for flag --timeout`},
		{"get", []string{"g", "s", "--bogus"}, "flag provided but not defined: --bogus"},
		{"get", []string{"g", "s", "--limit"}, "flag needs an argument: --limit"},
		{"create-group", []string{"g", "--tag", "x"}, `invalid value "x" for flag --tag`},
	}
	for _, tc := range tests {
		m := &Main{Stdout: &strings.Builder{}}
		info := lookupCommand(tc.cmd)
		_, err := m.parseArgs(info, info.new(m).flags(), tc.args)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want a usage error containing %q", tc.cmd, tc.args, err, tc.want)
		}
	}
}

// TestTermSafe: on a terminal, the control characters of messages and names (escape
// sequences, CR, BEL, DEL, C1) and invalid UTF-8 are shown, not acted on; newline and tab stay.
func TestTermSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"é ✓ \ufffd", "é ✓ \ufffd"},
		{"red \x1b[31mRED\x1b[0m", `red \x1b[31mRED\x1b[0m`},
		{"title \x1b]0;pwned\x07", `title \x1b]0;pwned\a`},
		{"over\rwrite", `over\rwrite`},
		{"del\x7f c1\u009b", `del\x7f c1\u009b`},
		{"bad \xff\xfe", `bad \xff\xfe`},
	} {
		if got := termSafe(tc.in); got != tc.want {
			t.Errorf("termSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tty := range []bool{true, false} {
		var b strings.Builder
		p := &printer{w: &b, outTTY: tty}
		if err := p.event(eventJSON{Timestamp: 1, LogStreamName: "s\x07", Message: "\x1b[2Jcleared"}, true); err != nil {
			t.Fatal(err)
		}
		want := "1970-01-01T00:00:00.001Z  s\x07  \x1b[2Jcleared\n" // piped: bytes unchanged
		if tty {
			want = `1970-01-01T00:00:00.001Z  s\a  \x1b[2Jcleared` + "\n"
		}
		if b.String() != want {
			t.Errorf("terminal=%v: printed %q, want %q", tty, b.String(), want)
		}
	}
}

// TestSettingsErrorsSpeakCLI: a bad or missing setting is reported in the command line's
// terms (flags, environment), not the library's (NewFromEnvironment, WithRegion).
func TestSettingsErrorsSpeakCLI(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no region", map[string]string{"AWS_REGION": ""}, []string{"groups"},
			"cwlogs: no region: give --region, or set AWS_REGION (or AWS_DEFAULT_REGION) or the profile's region\n"},
		{"bad region", nil, []string{"--region", "us east", "groups"},
			"cwlogs: invalid region (--region) \"us east\": is not a valid region name (letters, digits and '-')\n"},
		{"ca bundle", nil, []string{"--ca-bundle", "/nonexistent/ca.pem", "groups"},
			"cwlogs: invalid caBundle (--ca-bundle) \"/nonexistent/ca.pem\": cannot be read: no such file or directory\n"},
		{"max attempts", map[string]string{"AWS_MAX_ATTEMPTS": "x"}, []string{"groups"},
			"cwlogs: invalid AWS_MAX_ATTEMPTS \"x\": must be a whole number of at least 1\n"},
		{"no credentials", map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, []string{"groups"},
			"cwlogs: no credentials found: profile \"default\" not found in "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, "http://127.0.0.1:1")
			maps.Copy(c.env, tc.env)
			if r := c.mustRun(2, "", tc.args...); !strings.HasPrefix(r.stderr, tc.want) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.want)
			}
		})
	}
}

// TestDocListsEveryCommand keeps the package documentation's command list in
// step with the command table, in the table's order.
func TestDocListsEveryCommand(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(src), "\n// ", " ")
	_, list, ok := strings.Cut(text, "// Commands: ")
	if !ok {
		t.Fatal(`doc.go has no "Commands: " list`)
	}
	list, _, _ = strings.Cut(list, ".")
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	if got, want := list, strings.Join(names, ", "); got != want {
		t.Errorf("doc.go lists the commands\n  %s\nthe command table has\n  %s", got, want)
	}
}

// TestJSONLineEscapesC1OnTerminals: JSON lines (get, filter, tail, query, ... with
// --output json) escape DEL and the C1 controls on a terminal, where U+009B is an 8-bit
// CSI to some terminals; encoding/json leaves both as they are. Off a terminal the bytes
// are encoding/json's, and either way the line decodes to the same message.
func TestJSONLineEscapesC1OnTerminals(t *testing.T) {
	msg := "a\x7fb\u009b2Jc\u0085d\u00a0é\u2028\x1b"
	for _, tty := range []bool{false, true} {
		var buf strings.Builder
		p := &printer{w: &buf, json: true, outTTY: tty}
		if err := p.jsonLine(map[string]string{"message": msg}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		var back map[string]string
		if err := json.Unmarshal([]byte(out), &back); err != nil || back["message"] != msg {
			t.Errorf("tty=%v: %q decodes to %q, %v; want the message back", tty, out, back["message"], err)
		}
		hasRaw := strings.ContainsAny(out, "\x7f\u009b\u0085")
		if tty && (hasRaw || !strings.Contains(out, `a\u007fb\u009b2Jc\u0085d`)) {
			t.Errorf("on a terminal: %q, want DEL and C1 escaped", out)
		}
		if !tty && !hasRaw {
			t.Errorf("off a terminal: %q, want encoding/json's bytes", out)
		}
	}
}

// FuzzEscapeC1: escaping DEL and C1 in encoded JSON keeps it valid JSON with the same
// value, and leaves none of them raw.
func FuzzEscapeC1(f *testing.F) {
	f.Add("a\x7fb\u009bc\u0085")
	f.Add("\xc2\x9b\xc2")
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		out := escapeC1(enc)
		var back, want string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q escaped to invalid JSON %q: %v", enc, out, err)
		}
		json.Unmarshal(enc, &want)
		if back != want {
			t.Fatalf("%q escaped to %q, which decodes to %q, want %q", enc, out, back, want)
		}
		for _, r := range string(out) {
			if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("%q left U+%04X raw: %q", enc, r, out)
			}
		}
	})
}
