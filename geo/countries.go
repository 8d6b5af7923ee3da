package geo

//go:generate go run ./internal/gencountries

import (
	"strconv"
	"strings"
)

var (
	byNumeric = map[int]string{}
	byName    = map[string]string{}
)

func init() {
	for _, c := range countries {
		n, _ := strconv.Atoi(c.numeric)
		byNumeric[n] = c.alpha2
		for _, name := range c.names {
			byName[strings.ToLower(name)] = c.alpha2
		}
	}
}

// CountryByNumeric returns the alpha-2 code of an ISO 3166-1 numeric code.
func CountryByNumeric(n int) (string, bool) {
	a, ok := byNumeric[n]
	return a, ok
}

// CountryByName returns the alpha-2 code of an English country name
// (case-insensitive; common and official names too).
func CountryByName(name string) (string, bool) {
	a, ok := byName[strings.ToLower(strings.TrimSpace(name))]
	return a, ok
}
