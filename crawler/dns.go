package crawler

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// A Resolver looks up the names of an address and the addresses of a
// name; *net.Resolver is one.
type Resolver interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Verifier's DNS checks. Without a Resolver it answers
// from the range files alone.
type Options struct {
	// Resolver checks a claim from an address outside the ranges: the
	// address's names must end in one of the crawler's Hosts and resolve
	// back to it ("forward-confirmed reverse DNS").
	Resolver Resolver
	// Timeout bounds one check, both lookups (5 s if zero).
	Timeout time.Duration
	// TTL is how long an answer is kept (1 h if zero). A lookup that fails
	// for another reason than a name not found is not kept.
	TTL time.Duration
	// MaxPending is how many checks run at once (16 if zero); a claim
	// that finds them all busy is checked on a later request.
	MaxPending int
	// MaxCached is how many answers are kept (100,000 if zero).
	MaxCached int
	// Now gives the time (time.Now if nil).
	Now func() time.Time
}

// dnsCheck checks claims in the background and keeps the answers, so that
// no request waits for DNS.
type dnsCheck struct {
	opts    Options
	mu      sync.Mutex
	answers map[netip.Addr]answer
	pending map[netip.Addr]bool
	running sync.WaitGroup
}

type answer struct {
	list    *List // the crawler the address is, or nil
	expires time.Time
}

func newDNSCheck(opts Options) *dnsCheck {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.TTL <= 0 {
		opts.TTL = time.Hour
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 16
	}
	if opts.MaxCached <= 0 {
		opts.MaxCached = 100_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &dnsCheck{opts: opts, answers: map[netip.Addr]answer{}, pending: map[netip.Addr]bool{}}
}

// verified reports whether a is known to be one of l's crawlers. If its
// answer is not known, it starts a check and says no.
func (d *dnsCheck) verified(a netip.Addr, l *List) bool {
	now := d.opts.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if ans, ok := d.answers[a]; ok && now.Before(ans.expires) {
		return ans.list == l
	}
	if !d.pending[a] && len(d.pending) < d.opts.MaxPending {
		d.pending[a] = true
		d.running.Add(1)
		go d.check(a, l)
	}
	return false
}

// check looks a's names up and keeps the answer.
func (d *dnsCheck) check(a netip.Addr, l *List) {
	defer d.running.Done()
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.Timeout)
	defer cancel()
	ok, err := d.confirm(ctx, a, l)
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.pending, a)
	if err != nil {
		return
	}
	if len(d.answers) >= d.opts.MaxCached {
		d.evict()
	}
	ans := answer{expires: d.opts.Now().Add(d.opts.TTL)}
	if ok {
		ans.list = l
	}
	d.answers[a] = ans
}

// confirm reports whether one of a's names is one of l's hosts and has a
// among its addresses. A name not found is a no; another failure an error.
func (d *dnsCheck) confirm(ctx context.Context, a netip.Addr, l *List) (bool, error) {
	names, err := d.opts.Resolver.LookupAddr(ctx, a.String())
	if err != nil {
		return false, notFoundIsNo(err)
	}
	for _, name := range names {
		name = strings.TrimSuffix(name, ".")
		if !hostOf(name, l.Hosts) {
			continue
		}
		addrs, err := d.opts.Resolver.LookupNetIP(ctx, "ip", name)
		if err != nil {
			if err := notFoundIsNo(err); err != nil {
				return false, err
			}
			continue
		}
		for _, b := range addrs {
			if b.Unmap() == a {
				return true, nil
			}
		}
	}
	return false, nil
}

func notFoundIsNo(err error) error {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return nil
	}
	return err
}

// hostOf reports whether name is one of hosts or under one.
func hostOf(name string, hosts []string) bool {
	for _, h := range hosts {
		if strings.EqualFold(name, h) || len(name) > len(h) && name[len(name)-len(h)-1] == '.' && strings.EqualFold(name[len(name)-len(h):], h) {
			return true
		}
	}
	return false
}

// evict drops the answers that expired, or all of them if none did.
func (d *dnsCheck) evict() {
	now := d.opts.Now()
	for a, ans := range d.answers {
		if !now.Before(ans.expires) {
			delete(d.answers, a)
		}
	}
	if len(d.answers) >= d.opts.MaxCached {
		clear(d.answers)
	}
}

// Wait waits for the DNS checks under way to end: for tests, and for a
// clean shutdown.
func (v *Verifier) Wait() {
	if v.dns != nil {
		v.dns.running.Wait()
	}
}
