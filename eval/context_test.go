package eval_test

import (
	"sync"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/corpus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolversRunOnceAndOnlyWhenRead(t *testing.T) {
	s := fields.Cloudflare()
	c := eval.NewContext(s)
	cookies, _ := s.Field("http.request.cookies")
	ua, _ := s.Field("http.user_agent")
	runs := map[string]int{}
	require.NoError(t, c.SetResolver(cookies, func(*eval.Context) eval.Value {
		runs["cookies"]++
		return eval.StringsMap(map[string][]string{"session": {"1"}})
	}))
	require.NoError(t, c.SetResolver(ua, func(c *eval.Context) eval.Value {
		runs["ua"]++
		return eval.String(c.Env().(string))
	}))
	c.SetEnv("curl/8.0")
	f := compile(t, `http.user_agent contains "curl" and http.user_agent ne "x" and not ssl`)
	assert.True(t, f.Match(c))
	assert.True(t, f.Match(c))
	assert.Equal(t, map[string]int{"ua": 1}, runs, "cookies are never computed; the UA once")

	c.Reset()
	c.SetEnv("Mozilla/5.0")
	assert.False(t, f.Match(c))
	assert.Equal(t, map[string]int{"ua": 2}, runs, "after Reset the resolver runs again")
}

func TestResolverOfWrongTypeGivesMissing(t *testing.T) {
	c := eval.NewContext(fields.Cloudflare())
	score, _ := c.Scheme().Field("cf.bot_management.score")
	require.NoError(t, c.SetResolver(score, func(*eval.Context) eval.Value { return eval.String("12") }))
	assert.False(t, compile(t, `cf.bot_management.score lt 30`).Match(c))
	assert.True(t, c.Get(score).Missing())
}

func TestResolverReadingItself(t *testing.T) {
	c := eval.NewContext(fields.Cloudflare())
	host, _ := c.Scheme().Field("http.host")
	require.NoError(t, c.SetResolver(host, func(c *eval.Context) eval.Value {
		if prev := c.Get(host); !prev.Missing() {
			return prev
		}
		return eval.String("example.com")
	}))
	assert.True(t, compile(t, `http.host eq "example.com"`).Match(c))
}

func TestSetChecksTypes(t *testing.T) {
	c := eval.NewContext(fields.Cloudflare())
	assert.EqualError(t, c.SetName("cf.bot_management.score", eval.String("12")),
		"field cf.bot_management.score is Int, not String")
	assert.EqualError(t, c.SetName("cf.bot_managment.score", eval.Int(1)), "unknown field cf.bot_managment.score")
	other, err := fields.NewScheme(fields.Definition{Fields: map[string]fields.Type{"score": fields.Int}})
	require.NoError(t, err)
	f, _ := other.Field("score")
	assert.Error(t, c.Set(f, eval.Int(1)), "a field of another scheme")
	assert.True(t, c.Get(f).Missing())
	require.NoError(t, c.SetName("ip.geoip.country", eval.String("GB")), "a deprecated alias sets its field")
	assert.True(t, compile(t, `ip.src.country eq "GB"`).Match(c))
	require.NoError(t, c.SetName("ip.src.country", eval.Value{}), "the zero Value makes a field missing")
	assert.False(t, compile(t, `ip.src.country eq "GB"`).Match(c))
}

func TestContextOfAnotherScheme(t *testing.T) {
	other, err := fields.NewScheme(fields.Definition{Fields: map[string]fields.Type{"ssl": fields.Bool}})
	require.NoError(t, err)
	c := eval.NewContext(other)
	require.NoError(t, c.SetName("ssl", eval.Bool(true)))
	assert.False(t, compile(t, `ssl`).Match(c), "slots of one scheme mean nothing in another")
}

// TestPooledContextsDoNotLeak reuses contexts from a pool across requests:
// what one request set is gone for the next.
func TestPooledContextsDoNotLeak(t *testing.T) {
	s := fields.Cloudflare()
	pool := sync.Pool{New: func() any { return eval.NewContext(s) }}
	f := compile(t, `http.host eq "a.example" or cf.bot_management.score lt 30 or any(http.request.headers.names[*] eq "X")`)
	c := pool.Get().(*eval.Context)
	require.NoError(t, c.SetName("http.host", eval.String("a.example")))
	require.NoError(t, c.SetName("cf.bot_management.score", eval.Int(1)))
	require.NoError(t, c.SetName("http.request.headers.names", eval.Strings("X")))
	c.SetEnv("request 1")
	assert.True(t, f.Match(c))
	c.Reset()
	pool.Put(c)

	c = pool.Get().(*eval.Context)
	assert.False(t, f.Match(c), "nothing of the first request is left")
	assert.Nil(t, c.Env())
	for i := range s.Len() {
		assert.True(t, c.Get(s.FieldAt(i)).Missing(), s.FieldAt(i).Name())
	}
}

// TestConcurrentMatch shares one filter between goroutines, each with its
// own context; run with -race.
func TestConcurrentMatch(t *testing.T) {
	f := compile(t, `any(lower(http.request.headers.names[*])[*] eq "x-bot") or cf.bot_management.score lt 30`)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := eval.NewContext(fields.Cloudflare())
			for i := range 200 {
				c.Reset()
				want := (g+i)%2 == 0
				name := "X-Other"
				if want {
					name = "X-Bot"
				}
				_ = c.SetName("http.request.headers.names", eval.Strings("Accept", name))
				if f.Match(c) != want {
					t.Errorf("goroutine %d, request %d: want %v", g, i, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestLists(t *testing.T) {
	lists := eval.NewLists()
	require.NoError(t, lists.AddIPs("office", "192.0.2.0/24", "2001:db8::/32", "198.51.100.3..198.51.100.7"))
	lists.AddHostnames("mine", "example.com", "*.example.net")
	lists.AddASNs("clouds", 13335, 16509)
	lists.AddStrings("redirects", "https://example.com/old")
	assert.ErrorContains(t, lists.AddIPs("bad", "192.0.2.1/24"), "list bad, item 1")

	req := newContext(t, values{
		"ip.src":                ip("198.51.100.5"),
		"http.host":             eval.String("WWW.Example.NET"),
		"ip.src.asnum":          eval.Int(13335),
		"http.request.full_uri": eval.String("https://example.com/old"),
	})
	req.SetLists(lists)
	for src, want := range map[string]bool{
		`ip.src in $office`:                   true,
		`not ip.src in $office`:               false,
		`http.host in $mine`:                  true,
		`ip.src.asnum in $clouds`:             true,
		`http.request.full_uri in $redirects`: true,
		`ip.src in $mine`:                     false,
		`ip.src in $nonexistent`:              false,
		`cf.edge.server_ip in $office`:        false,
	} {
		assert.Equal(t, want, compile(t, src).Match(req), src)
		bound, err := expr.Compile(src, fields.Cloudflare(), expr.Lists(lists))
		if src == `ip.src in $nonexistent` {
			assert.ErrorContains(t, err, "no list is called `$nonexistent`")
			continue
		}
		require.NoError(t, err, src)
		assert.Equal(t, want, bound.Match(newContext(t, values{
			"ip.src": ip("198.51.100.5"), "http.host": eval.String("WWW.Example.NET"),
			"ip.src.asnum": eval.Int(13335), "http.request.full_uri": eval.String("https://example.com/old"),
		})), "bound at compile time: %s", src)
	}
	assert.False(t, compile(t, `ip.src in $office`).Match(newContext(t, values{"ip.src": ip("192.0.2.1")})),
		"a context without lists finds no list")
}

func TestUses(t *testing.T) {
	f := compile(t, `lower(http.host) eq "a" and ip.src in $office and ip.geoip.country eq "GB" and any(http.request.headers.names[*] eq "x") and http.host ne "b"`)
	var names []string
	for _, fl := range f.Fields() {
		names = append(names, fl.Name())
	}
	assert.ElementsMatch(t, []string{"http.host", "ip.src", "ip.src.country", "http.request.headers.names"}, names)
	assert.Equal(t, []string{"any", "lower"}, f.Functions())
	assert.Equal(t, []string{"office"}, f.Lists())
}

// TestCorpusCompilesAndNeverPanics compiles every expression of the
// documentation and the seeds and evaluates it on an empty request and on a
// full one.
func TestCorpusCompilesAndNeverPanics(t *testing.T) {
	entries, err := corpus.Load()
	require.NoError(t, err)
	full := fullContext(t)
	for _, e := range entries {
		t.Run(e.Tag, func(t *testing.T) {
			empty := eval.NewContext(fields.Cloudflare())
			if e.Value() || e.Illustrative() {
				p, err := expr.CompileValue(e.Expr, fields.Cloudflare())
				require.NoError(t, err, e.Expr)
				assert.NotPanics(t, func() { p.Eval(empty); p.Eval(full) })
				return
			}
			f, err := expr.Compile(e.Expr, fields.Cloudflare())
			require.NoError(t, err, e.Expr)
			assert.NotPanics(t, func() { f.Match(empty); f.Match(full) })
		})
	}
}

// fullContext gives every field of the standard scheme a value of its type.
func fullContext(t *testing.T) *eval.Context {
	s := fields.Cloudflare()
	c := eval.NewContext(s)
	for i := range s.Len() {
		f := s.FieldAt(i)
		require.NoError(t, c.Set(f, sample(f.Type())), f.Name())
	}
	return c
}

func sample(t fields.Type) eval.Value {
	switch {
	case t == fields.String:
		return eval.String(`{"user":"admin"}`)
	case t == fields.Int:
		return eval.Int(7)
	case t == fields.Bool:
		return eval.Bool(true)
	case t == fields.IP:
		return ip("192.0.2.1")
	case t.IsArray():
		v, _ := eval.Array(t.Elem(), sample(t.Elem()), sample(t.Elem()))
		return v
	}
	v, _ := eval.Map(t.Elem(), map[string]eval.Value{"content-type": sample(t.Elem()), "user": sample(t.Elem())})
	return v
}
