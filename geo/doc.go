// Package geo is the domain of incidentmap: incidents with their claims and
// sources, places with their control periods, and the filters that select
// them (time interval, bounding box, attributes).
//
// It imports no transport or storage package. Other packages report failures
// with *Error so that the server maps each code to one HTTP status.
package geo
