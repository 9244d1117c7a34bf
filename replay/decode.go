package replay

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/edgerules/edgerules/internal/jsonesc"
)

// decodeRecord reads a record from one JSON object, as encoding/json would
// into a Record (a differential fuzz test holds it to that), several times
// faster: it knows the fields, and skips every other value after checking it.
func decodeRecord(line []byte, r *Record, rename map[string]string, seen *interned) error {
	d := &jsonReader{b: line, seen: seen}
	if !d.null() { // a null record is an empty one
		err := d.object(func(key string) error {
			if to, ok := rename[key]; ok {
				key = to
			}
			return d.field(key, r)
		})
		if err != nil {
			return err
		}
	}
	if d.space(); d.i < len(d.b) {
		return d.errorf("invalid character %q after the object", d.b[d.i])
	}
	return nil
}

// field reads the value of one key into the record.
func (d *jsonReader) field(key string, r *Record) error {
	switch key {
	// Values that repeat across a log are interned; addresses and URIs,
	// which mostly do not, are not.
	case "ClientIP":
		return d.string(&r.ClientIP, false)
	case "ClientRequestURI":
		return d.string(&r.ClientRequestURI, false)
	case "ClientRequestPath":
		return d.string(&r.ClientRequestPath, false)
	case "ClientRequestHost":
		return d.string(&r.ClientRequestHost, true)
	case "ClientRequestMethod":
		return d.string(&r.ClientRequestMethod, true)
	case "ClientRequestScheme":
		return d.string(&r.ClientRequestScheme, true)
	case "ClientRequestUserAgent":
		return d.string(&r.ClientRequestUserAgent, true)
	case "ClientRequestReferer":
		return d.string(&r.ClientRequestReferer, true)
	case "ClientRequestProtocol":
		return d.string(&r.ClientRequestProtocol, true)
	case "ClientCountry":
		return d.string(&r.ClientCountry, true)
	case "BotScoreSrc":
		return d.string(&r.BotScoreSrc, true)
	case "JA3Hash":
		return d.string(&r.JA3Hash, true)
	case "JA4":
		return d.string(&r.JA4, true)
	case "ClientSSLProtocol":
		return d.string(&r.ClientSSLProtocol, true)
	case "ClientSSLCipher":
		return d.string(&r.ClientSSLCipher, true)
	case "ClientCity":
		return d.string(&r.ClientCity, true)
	case "ClientRegionCode":
		return d.string(&r.ClientRegionCode, true)
	case "ClientLatitude":
		return d.string(&r.ClientLatitude, true)
	case "ClientLongitude":
		return d.string(&r.ClientLongitude, true)
	case "VerifiedBotCategory":
		return d.string(&r.VerifiedBotCategory, true)
	case "EdgeResponseContentType":
		return d.string(&r.EdgeResponseContentType, true)
	case "RayID":
		return d.string(&r.RayID, false)
	case "ZoneName":
		return d.string(&r.ZoneName, true)
	case "WAFAttackScore":
		return d.int(&r.WAFAttackScore)
	case "WAFSQLiAttackScore":
		return d.int(&r.WAFSQLiAttackScore)
	case "WAFXSSAttackScore":
		return d.int(&r.WAFXSSAttackScore)
	case "WAFRCEAttackScore":
		return d.int(&r.WAFRCEAttackScore)
	case "ClientSrcPort":
		return d.int(&r.ClientSrcPort)
	case "ClientASN":
		return d.int(&r.ClientASN)
	case "BotScore":
		return d.int(&r.BotScore)
	case "EdgeResponseStatus":
		return d.int(&r.EdgeResponseStatus)
	case "SampleInterval":
		return d.int(&r.SampleInterval)
	case "BotTags":
		return list(d, &r.BotTags, func(s *string) error { return d.string(s, true) })
	case "BotDetectionIDs":
		return list(d, &r.BotDetectionIDs, d.int)
	case "RequestHeaders":
		return d.stringMap(&r.RequestHeaders)
	case "Cookies":
		return d.stringMap(&r.Cookies)
	case "EdgeStartTimestamp":
		start := d.skipSpace()
		if err := d.skip(); err != nil {
			return err
		}
		r.EdgeStartTimestamp = append(r.EdgeStartTimestamp[:0:0], d.b[start:d.i]...)
		return nil
	}
	if name := foldedField(key); name != "" {
		return d.field(name, r)
	}
	return d.skip()
}

