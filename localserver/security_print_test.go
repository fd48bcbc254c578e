package localserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestCredentialsNeverPrinted: the secrets and session tokens of a Config print with no fmt
// verb, through no slog handler, in no error wrapping them, and encode to JSON without
// themselves (as loggers that encode their arguments with encoding/json show them).
// encoding/json showed every secret and token of Secrets, TemporaryCredentials and
// TemporaryCredential.
func TestCredentialsNeverPrinted(t *testing.T) {
	const secret, tempSecret, token = "s3cr3t-long-term", "s3cr3t-temporary", "t0k3n-session"
	cfg := Config{Memory: true, Credentials: Secrets{"AKID1": secret},
		TemporaryCredentials: TemporaryCredentials{"ASIA1": {tempSecret, token}}}
	one := cfg.TemporaryCredentials["ASIA1"]
	values := []any{cfg, &cfg, cfg.Credentials, cfg.TemporaryCredentials, one, &one,
		map[string]TemporaryCredential(cfg.TemporaryCredentials), []TemporaryCredential{one},
		struct{ C Config }{cfg}}
	var out bytes.Buffer
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, fmt.Errorf("wrapped: %v", v), fmt.Errorf("wrapped: %w", errors.New(fmt.Sprint(v))))
		if j, err := json.Marshal(v); err == nil {
			out.Write(j)
		}
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		l := slog.New(h)
		for _, v := range values {
			l.Info("value", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
		}
	}
	for _, s := range []string{secret, tempSecret, token} {
		if strings.Contains(out.String(), s) {
			t.Errorf("%q is printed:\n%s", s, out.String())
		}
	}
	j, err := json.Marshal(cfg.TemporaryCredentials)
	if err != nil || string(j) != `"localserver.TemporaryCredentials{1 keys}"` {
		t.Errorf("JSON of TemporaryCredentials: %s %v", j, err)
	}
}
