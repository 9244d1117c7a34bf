// Package geoip fills the ip.src.* fields of nethttp (country, continent,
// ASN, city, region, ...) from MaxMind DB files: MaxMind's GeoIP2 and
// GeoLite2 City, Country and ASN databases, and DB-IP's in the same format.
// Files are read whole into memory and read again when they change.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/edgerules/edgerules/internal/filewatch"
	"github.com/edgerules/edgerules/nethttp"
	"github.com/oschwald/maxminddb-golang/v2"
)

// A Locator looks addresses up in one or more databases, a City database
// and an ASN database say, and is a nethttp.Locator. It is safe for
// concurrent use, also while it reloads.
type Locator struct {
	dbs   []*filewatch.File[*db]
	fills []string
}

// db is one database with the fields its type fills, and the entries
// last read from it.
type db struct {
	reader *maxminddb.Reader
	data   section
	kind   kind
	cache  [cacheSize]slot
}

// A slot of the cache holds an entry, and its offset beside it: a miss is
// told without reading the entry, which is seldom in the processor's cache.
type slot struct {
	offset atomic.Uintptr
	entry  atomic.Pointer[cached]
}

// Many addresses share an entry (a city's, an AS's), and reading one costs
// more than finding it, so a database keeps the entries it read last, by
// their place in the file: one slot for each place modulo cacheSize. A
// database read again starts with an empty cache.
const cacheSize = 4096

// cached is an entry as it was read: only the fields in read.
type cached struct {
	offset uintptr
	read   nethttp.GeoFields
	loc    nethttp.Location
}

// entry returns the database's part of a's Location, with at least the
// fields need read.
func (d *db) entry(a netip.Addr, need nethttp.GeoFields) nethttp.Location {
	res := d.reader.Lookup(a)
	if !res.Found() {
		return nethttp.Location{}
	}
	off := res.Offset()
	slot := &d.cache[off%cacheSize]
	if slot.offset.Load() == off {
		// The offset is stored after the entry: a slot being written
		// holds an entry of another offset, read again below.
		if c := slot.entry.Load(); c != nil && c.offset == off {
			if need&^c.read == 0 {
				return c.loc
			}
			// Rulesets that read other fields share the entry: read
			// what both need.
			need |= c.read
		}
	}
	c := &cached{offset: off}
	var err error
	if c.read, err = d.read(res, need, &c.loc); err != nil {
		return nethttp.Location{}
	}
	slot.entry.Store(c)
	slot.offset.Store(off)
	return c.loc
}

// A kind is what a type of database knows.
type kind int

const (
	asnDB kind = iota
	countryDB
	cityDB
)

// countryFields are what a Country database fills; a City database fills
// cityFields as well; an ASN database only the ASN.
var (
	countryFields = []string{"ip.src.country", "ip.src.continent", "ip.src.is_in_european_union"}
	cityFields    = []string{"ip.src.city", "ip.src.region", "ip.src.region_code", "ip.src.subdivision_1_iso_code",
		"ip.src.subdivision_2_iso_code", "ip.src.postal_code", "ip.src.metro_code", "ip.src.lat", "ip.src.lon",
		"ip.src.timezone.name"}
	asnFields = []string{"ip.src.asnum"}
)

// kindFields are the fills of each kind, as a set.
var kindFields = [...]nethttp.GeoFields{asnDB: geoFields(asnDB.fills()...), countryDB: geoFields(countryDB.fills()...),
	cityDB: geoFields(cityDB.fills()...)}

// geoFields returns the set of the named fields, which nethttp knows.
func geoFields(names ...string) nethttp.GeoFields {
	set, err := nethttp.GeoFieldsOf(names...)
	if err != nil {
		panic("geoip: " + err.Error())
	}
	return set
}

func (k kind) fills() []string {
	switch k {
	case cityDB:
		return slices.Concat(countryFields, cityFields)
	case countryDB:
		return countryFields
	}
	return asnFields
}

// kindOf tells a database's kind by the type its metadata names:
// GeoLite2-City, GeoIP2-Country, GeoLite2-ASN, GeoIP2-ISP, DBIP-City-Lite,
// DBIP-Location-ISP (compat=Enterprise), and so on.
func kindOf(dbType string) (kind, error) {
	switch {
	case strings.Contains(dbType, "City"), strings.Contains(dbType, "Enterprise"), strings.Contains(dbType, "Location"):
		return cityDB, nil
	case strings.Contains(dbType, "Country"):
		return countryDB, nil
	case strings.Contains(dbType, "ASN"), strings.Contains(dbType, "ISP"):
		return asnDB, nil
	}
	return 0, fmt.Errorf("database type %q is not one this reads: a City, Country or ASN database (GeoIP2, GeoLite2 or DB-IP)", dbType)
}

