package e2e_test

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The load report runs only when asked, for a bounded time per target:
//
//	go test ./serve/e2e -run TestLoad -load 5s -v
var loadTime = flag.Duration("load", 0, "run the load report for this long per target and concurrency (0: skip it)")

// A target is what a load worker sends its requests to.
type target struct {
	name string
	// requests alternate: a human (200) and a likely bot on a browser path
	// (403 through the service, 200 straight to the origin).
	human, bot *http.Request
	botStatus  int
}

// result is what a load run measured.
type result struct {
	requests, errors int
	elapsed          time.Duration
	latencies        []time.Duration
}

func (r result) String() string {
	slices.Sort(r.latencies)
	q := func(p float64) time.Duration { return r.latencies[int(p*float64(len(r.latencies)-1))] }
	return fmt.Sprintf("%8.0f req/s  p50 %7.1f µs  p99 %7.1f µs  errors %d of %d",
		float64(r.requests)/r.elapsed.Seconds(), us(q(0.50)), us(q(0.99)), r.errors, r.requests)
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// run sends requests from workers goroutines, each over its own keep-alive
// connection, for d at most and 2,000,000 requests at most in all.
func (tg target) run(t *testing.T, workers int, d time.Duration) result {
	const maxRequests = 2_000_000
	transport := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	var mu sync.Mutex
	var total result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine result
			for i := w; time.Now().Before(deadline) && mine.requests < maxRequests/workers; i++ {
				req, want := tg.human, 200
				if i%2 == 1 {
					req, want = tg.bot, tg.botStatus
				}
				began := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mine.latencies = append(mine.latencies, time.Since(began))
				mine.requests++
				if err != nil || resp.StatusCode != want {
					mine.errors++
					if mine.errors <= 3 {
						t.Logf("%s: %v %v (want %d)", tg.name, err, statusOf(resp), want)
					}
				}
			}
			mu.Lock()
			total.requests += mine.requests
			total.errors += mine.errors
			total.latencies = append(total.latencies, mine.latencies...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

func statusOf(resp *http.Response) any {
	if resp == nil {
		return "no answer"
	}
	return resp.StatusCode
}

func newRequest(t *testing.T, url string, headers map[string]string) *http.Request {
	r, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

var (
	humanHeaders = map[string]string{"User-Agent": "Mozilla/5.0", "Cf-Bot-Score": "95"}
	botHeaders   = map[string]string{"User-Agent": "Mozilla/5.0", "Cf-Bot-Score": "12"}
)

// TestLoad reports decisions per second and latency through the real
// nginx to the service, while the rules file is rewritten (now and then
// with a broken file) and reloaded; beside it, nginx straight to the
// origin and the service called directly. Every answer must be the right
// one: no error.
func TestLoad(t *testing.T) {
	if *loadTime == 0 {
		t.Skip("the load report runs with -load DURATION")
	}
	rules := rulesFile(t)
	s, service := startService(t, rules)
	o := startOrigin(t)
	viaService := startNginx(t, service, o.addr)
	direct := startNginxDirect(t, o.addr)

	check := func(h map[string]string) map[string]string {
		out := map[string]string{"X-Original-Uri": "/products", "X-Original-Method": "GET", "X-Real-Ip": "198.51.100.7"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	targets := []target{
		{"nginx → origin", newRequest(t, "http://"+direct+"/products", humanHeaders), newRequest(t, "http://"+direct+"/products", botHeaders), 200},
		{"nginx → service → origin", newRequest(t, "http://"+viaService+"/products", humanHeaders), newRequest(t, "http://"+viaService+"/products", botHeaders), 403},
		{"service alone", newRequest(t, "http://"+service+"/check", check(humanHeaders)), newRequest(t, "http://"+service+"/check", check(botHeaders)), 403},
	}

	// Rewrite the rules while the load runs: the seed, the seed with one
	// more log rule, and a broken file, which the service must refuse.
	seed, err := os.ReadFile(rules)
	require.NoError(t, err)
	versions := [][]byte{
		append(slices.Clone(seed), "  - ref: load-log\n    expression: http.request.uri.path eq \"/never\"\n    action: log\n"...),
		append(slices.Clone(seed), "  - ref: broken\n    expression: http.request.uri.path eq\n    action: block\n"...),
		seed,
	}
	stop := make(chan struct{})
	var rewrites sync.WaitGroup
	rewrites.Add(1)
	go func() {
		defer rewrites.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			tmp := filepath.Join(filepath.Dir(rules), "rules.yaml.new")
			if os.WriteFile(tmp, versions[i%len(versions)], 0o644) == nil && os.Rename(tmp, rules) == nil {
				_ = s.Reload() // as SIGHUP does
			}
		}
	}()
	var report strings.Builder
	for _, workers := range []int{1, 8} {
		for _, tg := range targets {
			r := tg.run(t, workers, *loadTime)
			fmt.Fprintf(&report, "%-26s %d client(s): %s\n", tg.name, workers, r)
			assert.Zero(t, r.errors, tg.name)
		}
	}
	close(stop)
	rewrites.Wait()
	metrics := scrapeMetrics(t, s)
	t.Logf("load report, %s per run:\n%s%s", *loadTime, report.String(), metrics)
}

// scrapeMetrics returns the service's reload counts.
func scrapeMetrics(t *testing.T, s interface{ Handler() http.Handler }) string {
	req := newRequest(t, "http://metrics/metrics", nil)
	rec := &recorder{header: http.Header{}}
	s.Handler().ServeHTTP(rec, req)
	var out strings.Builder
	for line := range strings.SplitSeq(rec.body.String(), "\n") {
		if strings.HasPrefix(line, "edgerules_reloads_total") || strings.HasPrefix(line, "edgerules_requests_total") {
			out.WriteString(line + "\n")
		}
	}
	return out.String()
}

type recorder struct {
	header http.Header
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(int)             {}
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// startNginxDirect runs nginx proxying straight to the origin, with the
// example's keep-alive settings and no decision.
func startNginxDirect(t *testing.T, originAddr string) string {
	nginx := binary(t, "nginx", "nginx-light")
	dir, proxy := proxyDir(t), freeAddr(t)
	site := fmt.Sprintf(`upstream origin { server %s; keepalive 32; }
server {
    listen %s;
    location / {
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://origin;
    }
}
`, originAddr, proxy)
	startProxy(t, dir, proxy, nil, nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", nginxConf(t, dir, site))
	return proxy
}
