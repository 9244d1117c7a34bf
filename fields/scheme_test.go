package fields_test

import (
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloudflareCatalog(t *testing.T) {
	s := fields.Cloudflare()
	assert.Same(t, s, fields.Cloudflare(), "built once and shared")
	for name, want := range map[string]string{
		"cf.bot_management.score":                                "Int",
		"cf.bot_management.verified_bot":                         "Bool",
		"cf.bot_management.static_resource":                      "Bool",
		"cf.bot_management.ja4":                                  "String",
		"cf.bot_management.detection_ids":                        "Array<Int>",
		"cf.waf.score.rce":                                       "Int",
		"cf.tls_client_auth.cert_subject_dn_rfc2253":             "String",
		"cf.response.1xxx_code":                                  "Int",
		"http.request.headers":                                   "Map<Array<String>>",
		"http.request.body.multipart.content_transfer_encodings": "Array<Array<String>>",
		"http.request.jwt.claims.iat.sec":                        "Map<Array<Int>>",
		"http.request.jwt.claims.iat.sec.values":                 "Array<Int>",
		"raw.http.response.headers.values":                       "Array<String>",
		"cf.llm.prompt.custom_topic_categories":                  "Map<Int>",
		"ip.src":                                                 "IP",
		"ip.src.timezone.name":                                   "String",
		"ip.src.asnum":                                           "Int",
		"ssl":                                                    "Bool",
	} {
		f, ok := s.Field(name)
		require.True(t, ok, name)
		assert.Equal(t, want, f.Type().String(), name)
		assert.Equal(t, name, f.Name())
		assert.Equal(t, f, s.FieldAt(f.Index()))
	}
	assert.Greater(t, s.Len(), 180)
}

func TestAliases(t *testing.T) {
	s := fields.Cloudflare()
	for alias, target := range map[string]string{
		"ip.geoip.country":                "ip.src.country",
		"cf.botManagement.staticResource": "cf.bot_management.static_resource",
		"cf.botManagement.verifiedBot":    "cf.bot_management.verified_bot",
		"cf.verifiedBotCategory":          "cf.verified_bot_category",
	} {
		a, ok := s.Field(alias)
		require.True(t, ok, alias)
		b, _ := s.Field(target)
		assert.Equal(t, b, a, "an alias is the same slot as its field")
		assert.Equal(t, target, a.Name())
		repl, deprecated := s.Deprecated(alias)
		assert.True(t, deprecated)
		assert.Equal(t, target, repl)
	}
	_, deprecated := s.Deprecated("ip.src.country")
	assert.False(t, deprecated)
}

func TestNewScheme(t *testing.T) {
	s, err := fields.NewScheme(fields.Definition{
		Fields:  map[string]fields.Type{"score": fields.Int, "tags": fields.ArrayOf(fields.String)},
		Aliases: map[string]string{"old_score": "score"},
		Lists:   map[string]fields.ListKind{"partners": fields.IPList},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, s.Len())
	f, ok := s.Field("old_score")
	require.True(t, ok)
	assert.Equal(t, "score", f.Name())
	_, ok = s.Function("lower")
	assert.True(t, ok, "every scheme has the built-in functions")
	k, ok := s.List("partners")
	require.True(t, ok)
	assert.Equal(t, fields.IP, k.ElemType())

	for name, d := range map[string]fields.Definition{
		"bad field name":   {Fields: map[string]fields.Type{"a b": fields.Int}},
		"invalid type":     {Fields: map[string]fields.Type{"a": fields.Invalid}},
		"alias to nothing": {Fields: map[string]fields.Type{"a": fields.Int}, Aliases: map[string]string{"b": "c"}},
		"alias is a field": {Fields: map[string]fields.Type{"a": fields.Int}, Aliases: map[string]string{"a": "a"}},
		"function with no result": {Functions: []*fields.Function{{Name: "f",
			Params: []fields.Param{{Name: "x", Types: []fields.Type{fields.Int}}}}}},
		"bad list kind": {Lists: map[string]fields.ListKind{"l": 0}},
	} {
		_, err := fields.NewScheme(d)
		assert.Error(t, err, name)
	}
}

func TestSuggest(t *testing.T) {
	s := fields.Cloudflare()
	assert.Equal(t, "cf.bot_management.score", s.Suggest("cf.bot_managment.score")[0])
	assert.Equal(t, "http.user_agent", s.Suggest("http.useragent")[0])
	assert.Equal(t, "starts_with", s.Suggest("startswith")[0])
	assert.Empty(t, s.Suggest("completely.unrelated.name"))
	assert.Equal(t, []string{"cf.verified_bot_category", "cf.bot_management.verified_bot"}, s.Suggest("cf.bot_management.verified_bot_category"),
		"a field of another namespace first")
	assert.Equal(t, []string{"http.request.uri.path", "raw.http.request.uri.path"}, s.Suggest("request.uri.path"))
	assert.Equal(t, []string{"cf.bot_management.verified_bot", "cf.verified_bot_category"}, s.Suggest("cf.verified_bot"))
}

func TestFunctionArity(t *testing.T) {
	s := fields.Cloudflare()
	for name, want := range map[string][2]int{
		"lower": {1, 1}, "substring": {2, 3}, "concat": {1, -1}, "lookup_json_string": {2, -1},
		"is_timed_hmac_valid_v0": {4, 6}, "cidr": {3, 3},
	} {
		f, ok := s.Function(name)
		require.True(t, ok, name)
		assert.Equal(t, want, [2]int{f.MinArgs(), f.MaxArgs()}, name)
	}
	concat, _ := s.Function("concat")
	assert.Equal(t, fields.String, concat.ResultType([]fields.Type{fields.String, fields.Int}))
	assert.Equal(t, fields.ArrayOf(fields.Int), concat.ResultType([]fields.Type{fields.ArrayOf(fields.Int)}))
	p, _ := concat.Param(5)
	assert.Equal(t, "String, Int or an Array", p.Describe())
}

func TestParseListKind(t *testing.T) {
	for _, k := range []fields.ListKind{fields.IPList, fields.HostnameList, fields.ASNList, fields.StringList} {
		got, err := fields.ParseListKind(k.Name())
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err := fields.ParseListKind("IP")
	assert.EqualError(t, err, `list kind "IP" is not ip, hostname, asn or string`)
	assert.Empty(t, fields.ListKind(0).Name())
}
