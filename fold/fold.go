// Package fold makes text searchable regardless of accents and case: the
// client-side twin of the database's im_fold (lower(unaccent(text))), the
// words of the incidents' text index, and the prefix queries over them.
//
// Imports compute these on the client because the database backend, not the
// client, limits how fast a million incidents load, and folding and
// splitting the words of each incident took a large share of its time
// (BENCHMARKS.md, "Figures behind the code"). Fold follows PostgreSQL's own
// unaccent rules (unaccent_table.go is generated from a copy of them by
// fold/gen), so both sides fold alike; the store's tests check that they
// agree.
package fold

//go:generate go run ./gen

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold replaces accented and other decorated characters as PostgreSQL's
// unaccent does ("Tillabéri" becomes "Tillaberi", "Œ" "OE") and lowers the
// case, character by character as PostgreSQL's lower does.
func Fold(s string) string {
	ascii, lower := classify(s)
	switch {
	case lower:
		return s
	case ascii:
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= utf8.RuneSelf {
			if to, ok := unaccent[r]; ok {
				for _, t := range to {
					b.WriteRune(unicode.ToLower(t))
				}
				continue
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// classify reports whether s is all ASCII, and whether it is ASCII without
// capitals, which Fold leaves as it is.
func classify(s string) (ascii, lower bool) {
	ascii, lower = true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		if 'A' <= c && c <= 'Z' {
			lower = false
		}
	}
	return ascii, lower
}

// maxWord is the longest word PostgreSQL keeps in a tsvector, in bytes;
// to_tsvector skips longer ones too.
const maxWord = 2046

// Words returns the words of the folded text: its longest runs of letters
// and digits, in order, repeats included, those too long to index left out.
func Words(text string) []string {
	return appendWords(nil, text)
}

// appendWords appends the words of text to words.
func appendWords(words []string, text string) []string {
	folded := Fold(text)
	start := -1
	for i, r := range folded {
		if r < utf8.RuneSelf && isASCIIAlnum[r] || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start <= maxWord {
			words = append(words, folded[start:i])
		}
		start = -1
	}
	if start >= 0 && len(folded)-start <= maxWord {
		words = append(words, folded[start:])
	}
	return words
}

var isASCIIAlnum = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// TSVector returns the words of texts as a PostgreSQL tsvector literal:
// each word once, sorted, without positions. The words are letters and
// digits only, so none needs quoting.
func TSVector(texts ...string) string {
	words := make([]string, 0, 32)
	for _, t := range texts {
		words = appendWords(words, t)
	}
	sort.Strings(words)
	var b strings.Builder
	for i, w := range words {
		if i > 0 && w == words[i-1] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// PrefixQuery returns the tsquery literal that finds text matching any of
// terms, where a text matches a term when every word of the term starts a
// word of the text ("mour" finds Moura, "maiga" Maïga), or "" when no term
// has a word. Words are quoted, so no input is query syntax.
func PrefixQuery(terms []string) string {
	var alts []string
	for _, term := range terms {
		words := Words(term)
		if len(words) == 0 {
			continue
		}
		for i, w := range words {
			words[i] = "'" + w + "':*"
		}
		alts = append(alts, "("+strings.Join(words, " & ")+")")
	}
	return strings.Join(alts, " | ")
}
