package eval_test

import (
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/stretchr/testify/assert"
)

func TestStar(t *testing.T) {
	multipart, err := eval.Array(eval.Strings().Type(), eval.Strings("7bit", "binary"), eval.Strings("base64"))
	assert.NoError(t, err)
	req := values{
		"http.request.headers": eval.StringsMap(map[string][]string{
			"content-type": {"application/json"},
			"accept":       {"text/html", "Application/JSON"},
		}),
		"http.request.headers.names":                             eval.Strings("Content-Type", "Accept", "X-Debug"),
		"raw.http.response.headers.values":                       eval.Strings("nginx", "a-rather-long-header-value"),
		"cf.bot_management.detection_ids":                        eval.Ints(201326592, 50331651),
		"http.request.body.multipart.content_transfer_encodings": multipart,
		"http.request.uri.args":                                  eval.StringsMap(map[string][]string{"filter": {"abc", "abcd"}}),
		"http.request.uri.args.values":                           eval.Strings("red+apples", "green"),
	}
	tests := []struct {
		src  string
		want bool
	}{
		{`any(cf.bot_management.detection_ids[*] eq 201326592)`, true},
		{`any(cf.bot_management.detection_ids[*] in {33554817 1})`, false},
		{`not any(cf.bot_management.detection_ids[*] in {33554817 1})`, true},
		{`all(cf.bot_management.detection_ids[*] gt 50000000)`, true},
		{`all(cf.bot_management.detection_ids[*] gt 60000000)`, false},
		{`all(http.request.headers["content-type"][*] == "application/json")`, true},
		{`all(http.request.headers["accept"][*] == "application/json")`, false},
		{`any(lower(http.request.headers["accept"][*])[*] == "application/json")`, true},
		{`any(http.request.headers.names[*] eq "X-Debug")`, true},
		{`any(lower(http.request.headers.names[*])[*] eq "content-type")`, true},
		{`any(len(raw.http.response.headers.values[*])[*] gt 10)`, true},
		{`all(len(raw.http.response.headers.values[*])[*] gt 3)`, true},
		{`any(http.request.body.multipart.content_transfer_encodings[*][0] == "binary")`, false},
		{`any(http.request.body.multipart.content_transfer_encodings[*][1] == "binary")`, true},
		{`any(http.request.uri.args.values[*] == "red+apples")`, true},
		{`all(len(http.request.uri.args["filter"][*])[*] in {3 4})`, true},
		{`any(http.request.headers[*][0] eq "text/html")`, true},
		{`any(not (http.request.headers.names[*] contains "-"))`, true},
		{`all(http.request.headers.names[*] contains "e" and http.request.headers.names[*] ne "Accept")`, false},
		{`any(http.request.headers.names[*] eq "Accept" or http.request.headers.names[*] eq "Nope")`, true},
		{`any(http.request.headers["none"][*] eq "x")`, false},
		{`all(http.request.headers["none"][*] eq "x")`, false},
		{`all(http.request.cookies["none"][*] eq "x") or true`, true},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assert.Equal(t, tt.want, match(t, tt.src, req))
		})
	}
}

func TestStarOverEmptyArray(t *testing.T) {
	req := values{"cf.bot_management.detection_ids": eval.Ints()}
	assert.False(t, match(t, `any(cf.bot_management.detection_ids[*] eq 1)`, req), "any of nothing is false")
	assert.True(t, match(t, `all(cf.bot_management.detection_ids[*] eq 1)`, req), "all of nothing is true")
}

func TestStarValues(t *testing.T) {
	req := values{"http.request.headers.names": eval.Strings("Content-Type", "Accept")}
	assert.Equal(t, `["content-type", "accept"]`, evalValue(t, `lower(http.request.headers.names[*])`, req).String())
	assert.Equal(t, `[12, 6]`, evalValue(t, `len(http.request.headers.names[*])`, req).String())
	assert.Equal(t, `"Content-Type+Accept"`, evalValue(t, `join(http.request.headers.names[*], "+")`, req).String())
}
