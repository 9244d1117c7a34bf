package fields

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// cloudflareFields lists the fields of Cloudflare's HTTP scheme as its
// documentation gives them: a type, then the fields of that type. A name
// starting with "." continues the last full name's prefix (its part up to
// and including the last dot).
const cloudflareFields = `
Int    cf.bot_management.score
Bool   cf.bot_management.verified_bot .static_resource .corporate_proxy .signed_agent .js_detection.passed
String cf.bot_management.ja3_hash .ja4
Array<Int> cf.bot_management.detection_ids
Bool   cf.client.bot
String cf.verified_bot_category
Int    cf.bot_detection.js_check_score
String cf.sequence.current_op
Array<String> cf.sequence.previous_ops
Map<Int> cf.sequence.msec_since_op
Bool   cf.fraud_detection.disposable_email .disposable_domain
String cf.fraud.email_risk
Int    cf.threat_score
Int    cf.waf.score cf.waf.score.sqli .xss .rce
String cf.waf.score.class
Bool   cf.waf.auth_detected
Bool   cf.waf.credential_check.password_leaked .username_leaked .username_and_password_leaked .username_password_similar
Bool   cf.waf.content_scan.has_obj .has_malicious_obj .has_failed
Int    cf.waf.content_scan.num_obj .num_malicious_obj
Array<Int> cf.waf.content_scan.obj_sizes
Array<String> cf.waf.content_scan.obj_types .obj_results
Array<String> cf.waf.signature.request.categories .confidence .refs
Array<String> cf.intel.ip.datasets .target_industries .attacker_names .attacker_countries .target_countries
Bool   cf.llm.prompt.detected .pii_detected .unsafe_topic_detected
Array<String> cf.llm.prompt.pii_categories .unsafe_topic_categories
Int    cf.llm.prompt.injection_score .token_count
Map<Int> cf.llm.prompt.custom_topic_categories
Bool   cf.api_gateway.auth_id_present .request_violates_schema .fallthrough_detected
Bool   cf.schema_validation.learned.violated cf.schema_validation.uploaded.violated
IP     cf.edge.server_ip
Int    cf.edge.server_port .client_port
Bool   cf.edge.client_tcp
Int    cf.edge.l4.delivery_rate
Int    cf.timings.client_tcp_rtt_msec .client_quic_rtt_msec .edge_msec .origin_ttfb_msec .worker_msec
String cf.hostname.metadata
String cf.random_seed
String cf.ray_id cf.worker.upstream_zone cf.zone.name cf.zone.plan
String cf.tls_cipher .tls_version .tls_client_random .tls_client_extensions_sha1 .tls_client_extensions_sha1_le .tls_ciphers_sha1 .tls_client_ciphers_sha1
Int    cf.tls_client_hello_length
Bool   cf.tls_client_auth.cert_verified .cert_revoked .cert_presented .cert_rfc9440_too_large .cert_chain_rfc9440_too_large
String cf.tls_client_auth.cert_issuer_dn .cert_subject_dn .cert_issuer_dn_rfc2253 .cert_subject_dn_rfc2253 .cert_issuer_dn_legacy .cert_subject_dn_legacy .cert_serial .cert_issuer_serial .cert_fingerprint_sha256 .cert_fingerprint_sha1 .cert_not_before .cert_not_after .cert_ski .cert_issuer_ski .cert_rfc9440 .cert_chain_rfc9440
Int    cf.response.1xxx_code
String cf.response.error_type

String http.host http.cookie http.referer http.user_agent http.x_forwarded_for
String http.request.method http.request.uri http.request.uri.path http.request.uri.path.extension http.request.uri.query http.request.full_uri http.request.version
Int    http.request.timestamp.sec .msec
Map<Array<String>> http.request.uri.args
Array<String> http.request.uri.args.names .values
Map<Array<String>> http.request.headers
Array<String> http.request.headers.names .values
Bool   http.request.headers.truncated
Map<Array<String>> http.request.cookies
Array<String> http.request.accepted_languages
String http.request.body.raw
Bool   http.request.body.truncated
Int    http.request.body.size
Map<Array<String>> http.request.body.form
Array<String> http.request.body.form.names .values
String http.request.body.mime
Map<Array<String>> http.request.body.multipart
Array<String> http.request.body.multipart.values
Array<Array<String>> http.request.body.multipart.names .content_types .content_dispositions .content_transfer_encodings .filenames
Map<Array<String>> http.request.jwt.claims http.request.jwt.claims.aud http.request.jwt.claims.iss http.request.jwt.claims.jti http.request.jwt.claims.sub
Array<String> http.request.jwt.claims.aud.names .values
Array<String> http.request.jwt.claims.iss.names .values
Array<String> http.request.jwt.claims.jti.names .values
Array<String> http.request.jwt.claims.sub.names .values
Map<Array<Int>> http.request.jwt.claims.iat.sec http.request.jwt.claims.nbf.sec
Array<String> http.request.jwt.claims.iat.sec.names http.request.jwt.claims.nbf.sec.names
Array<Int> http.request.jwt.claims.iat.sec.values http.request.jwt.claims.nbf.sec.values
Int    http.response.code
Map<Array<String>> http.response.headers
Array<String> http.response.headers.names .values
String http.response.content_type.media_type

String raw.http.request.full_uri raw.http.request.uri raw.http.request.uri.path raw.http.request.uri.path.extension raw.http.request.uri.query
Map<Array<String>> raw.http.request.uri.args
Array<String> raw.http.request.uri.args.names .values
Map<Array<String>> raw.http.request.headers
Array<String> raw.http.request.headers.names .values
Map<Array<String>> raw.http.response.headers
Array<String> raw.http.response.headers.names .values

IP     ip.src
String ip.src.lat .lon .city .postal_code .metro_code .region .region_code .timezone.name .continent .country .subdivision_1_iso_code .subdivision_2_iso_code
Int    ip.src.asnum
Bool   ip.src.is_in_european_union
Bool   ssl
`

