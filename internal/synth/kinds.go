package synth

import (
	"math"
	"math/rand/v2"

	"incidentmap/geo"
)

// option is a value with a relative weight.
type option struct {
	name   string
	weight float64
}

type options []option

// draw draws a name with probability proportional to its weight.
func (os options) draw(r *rand.Rand) string {
	return os[pick(r, os, func(o option) float64 { return o.weight })].name
}

// eventTypes weighs ACLED event types as in the rural Sahel; capitalEvents
// as in the capitals, where protests and riots dominate.
var (
	eventTypes = options{{"violence_against_civilians", 34}, {"battles", 30}, {"explosions_remote_violence", 14},
		{"strategic_developments", 10}, {"protests", 8}, {"riots", 4}}
	capitalEvents = options{{"protests", 45}, {"strategic_developments", 20}, {"riots", 15},
		{"violence_against_civilians", 10}, {"battles", 5}, {"explosions_remote_violence", 5}}
	subEventTypes = map[string]options{
		"battles": {{"armed_clash", 90}, {"government_regains_territory", 6}, {"non_state_actor_overtakes_territory", 4}},
		"explosions_remote_violence": {{"remote_explosive_landmine_ied", 50}, {"air_drone_strike", 30},
			{"shelling_artillery_missile_attack", 12}, {"suicide_bomb", 4}, {"grenade", 4}},
		"violence_against_civilians": {{"attack", 70}, {"abduction_forced_disappearance", 25}, {"sexual_violence", 5}},
		"protests":                   {{"peaceful_protest", 85}, {"protest_with_intervention", 12}, {"excessive_force_against_protesters", 3}},
		"riots":                      {{"violent_demonstration", 60}, {"mob_violence", 40}},
		"strategic_developments": {{"looting_property_destruction", 30}, {"arrests", 20}, {"change_to_group_activity", 15},
			{"headquarters_or_base_established", 8}, {"disrupted_weapons_use", 8}, {"agreement", 7},
			{"non_violent_transfer_of_territory", 5}, {"other", 7}},
	}
)

func (g *Generator) kind(t *Town) (eventType, subEventType string) {
	types := eventTypes
	if t.Capital {
		types = capitalEvents
	}
	eventType = types.draw(g.r)
	return eventType, subEventTypes[eventType].draw(g.r)
}

// fatalityModel: none with probability zero, otherwise log-normal with the
// given median and spread (heavy-tailed: rare events kill hundreds).
type fatalityModel struct{ zero, median, sigma float64 }

var fatalityModels = map[string]fatalityModel{
	"battles": {0.15, 6, 1.1}, "violence_against_civilians": {0.2, 4, 1.2},
	"explosions_remote_violence": {0.25, 4, 1.1}, "protests": {0.97, 1, 0.5},
	"riots": {0.8, 1.5, 0.7}, "strategic_developments": {0.95, 1.5, 0.8},
}

// fatalities draws the best estimate, then a low and a high around it.
func (g *Generator) fatalities(eventType string) geo.Fatalities {
	m := fatalityModels[eventType]
	best, low, high := 0, 0, 0
	if g.r.Float64() >= m.zero {
		best = int(min(5000, max(1, math.Round(m.median*math.Exp(m.sigma*g.r.NormFloat64())))))
		low = best - g.r.IntN(best/2+1)
		high = best + g.r.IntN(best+1)
	}
	return geo.Fatalities{Low: &low, Best: &best, High: &high}
}

// countryActors are the state forces, allied militia and civilians of each
// country; armedGroups the non-state armed groups everywhere.
var (
	countryActors = map[string]struct{ army, militia, civilians, protesters, rioters string }{
		"ML": {"Malian Armed Forces (FAMa)", "Dan Na Ambassagou", "Civilians (Mali)", "Protesters (Mali)", "Rioters (Mali)"},
		"BF": {"Burkina Faso Armed Forces", "Volunteers for the Defence of the Homeland (VDP)",
			"Civilians (Burkina Faso)", "Protesters (Burkina Faso)", "Rioters (Burkina Faso)"},
		"NE": {"Niger Armed Forces (FAN)", "Communal militia (Niger)", "Civilians (Niger)", "Protesters (Niger)", "Rioters (Niger)"},
	}
	armedGroups = options{{"Katiba Macina (JNIM)", 30}, {"Jama'at Nusrat al-Islam wal-Muslimin (JNIM)", 30},
		{"Islamic State Sahel Province", 25}, {"Ansarul Islam", 5}, {"Unidentified armed group", 10}}
)

// actors picks one to three actors fitting the event and the country.
func (g *Generator) actors(eventType, sub string, t *Town) []string {
	c := countryActors[t.Country]
	u := g.r.Float64()
	switch eventType {
	case "battles":
		if u < 0.15 {
			return []string{c.army, c.militia, armedGroups.draw(g.r)}
		}
		if u < 0.4 {
			return []string{c.militia, armedGroups.draw(g.r)}
		}
		return []string{c.army, armedGroups.draw(g.r)}
	case "violence_against_civilians":
		switch {
		case u < 0.6:
			return []string{armedGroups.draw(g.r), c.civilians}
		case u < 0.85:
			return []string{c.army, c.civilians}
		}
		return []string{c.militia, c.civilians}
	case "explosions_remote_violence":
		first := armedGroups.draw(g.r)
		if sub == "air_drone_strike" || sub == "shelling_artillery_missile_attack" {
			first = c.army
		}
		if u < 0.4 {
			return []string{first, c.civilians}
		}
		return []string{first}
	case "protests":
		if sub != "peaceful_protest" {
			return []string{c.protesters, c.army}
		}
		return []string{c.protesters}
	case "riots":
		if u < 0.3 {
			return []string{c.rioters, c.civilians}
		}
		return []string{c.rioters}
	}
	if u < 0.3 {
		return []string{c.army, armedGroups.draw(g.r)}
	}
	return []string{armedGroups.draw(g.r)}
}
