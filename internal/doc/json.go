package doc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/internal/jsonesc"
)

// maxDepth is how deeply JSON values may nest, as in encoding/json.
const maxDepth = 10000

// A jsonReader builds a tree from encoding/json's tokens, finding where each
// value starts from the decoder's offset.
type jsonReader struct {
	data []byte
	dec  *json.Decoder
}

func parseJSON(text string) (*Node, error) {
	// encoding/json refuses a byte order mark; read it as white space of
	// the same length, so that every offset stays the text's.
	if rest, ok := strings.CutPrefix(text, "\ufeff"); ok {
		text = "   " + rest
	}
	r := &jsonReader{data: []byte(text)}
	r.dec = json.NewDecoder(bytes.NewReader(r.data))
	r.dec.UseNumber()
	root, err := r.value(0)
	if err != nil {
		return nil, err
	}
	at := r.next()
	if _, err := r.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{at, "invalid JSON: more after the end of the document"}
	}
	return root, nil
}

// next returns the offset of the next token: past white space and the
// separators the decoder reads with the token.
func (r *jsonReader) next() int {
	i := int(r.dec.InputOffset())
	for i < len(r.data) && strings.IndexByte(" \t\r\n:,", r.data[i]) >= 0 {
		i++
	}
	return i
}

func (r *jsonReader) token() (json.Token, int, error) {
	start := r.next()
	tok, err := r.dec.Token()
	if err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, start, &SyntaxError{int(syntax.Offset), "invalid JSON: " + err.Error()}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, start, &SyntaxError{len(r.data), "invalid JSON: unexpected end of the document"}
		}
		return nil, start, &SyntaxError{start, "invalid JSON: " + err.Error()}
	}
	return tok, start, nil
}

func (r *jsonReader) value(depth int) (*Node, error) {
	tok, start, err := r.token()
	if err != nil {
		return nil, err
	}
	if depth > maxDepth {
		return nil, &SyntaxError{start, fmt.Sprintf("invalid JSON: values nest more than %d deep", maxDepth)}
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return r.object(start, depth)
		}
		n := &Node{Kind: List, Pos: start}
		for r.dec.More() {
			item, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
		}
		_, _, err := r.token() // ]
		return n, err
	case string:
		return r.str(t, start), nil
	case json.Number:
		return &Node{Kind: Number, Text: string(t), Pos: start}, nil
	case bool:
		return &Node{Kind: Bool, Text: fmt.Sprint(t), Pos: start}, nil
	}
	return &Node{Kind: Null, Text: "null", Pos: start}, nil
}

// object reads the entries of an object after its {. A key written twice is
// an error, as YAML makes it: encoding/json would let the last one win.
func (r *jsonReader) object(start, depth int) (*Node, error) {
	n := &Node{Kind: Map, Pos: start}
	seen := map[string]int{}
	for r.dec.More() {
		tok, at, err := r.token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // the decoder reads only strings as keys
		if first, dup := seen[key]; dup {
			line, col := expr.Position(string(r.data), first)
			return nil, &SyntaxError{at, fmt.Sprintf("the key %q is repeated (first at %d:%d)", key, line, col)}
		}
		seen[key] = at
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Keys = append(n.Keys, r.str(key, at))
		n.Values = append(n.Values, v)
	}
	_, _, err := r.token() // }
	return n, err
}

// str makes the node of a string whose token starts at the quote at start.
func (r *jsonReader) str(value string, start int) *Node {
	end := int(r.dec.InputOffset())
	data := r.data
	return &Node{Kind: String, Text: value, Pos: start, token: func() (*Token, error) {
		offs := jsonOffsets(data, start, end)
		if len(offs) != len(value)+1 {
			return nil, fmt.Errorf("the string at %d does not read back to its value", start)
		}
		return &Token{Start: start, End: end, Offsets: offs, render: quoteJSON}, nil
	}}
}

// jsonOffsets maps each byte of the value of the JSON string data[start:end]
// (quotes included) to its place: an escape's bytes to its backslash, and
// the three bytes of U+FFFD that stand for a byte of invalid UTF-8 to it.
func jsonOffsets(data []byte, start, end int) []int {
	var offs []int
	for i := start + 1; i < end-1; {
		r, n := utf8.DecodeRune(data[i : end-1])
		if data[i] == '\\' {
			r, n = jsonesc.Decode(data, i)
			n = max(n, 1) // encoding/json accepted the string, so n > 0
		}
		for range utf8.RuneLen(r) {
			offs = append(offs, i)
		}
		i += n
	}
	return append(offs, end-1)
}

// quoteJSON writes s as a JSON string, leaving <, > and & as they are.
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
