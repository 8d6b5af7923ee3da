package cql2

// Type is the type of a queryable, of a literal or of an expression.
type Type int

// Types. Number and Integer compare with each other; Timestamp and Date are
// both instants; Interval is a pair of instants; Boolean is what a predicate
// yields.
const (
	Invalid Type = iota
	String
	Number
	Integer
	Boolean
	Timestamp // JSON Schema "date-time"
	Date
	Interval
	Geometry
	StringArray
)

var typeNames = [...]string{"invalid", "string", "number", "integer", "boolean", "date-time", "date",
	"interval", "geometry", "array of strings"}

func (t Type) String() string {
	if t < 0 || int(t) >= len(typeNames) {
		return "invalid"
	}
	return typeNames[t]
}

func (t Type) numeric() bool  { return t == Number || t == Integer }
func (t Type) temporal() bool { return t == Timestamp || t == Date || t == Interval }
func (t Type) instant() bool  { return t == Timestamp || t == Date }

// Queryables maps each property a filter may name to its type.
type Queryables map[string]Type

// QueryablesURL is where the error messages send a client that names a
// property the filter does not know.
var QueryablesURL = "/collections/incidents/queryables"
