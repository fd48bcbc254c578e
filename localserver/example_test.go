package localserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/cwlogs/cwlogs/localserver"
)

// Start a server on a free loopback port with a temporary data directory, check its health
// endpoint and shut it down.
func Example() {
	dir, err := os.MkdirTemp("", "cwlogs-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	srv, err := localserver.New(localserver.Config{DataDir: dir})
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())

	res, err := http.Get(srv.URL() + "/health")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body))
	// Output: 200 {"status":"ok"}
}

// A server without files, for tests: the handler can be mounted anywhere (httptest, a mux).
func ExampleServer_ServeHTTP() {
	srv, err := localserver.New(localserver.Config{Memory: true})
	if err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 {"status":"ok"}
}
