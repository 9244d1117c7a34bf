// Package mmdbtest writes small MaxMind DB files for tests, in the schemas
// of MaxMind's City and ASN databases, over documentation address ranges.
package mmdbtest

import (
	"fmt"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// The networks of the test databases, all reserved for documentation.
const (
	London = "192.0.2.0/24"    // GB, Europe, England, not in the EU; AS64496
	Berlin = "198.51.100.0/24" // DE, Europe, Berlin, in the EU; AS64497
	Austin = "203.0.113.0/24"  // US, North America, Texas, with every field; AS64511
	Tokyo  = "2001:db8::/32"   // JP, Asia, country only; no ASN
)

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en), "de": mmdbtype.String(en + "-de")}
}

func country(iso, continent string, eu bool) mmdbtype.Map {
	m := mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String(continent), "geoname_id": mmdbtype.Uint32(1)},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String(iso), "names": names(iso)},
	}
	if eu {
		m["country"].(mmdbtype.Map)["is_in_european_union"] = mmdbtype.Bool(true)
	}
	return m
}

func with(m mmdbtype.Map, extra mmdbtype.Map) mmdbtype.Map {
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// cityEntries are the City database's entries, in GeoIP2-City's schema.
var cityEntries = map[string]mmdbtype.Map{
	London: with(country("GB", "EU", false), mmdbtype.Map{
		"city":         mmdbtype.Map{"names": names("London")},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("ENG"), "names": names("England")}},
	}),
	Berlin: with(country("DE", "EU", true), mmdbtype.Map{
		"city":         mmdbtype.Map{"names": names("Berlin")},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("BE"), "names": names("Land Berlin")}},
	}),
	Austin: with(country("US", "NA", false), mmdbtype.Map{
		"city": mmdbtype.Map{"names": names("Austin")},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(30.2672), "longitude": mmdbtype.Float64(-97.7431),
			"metro_code": mmdbtype.Uint16(635), "time_zone": mmdbtype.String("America/Chicago"), "accuracy_radius": mmdbtype.Uint16(20)},
		"postal": mmdbtype.Map{"code": mmdbtype.String("78701")},
		"subdivisions": mmdbtype.Slice{
			mmdbtype.Map{"iso_code": mmdbtype.String("TX"), "names": names("Texas")},
			mmdbtype.Map{"iso_code": mmdbtype.String("TRV"), "names": names("Travis")},
		},
	}),
	Tokyo: country("JP", "AS", false),
}

// asnEntries are the ASN database's, in GeoLite2-ASN's schema.
var asnEntries = map[string]mmdbtype.Map{
	London: asn(64496, "Example London"),
	Berlin: asn(64497, "Example Berlin"),
	Austin: asn(64511, "Example Austin"),
}

func asn(n uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n), "autonomous_system_organization": mmdbtype.String(org)}
}

// City writes a City database of type dbType (GeoLite2-City, say) to path.
func City(path, dbType string) error { return Write(path, dbType, cityEntries) }

// ASN writes an ASN database of type GeoLite2-ASN to path.
func ASN(path string) error { return Write(path, "GeoLite2-ASN", asnEntries) }

// Write writes a database of type dbType with entries, by network, to path.
func Write(path, dbType string, entries map[string]mmdbtype.Map) error {
	// The documentation ranges are reserved networks, which the writer
	// leaves out unless told otherwise.
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: dbType, Description: map[string]string{"en": "edgerules test data"}, IncludeReservedNetworks: true, RecordSize: 28,
	})
	if err != nil {
		return err
	}
	for cidr, m := range entries {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			return err
		}
		if err := tree.Insert(network, m); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Many writes a City database of n networks, 10.x.y.0/24 for x.y from 0.0
// on, each with an entry of its own: lookups that seldom share an entry.
func Many(path string, n int) error {
	entries := make(map[string]mmdbtype.Map, n)
	for i := range n {
		city := fmt.Sprintf("City %d", i)
		entries[fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)] = with(country("DE", "EU", true), mmdbtype.Map{
			"city":     mmdbtype.Map{"names": names(city)},
			"location": mmdbtype.Map{"latitude": mmdbtype.Float64(float64(i) / 1000), "longitude": mmdbtype.Float64(13.4), "time_zone": mmdbtype.String("Europe/Berlin")},
			"postal":   mmdbtype.Map{"code": mmdbtype.String(fmt.Sprint(10000 + i))},
		})
	}
	return Write(path, "GeoLite2-City", entries)
}
