package main

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func collection(t *testing.T, src string) *geojson.FeatureCollection {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// source is a tiny Natural Earth: the Niger across the region's west edge,
// Lake Débo misspelled, a river far away, and the fixed towns of nameFixes.
func source(t *testing.T) (rivers, lakes, towns *geojson.FeatureCollection) {
	rivers = collection(t, `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"name":"Niger","featurecla":"River","scalerank":3,"min_zoom":3,"strokeweig":1},
	 "geometry":{"type":"LineString","coordinates":[[-25,14],[-4.123456789,14.5],[-4.12345,14.5],[0,16]]}},
	{"type":"Feature","properties":{"name":"Mississippi","featurecla":"River","scalerank":1,"min_zoom":2},
	 "geometry":{"type":"LineString","coordinates":[[-90,30],[-91,35]]}},
	{"type":"Feature","properties":{"name":null,"featurecla":"River","scalerank":12,"min_zoom":11},
	 "geometry":{"type":"LineString","coordinates":[[-4,14],[-3,15]]}}]}`)
	lakes = collection(t, `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"name":"Lake Dbo","featurecla":"Lake","scalerank":7,"min_zoom":5.7,"note":null},
	 "geometry":{"type":"Polygon","coordinates":[[[-4.3,15.2],[-4,15.2],[-4,15.5],[-4.3,15.5],[-4.3,15.2]]]}}]}`)
	var b strings.Builder
	for from := range nameFixes {
		if from != "Lake Dbo" {
			b.WriteString(`,{"type":"Feature","properties":{"name":"` + from + `","featurecla":"Admin-1 capital","rank_max":9,"min_zoom":6.7},"geometry":{"type":"Point","coordinates":[1,10]}}`)
		}
	}
	towns = collection(t, `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"name":"Mopti","featurecla":"Admin-1 capital","rank_max":9,"min_zoom":6,"pop_max":108456},
	 "geometry":{"type":"Point","coordinates":[-4.18003971497302,14.48997987767848]}}`+b.String()+`]}`)
	return rivers, lakes, towns
}

func TestCutKeepsTheRegionNamedRight(t *testing.T) {
	rivers, lakes, towns := source(t)
	fc, err := cut(rivers, lakes, towns)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		byName[f.Properties.MustString("name", "")] = f
	}
	niger := byName["Niger"]
	if niger == nil {
		t.Fatal("no Niger")
	}
	if want := (orb.LineString{{-20, 14.1198}, {-4.1235, 14.5}, {0, 16}}); !orb.Equal(niger.Geometry, want) {
		t.Errorf("Niger clipped and rounded to %v, want %v", niger.Geometry, want)
	}
	if got := niger.Properties; len(got) != 4 || got["layer"] != "rivers" || got["rank"] != 3.0 || got["minzoom"] != 3.0 {
		t.Errorf("Niger's properties %v", got)
	}
	if byName["Mississippi"] != nil || byName[""] != nil {
		t.Error("kept a river outside the region, or one that waits past zoom 10")
	}
	if d := byName["Lake Débo"]; d == nil || d.Properties["layer"] != "lakes" {
		t.Error("Lake Dbo is not renamed Lake Débo")
	}
	mopti := byName["Mopti"]
	if mopti == nil || mopti.Properties["kind"] != "admin1" || mopti.Properties["rank"] != 9.0 || mopti.Properties["pop_max"] != nil {
		t.Fatalf("Mopti: %v", mopti)
	}
	if !orb.Equal(mopti.Geometry, orb.Point{-4.18, 14.49}) {
		t.Errorf("Mopti at %v", mopti.Geometry)
	}
	for from, to := range nameFixes {
		if byName[from] != nil || byName[to] == nil {
			t.Errorf("%q is not renamed %q", from, to)
		}
	}
}

func TestCutFailsOnAStaleFix(t *testing.T) {
	rivers, _, towns := source(t)
	_, err := cut(rivers, geojson.NewFeatureCollection(), towns)
	if err == nil || !strings.Contains(err.Error(), "Lake Dbo") {
		t.Errorf("a fix that matches nothing: %v", err)
	}
}

func TestEncodeIsReproducible(t *testing.T) {
	rivers, lakes, towns := source(t)
	fc, err := cut(rivers, lakes, towns)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := encode(fc)
	b, _ := encode(fc)
	if string(a) != string(b) {
		t.Error("the same features encode to different bytes")
	}
}
