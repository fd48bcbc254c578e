package cwlogs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/internal/secrettest"
)

// TestSecretsNeverPrinted formats a used client and its signer every way fmt allows,
// values included (through reflect, as a caller dereferencing them would), and looks for
// the secret key and the session token.
func TestSecretsNeverPrinted(t *testing.T) {
	const secret, token = "SECRETKEY0123456789", "SESSIONTOKEN0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	c, err := New("us-east-1", "AKIDEXAMPLE", secret, WithEndpoint(srv.URL), WithSessionToken(token))
	if err != nil {
		t.Fatal(err)
	}
	// Sign something so that the signer's key cache is populated.
	if err := c.CreateLogGroup(context.Background(), &CreateLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	values := []any{c, reflect.ValueOf(c).Elem(), c.signer, reflect.ValueOf(c.signer).Elem(),
		struct{ C *Client }{c}}
	for _, v := range values {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(f, v)
			if strings.Contains(out, secret) || strings.Contains(out, token) {
				t.Errorf("%s of %T leaks a secret: %s", f, v, out)
			}
		}
	}
}

// TestCredentialsNeverPrinted formats Credentials with every fmt verb, alone, by pointer
// and nested, and encodes them with encoding/json. %d, %x and %X printed the struct's
// string fields, secrets included, before Credentials implemented fmt.Formatter, and
// json.Marshal printed them before it implemented json.Marshaler.
func TestCredentialsNeverPrinted(t *testing.T) {
	const secret, token = "SECRETKEY0123456789", "SESSIONTOKEN0123456789"
	c := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret, SessionToken: token, Source: "static"}
	out := secrettest.Render(c, &c, struct{ C Credentials }{c}, []Credentials{c})
	if strings.Contains(out, secret) || strings.Contains(out, token) {
		t.Errorf("a secret is printed:\n%s", out)
	}
	if got, want := fmt.Sprintf("%#v", c), "cwlogs."+c.String(); got != want {
		t.Errorf("%%#v = %s, want %s", got, want)
	}
}
