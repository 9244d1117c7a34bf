package fields

import "slices"

// Suggest returns up to three field or function names (deprecated aliases
// left out) closest to name, nearest first, for "did you mean" hints.
func (s *Scheme) Suggest(name string) []string {
	var candidates []string
	for _, n := range s.Names() {
		if _, alias := s.aliases[n]; !alias {
			candidates = append(candidates, n)
		}
	}
	return Closest(name, append(candidates, s.FunctionNames()...), 3)
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
