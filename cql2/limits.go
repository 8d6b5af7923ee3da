package cql2

// Limits on one filter. Each refusal is an EInvalid error that names the
// limit.
const (
	MaxLength   = 8 << 10 // bytes of filter text
	MaxDepth    = 32      // levels of nesting of the expression tree
	MaxVertices = 10000   // coordinates over every geometry of a filter
	MaxInItems  = 1000    // values in one IN list
	MaxArith    = 64      // arithmetic operators: bounds the size of a computed number
)

// recursionLimit guards the parsers' recursion against deeply nested input
// before any tree exists; the tree itself is then held to MaxDepth, the same
// in both languages (text spends about two levels of recursion on each
// level of the tree).
const recursionLimit = 4 * MaxDepth
