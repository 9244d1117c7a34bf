// Package redistest starts a redis-server of a test's own: on a free
// loopback port, with its files in a temporary directory, stopped when the
// test ends. A test skips, saying so, where redis-server is not installed.
package redistest

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A Server is a running redis-server.
type Server struct {
	// URL names the server's database 0: redis://127.0.0.1:port/0.
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a redis-server and waits until it answers, or skips the
// test when there is none.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (apt-get install redis-server): what needs Redis is not tested")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0", cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(s.Stop)
	opt, err := redis.ParseURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; {
		select {
		case <-s.done:
			t.Fatalf("redis-server stopped: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer in 10 s: %s", out.String())
		}
	}
	return s
}

// Stop kills the server and waits until it is gone; a second Stop does
// nothing.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.done
}