// recordFields are the names of Record's fields. Keys match them exactly
// or, as encoding/json matches them, ignoring case.
var recordFields = []string{"ClientIP", "ClientRequestHost", "ClientRequestMethod", "ClientRequestURI",
	"ClientRequestPath", "ClientRequestScheme", "ClientRequestUserAgent", "ClientRequestReferer",
	"ClientRequestProtocol", "ClientASN", "ClientCountry", "BotScore", "BotScoreSrc", "BotTags",
	"BotDetectionIDs", "JA3Hash", "JA4", "EdgeResponseStatus", "EdgeStartTimestamp", "RequestHeaders",
	"Cookies", "SampleInterval", "WAFAttackScore", "WAFSQLiAttackScore", "WAFXSSAttackScore", "WAFRCEAttackScore",
	"ClientSSLProtocol", "ClientSSLCipher", "ClientSrcPort", "ClientCity", "ClientRegionCode", "ClientLatitude",
	"ClientLongitude", "VerifiedBotCategory", "EdgeResponseContentType", "RayID", "ZoneName"}

// foldedField returns the field a key names when it differs from the
// field's name only in case, or "".
func foldedField(key string) string {
	for _, name := range recordFields {
		if strings.EqualFold(key, name) {
			return name
		}
	}
	return ""
}

// A jsonReader reads JSON values from b, at i.
type jsonReader struct {
	b       []byte
	i       int
	seen    *interned // nil: every string is a new one
	scratch []byte    // where strings with escapes are decoded
}

// unsafeString views b as a string without copying it, for a key that is
// only compared and looked up while b is unchanged.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// interned keeps one copy of the strings seen most often in a log (hosts,
// user agents, score sources, clients that come back), so that a value seen
// before costs no allocation. It stops taking new ones at maxInterned.
type interned struct{ strings map[string]string }

const maxInterned = 1 << 14

func (in *interned) get(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.strings) < maxInterned {
		if in.strings == nil {
			in.strings = map[string]string{}
		}
		in.strings[s] = s
	}
	return s
}

var errEnd = errors.New("unexpected end of JSON input")

func (d *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *jsonReader) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *jsonReader) skipSpace() int { d.space(); return d.i }

// next returns the next byte after whitespace without taking it.
func (d *jsonReader) next() (byte, error) {
	if d.space(); d.i == len(d.b) {
		return 0, errEnd
	}
	return d.b[d.i], nil
}

// literal takes null, true or false.
func (d *jsonReader) literal(word string) bool {
	if string(d.b[d.i:min(len(d.b), d.i+len(word))]) == word {
		d.i += len(word)
		return true
	}
	return false
}

// null takes a null, if one comes next.
func (d *jsonReader) null() bool {
	c, err := d.next()
	return err == nil && c == 'n' && d.literal("null")
}

// object reads an object, calling member with each key at its value. The
// key is valid only until member returns.
func (d *jsonReader) object(member func(key string) error) error {
	return d.seq('{', '}', "an object", func() error {
		if c, err := d.next(); err != nil {
			return err
		} else if c != '"' {
			return d.errorf("expected a key, found %q", c)
		}
		raw, err := d.quoted()
		if err != nil {
			return err
		}
		key := unsafeString(raw)
		if c, err := d.next(); err != nil {
			return err
		} else if c != ':' {
			return d.errorf("expected ':' after a key, found %q", c)
		}
		d.i++
		return member(key)
	})
}

// array reads an array, calling element at each element.
func (d *jsonReader) array(element func() error) error {
	return d.seq('[', ']', "an array", element)
}

// seq reads what objects and arrays share: open, items separated by
// commas, close.
func (d *jsonReader) seq(open, close byte, what string, item func() error) error {
	c, err := d.next()
	if err != nil {
		return err
	}
	if c != open {
		return d.errorf("expected %s, found %q", what, c)
	}
	d.i++
	if c, err = d.next(); err != nil {
		return err
	} else if c == close {
		d.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if c, err = d.next(); err != nil {
			return err
		}
		d.i++
		switch c {
		case close:
			return nil
		case ',':
		default:
			return d.errorf("expected ',' or '%c', found %q", close, c)
		}
	}
}

// list reads an array into s with read, each element in turn, or null,
// which makes s nil; an array makes it anew, empty but not nil, as
// encoding/json does.
func list[T any](d *jsonReader, s *[]T, read func(*T) error) error {
	if d.null() {
		*s = nil
		return nil
	}
	*s = []T{}
	return d.array(func() error {
		var zero T
		*s = append(*s, zero)
		return read(&(*s)[len(*s)-1])
	})
}

