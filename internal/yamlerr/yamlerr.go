// Package yamlerr reads the line out of an error of go.yaml.in/yaml/v3,
// which gives it only in its text.
package yamlerr

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var linePrefix = regexp.MustCompile(`^line (\d+): `)

// Split returns the line a YAML error names (0 when it names none) and its
// message without the "yaml: " and "line N: " prefixes. Of a type error it
// gives the first problem.
func Split(err error) (line int, msg string) {
	var typ *yaml.TypeError
	if errors.As(err, &typ) && len(typ.Errors) > 0 {
		msg = typ.Errors[0]
	} else {
		msg = strings.TrimPrefix(err.Error(), "yaml: ")
	}
	if m := linePrefix.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return line, msg
}
