package eval

import (
	"fmt"
	"strings"

	"github.com/edgerules/edgerules/fields"
)

// Lists finds the named lists that `in $name` reads.
type Lists interface {
	// List returns the list called name (without the $), if there is one.
	List(name string) (List, bool)
}

// A List answers whether it holds a value. A value of a type the list does
// not hold is not in it.
type List interface {
	Contains(v Value) bool
}

// MemoryLists is a Lists kept in memory: IP lists, hostname lists, ASN lists
// and string lists, filled by its Add methods before it is shared. Reading it
// is safe for concurrent use; adding is not.
type MemoryLists struct {
	lists map[string]List
}

// NewLists returns an empty MemoryLists.
func NewLists() *MemoryLists { return &MemoryLists{lists: make(map[string]List)} }

// List returns the list called name.
func (m *MemoryLists) List(name string) (List, bool) {
	l, ok := m.lists[name]
	return l, ok
}

// AddIPs makes name an IP list of addresses, CIDRs and lo..hi ranges, IPv4
// and IPv6 mixed. It replaces any list of that name.
func (m *MemoryLists) AddIPs(name string, items ...string) error {
	ranges := make([]Range, len(items))
	for i, item := range items {
		r, err := fields.ParseIPRange(item)
		if err != nil {
			return fmt.Errorf("list %s, item %d: %w", name, i+1, err)
		}
		ranges[i] = Range{IP(r.Lo), IP(r.Hi)}
	}
	m.lists[name] = newValueSet(fields.IP, ranges)
	return nil
}

// AddASNs makes name an ASN list.
func (m *MemoryLists) AddASNs(name string, asns ...int64) {
	ranges := make([]Range, len(asns))
	for i, n := range asns {
		ranges[i] = Range{Int(n), Int(n)}
	}
	m.lists[name] = newValueSet(fields.Int, ranges)
}

// AddStrings makes name a list of strings, matched exactly.
func (m *MemoryLists) AddStrings(name string, items ...string) {
	ranges := make([]Range, len(items))
	for i, s := range items {
		ranges[i] = Range{String(s), String(s)}
	}
	m.lists[name] = newValueSet(fields.String, ranges)
}

// AddHostnames makes name a hostname list. An item *.example.com matches
// every subdomain of example.com; others match exactly. Case is ignored.
func (m *MemoryLists) AddHostnames(name string, items ...string) {
	l := &hostnameList{exact: make(map[string]struct{})}
	for _, h := range items {
		h = strings.ToLower(h)
		if suffix, ok := strings.CutPrefix(h, "*"); ok {
			l.suffixes = append(l.suffixes, suffix)
		} else {
			l.exact[h] = struct{}{}
		}
	}
	m.lists[name] = l
}

type hostnameList struct {
	exact    map[string]struct{}
	suffixes []string // ".example.com" for *.example.com
}

func (l *hostnameList) Contains(v Value) bool {
	if v.typ != fields.String {
		return false
	}
	host := v.str
	if _, ok := l.exact[host]; ok {
		return true
	}
	if strings.ToLower(host) != host {
		if _, ok := l.exact[strings.ToLower(host)]; ok {
			return true
		}
	}
	for _, s := range l.suffixes {
		if len(host) > len(s) && strings.EqualFold(host[len(host)-len(s):], s) {
			return true
		}
	}
	return false
}
