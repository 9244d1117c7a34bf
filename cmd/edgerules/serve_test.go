package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestServeSignals runs the built command: it serves, reloads on SIGHUP
// (refusing a broken file), and stops on SIGTERM with exit 0.
func TestServeSignals(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	write := func(text string) { require.NoError(t, os.WriteFile(rules, []byte(text), 0o644)) }
	write(`[{"ref": "a", "expression": "http.request.uri.path eq \"/a\"", "action": "block"}]`)

	cmd := exec.Command(binary, "serve", "--rules", rules, "--listen", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--watch", "0")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// waitFor returns the first log line matching re.
	waitFor := func(re string) []string {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case line, ok := <-lines:
				require.True(t, ok, "the command stopped before logging %q", re)
				if m := regexp.MustCompile(re).FindStringSubmatch(line); m != nil {
					return m
				}
			case <-timeout:
				t.Fatalf("no log line matching %q", re)
			}
		}
	}
	addr := waitFor(`msg="edgerules: listening" flag=--listen addr=(\S+)`)[1]
	grpcAddr := waitFor(`msg="edgerules: listening" flag=--grpc addr=(\S+)`)[1]
	status := func(path string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/check", nil)
		req.Header.Set("X-Original-Uri", path)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 403, status("/a"))
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	resp, err := authv3.NewAuthorizationClient(conn).Check(context.Background(), &authv3.CheckRequest{Attributes: &authv3.AttributeContext{
		Request: &authv3.AttributeContext_Request{Http: &authv3.AttributeContext_HttpRequest{Method: "GET", Path: "/a", Host: "example.com"}}}})
	require.NoError(t, err)
	assert.Equal(t, 403, int(resp.GetDeniedResponse().GetStatus().GetCode()), "Envoy's gRPC Check is served too")

	write(`[{"ref": "b", "expression": "http.request.uri.path eq", "action": "block"}]`)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitFor(`level=ERROR msg="edgerules: rules not reloaded; the rules in force stay"`)
	assert.Equal(t, 403, status("/a"))

	write(`[{"ref": "b", "expression": "http.request.uri.path eq \"/b\"", "action": "block"}]`)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitFor(`msg="edgerules: rules reloaded"`)
	assert.Equal(t, 200, status("/a"))
	assert.Equal(t, 403, status("/b"))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waitFor(`msg="edgerules: shutting down"`)
	for range lines { // the rest, until the command closes its output
	}
	require.NoError(t, cmd.Wait(), "exit 0 after SIGTERM")
}
