//go:build wasip1

package main

import "unsafe"

// The http-wasm handler ABI (module "http_handler"), as
// github.com/http-wasm/http-wasm-host-go serves it to a guest and Traefik's
// WASM plugins use it: the functions the guest imports from its host.
// Strings cross as a pointer and a length into the guest's memory; a
// function that fills a buffer returns the length it needs, writing only
// when that fits the limit.

// The kinds of headers and bodies.
const (
	kindRequest  = 0
	kindResponse = 1
)

// The features a guest enables, bit flags.
const (
	// featureBufferResponse keeps the next handler's response until
	// handle_response returns, so that the guest reads its status and
	// changes its headers.
	featureBufferResponse = 1 << 1
)

// The log levels of the ABI.
const (
	levelDebug = -1
	levelInfo  = 0
	levelWarn  = 1
	levelError = 2
)

//go:wasmimport http_handler get_config
func hostGetConfig(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler log
func hostLog(level int32, msg unsafe.Pointer, msgLen uint32)

//go:wasmimport http_handler log_enabled
func hostLogEnabled(level int32) uint32

//go:wasmimport http_handler enable_features
func hostEnableFeatures(features uint32) uint32

//go:wasmimport http_handler get_method
func hostGetMethod(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler get_uri
func hostGetURI(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler set_uri
func hostSetURI(uri unsafe.Pointer, uriLen uint32)

//go:wasmimport http_handler get_protocol_version
func hostGetProtocolVersion(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler get_source_addr
func hostGetSourceAddr(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler get_header_names
func hostGetHeaderNames(kind uint32, buf unsafe.Pointer, limit uint32) uint64

//go:wasmimport http_handler get_header_values
func hostGetHeaderValues(kind uint32, name unsafe.Pointer, nameLen uint32, buf unsafe.Pointer, limit uint32) uint64

//go:wasmimport http_handler add_header_value
func hostAddHeaderValue(kind uint32, name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32)

//go:wasmimport http_handler set_header_value
func hostSetHeaderValue(kind uint32, name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32)

//go:wasmimport http_handler remove_header
func hostRemoveHeader(kind uint32, name unsafe.Pointer, nameLen uint32)

//go:wasmimport http_handler get_status_code
func hostGetStatusCode() uint32

//go:wasmimport http_handler set_status_code
func hostSetStatusCode(code uint32)

//go:wasmimport http_handler write_body
func hostWriteBody(kind uint32, body unsafe.Pointer, bodyLen uint32)

// bytesPtr returns the address of a slice's bytes, for the host.
func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

// strPtr returns the address of a string's bytes, for the host.
func strPtr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

// What an arena asks the host for.
const (
	getConfig = iota
	getMethod
	getURI
	getProtocolVersion
	getSourceAddr
	getHeaderNames          // the request's, each ended by a NUL
	getHeaderValues         // of the request header named, each ended by a NUL
	getResponseHeaderNames  // the response's, each ended by a NUL
	getResponseHeaderValues // of the response header named, each ended by a NUL
)

// An arena holds the bytes the host writes during one request; the strings
// read from it are valid until the next request resets it.
type arena struct{ buf []byte }

// get asks the host for what, growing the arena until it fits, and returns
// the bytes the host wrote; name is the header of getHeaderValues and
// getResponseHeaderValues.
func (a *arena) get(what int, name string) []byte {
	for {
		if cap(a.buf)-len(a.buf) < 64 {
			a.grow(64)
		}
		free := a.buf[len(a.buf):cap(a.buf)]
		p, limit := unsafe.Pointer(unsafe.SliceData(free)), uint32(len(free))
		var n uint32
		switch what {
		case getConfig:
			n = hostGetConfig(p, limit)
		case getMethod:
			n = hostGetMethod(p, limit)
		case getURI:
			n = hostGetURI(p, limit)
		case getProtocolVersion:
			n = hostGetProtocolVersion(p, limit)
		case getSourceAddr:
			n = hostGetSourceAddr(p, limit)
		case getHeaderNames:
			n = uint32(hostGetHeaderNames(kindRequest, p, limit)) // the count is in the high half
		case getHeaderValues:
			n = uint32(hostGetHeaderValues(kindRequest, strPtr(name), uint32(len(name)), p, limit))
		case getResponseHeaderNames:
			n = uint32(hostGetHeaderNames(kindResponse, p, limit))
		case getResponseHeaderValues:
			n = uint32(hostGetHeaderValues(kindResponse, strPtr(name), uint32(len(name)), p, limit))
		}
		if n <= limit {
			a.buf = a.buf[:len(a.buf)+int(n)]
			return a.buf[len(a.buf)-int(n):]
		}
		a.grow(int(n))
	}
}

// reset empties the arena for the next request, keeping its memory.
func (a *arena) reset() { a.buf = a.buf[:0] }

// grow makes room for n more bytes. The old array stays alive for the
// strings that point into it.
func (a *arena) grow(n int) {
	next := make([]byte, len(a.buf), 2*cap(a.buf)+n)
	copy(next, a.buf)
	a.buf = next
}

// str returns bytes of the arena as a string without copying them.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// A headerOp changes the headers of a kind through the host.
type headerOp struct{ kind uint32 }

// Set replaces the values of the header name by value.
func (o headerOp) Set(name, value string) {
	hostSetHeaderValue(o.kind, strPtr(name), uint32(len(name)), strPtr(value), uint32(len(value)))
}

// Add adds a value to the header name.
func (o headerOp) Add(name, value string) {
	hostAddHeaderValue(o.kind, strPtr(name), uint32(len(name)), strPtr(value), uint32(len(value)))
}

// Del removes the header name.
func (o headerOp) Del(name string) { hostRemoveHeader(o.kind, strPtr(name), uint32(len(name))) }

// setURI replaces the request's path and query.
func setURI(uri string) { hostSetURI(strPtr(uri), uint32(len(uri))) }
