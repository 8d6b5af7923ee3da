package cql2

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a cql2-text token.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a name or keyword, as written
	tQuoted         // a "double-quoted" property name, unquoted
	tString         // a 'single-quoted' string, unquoted
	tNumber         // an unsigned number, as written
	tPunct          // ( ) , = <> < <= > >= + - * /
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the filter
}

func (t token) is(kind tokKind, text string) bool {
	return t.kind == kind && (kind != tIdent && t.text == text || kind == tIdent && strings.EqualFold(t.text, text))
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// lex splits a cql2-text filter into tokens.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			toks = append(toks, token{tIdent, s[i:j], i})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := scanNumber(s, i)
			toks = append(toks, token{tNumber, s[i:j], i})
			i = j
		case c == '\'' || c == '"':
			text, j, ok := scanQuoted(s, i)
			if !ok {
				return nil, fail(fmt.Sprintf("at offset %d", i), "unterminated %s", map[byte]string{'\'': "string", '"': "quoted name"}[c])
			}
			kind := tString
			if c == '"' {
				kind = tQuoted
			}
			toks = append(toks, token{kind, text, i})
			i = j
		case strings.HasPrefix(s[i:], "<>") || strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			toks = append(toks, token{tPunct, s[i : i+2], i})
			i += 2
		case strings.IndexByte("(),=<>+-*/", c) >= 0:
			toks = append(toks, token{tPunct, s[i : i+1], i})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fail(fmt.Sprintf("at offset %d", i), "unexpected character %q", r)
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' || c == ':'
}

// scanNumber returns the end of the number that starts at i: digits, a
// fraction, an exponent.
func scanNumber(s string, i int) int {
	digits := func(j int) int {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j
	}
	j := digits(i)
	if j < len(s) && s[j] == '.' {
		j = digits(j + 1)
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			j = digits(k)
		}
	}
	return j
}

// scanQuoted reads the quoted text that starts at i; a doubled quote stands
// for one. It returns the text, the offset after it, and false when the
// quote is never closed.
func scanQuoted(s string, i int) (string, int, bool) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return b.String(), j + 1, true
	}
	return "", len(s), false
}
