package ratelimit_test

import (
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgerules/edgerules/ratelimit"
)

var benchLimit = ratelimit.Limit{Period: time.Minute, Max: 1 << 40, Timeout: 10 * time.Minute}

// BenchmarkMemoryHit is one counted request for a key the store knows.
func BenchmarkMemoryHit(b *testing.B) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	key := []byte("login-rl\x00192.0.2.1")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Hit(key, 1, start.Add(time.Duration(i)), benchLimit)
	}
}

// BenchmarkMemoryParallelOneKey is 8 goroutines counting one key.
func BenchmarkMemoryParallelOneKey(b *testing.B) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	key := []byte("login-rl\x00192.0.2.1")
	b.ReportAllocs()
	eightGoroutines(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Hit(key, 1, start, benchLimit)
		}
	})
}

// BenchmarkMemoryParallelManyKeys is 8 goroutines counting 4,096 keys.
func BenchmarkMemoryParallelManyKeys(b *testing.B) {
	m := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	keys := make([][]byte, 4096)
	for i := range keys {
		keys[i] = []byte("login-rl\x00198.51.100." + strconv.Itoa(i))
	}
	var next atomic.Uint32
	b.ReportAllocs()
	eightGoroutines(b)
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(997))
		for pb.Next() {
			m.Hit(keys[i%len(keys)], 1, start, benchLimit)
			i++
		}
	})
}

// eightGoroutines makes RunParallel run 8 goroutines (or GOMAXPROCS, if
// that is more).
func eightGoroutines(b *testing.B) { b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) }
