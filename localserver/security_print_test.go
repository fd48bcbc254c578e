package localserver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/internal/secrettest"
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
	out := secrettest.Render(values...)
	for _, s := range []string{secret, tempSecret, token} {
		if strings.Contains(out, s) {
			t.Errorf("%q is printed:\n%s", s, out)
		}
	}
	j, err := json.Marshal(cfg.TemporaryCredentials)
	if err != nil || string(j) != `"localserver.TemporaryCredentials{1 keys}"` {
		t.Errorf("JSON of TemporaryCredentials: %s %v", j, err)
	}
}
