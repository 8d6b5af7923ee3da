package store_test

import (
	"testing"
	"unicode/utf8"

	"github.com/lib/pq"

	"incidentmap/fold"
)

// Imports fold on the client what queries of old versions fold in the
// database: both must agree, character by character, over the whole Basic
// Multilingual Plane, and on the words of real text.
func TestClientFoldingAgreesWithTheDatabase(t *testing.T) {
	_, db := openImportStore(t)
	var chars []string
	for r := rune(1); r <= 0xFFFF; r++ {
		if utf8.ValidRune(r) {
			chars = append(chars, string(r))
		}
	}
	rows, err := db.Query(`SELECT c, im_fold(c) FROM unnest($1::text[]) AS c`, pq.Array(chars))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	differ := 0
	for rows.Next() {
		var c, want string
		if err := rows.Scan(&c, &want); err != nil {
			t.Fatal(err)
		}
		if got := fold.Fold(c); got != want {
			differ++
			if differ <= 20 {
				t.Errorf("U+%04X %q: Fold %q, im_fold %q", []rune(c)[0], c, got, want)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if differ > 0 {
		t.Errorf("%d characters fold differently", differ)
	}

	for _, text := range []string{
		"Jama'at Nusrat al-Islam wal-Muslimin (JNIM) | Forces Armées Maliennes (FAMa)",
		"Exécutions sommaires à Moura, cercle de Djenné: « 500 morts » selon l'ONU; Œuvre, Straße",
		"Hombori–Gossi, 2022-04-19T05:00Z; e-mail: x@example.org https://example.org/a?b=1",
	} {
		var want string
		if err := db.QueryRow(`SELECT im_words($1)::text`, text).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := quoted(fold.TSVector(text)); got != want {
			t.Errorf("words of %q:\n fold     %s\n im_words %s", text, got, want)
		}
	}
}

// quoted writes a tsvector literal of plain words the way PostgreSQL
// prints it: each word in single quotes.
func quoted(words string) string {
	var b []byte
	start := 0
	for i := 0; i <= len(words); i++ {
		if i == len(words) || words[i] == ' ' {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, '\'')
			b = append(b, words[start:i]...)
			b = append(b, '\'')
			start = i + 1
		}
	}
	return string(b)
}

// SQL written by hand, bypassing the store, leaves the search columns out
// or stale: triggers compute them, so such incidents stay findable.
func TestHandWrittenSQLKeepsIncidentsSearchable(t *testing.T) {
	_, db := openImportStore(t)
	found := func(q string) bool {
		t.Helper()
		var n int
		err := db.QueryRow(`SELECT count(*) FROM incidents WHERE words @@ $1::tsquery`, fold.PrefixQuery([]string{q})).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	_, err := db.Exec(`INSERT INTO incidents (id, title, event_type, geom, country, geo_precision, starts_at,
		ends_at, date_precision, actors) VALUES ('by-hand', 'Attaque à Sévaré', 'battles',
		ST_SetSRID(ST_MakePoint(-4.09, 14.52), 4326), 'ML', 'exact', '2022-03-28', '2022-03-28', 'day', '{Wagner}')`)
	if err != nil {
		t.Fatal(err)
	}
	if !found("sevare") {
		t.Error("an incident inserted by hand is not found by its title")
	}
	if _, err := db.Exec(`UPDATE incidents SET title = 'Attaque à Mopti' WHERE id = 'by-hand'`); err != nil {
		t.Fatal(err)
	}
	if !found("mopti") || found("sevare") {
		t.Error("a title changed by hand did not change the words")
	}
	var actors string
	if err := db.QueryRow(`SELECT actors_folded FROM incidents WHERE id = 'by-hand'`).Scan(&actors); err != nil || actors != "wagner" {
		t.Errorf("actors_folded = %q, %v", actors, err)
	}
}
