// Package tiles builds Mapbox Vector Tiles (MVT 2.1) of incidents and places
// for any tile and any time window.
//
// The design: every published incident's summary lives in memory in an
// immutable, columnar index sorted by the Morton code of its Web Mercator
// position, so the incidents of any tile are one contiguous range found by
// binary search. A tile scans its range once, keeps what passes the filters
// (time window, bbox, event type, country, fatalities), and lays the
// survivors on a 32x32 grid: a cell with few incidents keeps them as single
// features, a busier cell becomes one cluster feature carrying its count,
// fatalities, dominant event type and time span. No incident is dropped,
// no two marks overlap on screen, and no tile grows past a few thousand
// features. The tiles of zooms 0-7, which
// cover millions of incidents at once, take the sums of their grid cells
// from the index's pyramid of cell sums (pyramid.go) instead of a scan
// when the filter is a time window alone, for each cell whose incidents
// the window holds all or none of; the result is the scan's to the byte.
// Filters the index cannot answer (text search, actor, admin1, status, a
// past state by as_of) go to PostGIS, a few tiles at a time (dbpool.go),
// which sums the tile's cells in SQL; they are laid out the same way.
//
// Built tiles are kept gzipped in a bounded LRU cache. PostgreSQL NOTIFY
// tells every instance about writes; each applies the changed incidents to
// a new index and invalidates exactly the cached tiles that contained the
// old or the new position of a changed incident, or held it in the margin
// by which they space their marks (spacing.go), at every zoom.
package tiles
