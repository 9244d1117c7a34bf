package fields_test

import (
	"net/netip"
	"testing"

	"github.com/edgerules/edgerules/fields"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	for raw, want := range map[string]int64{
		"0": 0, "30": 30, "-2": -2, "0x1f": 31, "0X1F": 31, "010": 8, "-010": -8, "00": 0,
		"9223372036854775807": 9223372036854775807, "-9223372036854775808": -9223372036854775808,
	} {
		got, err := fields.ParseInt(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got, raw)
	}
	for raw, msg := range map[string]string{
		"08":                  "leading 0 means octal",
		"9223372036854775808": "does not fit",
		"0x":                  "not an integer",
		"1.5":                 "not an integer",
		"--1":                 "not an integer",
		"1e3":                 "not an integer",
		"abc":                 "not an integer",
	} {
		_, err := fields.ParseInt(raw)
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), msg, raw)
	}
}

func TestParseIntRange(t *testing.T) {
	lo, hi, err := fields.ParseIntRange("8000..8009")
	require.NoError(t, err)
	assert.Equal(t, []int64{8000, 8009}, []int64{lo, hi})
	lo, hi, err = fields.ParseIntRange("80")
	require.NoError(t, err)
	assert.Equal(t, []int64{80, 80}, []int64{lo, hi})
	_, _, err = fields.ParseIntRange("9..1")
	assert.ErrorContains(t, err, "is empty")
	_, _, err = fields.ParseIntRange("1..x")
	assert.Error(t, err)
}

func TestParseIPRange(t *testing.T) {
	ip := netip.MustParseAddr
	for raw, want := range map[string]fields.IPRange{
		"192.0.2.1":                  {ip("192.0.2.1"), ip("192.0.2.1")},
		"192.0.2.0/24":               {ip("192.0.2.0"), ip("192.0.2.255")},
		"10.0.0.0/8":                 {ip("10.0.0.0"), ip("10.255.255.255")},
		"0.0.0.0/0":                  {ip("0.0.0.0"), ip("255.255.255.255")},
		"198.51.100.3..198.51.100.7": {ip("198.51.100.3"), ip("198.51.100.7")},
		"2001:db8::/32":              {ip("2001:db8::"), ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")},
		"2a06:98c0::/29":             {ip("2a06:98c0::"), ip("2a06:98c7:ffff:ffff:ffff:ffff:ffff:ffff")},
		"::1":                        {ip("::1"), ip("::1")},
		"::ffff:192.0.2.1":           {ip("::ffff:192.0.2.1"), ip("::ffff:192.0.2.1")},
	} {
		got, err := fields.ParseIPRange(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got, raw)
	}
	for raw, msg := range map[string]string{
		"192.0.2.1/24":       "host bits set: its network is `192.0.2.0/24`",
		"192.0.2.0/33":       "not a CIDR",
		"192.0.2.0/2000":     "not a CIDR",
		"10.0.0.9..10.0.0.1": "is empty",
		"10.0.0.1..::1":      "mixes IPv4 and IPv6",
		"fe80::1%eth0":       "not an IP address",
		"256.0.0.1":          "not an IP address",
		"example.com":        "not an IP address",
	} {
		_, err := fields.ParseIPRange(raw)
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), msg, raw)
	}
	r, _ := fields.ParseIPRange("192.0.2.0/24")
	assert.True(t, r.Contains(ip("192.0.2.77")))
	assert.False(t, r.Contains(ip("192.0.3.0")))
	assert.False(t, r.Contains(ip("::ffff:192.0.2.1")), "families do not mix")
}

func TestParseByteString(t *testing.T) {
	for raw, want := range map[string]string{"aa:bb:cc": "\xaa\xbb\xcc", "01-2e-f3": "\x01.\xf3", "2e.77": ".w"} {
		got, err := fields.ParseByteString(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got)
	}
	for _, raw := range []string{"aa", "aa:b", "aa:bb-cc", "gg:hh", "aaa:bb", "30"} {
		_, err := fields.ParseByteString(raw)
		assert.Error(t, err, raw)
	}
}
