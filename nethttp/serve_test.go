package nethttp_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgerules/edgerules/nethttp"
)

// nextFunc is a nethttp.Next of a function.
type nextFunc func(w http.ResponseWriter, r *http.Request) error

func (f nextFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) error { return f(w, r) }

// TestServeInPlace: with ChangeInPlace, the next handler gets the request
// Serve was given, rewritten (RequestURI too) and with the header the late
// transform sets, while the response transform still reads the path as it
// came from raw.http.request.uri.path, which no rule read before; next's
// error comes back.
func TestServeInPlace(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules[1], zoneRules[3], zoneRules[4]), nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)), ChangeInPlace: true,
	})
	require.NoError(t, err)
	assert.Empty(t, m.Unfilled(), "the response phase reads the response's fields, which the middleware fills")
	r := httptest.NewRequest("GET", "http://shop.example.com/v1/items?page=2", nil)
	r.Header.Set("Cf-Bot-Score", "87")
	w := httptest.NewRecorder()
	failed := errors.New("upstream down")
	err = m.Serve(w, r, nextFunc(func(w http.ResponseWriter, got *http.Request) error {
		assert.Same(t, r, got)
		w.WriteHeader(http.StatusOK)
		return failed
	}), nil)
	assert.Same(t, failed, err)
	assert.Equal(t, "/api/items?from=v1", r.RequestURI)
	assert.Equal(t, "/api/items", r.URL.Path)
	assert.Equal(t, "87", r.Header.Get("X-Bot-Score"))
	assert.Equal(t, "/v1/items", w.Header().Get("X-Edge-Path"))
}

// TestServePlainBlock: a block without a response of its own becomes the
// caller's error; a redirect is still answered.
func TestServePlainBlock(t *testing.T) {
	m, err := nethttp.New(zone(t, zoneRules...), nethttp.Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	plain := func(status int, v nethttp.Verdict) error {
		return errors.New(http.StatusText(status) + " by " + nethttp.RuleName(v.Rule))
	}
	never := nextFunc(func(http.ResponseWriter, *http.Request) error {
		t.Error("the request reached the origin")
		return nil
	})
	r := httptest.NewRequest("GET", "http://shop.example.com/v1/items", nil)
	r.Header.Set("Cf-Bot-Score", "5")
	assert.EqualError(t, m.Serve(httptest.NewRecorder(), r, never, plain), "Forbidden by bots-off-api")

	r = httptest.NewRequest("GET", "http://shop.example.com/shop/shoes", nil)
	w := httptest.NewRecorder()
	require.NoError(t, m.Serve(w, r, never, plain))
	assert.Equal(t, http.StatusMovedPermanently, w.Code)
	assert.Equal(t, "https://store.example.com/shoes", w.Header().Get("Location"))
}
