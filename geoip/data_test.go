package geoip

import (
	"path/filepath"
	"testing"

	"github.com/edgerules/edgerules/internal/mmdbtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHead reads control bytes of each form the format's specification
// gives: pointers of the four sizes, sizes of one to four bytes, and
// extended kinds.
func TestHead(t *testing.T) {
	for _, c := range []struct {
		name                string
		bytes               []byte
		kind, size, payload int
	}{
		{"pointer, 11 bits", []byte{0x25, 0x01}, kindPointer, 5<<8 | 1, 2},
		{"pointer, 19 bits", []byte{0x2A, 0x01, 0x02}, kindPointer, 2<<16 | 0x0102 + 2048, 3},
		{"pointer, 27 bits", []byte{0x31, 0x00, 0x00, 0x01}, kindPointer, 1<<24 | 1 + 526336, 4},
		{"pointer, 32 bits", []byte{0x3F, 0x00, 0x00, 0x10, 0x00}, kindPointer, 4096, 5},
		{"string of 28", []byte{0x5C}, kindString, 28, 1},
		{"string of 29 and more", []byte{0x5D, 0x01}, kindString, 30, 2},
		{"string of 285 and more", []byte{0x5E, 0x01, 0x00}, kindString, 285 + 256, 3},
		{"string of 65,821 and more", []byte{0x5F, 0x00, 0x00, 0x01}, kindString, 65822, 4},
		{"true", []byte{0x01, 0x07}, kindBool, 1, 2},
		{"uint64 of 2 bytes", []byte{0x02, 0x02, 0x01, 0x00}, kindUint64, 2, 2},
		{"map of 3", []byte{0xE3}, kindMap, 3, 1},
	} {
		kind, size, payload, ok := section(c.bytes).head(0)
		require.True(t, ok, c.name)
		assert.Equal(t, []int{c.kind, c.size, c.payload}, []int{kind, size, payload}, c.name)
		_, _, _, ok = section(c.bytes[:payload-1]).head(0)
		assert.False(t, ok, "%s, cut short", c.name)
	}
	s := section{0x43, 'a', 'b', 'c', 0x20, 0x00, 0x20, 0x04}
	got, ok := s.str(4)
	assert.True(t, ok)
	assert.Equal(t, "abc", got, "through a pointer")
	_, ok = s.str(6)
	assert.False(t, ok, "a pointer to a pointer")
	_, ok = s.uint(0)
	assert.False(t, ok, "a string is no integer")
}

// TestPathsAsTheDecoderReads: what a section finds by path in every entry
// of the test databases is what the decoder finds there.
func TestPathsAsTheDecoderReads(t *testing.T) {
	dir := t.TempDir()
	many, city, asn := filepath.Join(dir, "many.mmdb"), filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	require.NoError(t, mmdbtest.Many(many, 2000))
	require.NoError(t, mmdbtest.City(city, "GeoIP2-City"))
	require.NoError(t, mmdbtest.ASN(asn))
	for _, path := range []string{many, city, asn} {
		l, err := Open(path)
		require.NoError(t, err)
		d := l.dbs[0].Value()
		entries := 0
		for res := range d.reader.Networks() {
			entries++
			for _, p := range paths {
				keys := make([]any, len(p.path))
				for i, k := range p.path {
					keys[i] = k
				}
				off, found, ok := d.data.find(int(res.Offset()), p.path)
				require.True(t, ok)
				if p.path[len(p.path)-1] == "autonomous_system_number" {
					var want *uint64
					require.NoError(t, res.DecodePath(&want, keys...))
					require.Equal(t, want != nil, found, "%v", p.path)
					if found {
						got, ok := d.data.uint(off)
						assert.True(t, ok)
						assert.Equal(t, *want, got)
					}
					continue
				}
				var want any
				require.NoError(t, res.DecodePath(&want, keys...))
				require.Equal(t, want != nil, found, "%s %v", res.Prefix(), p.path)
				if !found {
					continue
				}
				switch want.(type) {
				case string:
					got, ok := d.data.str(off)
					assert.True(t, ok)
					assert.Equal(t, want, got)
				case bool:
					got, ok := d.data.boolean(off)
					assert.True(t, ok)
					assert.Equal(t, want, got)
				default:
					t.Fatalf("%v: %T", p.path, want)
				}
			}
		}
		assert.NotZero(t, entries, path)
	}
}
