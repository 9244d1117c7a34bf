package nethttp

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	"github.com/edgerules/edgerules/eval"
	"github.com/edgerules/edgerules/fields"
	"github.com/edgerules/edgerules/ruleset"
)

// A Location is where an address is, in the forms of Cloudflare's ip.src.*
// fields. An empty string is a value that is not known, as on Cloudflare.
type Location struct {
	Country      string // ISO 3166-1 alpha-2, upper case: "GB"; "T1" for Tor, "XX" for none
	Continent    string // AF, AN, AS, EU, NA, OC or SA
	ASN          int64  // the autonomous system's number; 0 when not known
	City         string // "Lisbon"
	Region       string // the first-level subdivision's name: "Texas"
	RegionCode   string // its ISO 3166-2 code without the country's: "TX"
	Subdivision1 string // the first-level subdivision's ISO 3166-2 code: "GB-ENG"
	Subdivision2 string // the second-level one's: "GB-SWK"
	PostalCode   string
	MetroCode    string // the Nielsen DMA code, US only: "635"
	Lat, Lon     string // decimal degrees: "37.78044", "-122.39055"
	TimeZone     string // the IANA time zone's name: "America/Chicago"
	EU           bool   // the country is a member of the European Union
}

// A Locator tells where a client's address is: a GeoIP database, say (see
// package geoip). It runs at most once a request, the first time a rule
// reads one of the fields it fills.
type Locator interface {
	// Locate tells where a is. It fills at least the fields of need, the
	// ones the rules read, and may leave the others empty, so that a
	// database reads no more of its entry than the rules need. need may
	// hold fields Fills does not list; those it leaves empty.
	Locate(a netip.Addr, need GeoFields) Location
	// Fills lists the fields, by their ip.src.* names, that Locate fills.
	// The others stay missing, so that a rule on a field no source has
	// never matches by mistake.
	Fills() []string
}

// A geoField is an ip.src.* field: how to read it from a Location, and the
// header Cloudflare's visitor location headers give it in, if any.
type geoField struct {
	name   string
	header string // canonical
	get    func(l *Location) eval.Value
	set    func(l *Location, v string) // from the header
}

func str(get func(l *Location) *string) (func(l *Location) eval.Value, func(l *Location, v string)) {
	return func(l *Location) eval.Value { return eval.String(*get(l)) }, func(l *Location, v string) { *get(l) = v }
}

func strField(name, header string, get func(l *Location) *string) geoField {
	g, s := str(get)
	return geoField{name, header, g, s}
}

// geoFields are the fields a Locator and Cloudflare's headers fill. Their
// ip.geoip.* aliases are the same fields. The country and the region code
// also give, from headers, EU membership and the first subdivision's code.
var geoFields = []geoField{
	strField("ip.src.country", "Cf-Ipcountry", func(l *Location) *string { return &l.Country }),
	strField("ip.src.continent", "Cf-Ipcontinent", func(l *Location) *string { return &l.Continent }),
	strField("ip.src.city", "Cf-Ipcity", func(l *Location) *string { return &l.City }),
	strField("ip.src.region", "Cf-Region", func(l *Location) *string { return &l.Region }),
	strField("ip.src.region_code", "Cf-Region-Code", func(l *Location) *string { return &l.RegionCode }),
	strField("ip.src.postal_code", "Cf-Postal-Code", func(l *Location) *string { return &l.PostalCode }),
	strField("ip.src.metro_code", "Cf-Metro-Code", func(l *Location) *string { return &l.MetroCode }),
	strField("ip.src.lat", "Cf-Iplatitude", func(l *Location) *string { return &l.Lat }),
	strField("ip.src.lon", "Cf-Iplongitude", func(l *Location) *string { return &l.Lon }),
	strField("ip.src.timezone.name", "Cf-Timezone", func(l *Location) *string { return &l.TimeZone }),
	strField("ip.src.subdivision_1_iso_code", "", func(l *Location) *string { return &l.Subdivision1 }),
	strField("ip.src.subdivision_2_iso_code", "", func(l *Location) *string { return &l.Subdivision2 }),
	{name: "ip.src.asnum", get: func(l *Location) eval.Value {
		if l.ASN == 0 {
			return eval.Value{}
		}
		return eval.Int(l.ASN)
	}},
	{name: "ip.src.is_in_european_union", get: func(l *Location) eval.Value { return eval.Bool(l.EU) }},
}

// geoIndex gives a geo field's place in geoFields, a bit in GeoFields.
func geoIndex(name string) int {
	return slices.IndexFunc(geoFields, func(g geoField) bool { return g.name == name })
}

