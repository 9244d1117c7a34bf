// Package terraform reads the Cloudflare rules that Terraform files hold as
// rulesets, so that they are checked, linted, formatted and tested as JSON
// and YAML rulesets are:
//
//	files, err := terraform.Load("main.tf")                  // each ruleset of the file
//	file, err := terraform.LoadOne("main.tf#cloudflare_ruleset.waf")
//
// A file is read with the other files of its folder (its module), for the
// values of locals and variables, and with the .tfvars files Terraform
// loads by itself (terraform.tfvars, *.auto.tfvars) or is given
// (-var-file). What is read:
//
//   - cloudflare_ruleset, in the provider's v4 form (rules { } blocks,
//     dynamic ones included) and its v5 form (rules = [ { } ], lists built
//     with for, concat, flatten and merge), with count and for_each;
//   - the legacy cloudflare_filter, and cloudflare_firewall_rule with the
//     expression of its filter;
//   - each local, variable default, module argument, .tfvars value and
//     Terragrunt input that holds objects with an "expression", as a list
//     of rules without a phase.
//
// Strings decode as Terraform decodes them, and every byte of an
// expression keeps its place in the file, through escapes, heredocs and
// references; an expression built with interpolation or functions is
// evaluated where it depends only on what the files say, and what depends
// on more (a variable without a value, a resource's attribute) is a
// ruleset.Note. ruleset.EditAll rewrites the expressions written as
// literals, keeping every other byte.
//
// This package keeps HCL and go-cty out of programs that read only JSON and
// YAML rulesets.
package terraform

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/edgerules/edgerules/internal/doc"
	"github.com/edgerules/edgerules/internal/tfdoc"
	"github.com/edgerules/edgerules/ruleset"
)

// Parse reads the rulesets of the Terraform file at path, whose text is
// data, with the other files of its folder; varFiles are .tfvars files
// whose values win over the folder's, as Terraform's -var-file.
//
// A file that is not HCL (or JSON, for .tf.json) is a *ruleset.SyntaxError;
// problems of the rulesets' shape are a ruleset.ErrorList, returned with
// the rulesets that could be read.
func Parse(path string, data []byte, varFiles ...string) ([]*ruleset.File, error) {
	text := string(data)
	d, sets, err := tfdoc.Read(path, text, varFiles)
	if err != nil {
		var syntax *doc.SyntaxError
		if errors.As(err, &syntax) {
			return nil, ruleset.ErrorAt(text, syntax.Offset, syntax.Msg)
		}
		return nil, err
	}
	trees := make([]ruleset.Tree, len(sets))
	for i, s := range sets {
		trees[i] = ruleset.Tree{Address: s.Address, Node: s.Node, Shape: shapes[s.Type]}
		if s.Objects {
			trees[i].Shape = ruleset.ObjectsShape
		}
	}
	return ruleset.Build(d, ruleset.Terraform, trees)
}

// shapes are the shapes of the rules of each resource type.
var shapes = map[string]ruleset.Shape{
	"cloudflare_ruleset":       ruleset.RulesetsShape,
	"cloudflare_filter":        ruleset.FiltersShape,
	"cloudflare_firewall_rule": ruleset.FirewallRulesShape,
}

// Load reads the rulesets of a Terraform file, or with PATH#ADDRESS the one
// ruleset of that address, such as main.tf#cloudflare_ruleset.waf.
func Load(path string, varFiles ...string) ([]*ruleset.File, error) {
	path, address, _ := strings.Cut(path, "#")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files, err := Parse(path, data, varFiles...)
	if address == "" || files == nil {
		return files, err
	}
	for _, f := range files {
		if f.Address == address {
			return []*ruleset.File{f}, err
		}
	}
	return nil, fmt.Errorf("%s has no ruleset %s", path, address)
}

// LoadOne reads the one ruleset of a Terraform file, which must hold
// exactly one, or the ruleset PATH#ADDRESS names.
func LoadOne(path string, varFiles ...string) (*ruleset.File, error) {
	files, err := Load(path, varFiles...)
	switch {
	case len(files) == 1:
		return files[0], err
	case err != nil:
		return nil, err
	case len(files) == 0:
		return nil, fmt.Errorf("%s holds no Cloudflare ruleset", path)
	}
	addrs := make([]string, len(files))
	for i, f := range files {
		addrs[i] = f.Address
	}
	return nil, fmt.Errorf("%s holds %d rulesets (%s); name one with %s#ADDRESS", path, len(files), strings.Join(addrs, ", "), path)
}

// LoadAny reads one ruleset file of any format: JSON and YAML with
// ruleset.Load, a Terraform file with LoadOne (PATH#ADDRESS too, and
// varFiles), for programs that take every kind of rule file.
func LoadAny(path string, varFiles ...string) (*ruleset.File, error) {
	file, _, _ := strings.Cut(path, "#")
	if ruleset.IsTerraform(file) {
		return LoadOne(path, varFiles...)
	}
	return ruleset.Load(path)
}
