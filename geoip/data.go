package geoip

import (
	"bytes"
	"errors"
)

// A section is a database's data section, where its entries are, read as
// the MaxMind DB format lays it out (https://maxmind.github.io/MaxMind-DB/):
// just enough of it to follow a path of map keys to a string, a bool or
// an unsigned integer, without the reflection, allocations and interface
// calls of the decoder's DecodePath, which cost more than the lookup. The
// decoder reads whole entries; Verify has checked the section when the
// file was read, and every read here is bounds checked all the same.
type section []byte

// The kinds of value the format has that a section tells apart; the
// others are passed over by their size.
const (
	kindPointer = 1
	kindString  = 2
	kindUint16  = 5
	kindUint32  = 6
	kindMap     = 7
	kindUint64  = 9
	kindArray   = 11
	kindBool    = 14
)

// metadataMarker starts a database's metadata, which ends its data section.
var metadataMarker = []byte("\xAB\xCD\xEFMaxMind.com")

// dataSection returns the data section of a database file whose search
// tree has nodes nodes of recordSize bits each.
func dataSection(file []byte, nodes, recordSize uint) (section, error) {
	start := nodes*recordSize/4 + 16 // the tree, then 16 zero bytes
	end := bytes.LastIndex(file, metadataMarker)
	if end < 0 || start > uint(end) {
		return nil, errors.New("the data section is not where the metadata says")
	}
	return section(file[start:end]), nil
}

// head reads the control bytes of the value at off: its kind, its size
// (for a pointer, the offset it points to) and where its payload starts.
func (s section) head(off int) (kind, size, next int, ok bool) {
	if off < 0 || off >= len(s) {
		return 0, 0, 0, false
	}
	c := s[off]
	off++
	kind, size = int(c>>5), int(c&0x1f)
	if kind == kindPointer {
		n := int(c>>3&3) + 1
		v := size & 7
		if n == 4 {
			v = 0
		}
		if off+n > len(s) {
			return 0, 0, 0, false
		}
		for _, b := range s[off : off+n] {
			v = v<<8 | int(b)
		}
		return kindPointer, v + [...]int{0, 2048, 526336, 0}[n-1], off + n, true
	}
	if kind == 0 { // extended: the kind is in the next byte
		if off >= len(s) {
			return 0, 0, 0, false
		}
		kind = 7 + int(s[off])
		off++
	}
	if size >= 29 {
		n := size - 28
		if off+n > len(s) {
			return 0, 0, 0, false
		}
		size = 0
		for _, b := range s[off : off+n] {
			size = size<<8 | int(b)
		}
		size += [...]int{29, 285, 65821}[n-1]
		off += n
	}
	return kind, size, off, true
}

// value reads the head of the value at off, following a pointer.
func (s section) value(off int) (kind, size, payload int, ok bool) {
	kind, size, payload, ok = s.head(off)
	if ok && kind == kindPointer {
		// The format has no pointer to a pointer.
		kind, size, payload, ok = s.head(size)
		ok = ok && kind != kindPointer
	}
	return kind, size, payload, ok
}

// skip returns where the value at off ends.
func (s section) skip(off int) (int, bool) {
	for n := 1; n > 0; n-- {
		kind, size, next, ok := s.head(off)
		if !ok {
			return 0, false
		}
		off = next
		switch kind {
		case kindPointer, kindBool:
		case kindMap:
			n += 2 * size
		case kindArray:
			n += size
		default:
			off += size
		}
	}
	return off, off <= len(s)
}

// bytesAt returns the bytes of the string at off.
func (s section) bytesAt(off int) ([]byte, bool) {
	kind, size, p, ok := s.value(off)
	if !ok || kind != kindString || p+size > len(s) {
		return nil, false
	}
	return s[p : p+size], true
}

// find follows path, map keys, from the value at off. found says whether
// the value is there; ok is false if the section is not as the format
// says.
func (s section) find(off int, path []string) (at int, found, ok bool) {
	for _, key := range path {
		kind, size, next, ok := s.value(off)
		if !ok || kind != kindMap {
			return 0, false, ok
		}
		off, found = next, false
		for range size {
			k, ok := s.bytesAt(off)
			if !ok {
				return 0, false, false
			}
			if off, ok = s.skip(off); !ok {
				return 0, false, false
			}
			if string(k) == key {
				found = true
				break
			}
			if off, ok = s.skip(off); !ok {
				return 0, false, false
			}
		}
		if !found {
			return 0, false, true
		}
	}
	return off, true, true
}

// str reads the string at off. Codes of two capital letters (countries',
// continents') are not allocated each time but taken from codes.
func (s section) str(off int) (string, bool) {
	b, ok := s.bytesAt(off)
	if len(b) == 2 && 'A' <= b[0] && b[0] <= 'Z' && 'A' <= b[1] && b[1] <= 'Z' {
		return codes[int(b[0]-'A')*26+int(b[1]-'A')], ok
	}
	return string(b), ok
}

// codes are the strings of two capital letters, "AA" to "ZZ".
var codes = func() (c [26 * 26]string) {
	for i := range c {
		c[i] = string([]byte{byte('A' + i/26), byte('A' + i%26)})
	}
	return c
}()

// boolean reads the bool at off.
func (s section) boolean(off int) (bool, bool) {
	kind, size, _, ok := s.value(off)
	return size != 0, ok && kind == kindBool
}

// uint reads the unsigned integer at off, of any width up to 64 bits.
func (s section) uint(off int) (uint64, bool) {
	kind, size, p, ok := s.value(off)
	if !ok || kind != kindUint16 && kind != kindUint32 && kind != kindUint64 || size > 8 || p+size > len(s) {
		return 0, false
	}
	var v uint64
	for _, b := range s[p : p+size] {
		v = v<<8 | uint64(b)
	}
	return v, true
}
