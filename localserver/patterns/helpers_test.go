package patterns_test

import (
	"fmt"
	"math/rand/v2"
)

// mixedLogs makes n realistic log lines of several formats, deterministically.
func mixedLogs(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	users := []string{"alice", "bob", "carol", "dave", "erin"}
	paths := []string{"/", "/index.html", "/api/users", "/api/orders", "/login", "/static/app.js"}
	levels := []string{"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"}
	out := make([]string, n)
	for i := range out {
		ts := fmt.Sprintf("2024-05-01T12:%02d:%02d.%03dZ", i/3600%60, i/60%60, i%1000)
		switch r.IntN(8) {
		case 0:
			out[i] = fmt.Sprintf(`10.0.%d.%d - - [01/May/2024:12:00:%02d +0000] "GET %s HTTP/1.1" %d %d "-" "curl/8.0"`,
				r.IntN(256), r.IntN(256), i%60, paths[r.IntN(len(paths))], []int{200, 200, 304, 404, 500}[r.IntN(5)], r.IntN(50000))
		case 1:
			out[i] = fmt.Sprintf(`{"time":"%s","level":"%s","msg":"request handled","user":"%s","latency_ms":%d}`,
				ts, levels[r.IntN(len(levels))], users[r.IntN(len(users))], r.IntN(900))
		case 2:
			out[i] = fmt.Sprintf("%s %s [http-nio-8080-exec-%d] c.e.web.OrderController - Order %d created for customer %s",
				ts, levels[r.IntN(len(levels))], r.IntN(20), 10000+i, users[r.IntN(len(users))])
		case 3:
			out[i] = fmt.Sprintf("time=%s level=%s msg=\"cache miss\" key=item:%d shard=%d", ts, levels[r.IntN(len(levels))], r.IntN(1e6), r.IntN(8))
		case 4:
			out[i] = fmt.Sprintf("START RequestId: %08x-%04x-4%03x-8%03x-%012x Version: $LATEST", r.Uint32(), r.IntN(65536), r.IntN(4096), r.IntN(4096), r.Int64N(1<<48))
		case 5:
			out[i] = fmt.Sprintf("REPORT RequestId: %08x-1111-4222-8333-444455556666\tDuration: %d.%02d ms\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory Used: %d MB",
				r.Uint32(), r.IntN(900), r.IntN(100), r.IntN(1000), 40+r.IntN(80))
		case 6:
			out[i] = fmt.Sprintf("%s ERROR java.sql.SQLException: Connection to db-%d.internal refused after %d retries", ts, r.IntN(3), r.IntN(5))
		default:
			out[i] = fmt.Sprintf("user %s %s from %d.%d.%d.%d", users[r.IntN(len(users))], []string{"logged in", "logged out", "failed login"}[r.IntN(3)],
				r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
		}
	}
	return out
}
