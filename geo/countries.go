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
	for _, line := range countries {
		fields := strings.Split(line, "|")
		alpha2, numeric, names := fields[0], fields[1], fields[2:]
		n, _ := strconv.Atoi(numeric)
		byNumeric[n] = alpha2
		for _, name := range names {
			byName[strings.ToLower(name)] = alpha2
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
