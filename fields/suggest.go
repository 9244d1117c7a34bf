package fields

import (
	"slices"
	"strings"
)

// Suggest returns up to three field or function names (deprecated aliases
// left out) that name was probably meant to be, for "did you mean" hints.
// A name two edits or fewer from a known one is a typo: the nearest in
// spelling are given. Otherwise the name may be in the wrong namespace:
// first come the fields with its last part, when that says enough
// (cf.bot_management.verified_bot_category: cf.verified_bot_category), or
// that it is the end of (request.uri.path: http.request.uri.path), then
// those whose last part starts with its last part, then the nearest in
// spelling.
func (s *Scheme) Suggest(name string) []string {
	var candidates []string
	for _, n := range s.Names() {
		if _, alias := s.aliases[n]; !alias {
			candidates = append(candidates, n)
		}
	}
	var out []string
	add := func(n string) {
		if len(out) < 3 && n != name && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	near := Closest(name, append(candidates, s.FunctionNames()...), 3)
	last := name[strings.LastIndexByte(name, '.')+1:]
	typo := len(near) > 0 && editDistance(name, near[0], 2) <= 2
	if !typo && strings.Contains(name, ".") && last != "" {
		// A short last part (name, path, score) says too little.
		telling := len(last) >= 6
		for _, match := range []func(n, nLast string) bool{
			func(n, nLast string) bool { return telling && nLast == last || strings.HasSuffix(n, "."+name) },
			func(n, nLast string) bool { return telling && strings.HasPrefix(nLast, last) },
		} {
			for _, n := range candidates {
				if match(n, n[strings.LastIndexByte(n, '.')+1:]) {
					add(n)
				}
			}
		}
	}
	for _, n := range near {
		add(n)
	}
	return out
}

// Closest returns up to most candidates closest to name, nearest first. A
// candidate qualifies when a few edits (about one in four of name's
// characters, at least one) turn name into it.
func Closest(name string, candidates []string, most int) []string {
	type scored struct {
		name string
		dist int
	}
	var found []scored
	limit := max(1, len(name)/4)
	for _, c := range candidates {
		if d := editDistance(name, c, limit); d <= limit {
			found = append(found, scored{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int { return a.dist - b.dist })
	var out []string
	for _, f := range found[:min(most, len(found))] {
		out = append(out, f.name)
	}
	return out
}

// editDistance returns the Levenshtein distance of a and b in bytes, or a
// value above limit as soon as the distance must exceed it.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