// GeoFields is a set of the ip.src.* fields of a Location: the fields a
// middleware asks a Locator for. Make one with GeoFieldsOf, and join sets
// with |.
type GeoFields uint32

func (s GeoFields) has(i int) bool { return s&(1<<i) != 0 }

// Has reports whether the set holds the field name, by its ip.src.* name.
func (s GeoFields) Has(name string) bool {
	i := geoIndex(name)
	return i >= 0 && s.has(i)
}

// GeoFieldsOf returns the set of the named fields, by their ip.src.*
// names. A name that is not one of the fields a Locator fills is an error.
func GeoFieldsOf(names ...string) (GeoFields, error) {
	var set GeoFields
	for _, name := range names {
		i := geoIndex(name)
		if i < 0 {
			return 0, fmt.Errorf("%s is not one of the ip.src.* fields a Locator fills", name)
		}
		set |= 1 << i
	}
	return set, nil
}

// geoSlots are the slots of geoFields in the standard scheme, in order;
// -1 for a field the scheme lacks, which bind reports.
var geoSlots = func() []int {
	slots := make([]int, len(geoFields))
	for i, g := range geoFields {
		slots[i] = -1
		if f, ok := fields.Cloudflare().Field(g.name); ok {
			slots[i] = f.Index()
		}
	}
	return slots
}()

// geoReads returns the geo fields among fs, fields of the standard scheme.
func geoReads(fs ...fields.Field) GeoFields {
	var set GeoFields
	for _, f := range fs {
		if i := slices.Index(geoSlots, f.Index()); i >= 0 {
			set |= 1 << i
		}
	}
	return set
}

// geoNeeds returns the geo fields the rules of a zone read, in their
// expressions and as the characteristics of their rate limits: the fields
// a request asks the locator for at once.
func geoNeeds(zone *ruleset.ZoneEngine) GeoFields {
	var set GeoFields
	for _, engine := range zone.Engines() {
		for _, r := range engine.Rules() {
			set |= geoReads(engine.Uses(r).Fields()...)
			// The engine compiled the rule: its rate limit reads.
			if rl, err := r.RateLimit(); err == nil && rl != nil {
				for _, c := range rl.Characteristics {
					if f, ok := engine.Scheme().Field(c); ok {
						set |= geoReads(f)
					}
				}
			}
		}
	}
	return set
}

var (
	country      = geoIndex("ip.src.country")
	regionCode   = geoIndex("ip.src.region_code")
	subdivision1 = geoIndex("ip.src.subdivision_1_iso_code")
	inEU         = geoIndex("ip.src.is_in_european_union")
)

// fromHeaders reads the visitor location headers Cloudflare adds
// (CF-IPCountry always, the others with the "Add visitor location headers"
// managed transform), and says which fields they gave.
func fromHeaders(h http.Header, l *Location) GeoFields {
	*l = Location{}
	var has GeoFields
	for i, g := range geoFields {
		if g.header == "" {
			continue
		}
		if v := first(h, g.header); v != "" {
			g.set(l, v)
			has |= 1 << i
		}
	}
	if has.has(country) {
		l.EU = euMember(l.Country)
		has |= 1 << inEU
		if has.has(regionCode) {
			l.Subdivision1 = l.Country + "-" + l.RegionCode
			has |= 1 << subdivision1
		}
	}
	return has
}

// euMembers are the member states of the European Union, by ISO code.
var euMembers = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

func euMember(country string) bool { return slices.Contains(euMembers, country) }

// geoState is what a request knows of its client's location: what trusted
// headers gave, and what the locator said. A slot owns it; the request's
// flags say what is current.
type geoState struct {
	header  Location
	fromHdr GeoFields
	located Location
}

// geoValue reads the geo field i: from a trusted Cloudflare header if one
// gave it, else from the locator if it fills it, else missing. The locator
// is asked for all the geo fields the rules read at once; a field read
// besides those (by a rate limit's counting expression, say) asks it again.
func (q *request) geoValue(i int) eval.Value {
	if !q.geoHdrDone {
		q.geoHdrDone = true
		q.geo.fromHdr = 0
		if q.trustedHop() {
			q.geo.fromHdr = fromHeaders(q.r.Header, &q.geo.header)
		}
	}
	g := &geoFields[i]
	if q.geo.fromHdr.has(i) {
		return g.get(&q.geo.header)
	}
	if !q.cfg.locates.has(i) {
		return eval.Value{}
	}
	if !q.located.has(i) {
		q.located |= q.geoNeeds | 1<<i
		q.geo.located = Location{}
		if a := q.clientIP(); a.IsValid() {
			q.geo.located = q.cfg.locator.Locate(a, q.located)
		}
	}
	return g.get(&q.geo.located)
}
