package jsonesc_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/edgerules/edgerules/internal/jsonesc"
)

// TestDecode holds Decode to encoding/json: for each escape, decoding it
// and then the rest of the string as plain text gives what json.Unmarshal
// gives for the whole string.
func TestDecode(t *testing.T) {
	for _, esc := range []string{
		`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
		`\u0041`, `\u00e9`, `\u20AC`, `\uffff`, `\u0000`,
		`\ud83d\ude00`, `\uD83D\uDE00`, // a pair
		`\ud800`, `\ud800x`, `\udc00\ud800`, `\ud800\u0041`, `\ud800\ud800`, // unpaired
	} {
		var want string
		if !assert.NoError(t, json.Unmarshal([]byte(`"`+esc+`"`), &want), esc) {
			continue
		}
		r, n := jsonesc.Decode([]byte(esc), 0)
		if !assert.NotZero(t, n, esc) {
			continue
		}
		got := string(utf8.AppendRune(nil, r))
		if n < len(esc) { // the rest is the next escape, or plain text
			var rest string
			assert.NoError(t, json.Unmarshal([]byte(`"`+esc[n:]+`"`), &rest), esc)
			got += rest
		}
		assert.Equal(t, want, got, esc)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, esc := range []string{`\`, `\x`, `\a`, `\u`, `\u12`, `\u12g4`, `\U0041`, `x`, ``} {
		r, n := jsonesc.Decode([]byte(esc), 0)
		assert.Zero(t, n, esc)
		assert.Zero(t, r, esc)
	}
	r, n := jsonesc.Decode([]byte(`ab\n`), 2)
	assert.Equal(t, []any{'\n', 2}, []any{r, n}, "an escape inside the text")
}
