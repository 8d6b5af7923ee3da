package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/lib/pq"

	"incidentmap/geo"
)

// PostgreSQL's words stay in the cause: the message is ours, and names the
// column when PostgreSQL says which.
func TestTranslateKeepsDatabaseWordsOut(t *testing.T) {
	for _, pe := range []*pq.Error{
		{Code: "22008", Message: `date/time field value out of range: "im_internal"`, Column: "starts_at"},
		{Code: "23505", Message: `duplicate key value violates unique constraint "im_internal_pkey"`},
		{Code: "23514", Message: `new row for relation "im_internal" violates check constraint`},
		{Code: "57014", Message: "canceling statement due to statement timeout im_internal"},
		{Code: "53300", Message: "sorry, too many clients already im_internal"},
	} {
		err := translate(pe)
		var ge *geo.Error
		if !errors.As(err, &ge) {
			t.Errorf("%s: %#v", pe.Code, err)
			continue
		}
		if strings.Contains(ge.Error(), "im_internal") || ge.Message == "" {
			t.Errorf("%s: answer %q", pe.Code, ge.Error())
		}
		if !errors.Is(err, pe) {
			t.Errorf("%s: the cause is lost", pe.Code)
		}
		if pe.Column != "" && ge.Param != pe.Column {
			t.Errorf("%s: param %q, want %q", pe.Code, ge.Param, pe.Column)
		}
	}
}
