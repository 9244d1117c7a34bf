package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/edgerules/edgerules/expr"
	"github.com/edgerules/edgerules/fields"
)

// schemeFile is the JSON form of a custom scheme:
//
//	{"fields": {"user.age": "Int", "user.roles": "Array<String>"},
//	 "aliases": {"age": "user.age"}, "lists": {"staff": "ip"}}
type schemeFile struct {
	Fields  map[string]string `json:"fields"`
	Aliases map[string]string `json:"aliases"`
	Lists   map[string]string `json:"lists"`
}

// schemeFlag adds --scheme, a custom scheme's file, to fl.
func schemeFlag(fl *flag.FlagSet) *string {
	return fl.String("scheme", "", "a JSON file of fields to use instead of Cloudflare's")
}

// loadScheme returns the scheme the flags ask for, Cloudflare's by default,
// and the options to compile with. With a lists file, rules may name only
// the lists it declares.
func loadScheme(schemePath, listsPath string) (*fields.Scheme, []expr.Option, error) {
	opts := []expr.Option{expr.MaxLength(maxLength)}
	if schemePath == "" && listsPath == "" {
		return fields.Cloudflare(), opts, nil
	}
	def := fields.CloudflareDefinition()
	if schemePath != "" {
		var sf schemeFile
		if err := readJSON(schemePath, &sf); err != nil {
			return nil, nil, err
		}
		if len(sf.Fields) == 0 {
			return nil, nil, fmt.Errorf("%s: the scheme has no \"fields\"", schemePath)
		}
		def = fields.Definition{Fields: map[string]fields.Type{}, Aliases: sf.Aliases, Lists: map[string]fields.ListKind{}}
		for _, name := range slices.Sorted(maps.Keys(sf.Fields)) {
			t, err := fields.ParseType(sf.Fields[name])
			if err != nil {
				return nil, nil, fmt.Errorf("%s: field %s: %v", schemePath, name, err)
			}
			def.Fields[name] = t
		}
		if err := addLists(def.Lists, sf.Lists, schemePath); err != nil {
			return nil, nil, err
		}
	}
	if listsPath != "" {
		var lists map[string]string
		if err := readJSON(listsPath, &lists); err != nil {
			return nil, nil, err
		}
		if def.Lists == nil {
			def.Lists = map[string]fields.ListKind{}
		}
		if err := addLists(def.Lists, lists, listsPath); err != nil {
			return nil, nil, err
		}
		opts = append(opts, expr.DeclaredListsOnly())
	}
	s, err := fields.NewScheme(def)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", schemePath, err)
	}
	return s, opts, nil
}

func addLists(into map[string]fields.ListKind, lists map[string]string, path string) error {
	for name, kind := range lists {
		k, err := fields.ParseListKind(kind)
		if err != nil {
			return fmt.Errorf("%s: list %s: %v", path, name, err)
		}
		into[name] = k
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
