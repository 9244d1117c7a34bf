package eval

import (
	"strings"

	"github.com/edgerules/edgerules/fields"
)

func init() { fields.RegisterBuiltins(builtins()...) }

// builtins declares the functions of the language, each in one place: its
// signature, the rules its arguments are checked by and its implementation.
// Every scheme has them; a scheme's own function of the same name replaces
// one.
func builtins() []*fields.Function {
	var (
		str, integer, ip = fields.String, fields.Int, fields.IP
		strArray         = fields.ArrayOf(fields.String)
	)
	return []*fields.Function{
		{Name: "any", Params: params(param("conditions", fields.ArrayOf(fields.Bool))), Result: fields.Bool,
			Impl: quantifier(false)},
		{Name: "all", Params: params(param("conditions", fields.ArrayOf(fields.Bool))), Result: fields.Bool,
			Impl: quantifier(true)},
		{Name: "concat", Params: params(fields.Param{Name: "value", Types: []fields.Type{str, integer}, AnyArray: true}),
			Variadic: true, Result: str, ResultFrom: concatResult, Impl: Func(concat)},
		{Name: "starts_with", Params: params(fieldParam("source", str), param("prefix", str)), Result: fields.Bool,
			Impl: stringTest(strings.HasPrefix)},
		{Name: "ends_with", Params: params(fieldParam("source", str), param("suffix", str)), Result: fields.Bool,
			Impl: stringTest(strings.HasSuffix)},
		{Name: "len", Params: params(fields.Param{Name: "value", Types: []fields.Type{str}, AnyArray: true, AnyMap: true}),
			Result: integer, Impl: Func(length)},
		{Name: "lower", Params: params(param("value", str)), Result: str, Impl: caseMap(false)},
		{Name: "upper", Params: params(param("value", str)), Result: str, Impl: caseMap(true)},
		{Name: "lookup_json_integer", Params: params(param("json", str), param("key", str, integer)),
			Variadic: true, Result: integer, Impl: lookupJSON(integer)},
		{Name: "lookup_json_string", Params: params(param("json", str), param("key", str, integer)),
			Variadic: true, Result: str, Impl: lookupJSON(str)},
		{Name: "remove_bytes", Params: params(param("value", str), literalParam("bytes", str)), Result: str,
			Impl: Func(removeBytes)},
		{Name: "substring", Params: params(param("value", str), param("start", integer), optional(param("end", integer))),
			Result: str, Impl: Func(substring)},
		{Name: "url_decode", Params: params(param("value", str), optional(literalParam("options", str))), Result: str,
			Impl: prepared(prepareURLDecode), Validate: validateURLDecode},
		{Name: "cidr", Params: params(fieldParam("address", ip), literalParam("ipv4_bits", integer), literalParam("ipv6_bits", integer)),
			Result: ip, Impl: prepareCIDR(false), Validate: validateCIDR(false)},
		{Name: "cidr6", Params: params(fieldParam("address", ip), literalParam("ipv6_bits", integer)), Result: ip,
			Impl: prepareCIDR(true), Validate: validateCIDR(true)},
		{Name: "decode_base64", Params: params(param("value", str)), Result: str, Impl: Func(decodeBase64)},
		{Name: "encode_base64", Params: params(param("value", str), optional(literalParam("flags", str))), Result: str,
			Impl: prepared(prepareEncodeBase64), Validate: validateEncodeBase64},
		{Name: "sha256", Params: params(param("value", str)), Result: str, Impl: stringMap(sha256Sum)},
		{Name: "join", Params: params(param("items", strArray), param("separator", str)), Result: str, Impl: Func(join)},
		{Name: "split", Params: params(param("value", str), literalParam("separator", str), literalParam("limit", integer)),
			Result: strArray, Impl: prepared(prepareSplit), Validate: validateSplit},
		{Name: "to_string", Params: params(param("value", integer, fields.Bool, ip)), Result: str, Impl: Func(toString)},
		{Name: "regex_replace", Params: params(param("source", str), regexParam("pattern"), literalParam("replacement", str)),
			Result: str, Impl: prepared(prepareRegexReplace), Validate: validateRegexReplace},
		{Name: "wildcard_replace", Params: params(fieldParam("source", str), literalParam("pattern", str),
			literalParam("replacement", str), optional(literalParam("flags", str))), Result: str,
			Impl: prepared(prepareWildcardReplace), Validate: validateWildcardReplace},
		{Name: "remove_query_args", Params: params(fieldParam("query", str), param("name", str)),
			Variadic: true, Result: str, Impl: Func(removeQueryArgs)},
		{Name: "uuidv4", Params: params(param("seed", str)), Result: str, Impl: stringMap(uuidFromSeed)},
		{Name: "is_timed_hmac_valid_v0", Params: params(literalParam("key", str), param("message", str),
			literalParam("ttl", integer), param("now", integer), optional(literalParam("separator_length", integer)),
			optional(literalParam("flags", str))), Result: fields.Bool, Impl: prepared(prepareTimedHMAC),
			Validate: validateTimedHMAC},
	}
}

func params(p ...fields.Param) []fields.Param { return p }

func param(name string, types ...fields.Type) fields.Param {
	return fields.Param{Name: name, Types: types}
}

func fieldParam(name string, types ...fields.Type) fields.Param {
	return fields.Param{Name: name, Types: types, Field: true}
}

func literalParam(name string, types ...fields.Type) fields.Param {
	return fields.Param{Name: name, Types: types, Literal: true}
}

// regexParam is a regular expression, written as a literal.
func regexParam(name string) fields.Param {
	return fields.Param{Name: name, Types: []fields.Type{fields.String}, Literal: true, Regex: true}
}

func optional(p fields.Param) fields.Param { p.Optional = true; return p }

// concatResult makes concat of arrays an array of their element type.
func concatResult(args []fields.Type) fields.Type {
	if len(args) > 0 && args[0].IsArray() {
		return args[0]
	}
	return fields.Invalid
}