// cloudflareAliases are the deprecated names users still write: the
// ip.geoip.* names and the Workers-style camelCase bot names, which the Bot
// Management guide tells users to put in firewall rules.
var cloudflareAliases = map[string]string{
	"ip.geoip.asnum":                  "ip.src.asnum",
	"ip.geoip.continent":              "ip.src.continent",
	"ip.geoip.country":                "ip.src.country",
	"ip.geoip.subdivision_1_iso_code": "ip.src.subdivision_1_iso_code",
	"ip.geoip.subdivision_2_iso_code": "ip.src.subdivision_2_iso_code",
	"ip.geoip.is_in_european_union":   "ip.src.is_in_european_union",

	"cf.botManagement.score":              "cf.bot_management.score",
	"cf.botManagement.verifiedBot":        "cf.bot_management.verified_bot",
	"cf.botManagement.staticResource":     "cf.bot_management.static_resource",
	"cf.botManagement.ja3Hash":            "cf.bot_management.ja3_hash",
	"cf.botManagement.ja4":                "cf.bot_management.ja4",
	"cf.botManagement.jsDetection.passed": "cf.bot_management.js_detection.passed",
	"cf.botManagement.detectionIds":       "cf.bot_management.detection_ids",
	"cf.botManagement.corporateProxy":     "cf.bot_management.corporate_proxy",
	"cf.verifiedBotCategory":              "cf.verified_bot_category",
}

// cloudflareLists are Cloudflare's managed IP lists.
var cloudflareLists = map[string]ListKind{
	"cf.open_proxies": IPList, "cf.anonymizer": IPList, "cf.vpn": IPList, "cf.malware": IPList, "cf.botnetcc": IPList,
}

// CloudflareDefinition returns the definition of the standard scheme, a
// fresh copy to extend: add fields, functions or lists and build a scheme
// of your own with NewScheme.
func CloudflareDefinition() Definition {
	return Definition{Fields: parseCatalog(cloudflareFields), Aliases: maps.Clone(cloudflareAliases), Lists: maps.Clone(cloudflareLists)}
}

var cloudflare = sync.OnceValue(func() *Scheme {
	s, err := NewScheme(CloudflareDefinition())
	if err != nil {
		panic("fields: the Cloudflare catalog is invalid: " + err.Error())
	}
	return s
})

// Cloudflare returns the standard scheme: the fields of Cloudflare's HTTP
// rules (bot management, cf.*, http.*, raw.*, ip.*, ssl), their deprecated
// aliases, the built-in functions and the managed lists. It is built once and
// shared; it is read-only.
func Cloudflare() *Scheme { return cloudflare() }

func parseCatalog(text string) map[string]Type {
	out := make(map[string]Type)
	for line := range strings.Lines(text) {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		t, err := ParseType(words[0])
		if err != nil {
			panic("fields: the Cloudflare catalog: " + err.Error())
		}
		prefix := ""
		for _, w := range words[1:] {
			if strings.HasPrefix(w, ".") {
				w = prefix + w[1:]
			} else {
				prefix = w[:strings.LastIndexByte(w, '.')+1]
			}
			out[w] = t
		}
	}
	return out
}

// lowercasedKeys are the map fields whose keys Cloudflare writes in lower
// case: "the names of HTTP request headers converted to lowercase", and the
// response's ("the keys convert to lowercase"). Cookie names and query
// argument names keep their case, and so do the names of
// http.request.headers.names.
var lowercasedKeys = []string{"http.request.headers", "http.response.headers"}

// LowercasedKeys reports whether Cloudflare writes the keys of the map
// field name (a canonical name) in lower case.
func LowercasedKeys(name string) bool { return slices.Contains(lowercasedKeys, name) }
