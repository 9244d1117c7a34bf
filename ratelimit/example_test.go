package ratelimit_test

import (
	"fmt"
	"time"

	"github.com/edgerules/edgerules/ratelimit"
)

// A key may make 3 requests in 10 seconds; the 4th is over, and the key
// stays over for a minute.
func ExampleMemory() {
	store := ratelimit.NewMemory(ratelimit.MemoryOptions{})
	limit := ratelimit.Limit{Period: 10 * time.Second, Max: 3, Timeout: time.Minute}
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	for i := 1; i <= 4; i++ {
		res := store.Hit([]byte("192.0.2.1"), 1, now, limit)
		fmt.Println(i, res.Rate, res.Over)
	}
	fmt.Println(store.Hit([]byte("192.0.2.1"), 0, now.Add(59*time.Second), limit).Over)
	fmt.Println(store.Hit([]byte("192.0.2.1"), 0, now.Add(time.Minute), limit).Over)
	// Output:
	// 1 1 false
	// 2 2 false
	// 3 3 false
	// 4 4 true
	// true
	// false
}
