package replay

import (
	"encoding/binary"
	"testing"
)

// TestPlain checks the eight-byte test against the byte-by-byte one for
// every byte in every position.
func TestPlain(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				return false
			}
		}
		return true
	}
	for pos := range 8 {
		for c := range 256 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			if got := plain(binary.LittleEndian.Uint64(b)); got != slow(b) {
				t.Fatalf("byte %#x at %d: plain says %v", c, pos, got)
			}
		}
	}
}
