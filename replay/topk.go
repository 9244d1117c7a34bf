package replay

import (
	"container/heap"
	"slices"
)

// A topK finds the most frequent values of a stream in bounded memory, by
// the Space-Saving method: it keeps counters for at most capacity values;
// a new value takes over the smallest counter, whose count it inherits as
// its possible overcount. With no more distinct values than counters the
// counts are exact.
type topK struct {
	capacity int
	counters map[string]*counter
	heap     counterHeap // by count, smallest first
}

type counter struct {
	value string
	count int64
	over  int64 // how much count may exceed the true count
	index int   // in the heap
}

func newTopK(capacity int) *topK {
	return &topK{capacity: capacity, counters: make(map[string]*counter)}
}

func (t *topK) add(value string, weight int64) {
	if c, ok := t.counters[value]; ok {
		c.count += weight
		heap.Fix(&t.heap, c.index)
		return
	}
	if len(t.counters) < t.capacity {
		c := &counter{value: value, count: weight}
		t.counters[value] = c
		heap.Push(&t.heap, c)
		return
	}
	smallest := t.heap[0]
	delete(t.counters, smallest.value)
	smallest.value, smallest.over = value, smallest.count
	smallest.count += weight
	t.counters[value] = smallest
	heap.Fix(&t.heap, 0)
}

// A Count is how often a value was seen. Approximate counts come from a
// stream with more distinct values than the counters kept: they may exceed
// the true count by at most Over.
type Count struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
	Over  int64  `json:"over,omitempty"`
}

// top returns the n most frequent values, most frequent first.
func (t *topK) top(n int) []Count {
	out := make([]Count, 0, len(t.counters))
	for _, c := range t.counters {
		out = append(out, Count{c.value, c.count, c.over})
	}
	slices.SortFunc(out, byCount)
	return out[:min(n, len(out))]
}

// byCount orders counts from the largest, then by value.
func byCount(a, b Count) int {
	if a.Count != b.Count {
		if a.Count > b.Count {
			return -1
		}
		return 1
	}
	if a.Value < b.Value {
		return -1
	}
	if a.Value > b.Value {
		return 1
	}
	return 0
}

type counterHeap []*counter

func (h counterHeap) Len() int           { return len(h) }
func (h counterHeap) Less(i, j int) bool { return h[i].count < h[j].count }
func (h counterHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *counterHeap) Push(x any) {
	c := x.(*counter)
	c.index = len(*h)
	*h = append(*h, c)
}
func (h *counterHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
