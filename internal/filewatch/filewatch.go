// Package filewatch keeps a value read from a file and reads it again when
// the file changes, keeping the old value when the new file cannot be read.
package filewatch

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A File is a value loaded from a file. Its value is safe to read while it
// reloads.
type File[T any] struct {
	path string
	load func(data []byte) (T, error)

	value atomic.Pointer[T]
	mu    sync.Mutex // serialises reloads
	stamp stamp      // of the file the value was read from
}

// stamp is what tells that a file changed: its modification time and size.
type stamp struct {
	mod  time.Time
	size int64
}

func stampOf(fi os.FileInfo) stamp { return stamp{fi.ModTime(), fi.Size()} }

// Open reads path and loads it; a file that is missing or that load refuses
// is an error naming the file.
func Open[T any](path string, load func(data []byte) (T, error)) (*File[T], error) {
	f := &File[T]{path: path, load: load}
	v, st, err := f.read()
	if err != nil {
		return nil, err
	}
	f.value.Store(&v)
	f.stamp = st
	return f, nil
}

// Path returns the file's path.
func (f *File[T]) Path() string { return f.path }

// Value returns the value last loaded.
func (f *File[T]) Value() T { return *f.value.Load() }

// Reload loads the file again if its modification time or size changed
// since it was last loaded, and reports whether it did. If the file cannot
// be read or loaded, the value stays as it was and Reload says why; it
// tries again on the next call.
func (f *File[T]) Reload() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if err != nil {
		return false, err
	}
	if stampOf(fi) == f.stamp {
		return false, nil
	}
	v, st, err := f.read()
	if err != nil {
		return false, err
	}
	f.value.Store(&v)
	f.stamp = st
	return true, nil
}

// read loads the file, stamped as it was before the read: a file written
// during the read is read again by the next Reload.
func (f *File[T]) read() (T, stamp, error) {
	var zero T
	fi, err := os.Stat(f.path)
	if err != nil {
		return zero, stamp{}, err
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return zero, stamp{}, err
	}
	v, err := f.load(data)
	if err != nil {
		return zero, stamp{}, fmt.Errorf("%s: %w", f.path, err)
	}
	return v, stampOf(fi), nil
}
