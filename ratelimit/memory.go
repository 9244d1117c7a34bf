package ratelimit

import (
	"hash/maphash"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// DefaultMaxKeys is how many keys a Memory store keeps unless
// MemoryOptions.MaxKeys says otherwise: about 160 MB when full of keys
// of 32 bytes (measured with runtime.MemStats, Go 1.26).
const DefaultMaxKeys = 1 << 20

// MemoryOptions configure a Memory store.
type MemoryOptions struct {
	// MaxKeys bounds the keys the store keeps (DefaultMaxKeys). A new key
	// in a full shard first evicts the shard's idle keys, those whose
	// counts have left the sliding window and which are not over; when
	// none is idle, it evicts the key it saw least recently of a few,
	// whose count is then lost.
	MaxKeys int
}

// Memory is a Store in the memory of one process. Its keys are spread over
// shards, each with its own lock, so that requests for different keys
// rarely wait for each other; a hit on a key it knows allocates nothing.
type Memory struct {
	seed    maphash.Seed
	shards  []shard
	mask    uint64
	evicted atomic.Uint64
}

// A shard holds some of the keys, their entries in one slice that the
// garbage collector scans as a whole. Shards are padded to 128 bytes, so
// that no two share a cache line (or the pair the processor fetches
// together).
type shard struct {
	shardState
	_ [128 - unsafe.Sizeof(shardState{})%128]byte
}

type shardState struct {
	mu      sync.Mutex
	index   map[string]int32 // key to its place in entries
	entries []entry
	free    []int32 // places of evicted entries
	max     int
	swept   int64 // Unix nanoseconds of the last sweep of idle entries
}

// An entry is one key's counter.
type entry struct {
	key    string
	window Window
	until  int64 // Unix nanoseconds the key is over until
	idle   int64 // Unix nanoseconds from which the entry counts nothing: as if absent
	seen   int64 // Unix nanoseconds of the last hit
}

// evictSample is how many keys a full shard with no idle key looks at to
// evict the least recently seen.
const evictSample = 8

// NewMemory returns an empty in-memory store.
func NewMemory(o MemoryOptions) *Memory {
	maxKeys := o.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	// Four shards a processor, a power of two, each of at least one key.
	n := 1 << bits.Len(uint(4*runtime.GOMAXPROCS(0)-1))
	n = min(n, maxKeys)
	n = 1 << (bits.Len(uint(n)) - 1)
	m := &Memory{seed: maphash.MakeSeed(), shards: make([]shard, n), mask: uint64(n - 1)}
	for i := range m.shards {
		m.shards[i].index = map[string]int32{}
		m.shards[i].max = maxKeys / n
	}
	return m
}

// Hit counts n for key at now, unless that puts the key over l, and
// reports whether it does.
func (m *Memory) Hit(key []byte, n int64, now time.Time, l Limit) Result {
	return m.hit(key, n, now, l, false)
}

// Count adds n to the counter of key at now, whether or not that puts it
// over l.
func (m *Memory) Count(key []byte, n int64, now time.Time, l Limit) {
	m.hit(key, n, now, l, true)
}

// hit is Hit, or Count when always.
func (m *Memory) hit(key []byte, n int64, now time.Time, l Limit, always bool) Result {
	if l.Period <= 0 {
		return Result{}
	}
	s := &m.shards[maphash.Bytes(m.seed, key)&m.mask]
	t := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[string(key)]
	if !ok {
		if n == 0 {
			return Result{}
		}
		i = s.insert(string(key), t, &m.evicted)
	}
	e := &s.entries[i]
	e.window.Advance(now, l.Period)
	e.window.Current += n
	e.seen = t
	res := Result{Rate: e.window.Rate(now, l.Period)}
	switch {
	case always:
	case t < e.until:
		res.Over, res.Until = true, time.Unix(0, e.until)
	case res.Rate > float64(l.Max):
		res.Over = true
		if l.Timeout > 0 {
			e.until = t + int64(l.Timeout)
			res.Until = time.Unix(0, e.until)
		}
	}
	if res.Over {
		e.window.Current -= n // a request over the limit does not count
	}
	// The counts leave the sliding window at the end of the window after
	// the current one.
	e.idle = max(e.until, (e.window.Index+2)*int64(l.Period))
	return res
}

// insert makes an entry for key, evicting others when the shard is full,
// and returns its place.
func (s *shard) insert(key string, now int64, evicted *atomic.Uint64) int32 {
	if len(s.index) >= s.max {
		s.evict(now, evicted)
	}
	var i int32
	if k := len(s.free); k > 0 {
		i, s.free = s.free[k-1], s.free[:k-1]
	} else {
		i = int32(len(s.entries))
		s.entries = append(s.entries, entry{})
	}
	s.entries[i] = entry{key: key}
	s.index[key] = i
	return i
}

// sweepEvery is how often a full shard looks through all its entries for
// idle ones; in between, a new key evicts the least recently seen of a few,
// so that a stream of new keys costs no more than that.
const sweepEvery = int64(time.Second)

// evict removes the idle entries, or if there is none (or the shard swept
// less than sweepEvery ago), the least recently seen of a few.
func (s *shard) evict(now int64, evicted *atomic.Uint64) {
	if now-s.swept >= sweepEvery || now < s.swept {
		s.swept = now
		before := len(s.index)
		for key, i := range s.index {
			if s.entries[i].idle <= now {
				s.remove(key, i)
			}
		}
		if len(s.index) < before {
			return
		}
	}
	oldest, at, looked := "", int32(-1), 0
	for key, i := range s.index {
		if at < 0 || s.entries[i].seen < s.entries[at].seen {
			oldest, at = key, i
		}
		if looked++; looked == evictSample {
			break
		}
	}
	if at >= 0 {
		if s.entries[at].idle > now {
			evicted.Add(1)
		}
		s.remove(oldest, at)
	}
}

func (s *shard) remove(key string, i int32) {
	delete(s.index, key)
	s.entries[i] = entry{}
	s.free = append(s.free, i)
}

// Len returns how many keys the store holds.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.index)
		s.mu.Unlock()
	}
	return n
}

// Evicted returns how many keys the store evicted before they were idle,
// losing their counts, because it was full.
func (m *Memory) Evicted() uint64 { return m.evicted.Load() }
