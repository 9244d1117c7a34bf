package eval_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/internal/corpus"
)

// A byteReader turns fuzz bytes into field values; it reads zeros past the end.
type byteReader struct{ data []byte }

func (r *byteReader) bytes(n int) []byte {
	n = min(n, len(r.data))
	b := r.data[:n]
	r.data = r.data[n:]
	return b
}

func (r *byteReader) byte() byte {
	if b := r.bytes(1); len(b) == 1 {
		return b[0]
	}
	return 0
}

// value reads a value of type t, or the missing value.
func (r *byteReader) value(t fields.Type, depth int) eval.Value {
	if r.byte()%8 == 0 {
		return eval.Value{}
	}
	switch {
	case t == fields.String:
		return eval.String(string(r.bytes(int(r.byte()))))
	case t == fields.Int:
		var b [8]byte
		copy(b[:], r.bytes(8))
		return eval.Int(int64(binary.LittleEndian.Uint64(b[:])))
	case t == fields.Bool:
		return eval.Bool(r.byte()%2 == 1)
	case t == fields.IP:
		if r.byte()%2 == 0 {
			var b [4]byte
			copy(b[:], r.bytes(4))
			return eval.IP(netip.AddrFrom4(b))
		}
		var b [16]byte
		copy(b[:], r.bytes(16))
		return eval.IP(netip.AddrFrom16(b))
	case depth > 3:
		return eval.Value{}
	case t.IsArray():
		elems := make([]eval.Value, r.byte()%6)
		for i := range elems {
			if elems[i] = r.value(t.Elem(), depth+1); elems[i].Missing() {
				elems[i] = sample(t.Elem())
			}
		}
		v, _ := eval.Array(t.Elem(), elems...)
		return v
	}
	m := map[string]eval.Value{}
	for range r.byte() % 6 {
		if v := r.value(t.Elem(), depth+1); !v.Missing() {
			m[string(r.bytes(int(r.byte()%12)))] = v
		}
	}
	v, _ := eval.Map(t.Elem(), m)
	return v
}

// FuzzMatch evaluates the documentation's filters, the seeds' and some of
// ours on contexts built from fuzz bytes: whatever the fields hold or lack,
// Match does not panic and gives the same answer twice.
func FuzzMatch(f *testing.F) {
	entries, err := corpus.Load()
	if err != nil {
		f.Fatal(err)
	}
	var filters []*eval.Filter
	sources := []string{
		`any(lower(http.request.headers.names[*])[*] eq "x") and all(len(http.request.uri.args.values[*])[*] lt 5)`,
		`url_decode(http.request.uri.path, "ru") contains "..%2f" or lookup_json_integer(http.cookie, "a", 0) gt 3`,
		`cidr(ip.src, 24, 64) eq 192.0.2.0 or cidr6(ip.src, 48) in {2001:db8::/32} or to_string(ip.src) contains ":"`,
		`substring(http.host, -3) eq "com" xor ends_with(remove_bytes(http.host, "."), "x")`,
		`wildcard_replace(http.request.full_uri, "https://*/*", "${2}") eq "a" or split(http.host, ".", 3)[2] eq "b"`,
		`decode_base64(http.cookie) eq "a" or encode_base64(sha256(http.host), "up") eq "b" or join(http.request.headers.values, ",") contains "c"`,
	}
	for _, e := range entries {
		if !e.Value() && !e.Illustrative() {
			sources = append(sources, e.Expr)
		}
	}
	for _, src := range sources {
		filter, err := expr.Compile(src, fields.Cloudflare())
		if err != nil {
			f.Fatalf("%s: %v", src, err)
		}
		filters = append(filters, filter)
	}
	for i := range filters {
		f.Add(uint16(i), []byte("\x01\x05hello\x07\x01\x02\x03\x04\x05\x06\x07\x08"))
	}
	f.Fuzz(func(t *testing.T, pick uint16, data []byte) {
		filter := filters[int(pick)%len(filters)]
		c := eval.NewContext(fields.Cloudflare())
		r := &byteReader{data}
		for _, field := range filter.Fields() {
			if err := c.Set(field, r.value(field.Type(), 0)); err != nil {
				t.Fatal(err)
			}
		}
		first := filter.Match(c)
		if again := filter.Match(c); again != first {
			t.Fatal("two answers for one request")
		}
	})
}