// load reads a database from the bytes of its file, checking all of it:
// a corrupt file is refused now rather than failing lookups later.
func load(data []byte) (*db, error) {
	r, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(); err != nil {
		return nil, err
	}
	k, err := kindOf(r.Metadata.DatabaseType)
	if err != nil {
		return nil, err
	}
	section, err := dataSection(data, r.Metadata.NodeCount, r.Metadata.RecordSize)
	if err != nil {
		return nil, err
	}
	return &db{reader: r, data: section, kind: k}, nil
}

// openFile reads a database file, and reads it again only as a database
// of the same kind, since the fields a Locator fills are fixed.
func openFile(path string) (*filewatch.File[*db], error) {
	var first *db
	f, err := filewatch.Open(path, func(data []byte) (*db, error) {
		d, err := load(data)
		if err == nil && first != nil && d.kind != first.kind {
			return nil, fmt.Errorf("is now a database of type %q, where it was of type %q; restart to use it",
				d.reader.Metadata.DatabaseType, first.reader.Metadata.DatabaseType)
		}
		return d, err
	})
	if err == nil {
		first = f.Value()
	}
	return f, err
}

// Open reads the database files at paths. A file that is missing, corrupt
// or of a type it does not know is an error naming the file.
func Open(paths ...string) (*Locator, error) {
	if len(paths) == 0 {
		return nil, errors.New("geoip: no database file given")
	}
	l := &Locator{}
	for _, p := range paths {
		f, err := openFile(p)
		if err != nil {
			return nil, fmt.Errorf("geoip: %w", err)
		}
		l.dbs = append(l.dbs, f)
		for _, name := range f.Value().kind.fills() {
			if !slices.Contains(l.fills, name) {
				l.fills = append(l.fills, name)
			}
		}
	}
	return l, nil
}

// Fills lists the ip.src.* fields the databases fill.
func (l *Locator) Fills() []string { return l.fills }

// Reload reads again each database file that changed since it was read.
// A file that cannot be read keeps its old database; the error names it.
// Reload reports the files it read again. A file whose new version is of
// another kind (an ASN database where a City one was) is refused too, as
// the fields the locator fills are fixed.
func (l *Locator) Reload() (reloaded []string, err error) {
	var errs []error
	for _, f := range l.dbs {
		ok, err := f.Reload()
		if err != nil {
			errs = append(errs, fmt.Errorf("geoip: %w; the database read before stays", err))
		} else if ok {
			reloaded = append(reloaded, f.Path())
		}
	}
	return reloaded, errors.Join(errs...)
}

// Locate looks a up in the databases that fill fields of need, reading of
// an entry only the values those fields are made of: the other fields
// stay empty. An address a database does not have, or an entry it cannot
// read, leaves that database's fields empty. Where two databases fill a
// field, the first given that knows the country (for the ASN, the ASN)
// wins.
func (l *Locator) Locate(a netip.Addr, need nethttp.GeoFields) nethttp.Location {
	var loc nethttp.Location
	for _, f := range l.dbs {
		d := f.Value()
		want := need & kindFields[d.kind]
		switch {
		case want == 0:
			// The rules read nothing this database gives.
		case d.kind == asnDB:
			if loc.ASN == 0 {
				loc.ASN = d.entry(a, want).ASN
			}
		case loc.Country == "":
			// The country tells which database knows the address, and
			// prefixes the subdivisions' codes: it is always read.
			e := d.entry(a, want|countryField)
			e.ASN = loc.ASN
			loc = e
		}
	}
	return loc
}

// record is what is read of a database's entry: the fields of MaxMind's
// City, Country and ASN schemas (which DB-IP's follow) that the ip.src.*
// fields need; the decoder passes over the rest.
type record struct {
	City struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
		InEU    bool   `maxminddb:"is_in_european_union"`
	} `maxminddb:"country"`
	Location struct {
		Latitude  float64 `maxminddb:"latitude"`
		Longitude float64 `maxminddb:"longitude"`
		MetroCode uint    `maxminddb:"metro_code"`
		TimeZone  string  `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   names  `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	ASN uint `maxminddb:"autonomous_system_number"`
}

type names struct {
	EN string `maxminddb:"en"`
}

var countryField = geoFields("ip.src.country")

