package eval

import (
	"maps"
	"slices"

	"github.com/edgerules/edgerules/ast"
	"github.com/edgerules/edgerules/fields"
)

// A Memo lets the filters of a ruleset share the answers of conditions
// they have in common: such a condition runs once per request, the first
// time a filter needs it, and the other filters read its answer. Build one
// over all the expressions and compile each with it as Config.Memo.
type Memo struct {
	slots map[string]int // the structure (ast.Dump) of a shared condition: its slot
}

// NewMemo finds the conditions that stand in more than one of exprs.
func NewMemo(exprs []*ast.Checked) *Memo {
	counts := map[string]int{}
	for _, c := range exprs {
		if c == nil {
			continue
		}
		seen := map[string]bool{}
		for n := range ast.Preorder(c.X) {
			if key := memoKey(c, n); key != "" && !seen[key] {
				seen[key] = true
				counts[key]++
			}
		}
	}
	m := &Memo{slots: map[string]int{}}
	for _, key := range slices.Sorted(maps.Keys(counts)) {
		if counts[key] > 1 {
			m.slots[key] = len(m.slots)
		}
	}
	return m
}

// Len returns how many conditions the memo shares.
func (m *Memo) Len() int { return len(m.slots) }

// memoKey returns the structure (ast.Dump) of a condition worth sharing: a
// comparison, a call or a logical expression that gives one Bool. Unlike
// its text, the structure ignores grouping parentheses, so that x eq 1 and
// (x eq 1) share one answer.
func memoKey(c *ast.Checked, n ast.Node) string {
	x, ok := n.(ast.Expr)
	if !ok || c.Types[x] != (ast.TypeInfo{Type: fields.Bool}) {
		return ""
	}
	switch x.(type) {
	case *ast.CompareExpr, *ast.CallExpr, *ast.LogicalExpr, *ast.NotExpr:
		return ast.Dump(x)
	}
	return ""
}

// memoized makes n read a shared answer for x when the memo has one.
func (c *compiler) memoized(n *node, x ast.Expr) *node {
	slot, ok := c.memo.slots[memoKey(c.checked, x)]
	if !ok {
		return n
	}
	memo, inner := c.memo, n.b
	out := *n
	out.b = func(c *Context) bool {
		answer := c.memoSlot(memo, slot)
		if *answer == 0 {
			r := inner(c)
			// The slot may have moved if the inner condition grew the memo.
			answer = c.memoSlot(memo, slot)
			*answer = 1
			if r {
				*answer = 2
			}
		}
		return *answer == 2
	}
	return &out
}

// memoSlot returns the answer slot i of memo m in this context: 0 when
// not known yet, 1 for false, 2 for true. Switching to another memo (another
// ruleset) forgets the answers of the previous one.
func (c *Context) memoSlot(m *Memo, i int) *uint8 {
	if c.memoOwner != m {
		c.memoOwner = m
		c.memo = slices.Grow(c.memo[:0], m.Len())[:m.Len()]
		clear(c.memo)
	}
	return &c.memo[i]
}
