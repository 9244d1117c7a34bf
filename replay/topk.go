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
	evicted  bool        // a value lost its counter: counts may be over
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
	t.evicted = true
	delete(t.counters, smallest.value)
	smallest.value, smallest.over = value, smallest.count
	smallest.count += weight
	t.counters[value] = smallest
	heap.Fix(&t.heap, 0)
}

// merge adds the counts of u, a sketch of another part of the same
// stream. A value one of them does not hold may have been seen there up to
// its smallest count, if it evicted any: the merged count takes that much
// in, as possible overcount. The largest counts keep their counters. When
// neither sketch evicted a value and together they hold no more values
// than counters, the merged counts are exact, as one sketch of the whole
// stream would have them.
func (t *topK) merge(u *topK) {
	floor := func(k *topK) int64 {
		if !k.evicted || len(k.heap) == 0 {
			return 0
		}
		return k.heap[0].count
	}
	tFloor, uFloor := floor(t), floor(u)
	all := make([]*counter, 0, len(t.counters)+len(u.counters))
	for v, c := range t.counters {
		if o, ok := u.counters[v]; ok {
			c.count += o.count
			c.over += o.over
		} else {
			c.count += uFloor
			c.over += uFloor
		}
		all = append(all, c)
	}
	for v, o := range u.counters {
		if _, ok := t.counters[v]; !ok {
			all = append(all, &counter{value: v, count: o.count + tFloor, over: o.over + tFloor})
		}
	}
	slices.SortFunc(all, func(a, b *counter) int {
		return byCount(Count{Value: a.value, Count: a.count}, Count{Value: b.value, Count: b.count})
	})
	t.evicted = t.evicted || u.evicted || len(all) > t.capacity
	all = all[:min(len(all), t.capacity)]
	t.counters, t.heap = make(map[string]*counter, len(all)), t.heap[:0]
	for _, c := range all {
		t.counters[c.value] = c
		heap.Push(&t.heap, c)
	}
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
