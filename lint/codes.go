package lint

import "slices"

// codes are the codes of every finding, in the order the README lists them.
var codes = []string{
	DeprecatedField, NoVerifiedBotExempt, ScoreRange, LeadingZero, Tab, RegexIsString, RewriteFunction,
	Shadowed, CaseMismatch, ValueCase, HeaderNameCase, HostValue, URIDelimiter, PathSlash, Contradiction,
	Tautology, Repeated, EmptySet, DuplicateSetValue, StarNotWildcard, RegexDoubleEscape,
	TooLong, ResponseField, ListName, RewriteField, RateLimitCounting, RateLimitLists, TransformPhase,
}

// Codes returns the code of every finding the linter makes, for a command
// that lets its user turn them off or make them errors.
func Codes() []string { return slices.Clone(codes) }

// IsCode reports whether code is the code of a finding of the linter.
func IsCode(code string) bool { return slices.Contains(codes, code) }

// offByDefault are the codes of lints a user turns on (edgerules lint
// --enable): those that flag what is harmless, such as a set value written
// twice, which a generated list often has.
var offByDefault = []string{DuplicateSetValue}

// OffByDefault reports whether the lint of code runs only when asked for.
func OffByDefault(code string) bool { return slices.Contains(offByDefault, code) }
