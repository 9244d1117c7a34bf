package replay

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var decodeSeeds = []string{
	`{"ClientIP":"192.0.2.1","BotScore":12,"BotTags":["api"],"BotDetectionIDs":[1,2],"RequestHeaders":{"a":"b"},"EdgeStartTimestamp":"2026-11-02T09:00:00Z"}`,
	`{"clientip":"192.0.2.1","BOTSCORE":3}`,
	`{"ClientIP":"a\u00e9\ud83d\ude00\"\\\/\n","JA4":"\ud800x","Other":{"x":[1,{"y":null}],"z":-1.5e3}}`,
	`{"BotScore":1.5}`, `{"BotScore":"12"}`, `{"BotScore":9223372036854775808}`, `{"BotScore":-0}`,
	`{"BotTags":null}`, `{"BotTags":[]}`, `{"BotTags":["a"],"BotTags":["b","c"]}`, `{"BotTags":["a"],"BotTags":null}`,
	`{"Cookies":{"a":"1"},"Cookies":{"b":"2"}}`, `{"Cookies":null}`, `{"Cookies":{"a":1}}`,
	`{"EdgeStartTimestamp":null}`, `{"EdgeStartTimestamp":1793610001}`, `{"EdgeStartTimestamp":[1,2]}`,
	`null`, `[]`, `"x"`, ``, `{`, `{"a":}`, `{"a":1,}`, `{"a":01}`, "{\"ClientIP\":\"\x01\"}", "{\"ClientIP\":\"\xff\xfe\"}",
	`{"ClientIP":"x"} trailing`, ` { "ClientIP" : "x" } `, `{"ClientIP":true}`, `{"ClientIP":nul}`,
	`{"JA3Haſh":"k"}`, `{"ClientASN":null,"ClientASN":7}`,
	`{"WAFAttackScore":12,"wafsqliattackscore":3,"WAFXSSAttackScore":99,"WAFRCEAttackScore":null,"ClientSrcPort":443}`,
	`{"ClientSSLProtocol":"TLSv1.3","ClientSSLCipher":"AEAD-AES128-GCM-SHA256","RayID":"8f1","ZoneName":"example.com"}`,
	`{"ClientCity":"Lyon","ClientRegionCode":"ARA","ClientLatitude":"45.75","ClientLongitude":"4.85","VerifiedBotCategory":"Search Engine Crawler","EdgeResponseContentType":"text/html"}`,
	`{"WAFAttackScore":"12"}`,
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range decodeSeeds {
		var fast, slow Record
		errFast := decodeRecord([]byte(line), &fast, nil, &interned{})
		errSlow := json.Unmarshal([]byte(line), &slow)
		require.Equal(t, errSlow == nil, errFast == nil, "%s: encoding/json says %v, decodeRecord %v", line, errSlow, errFast)
		if errSlow == nil {
			assert.Equal(t, slow, fast, line)
		}
	}
}

// FuzzDecode holds decodeRecord to encoding/json's reading of any line:
// both fail, or both give the same record.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var fast, slow Record
		errFast := decodeRecord([]byte(line), &fast, nil, &interned{})
		errSlow := json.Unmarshal([]byte(line), &slow)
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("%q: encoding/json says %v, decodeRecord %v", line, errSlow, errFast)
		}
		if errSlow == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q:\nencoding/json %+v\ndecodeRecord  %+v", line, slow, fast)
		}
	})
}
