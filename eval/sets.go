package eval

import (
	"cmp"
	"net/netip"
	"slices"
	"sort"

	"github.com/edgerules/edgerules/fields"
)

// A rangeSet holds sorted, disjoint, inclusive ranges and answers
// membership by binary search: integer sets with ranges, IP sets with CIDRs.
type rangeSet[T any] struct {
	lo, hi  []T
	compare func(a, b T) int
}

func newRangeSet[T any](ranges [][2]T, compare func(a, b T) int) *rangeSet[T] {
	slices.SortFunc(ranges, func(a, b [2]T) int { return compare(a[0], b[0]) })
	s := &rangeSet[T]{compare: compare}
	for _, r := range ranges {
		if n := len(s.hi); n > 0 && compare(r[0], s.hi[n-1]) <= 0 {
			if compare(r[1], s.hi[n-1]) > 0 {
				s.hi[n-1] = r[1]
			}
			continue
		}
		s.lo = append(s.lo, r[0])
		s.hi = append(s.hi, r[1])
	}
	return s
}

func (s *rangeSet[T]) contains(v T) bool {
	// The last range starting at or below v is the only one that can hold it.
	i := sort.Search(len(s.lo), func(i int) bool { return s.compare(s.lo[i], v) > 0 }) - 1
	return i >= 0 && s.compare(v, s.hi[i]) <= 0
}

// An ipSet keeps IPv4 and IPv6 ranges apart: an address of one family is
// never in a range of the other.
type ipSet struct{ v4, v6 *rangeSet[netip.Addr] }

func newIPSet(ranges []Range) *ipSet {
	var v4, v6 [][2]netip.Addr
	for _, r := range ranges {
		if r.Lo.ip.Is4() {
			v4 = append(v4, [2]netip.Addr{r.Lo.ip, r.Hi.ip})
		} else {
			v6 = append(v6, [2]netip.Addr{r.Lo.ip, r.Hi.ip})
		}
	}
	return &ipSet{newRangeSet(v4, netip.Addr.Compare), newRangeSet(v6, netip.Addr.Compare)}
}

func (s *ipSet) contains(a netip.Addr) bool {
	if a.Is4() {
		return s.v4.contains(a)
	}
	return s.v6.contains(a)
}

func newIntSet(ranges []Range) *rangeSet[int64] {
	rs := make([][2]int64, len(ranges))
	for i, r := range ranges {
		rs[i] = [2]int64{r.Lo.num, r.Hi.num}
	}
	return newRangeSet(rs, cmp.Compare[int64])
}

func newStringSet(ranges []Range) map[string]struct{} {
	set := make(map[string]struct{}, len(ranges))
	for _, r := range ranges {
		set[r.Lo.str] = struct{}{}
	}
	return set
}

// A valueSet answers membership for values of one scalar type, for lists.
type valueSet struct {
	typ  fields.Type
	ints *rangeSet[int64]
	ips  *ipSet
	strs map[string]struct{}
}

func newValueSet(t fields.Type, ranges []Range) *valueSet {
	s := &valueSet{typ: t}
	switch t {
	case fields.Int:
		s.ints = newIntSet(ranges)
	case fields.IP:
		s.ips = newIPSet(ranges)
	default:
		s.strs = newStringSet(ranges)
	}
	return s
}

func (s *valueSet) Contains(v Value) bool {
	switch {
	case v.typ != s.typ:
		return false
	case s.ints != nil:
		return s.ints.contains(v.num)
	case s.ips != nil:
		return s.ips.contains(v.ip)
	}
	_, ok := s.strs[v.str]
	return ok
}