// paths are the values of an entry that fields are made of, each with
// the fields that need it, where it is in an entry and how it goes into a
// Location. The fields a rule reads most (country, continent, EU
// membership, ASN) take a value each: reading those by their paths passes
// over the rest of the entry (names in many languages, subdivisions,
// geoname IDs, ...), which is most of the cost of reading it whole.
var paths = [...]struct {
	fields nethttp.GeoFields
	path   []string
	set    func(l *nethttp.Location, s section, off int) bool
}{
	{countryField, []string{"country", "iso_code"}, str(func(l *nethttp.Location) *string { return &l.Country })},
	{geoFields("ip.src.is_in_european_union"), []string{"country", "is_in_european_union"},
		func(l *nethttp.Location, s section, off int) (ok bool) { l.EU, ok = s.boolean(off); return ok }},
	{geoFields("ip.src.continent"), []string{"continent", "code"}, str(func(l *nethttp.Location) *string { return &l.Continent })},
	{geoFields("ip.src.city"), []string{"city", "names", "en"}, str(func(l *nethttp.Location) *string { return &l.City })},
	{geoFields("ip.src.postal_code"), []string{"postal", "code"}, str(func(l *nethttp.Location) *string { return &l.PostalCode })},
	{geoFields("ip.src.timezone.name"), []string{"location", "time_zone"}, str(func(l *nethttp.Location) *string { return &l.TimeZone })},
	{geoFields("ip.src.asnum"), []string{"autonomous_system_number"}, func(l *nethttp.Location, s section, off int) bool {
		n, ok := s.uint(off)
		l.ASN = int64(n)
		return ok
	}},
}

// str sets the string field of a Location.
func str(field func(l *nethttp.Location) *string) func(l *nethttp.Location, s section, off int) bool {
	return func(l *nethttp.Location, s section, off int) (ok bool) {
		*field(l), ok = s.str(off)
		return ok
	}
}

// byPath are the fields paths give. Even all of them cost less read by
// their paths than the entry whole.
var byPath = func() (set nethttp.GeoFields) {
	for _, p := range paths {
		set |= p.fields
	}
	return set
}()

var errEntry = errors.New("the entry is not as the MaxMind DB format says")

// read reads into loc the values of res's entry that the fields need are
// made of: by their paths if paths give them all, else the whole entry
// (for the subdivisions, coordinates or metro code). It returns the fields
// it read. A value the entry does not have leaves its field empty.
func (d *db) read(res maxminddb.Result, need nethttp.GeoFields, loc *nethttp.Location) (nethttp.GeoFields, error) {
	if need&^byPath != 0 {
		var r record
		if err := res.Decode(&r); err != nil {
			return 0, err
		}
		*loc = r.location()
		return ^nethttp.GeoFields(0), nil
	}
	for _, p := range paths {
		if need&p.fields == 0 {
			continue
		}
		off, found, ok := d.data.find(int(res.Offset()), p.path)
		if found {
			ok = p.set(loc, d.data, off)
		}
		if !ok {
			return 0, errEntry
		}
	}
	return need, nil
}

func (r *record) location() nethttp.Location {
	loc := nethttp.Location{
		Country:    r.Country.ISOCode,
		Continent:  r.Continent.Code,
		ASN:        int64(r.ASN),
		City:       r.City.Names.EN,
		PostalCode: r.Postal.Code,
		TimeZone:   r.Location.TimeZone,
		EU:         r.Country.InEU,
	}
	if r.Location.MetroCode != 0 {
		loc.MetroCode = strconv.FormatUint(uint64(r.Location.MetroCode), 10)
	}
	// 0, 0 is in the sea off Africa: it is the zero of an entry without a
	// location, not a client's.
	if r.Location.Latitude != 0 || r.Location.Longitude != 0 {
		loc.Lat = strconv.FormatFloat(r.Location.Latitude, 'f', -1, 64)
		loc.Lon = strconv.FormatFloat(r.Location.Longitude, 'f', -1, 64)
	}
	if len(r.Subdivisions) > 0 && r.Country.ISOCode != "" {
		s := r.Subdivisions[0]
		loc.Region, loc.RegionCode = s.Names.EN, s.ISOCode
		if s.ISOCode != "" {
			loc.Subdivision1 = r.Country.ISOCode + "-" + s.ISOCode
		}
		if len(r.Subdivisions) > 1 && r.Subdivisions[1].ISOCode != "" {
			loc.Subdivision2 = r.Country.ISOCode + "-" + r.Subdivisions[1].ISOCode
		}
	}
	return loc
}
