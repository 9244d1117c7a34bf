package crawler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Ranges are the contents of a published range file: when its operator
// made it, and the networks its crawlers use.
type Ranges struct {
	Created  time.Time // zero when the file does not say
	Prefixes []netip.Prefix
}

// rangeFile is the format Google, Bing, Apple and OpenAI publish:
//
//	{"creationTime": "2026-11-20T15:46:00.000000",
//	 "prefixes": [{"ipv4Prefix": "66.249.64.0/27"}, {"ipv6Prefix": "2001:4860:4801:10::/64"}]}
type rangeFile struct {
	CreationTime string `json:"creationTime"`
	Prefixes     []struct {
		IPv4 string `json:"ipv4Prefix"`
		IPv6 string `json:"ipv6Prefix"`
	} `json:"prefixes"`
}

// creationLayouts are the forms of creationTime seen in published files.
var creationLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"}

// ParseRanges reads a range file. An error says where the file is wrong:
// the line and column of a JSON error, the place of a bad prefix.
func ParseRanges(data []byte) (Ranges, error) {
	var f rangeFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Ranges{}, jsonError(data, err)
	}
	var r Ranges
	if f.CreationTime != "" {
		var err error
		for _, layout := range creationLayouts {
			if r.Created, err = time.Parse(layout, f.CreationTime); err == nil {
				break
			}
		}
		if err != nil {
			return Ranges{}, fmt.Errorf("creationTime %q is not a time such as 2026-11-20T15:46:00.000000", f.CreationTime)
		}
	}
	if len(f.Prefixes) == 0 {
		return Ranges{}, errors.New("the file lists no prefixes")
	}
	for i, p := range f.Prefixes {
		text, want := p.IPv4, "ipv4Prefix"
		if text == "" {
			text, want = p.IPv6, "ipv6Prefix"
		}
		if text == "" || p.IPv4 != "" && p.IPv6 != "" {
			return Ranges{}, fmt.Errorf("prefixes[%d] has %s: an entry has one of ipv4Prefix and ipv6Prefix", i, entryKeys(p.IPv4, p.IPv6))
		}
		prefix, err := netip.ParsePrefix(text)
		if err != nil {
			return Ranges{}, fmt.Errorf("prefixes[%d].%s: %v", i, want, err)
		}
		if prefix.Addr().Is4() != (want == "ipv4Prefix") {
			return Ranges{}, fmt.Errorf("prefixes[%d].%s is %s, an address of the other family", i, want, text)
		}
		r.Prefixes = append(r.Prefixes, prefix.Masked())
	}
	return r, nil
}

func entryKeys(v4, v6 string) string {
	if v4 == "" && v6 == "" {
		return "neither"
	}
	return "both"
}

// jsonError gives a JSON error the line and column of the last byte read
// before it, 1-based.
func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 1 || offset > int64(len(data)) {
		return err
	}
	offset-- // the offset is past the byte that was read last
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%d:%d: %v", line, col, err)
}
