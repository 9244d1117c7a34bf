package ast

import (
	"fmt"
	"iter"
)

// A Visitor's Visit method is called for each node Walk meets. If the
// returned visitor w is not nil, Walk visits each child of the node with w,
// then calls w.Visit(nil).
type Visitor interface {
	Visit(n Node) (w Visitor)
}

// Walk traverses the tree rooted at n in depth-first order: it calls
// v.Visit(n), then walks each child of n with the visitor returned.
func Walk(v Visitor, n Node) {
	if v = v.Visit(n); v == nil {
		return
	}
	// The cases follow the order of the declarations in nodes.go.
	switch n := n.(type) {
	case *Filter:
		Walk(v, n.X)
	case *LogicalExpr:
		for _, x := range n.X {
			Walk(v, x)
		}
	case *NotExpr:
		Walk(v, n.X)
	case *ParenExpr:
		Walk(v, n.X)
	case *CompareExpr:
		Walk(v, n.X)
		Walk(v, n.Y)
	case *Ident:
		// no children
	case *IndexExpr:
		Walk(v, n.X)
		if n.Index != nil {
			Walk(v, n.Index)
		}
	case *CallExpr:
		Walk(v, n.Fun)
		for _, x := range n.Args {
			Walk(v, x)
		}
	case *BoolLit, *Literal, *ListRef:
		// no children
	case *SetLit:
		for _, x := range n.Elems {
			Walk(v, x)
		}
	default:
		panic(fmt.Sprintf("ast.Walk: unexpected node type %T", n))
	}
	v.Visit(nil)
}

type inspector func(Node) bool

func (f inspector) Visit(n Node) Visitor {
	if f(n) {
		return f
	}
	return nil
}

// Inspect traverses the tree rooted at n in depth-first order, calling f(n)
// for each node and then f(nil) after its children. If f returns false, the
// children of that node are skipped.
func Inspect(n Node, f func(Node) bool) {
	Walk(inspector(f), n)
}

// Preorder returns the nodes of the tree rooted at n in depth-first preorder.
func Preorder(n Node) iter.Seq[Node] {
	return func(yield func(Node) bool) {
		stopped := false
		Inspect(n, func(n Node) bool {
			if n == nil || stopped {
				return false
			}
			if !yield(n) {
				stopped = true
				return false
			}
			return true
		})
	}
}