// stringMap reads an object of strings into m, adding to the map a
// repeated key made before; null makes m nil.
func (d *jsonReader) stringMap(m *map[string]string) error {
	if d.null() {
		*m = nil
		return nil
	}
	if *m == nil {
		*m = map[string]string{}
	}
	return d.object(func(key string) error {
		k := d.seen.get([]byte(key)) // before the value's decoding reuses the scratch buffer
		var v string
		err := d.string(&v, true)
		(*m)[k] = v
		return err
	})
}

// string reads a string, or null, which leaves s alone; intern keeps one
// copy of values seen before.
func (d *jsonReader) string(s *string, intern bool) error {
	c, err := d.next()
	switch {
	case err != nil:
		return err
	case c == '"':
		b, err := d.quoted()
		switch {
		case err != nil:
			return err
		case intern:
			*s = d.seen.get(b)
		default:
			*s = string(b)
		}
		return nil
	case c == 'n' && d.literal("null"):
		return nil
	}
	if err := d.skip(); err != nil {
		return err
	}
	return d.errorf("expected a string")
}

// int reads a whole number that fits in 64 bits, or null, which leaves n alone.
func (d *jsonReader) int(n *int64) error {
	c, err := d.next()
	switch {
	case err != nil:
		return err
	case c == 'n' && d.literal("null"):
		return nil
	case c != '-' && (c < '0' || c > '9'):
		if err := d.skip(); err != nil {
			return err
		}
		return d.errorf("expected a number")
	}
	start := d.i
	if err := d.number(); err != nil {
		return err
	}
	v, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		return d.errorf("%s is not a whole number of 64 bits", d.b[start:d.i])
	}
	*n = v
	return nil
}

// number takes a JSON number.
func (d *jsonReader) number() error {
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case digits() == 0:
		return d.errorf("malformed number")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.errorf("malformed number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.errorf("malformed number")
		}
	}
	return nil
}

// skip takes any value, checking it is well formed.
func (d *jsonReader) skip() error {
	c, err := d.next()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, err := d.quoted()
		return err
	case c == '{':
		return d.object(func(string) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case d.literal("null") || d.literal("true") || d.literal("false"):
		return nil
	}
	return d.errorf("invalid character %q", c)
}

// quoted reads a string from its opening quote and returns its bytes: a
// slice of the line when it needs no decoding, else decoded in a scratch
// buffer; either is valid until the next string is read. As encoding/json
// does, it turns bytes that are not UTF-8 into U+FFFD.
func (d *jsonReader) quoted() ([]byte, error) {
	start, ascii := d.i+1, true
	for i := start; i < len(d.b); i++ {
		// Eight plain bytes at a time: none a quote, a backslash, a
		// control character or outside ASCII.
		for i+8 <= len(d.b) && plain(binary.LittleEndian.Uint64(d.b[i:])) {
			i += 8
		}
		if i == len(d.b) {
			break
		}
		switch c := d.b[i]; {
		case c == '"':
			if s := d.b[start:i]; ascii || utf8.Valid(s) {
				d.i = i + 1
				return s, nil
			}
			return d.unquote(start)
		case c == '\\':
			return d.unquote(start)
		case c < 0x20:
			d.i = i
			return nil, d.errorf("control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, errEnd
}

// plain reports whether none of the eight bytes of w is a quote, a
// backslash, below 0x20 or at or above 0x80.
func plain(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	special := hasZero(w^(ones*'"')) | hasZero(w^(ones*'\\')) | (w-ones*0x20)&^w&highs | w&highs
	return special == 0
}

// unquote decodes a string with escapes or bytes that are not UTF-8.
func (d *jsonReader) unquote(start int) ([]byte, error) {
	out := d.scratch[:0]
	defer func() { d.scratch = out[:0] }()
	i := start
	for i < len(d.b) {
		c := d.b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return out, nil
		case c < 0x20:
			d.i = i
			return nil, d.errorf("control character in a string")
		case c == '\\':
			r, n := jsonesc.Decode(d.b, i)
			if n == 0 {
				return nil, d.badEscape(i)
			}
			out = utf8.AppendRune(out, r)
			i += n
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.b[i:])
			out = utf8.AppendRune(out, r) // an invalid byte becomes U+FFFD
			i += size
		}
	}
	return nil, errEnd
}

// badEscape says what is wrong with the escape at i, which jsonesc could
// not decode.
func (d *jsonReader) badEscape(i int) error {
	if i+1 == len(d.b) {
		return errEnd
	}
	d.i = i
	if d.b[i+1] == 'u' {
		return d.errorf("invalid \\u escape")
	}
	return d.errorf("invalid escape \\%c", d.b[i+1])
}
