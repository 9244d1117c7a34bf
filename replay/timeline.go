package replay

import (
	"time"
)

// maxBuckets is how many buckets a timeline has at most: its bucket is the
// shortest of bucketSizes that covers the span of the log in so many.
const maxBuckets = 60

// bucketSizes are the bucket lengths a timeline chooses from, each a
// multiple of the one before, so that buckets merge into longer ones
// exactly. Past the last, a bucket doubles.
var bucketSizes = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour,
	6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 28 * 24 * time.Hour}

// bucketSize is the length of the buckets of step i.
func bucketSize(i int) time.Duration {
	if i < len(bucketSizes) {
		return bucketSizes[i]
	}
	return bucketSizes[len(bucketSizes)-1] << (i - len(bucketSizes) + 1)
}

// A timeline counts requests over time, by score band and by the rules
// that matched them, in buckets aligned on the Unix epoch (UTC). Its
// buckets grow with the span of the records, so that its memory does not
// grow with the log, and the bucket it ends with depends only on the
// earliest and latest record, whatever their order.
type timeline struct {
	rules   int // how many rules each bucket counts
	step    int // the bucket size is bucketSize(step)
	buckets map[int64]*bucket
	lo, hi  int64 // the earliest and latest record, Unix seconds
}

// A bucket counts the requests of one span of time.
type bucket struct {
	bands [4]int64 // by band: automated, likely automated, likely human, unscored
	rules []int64  // matched, by rule
}

func newTimeline(rules int) *timeline {
	return &timeline{rules: rules, buckets: map[int64]*bucket{}}
}

// floorDiv divides, rounding down, for times before 1970 too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// at returns the bucket of a request at sec (Unix seconds), counted in
// band, making it and coarsening the buckets if it widens the span.
func (t *timeline) at(sec int64, band int, weight int64) *bucket {
	if len(t.buckets) == 0 {
		t.lo, t.hi = sec, sec
	}
	t.lo, t.hi = min(t.lo, sec), max(t.hi, sec)
	t.coarsen(t.step)
	b := t.bucket(t.key(sec))
	b.bands[band] += weight
	return b
}

func (t *timeline) size() int64 { return int64(bucketSize(t.step) / time.Second) }

// key is the start of the bucket of sec, in units of its size.
func (t *timeline) key(sec int64) int64 { return floorDiv(sec, t.size()) }

func (t *timeline) bucket(k int64) *bucket {
	b, ok := t.buckets[k]
	if !ok {
		b = &bucket{rules: make([]int64, t.rules)}
		t.buckets[k] = b
	}
	return b
}

// coarsen grows the buckets to at least step, and further until the span
// fits in maxBuckets.
func (t *timeline) coarsen(step int) {
	for t.step < step || t.key(t.hi)-t.key(t.lo)+1 > maxBuckets {
		old := t.buckets
		oldSize := t.size()
		t.step++
		t.buckets = make(map[int64]*bucket, len(old))
		for k, b := range old {
			into := t.bucket(t.key(k * oldSize))
			into.add(b)
		}
	}
}

func (b *bucket) add(o *bucket) {
	for i, n := range o.bands {
		b.bands[i] += n
	}
	for i, n := range o.rules {
		b.rules[i] += n
	}
}

// merge adds the buckets of u, a timeline of other records.
func (t *timeline) merge(u *timeline) {
	if len(u.buckets) == 0 {
		return
	}
	if len(t.buckets) == 0 {
		t.lo, t.hi = u.lo, u.hi
	}
	t.lo, t.hi = min(t.lo, u.lo), max(t.hi, u.hi)
	u.coarsen(t.step)
	t.coarsen(u.step)
	for k, b := range u.buckets {
		t.bucket(k).add(b)
	}
}

// Timeline is the requests over time: by score band, and the matches of
// each rule.
type Timeline struct {
	Bucket string `json:"bucket"` // its length: 1m0s, 5m0s, 1h0m0s, 24h0m0s, ...
	// Seconds is the length of a bucket.
	Seconds int64       `json:"bucket_seconds"`
	Points  []TimePoint `json:"points"`
}

// A TimePoint is the requests of one bucket of time.
type TimePoint struct {
	Start time.Time `json:"start"`
	Bands Bands     `json:"bands"`
	// Rules are the requests each rule matched, by rule (the first rule's
	// first).
	Rules []int64 `json:"rules"`
}

// report lists every bucket from the earliest record's to the latest's,
// empty ones too, or nil without records that had a time.
func (t *timeline) report() *Timeline {
	if len(t.buckets) == 0 {
		return nil
	}
	size := t.size()
	out := &Timeline{Bucket: bucketSize(t.step).String(), Seconds: size}
	for k := t.key(t.lo); k <= t.key(t.hi); k++ {
		p := TimePoint{Start: time.Unix(k*size, 0).UTC(), Rules: make([]int64, t.rules)}
		if b, ok := t.buckets[k]; ok {
			p.Bands = bandsOf(b.bands)
			copy(p.Rules, b.rules)
		}
		out.Points = append(out.Points, p)
	}
	return out
}
