package fields

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Literals written without quotes are decoded here by the type they must
// have: the checker calls these to validate them and the compiler to fold them.
// Errors say what is wrong in words a rule's author knows.

// ParseInt decodes an integer: decimal with an optional -, hex after 0x, and
// octal after a leading 0, as Cloudflare's engine reads them (010 is 8).
func ParseInt(raw string) (int64, error) {
	s, neg := strings.CutPrefix(raw, "-")
	base, digits := 10, s
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" || strings.ContainsAny(digits, "+-_") {
		return 0, fmt.Errorf("`%s` is not an integer", raw)
	}
	u, err := strconv.ParseUint(digits, base, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || !neg && u > math.MaxInt64 || neg && u > 1<<63:
		return 0, fmt.Errorf("`%s` does not fit in a 64-bit integer", raw)
	case err != nil && base == 8:
		return 0, fmt.Errorf("`%s` is not an integer: a leading 0 means octal, whose digits are 0 to 7", raw)
	case err != nil:
		return 0, fmt.Errorf("`%s` is not an integer", raw)
	}
	if neg {
		return int64(-u), nil
	}
	return int64(u), nil
}

// ParseIntRange decodes a set element of an integer set: n or lo..hi.
func ParseIntRange(raw string) (lo, hi int64, err error) {
	a, b, isRange := strings.Cut(raw, "..")
	if lo, err = ParseInt(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = ParseInt(b); err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("the range `%s` is empty: its start is above its end", raw)
	}
	return lo, hi, nil
}

// ParseIP decodes an IPv4 or IPv6 address. A zone (%eth0) is not allowed.
func ParseIP(raw string) (netip.Addr, error) {
	a, err := netip.ParseAddr(raw)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("`%s` is not an IP address", raw)
	}
	return a, nil
}

// An IPRange is an inclusive range of addresses of one family.
type IPRange struct{ Lo, Hi netip.Addr }

// Contains reports whether a lies in r.
func (r IPRange) Contains(a netip.Addr) bool {
	return a.BitLen() == r.Lo.BitLen() && r.Lo.Compare(a) <= 0 && a.Compare(r.Hi) <= 0
}

// ParseIPRange decodes an element of an IP set: an address, a CIDR whose host
// bits are zero (192.0.2.0/24), or lo..hi of one family.
func ParseIPRange(raw string) (IPRange, error) {
	if a, b, ok := strings.Cut(raw, ".."); ok {
		lo, err := ParseIP(a)
		if err != nil {
			return IPRange{}, err
		}
		hi, err := ParseIP(b)
		if err != nil {
			return IPRange{}, err
		}
		if lo.BitLen() != hi.BitLen() {
			return IPRange{}, fmt.Errorf("the range `%s` mixes IPv4 and IPv6", raw)
		}
		if lo.Compare(hi) > 0 {
			return IPRange{}, fmt.Errorf("the range `%s` is empty: its start is above its end", raw)
		}
		return IPRange{lo, hi}, nil
	}
	if strings.Contains(raw, "/") {
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			return IPRange{}, fmt.Errorf("`%s` is not a CIDR", raw)
		}
		if p.Masked() != p {
			return IPRange{}, fmt.Errorf("the CIDR `%s` has host bits set: its network is `%s`", raw, p.Masked())
		}
		return IPRange{p.Addr(), lastAddr(p)}, nil
	}
	a, err := ParseIP(raw)
	return IPRange{a, a}, err
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// ParseByteString decodes two or more hex byte pairs joined by one kind of
// separator, `:`, `-` or `.`: aa:bb:cc.
func ParseByteString(raw string) (string, error) {
	sep := ""
	for _, s := range []string{":", "-", "."} {
		if strings.Contains(raw, s) {
			if sep != "" {
				sep = "mixed"
				break
			}
			sep = s
		}
	}
	parts := strings.Split(raw, sep)
	if sep == "" || sep == "mixed" || len(parts) < 2 {
		return "", fmt.Errorf("`%s` is not a byte string such as aa:bb:cc", raw)
	}
	b := make([]byte, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) != 2 {
			return "", fmt.Errorf("`%s` is not a byte string: `%s` is not two hex digits", raw, p)
		}
		b[i] = byte(v)
	}
	return string(b), nil
}
