package cql2_test

import (
	"encoding/json"

	"incidentmap/cql2"
)

// dump shows a tree in a test failure.
func dump(e cql2.Expr) string {
	b, err := json.Marshal(e)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
