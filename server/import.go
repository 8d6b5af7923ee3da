package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
	"incidentmap/ingest"
)

// Importer stores files of incidents (POST /import), placing those that
// name a location but carry no geometry against the gazetteer (Geocode).
type Importer interface {
	ingest.Gazetteer
	// Import stores every incident of r in one transaction, all or
	// nothing; dryRun checks them and stores none. It returns how many.
	Import(ctx context.Context, r ingest.Reader, author string, dryRun bool) (int, error)
}

// maxImportBytes bounds an uploaded import file.
const maxImportBytes = 2 << 30

// importFile answers POST /import (admin token): the body is a GeoJSON,
// GeoJSONSeq, ACLED or UCDP file, stored in one transaction, all or
// nothing. format (else guessed from the content) and dry_run=true.
func (s *Server) importFile(c echo.Context) error {
	q := c.QueryParams()
	if err := checkParams(q, []string{"format", "dry_run"}); err != nil {
		return err
	}
	format := q.Get("format")
	if format != "" && !contains(ingest.Formats, format) {
		return geo.Invalid("format", "%q is not an import format (%s)", safe(format), strings.Join(ingest.Formats, ", "))
	}
	dryRun := false
	switch q.Get("dry_run") {
	case "", "false", "0":
	case "true", "1":
		dryRun = true
	default:
		return geo.Invalid("dry_run", "must be true or false")
	}
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	body := newUpload(http.MaxBytesReader(c.Response(), c.Request().Body, maxImportBytes), c.Response().Writer,
		s.uploadIdle, cancel)
	extendWriteDeadline(c, exportDeadline)
	reader, err := ingest.ReadChecked(ctx, format, body, s.importer)
	if err == nil {
		var n int
		if n, err = s.importer.Import(ctx, reader, "POST /import by "+tokenName(c), dryRun); err == nil {
			s.showWrites(c.Request().Context())
			return c.JSON(http.StatusOK, map[string]any{"imported": n, "dry_run": dryRun})
		}
	}
	if cut := body.cut(); cut != nil {
		return cut
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &geo.Error{Code: geo.ETooLarge, Param: "body", Message: "the file is larger than 2 GiB"}
	}
	var le *ingest.LineError
	if errors.As(err, &le) {
		return &geo.Error{Code: geo.EUnprocessable, Param: le.Field, Message: le.Error() + " (nothing was stored)"}
	}
	return err
}
