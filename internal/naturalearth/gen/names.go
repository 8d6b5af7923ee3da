package main

// nameFixes corrects the names of the source that lost their accented
// letters or their apostrophes, checked against the seed gazetteer
// (sql/seed/places.geojson), the French spellings of each country's own
// gazetteer and the Wikipedia articles. Keyed by the source's name; only
// names shown in the Sahel (lon -18..25, lat 8..25) were reviewed. Every
// entry must match a feature of the region, or the generator fails, so
// that a new source release cannot leave a stale fix unnoticed.
var nameFixes = map[string]string{
	"Lake Dbo":     "Lake Débo",     // Mali, the lake of the inner Niger delta near Youwarou
	"Nema":         "Néma",          // Mauritania, Hodh Ech Chargui
	"Ndele":        "Ndélé",         // Central African Republic, Bamingui-Bangoran
	"Leo":          "Léo",           // Burkina Faso, Sissili
	"Bogue":        "Bogué",         // Mauritania, Brakna
	"Kelo":         "Kélo",          // Chad, Tandjilé
	"Forecariah":   "Forécariah",    // Guinea
	"Gueckedou":    "Guéckédou",     // Guinea
	"Ndjamena":     "N'Djaména",     // Chad's capital, as it spells itself
	"Fada Ngourma": "Fada N'Gourma", // Burkina Faso, Gourma
	"Birni Nkonni": "Birni-N'Konni", // Niger, Tahoua
	"Nguigmi":      "N'Guigmi",      // Niger, Diffa
	"Fderik":       "F'Dérik",       // Mauritania, Tiris Zemmour
}
