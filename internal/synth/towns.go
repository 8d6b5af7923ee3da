package synth

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Town is a town incidents cluster on. Place is its id in
// sql/seed/places.geojson (with the same point), or "" for towns the
// gazetteer lacks.
type Town struct {
	Place, Name, Country, Admin1, Admin2 string
	Lon, Lat                             float64
	Weight                               float64 // relative share of the incidents
	SigmaKm                              float64 // spread of the Gaussian jitter
	Heavy                                bool    // Student-t jitter: a heavier tail
	Capital                              bool    // protests and riots dominate
}

// towns are the towns of the synthetic incidents, in the order the
// generator draws them from: changing them changes the data of every seed.
var towns = []Town{
	{"moura", "Moura", "ML", "Mopti", "Djenné", -4.5997, 14.3261, 3, 15, false, false},
	{"hombori", "Hombori", "ML", "Mopti", "Douentza", -1.7001, 15.2767, 3, 25, true, false},
	{"gossi", "Gossi", "ML", "Tombouctou", "Gourma-Rharous", -1.3071, 15.8165, 2, 25, true, false},
	{"sevare", "Sévaré", "ML", "Mopti", "Mopti", -4.0947, 14.5246, 3, 8, false, false},
	{"mopti", "Mopti", "ML", "Mopti", "Mopti", -4.183, 14.4843, 4, 10, false, false},
	{"djenne", "Djenné", "ML", "Mopti", "Djenné", -4.5533, 13.9061, 3, 15, false, false},
	{"douentza", "Douentza", "ML", "Mopti", "Douentza", -2.9517, 15.0061, 4, 25, true, false},
	{"boni", "Boni", "ML", "Mopti", "Douentza", -2.2226, 15.0713, 2, 20, false, false},
	{"mondoro", "Mondoro", "ML", "Mopti", "Douentza", -1.9481, 14.6741, 3, 20, false, false},
	{"niono", "Niono", "ML", "Ségou", "Niono", -5.9868, 14.2505, 4, 25, true, false},
	{"bapho", "Bapho", "ML", "Ségou", "Ségou", -6.1293, 13.5511, 1, 10, false, false},
	{"menaka", "Ménaka", "ML", "Ménaka", "Ménaka", 2.3961, 15.9199, 5, 40, true, false},
	{"gao", "Gao", "ML", "Gao", "Gao", -0.0447, 16.2717, 4, 30, true, false},
	{"timbuktu", "Timbuktu", "ML", "Tombouctou", "Tombouctou", -3.0074, 16.7735, 3, 30, true, false},
	{"tessalit", "Tessalit", "ML", "Kidal", "Tessalit", 1.0119, 20.2013, 1, 30, true, false},
	{"kidal", "Kidal", "ML", "Kidal", "Kidal", 1.4092, 18.4435, 2, 40, true, false},
	{"bamako", "Bamako", "ML", "Bamako", "Bamako", -7.9752, 12.6092, 3, 6, false, true},
	{"djibo", "Djibo", "BF", "Sahel", "Soum", -1.6267, 14.0986, 6, 25, true, false},
	{"kouakourou", "Kouakourou", "ML", "Mopti", "Djenné", -4.491, 14.221, 1, 10, false, false},
	{"diallassagou", "Diallassagou", "ML", "Mopti", "Bankass", -3.6248, 13.7374, 3, 20, false, false},
	{"tessit", "Tessit", "ML", "Gao", "Ansongo", -0.3, 15.2167, 2, 30, true, false},
	{"kati", "Kati", "ML", "Koulikoro", "Kati", -8.08, 12.7504, 1, 10, false, false},
	{"segou", "Ségou", "ML", "Ségou", "Ségou", -6.2595, 13.4403, 2, 20, false, false},
	{"", "Ouagadougou", "BF", "Centre", "Kadiogo", -1.5197, 12.3714, 3, 6, false, true},
	{"", "Niamey", "NE", "Niamey", "Niamey", 2.1098, 13.5116, 3, 6, false, true},
	{"", "Tillabéri", "NE", "Tillabéri", "Tillabéri", 1.453, 14.2117, 5, 40, true, false},
	{"", "Dori", "BF", "Sahel", "Séno", -0.0345, 14.0354, 4, 30, true, false},
	{"", "Arbinda", "BF", "Sahel", "Soum", -0.8667, 14.2333, 4, 20, false, false},
	{"", "Kaya", "BF", "Centre-Nord", "Sanmatenga", -1.0844, 13.0917, 4, 30, true, false},
	{"", "Barsalogho", "BF", "Centre-Nord", "Sanmatenga", -1.0667, 13.4167, 3, 15, false, false},
	{"", "Ouahigouya", "BF", "Nord", "Yatenga", -2.4211, 13.5828, 3, 30, false, false},
	{"", "Fada N'Gourma", "BF", "Est", "Gourma", 0.3587, 12.0616, 4, 40, true, false},
	{"", "Ansongo", "ML", "Gao", "Ansongo", 0.5014, 15.6597, 2, 25, false, false},
	{"", "Téra", "NE", "Tillabéri", "Téra", 0.7531, 14.0078, 3, 25, false, false},
	{"", "Ayorou", "NE", "Tillabéri", "Ayorou", 0.9167, 14.7333, 2, 25, false, false},
	{"", "Ténenkou", "ML", "Mopti", "Ténenkou", -4.9167, 14.4667, 2, 20, false, false},
	{"", "Banibangou", "NE", "Tillabéri", "Banibangou", 2.04, 15.04, 1, 30, true, false},
}

// Towns returns a copy of the towns.
func Towns() []Town { return slices.Clone(towns) }

func (t Town) weight() float64 { return t.Weight }

func (t *Town) pt() orb.Point { return orb.Point{t.Lon, t.Lat} }

// km is the distance from the town to p, flat-earth: fine at these ranges.
func (t *Town) km(p orb.Point) float64 {
	dx := (p[0] - t.Lon) * 111.32 * math.Cos(t.Lat*math.Pi/180)
	dy := (p[1] - t.Lat) * 111.32
	return math.Hypot(dx, dy)
}

// nearestTown returns the town closest to p: its country and admin areas
// label the incident.
func nearestTown(p orb.Point) *Town {
	best, bestKm := &towns[0], math.Inf(1)
	for i := range towns {
		if d := towns[i].km(p); d < bestKm {
			best, bestKm = &towns[i], d
		}
	}
	return best
}

// location names where an incident is, as precisely as its precision says.
func (t *Town) location(precision string) string {
	switch precision {
	case "admin2":
		return t.Admin2
	case "admin1":
		return t.Admin1
	}
	return t.Name
}

// nearPlace returns the gazetteer id of the town when p is within 5 km of it.
func (t *Town) nearPlace(p orb.Point) string {
	if t.Place == "" || t.km(p) > 5 {
		return ""
	}
	return t.Place
}
