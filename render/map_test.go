package render

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"incidentmap/geo"
)

// -out writes the test maps as PNG files into a folder, to look at them.
var out = flag.String("out", "", "write the test maps into this folder")

func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	raw, err := os.ReadFile("testdata/sahel-basemap.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	base, err := NewBasemap(fc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func ptr[T any](v T) *T { return &v }

// window is [from, to] in whole days.
func window(from, to string) geo.Interval {
	return geo.Interval{Start: day(from), End: ptr(day(to).AddDate(0, 0, 1))}
}

var (
	mouraBBox  = geo.BBox{MinLon: -6.2, MinLat: 13.4, MaxLon: -3.0, MaxLat: 15.3}
	seedPlaces = []geo.Place{
		{ID: "moura", Name: "Moura", Kind: "village", Point: orb.Point{-4.5997, 14.3261}},
		{ID: "sevare", Name: "Sévaré", Kind: "town", Point: orb.Point{-4.0947, 14.5246},
			Control: []geo.ControlPeriod{{Holder: "Mali"}}},
		{ID: "mopti", Name: "Mopti", Kind: "city", Point: orb.Point{-4.183, 14.4843}},
		{ID: "djenne", Name: "Djenné", Kind: "town", Point: orb.Point{-4.5533, 13.9061}},
		{ID: "kouakourou", Name: "Kouakourou", Kind: "village", Point: orb.Point{-4.491, 14.221}},
		{ID: "niono", Name: "Niono", Kind: "town", Point: orb.Point{-5.9868, 14.2505}},
		{ID: "gossi", Name: "Gossi", Kind: "military_base", Point: orb.Point{-1.3071, 15.8165},
			Control: []geo.ControlPeriod{{Holder: "France", To: &geo.Date{Time: *day("2022-04-19")}},
				{Holder: "Mali", From: &geo.Date{Time: *day("2022-04-19")}}}},
	}
)

func summary(id, event, precision string, p orb.Point, best int) geo.Summary {
	return geo.Summary{ID: id, Title: id, Location: id, Geometry: p, EventType: event, GeoPrecision: precision,
		StartsAt: *day("2022-03-27"), EndsAt: *day("2022-03-31"), Country: "ML", FatalitiesBest: &best}
}

// mouraMap draws the map of 27-31 March 2022 around Moura.
func mouraMap(t testing.TB, r *Renderer, req Request, incidents ...geo.Summary) []byte {
	t.Helper()
	b, err := drawMoura(r, req, incidents...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func drawMoura(r *Renderer, req Request, incidents ...geo.Summary) ([]byte, error) {
	m, err := r.NewMap(req)
	if err != nil {
		return nil, err
	}
	for _, s := range incidents {
		m.AddIncident(s)
	}
	for _, p := range seedPlaces {
		m.AddPlace(p)
	}
	m.SetPublishers([]string{"Human Rights Watch", "OHCHR", "The Africa Report", "Reuters", "AFP", "RFI"}, 14)
	return m.PNG()
}

var mouraIncidents = []geo.Summary{
	summary("moura-2022-03", "violence_against_civilians", "exact", orb.Point{-4.5997, 14.3261}, 500),
	summary("sevare", "battles", "near", orb.Point{-4.0947, 14.5246}, 17),
	summary("soum", "battles", "admin2", orb.Point{-3.4, 14.1}, 15),
	summary("niono", "explosions_remote_violence", "exact", orb.Point{-5.9868, 14.2505}, 3),
}

func mouraRequest() Request {
	return Request{Width: DefaultWidth, Height: DefaultHeight, BBox: &mouraBBox,
		Filter: geo.Filter{Time: window("2022-03-27", "2022-03-31")}, Lang: "en", Now: *day("2024-01-01")}
}

func save(t testing.TB, name string, b []byte) {
	if *out == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func colours(img image.Image) map[color.RGBA]int {
	out := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			out[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
		}
	}
	return out
}

func TestMouraMap(t *testing.T) {
	r := testRenderer(t)
	req := mouraRequest()
	b := mouraMap(t, r, req, mouraIncidents...)
	save(t, "moura.png", b)
	img := decode(t, b)
	if got := img.Bounds().Size(); got != image.Pt(1200, 630) {
		t.Fatalf("size %v", got)
	}
	cs := colours(img)
	if len(cs) < 20 {
		t.Errorf("only %d colours: a blank image?", len(cs))
	}
	land := paletteOf("light").land
	if cs[color.RGBA{land.R, land.G, land.B, 255}] < 1000 {
		t.Errorf("hardly any land colour: %d samples", cs[color.RGBA{land.R, land.G, land.B, 255}])
	}
	victims := paletteOf("light").event("violence_against_civilians")
	if cs[color.RGBA{victims.R, victims.G, victims.B, 255}] == 0 {
		t.Errorf("no dot in the colour of violence against civilians")
	}
	t.Run("the same request and data give the same bytes", func(t *testing.T) {
		shuffled := []geo.Summary{mouraIncidents[3], mouraIncidents[1], mouraIncidents[0], mouraIncidents[2]}
		if again := mouraMap(t, r, req, shuffled...); !bytes.Equal(again, b) {
			t.Error("a second drawing differs")
		}
	})
	t.Run("another window gives another image", func(t *testing.T) {
		may := req
		may.Filter.Time = window("2022-05-01", "2022-05-31")
		if other := mouraMap(t, r, may); bytes.Equal(other, b) {
			t.Error("May looks like March")
		}
	})
}

func TestMapVariants(t *testing.T) {
	r := testRenderer(t)
	for _, tc := range []struct {
		name string
		edit func(*Request)
	}{
		{"dark in French", func(q *Request) { q.Theme, q.Lang = "dark", "fr" }},
		{"centre and zoom", func(q *Request) { q.BBox, q.Center, q.Zoom = nil, &orb.Point{-4.6, 14.33}, 9 }},
		{"small", func(q *Request) { q.Width, q.Height = 400, 300 }},
		{"large", func(q *Request) { q.Width, q.Height = 2400, 1600 }},
		{"title and filters", func(q *Request) {
			q.Title = "Moura:\u202e a massacre\n\tin central Mali"
			q.Filter.Actors, q.Filter.MinFatalities = []string{"Wagner"}, ptr(10)
		}},
		{"the whole world", func(q *Request) { q.BBox = &geo.BBox{MinLon: -180, MinLat: -80, MaxLon: 180, MaxLat: 80} }},
		{"across the antimeridian", func(q *Request) { q.BBox = &geo.BBox{MinLon: 170, MinLat: -20, MaxLon: -170, MaxLat: 0} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mouraRequest()
			tc.edit(&req)
			b := mouraMap(t, r, req, mouraIncidents...)
			save(t, fmt.Sprintf("variant-%s.png", tc.name), b)
			img := decode(t, b)
			if got := img.Bounds().Size(); got != image.Pt(req.Width, req.Height) {
				t.Errorf("size %v", got)
			}
		})
	}
}

// Many incidents become clusters with counts: none is dropped.
func TestClusters(t *testing.T) {
	r := testRenderer(t)
	var many []geo.Summary
	for i := range 5000 {
		p := orb.Point{-6 + float64(i%100)*0.03, 13.5 + float64(i/100)*0.035}
		many = append(many, summary(fmt.Sprintf("s%d", i), eventOrder[i%4], "exact", p, i%40))
	}
	m, err := r.NewMap(mouraRequest())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range many {
		m.AddIncident(s)
	}
	singles, clusters := m.marks.layout()
	n := len(singles)
	for _, c := range clusters {
		n += c.n
	}
	if n != m.marks.n || m.marks.n != len(many) {
		t.Errorf("drawn or counted %d of %d incidents (%d in view)", n, len(many), m.marks.n)
	}
	if len(clusters) == 0 {
		t.Error("no cluster")
	}
	b, err := m.PNG()
	if err != nil {
		t.Fatal(err)
	}
	save(t, "clusters.png", b)
}

func TestCheckSize(t *testing.T) {
	for _, tc := range []struct{ w, h int }{{100000, 630}, {1200, 100000}, {100, 630}, {1200, 10}, {2400, 2400}} {
		if err := CheckSize(tc.w, tc.h); !errors.Is(err, ErrSize) {
			t.Errorf("%dx%d: %v", tc.w, tc.h, err)
		}
	}
	if err := CheckSize(1200, 630); err != nil {
		t.Error(err)
	}
}

func TestCaption(t *testing.T) {
	march := geo.Filter{Time: window("2022-03-27", "2022-03-31")}
	for _, tc := range []struct {
		lang, place string
		f           geo.Filter
		want        string
	}{
		{"en", "Moura", march, "Incidents near Moura, 27-31 March 2022"},
		{"fr", "Moura", march, "Incidents près de Moura, 27-31 mars 2022"},
		{"fr", "Gao", geo.Filter{Time: window("2022-03-01", "2022-04-03"), EventTypes: []string{"battles"}},
			"Combats près de Gao, 1er mars - 3 avril 2022"},
		{"en", "", geo.Filter{Time: window("2021-12-30", "2022-01-02")}, "Incidents, 30 December 2021 - 2 January 2022"},
		{"en", "Gao", geo.Filter{Time: geo.Interval{Start: day("2022-03-01")}}, "Incidents near Gao, since 1 March 2022"},
		{"fr", "Gao", geo.Filter{Time: geo.Interval{End: day("2022-05-01")}}, "Incidents près de Gao, jusqu’au 30 avril 2022"},
		{"en", "Gao", geo.Filter{Time: window("2022-03-27", "2022-03-27")}, "Incidents near Gao, 27 March 2022"},
		{"en", "Gao", geo.Filter{}, "Incidents near Gao, all dates"},
		{"fr", "", geo.Filter{}, "Incidents, toutes dates"},
	} {
		if got := Caption(tc.lang, tc.place, tc.f); got != tc.want {
			t.Errorf("Caption(%s, %s) = %q, want %q", tc.lang, tc.place, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Moura\u202e\u200b":   "Moura",
		"a\n\tb  c":           "a b c",
		"\x00\x1bx":           "x",
		"Ségou":               "Ségou",
		"0123456789abcdefghi": "012345678…",
	} {
		if got := clean(in, 10); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkMapPNG draws and encodes the 1200x630 map of Moura (issue 5's
// target: at most 200 ms).
func BenchmarkMapPNG(b *testing.B) {
	r := testRenderer(b)
	req := mouraRequest()
	mouraMap(b, r, req, mouraIncidents...) // simplify the basemap for this zoom once
	b.ReportAllocs()
	for b.Loop() {
		mouraMap(b, r, req, mouraIncidents...)
	}
}

// One renderer draws several maps at once (run with -race).
func TestConcurrentMaps(t *testing.T) {
	r := testRenderer(t)
	want := mouraMap(t, r, mouraRequest(), mouraIncidents...)
	done := make(chan []byte)
	for range 4 {
		go func() {
			b, err := drawMoura(r, mouraRequest(), mouraIncidents...)
			if err != nil {
				t.Error(err)
			}
			done <- b
		}()
	}
	for range 4 {
		if got := <-done; !bytes.Equal(got, want) {
			t.Error("a concurrent drawing differs")
		}
	}
}
