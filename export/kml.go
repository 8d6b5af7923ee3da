package export

import (
	"context"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twpayne/go-geom/encoding/kml"
	kmlx "github.com/twpayne/go-kml/v3"

	"incidentmap/geo"
)

// kmlNamespace is KML 2.2's XML namespace.
const kmlNamespace = "http://www.opengis.net/kml/2.2"

// WriteKML writes the incidents of each into w as a KML 2.2 document, one
// Placemark per incident, each written as it comes (the document is never
// held whole). A placemark has the incident's title as its name, an HTML
// description (kmlDescription), a TimeSpan from starts_at to ends_at for
// Google Earth's time slider, the main properties as ExtendedData, and the
// geometry. All stored text is escaped, as XML and, in the description, as
// HTML. With a selection of properties, ExtendedData holds those, the
// name is the title only when it is one of them (else the id), and the
// description comes only with summary, claims or sources; the TimeSpan
// always stays. It stops at the first error of each, of w, or of ctx.
func WriteKML(ctx context.Context, w io.Writer, each Each, props Properties) error {
	enc := xml.NewEncoder(w)
	doc := xml.StartElement{Name: xml.Name{Local: "Document"}}
	root := xml.StartElement{Name: xml.Name{Space: kmlNamespace, Local: "kml"}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	if err := encodeTokens(enc, root, doc); err != nil {
		return err
	}
	if err := kmlx.Name("incidents").MarshalXML(enc, xml.StartElement{}); err != nil {
		return err
	}
	err := each(func(in *geo.Incident) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := kmlPlacemark(in, props)
		if err != nil {
			return err
		}
		return p.MarshalXML(enc, xml.StartElement{})
	})
	if err != nil {
		return err
	}
	if err := encodeTokens(enc, doc.End(), root.End()); err != nil {
		return err
	}
	return enc.Flush()
}

// encodeTokens encodes each token in turn.
func encodeTokens(enc *xml.Encoder, tokens ...xml.Token) error {
	for _, t := range tokens {
		if err := enc.EncodeToken(t); err != nil {
			return err
		}
	}
	return nil
}

// kmlPlacemark is the Placemark of one incident, in the order of KML's
// schema: name, description, TimeSpan, ExtendedData, geometry.
func kmlPlacemark(in *geo.Incident, props Properties) (kmlx.Element, error) {
	g, err := toGeom(in.Geometry)
	if err != nil {
		return nil, err
	}
	geometry, err := kml.Encode(g)
	if err != nil {
		return nil, err
	}
	keeps := func(names ...string) bool {
		return props == nil || slices.ContainsFunc(names, func(n string) bool { return slices.Contains(props, n) })
	}
	name := in.ID
	if keeps("title") {
		name = in.Title
	}
	parts := []kmlx.Element{kmlx.Name(name)}
	if keeps("summary", "claims", "sources") {
		parts = append(parts, kmlx.Description(kmlDescription(in)))
	}
	parts = append(parts, kmlx.TimeSpan(kmlx.Begin(in.StartsAt.UTC()), kmlx.End(in.EndsAt.UTC())),
		kmlExtendedData(in, props), geometry)
	return kmlx.Placemark(parts...), nil
}

// kmlData is one Data of a placemark's ExtendedData.
type kmlData struct{ name, value string }

// kmlExtendedData holds the incident's main properties that props keeps,
// one Data each (a fatality figure nobody gave is an empty value).
func kmlExtendedData(in *geo.Incident, props Properties) kmlx.Element {
	data := func(name, value string) kmlData { return kmlData{name, value} }
	all := []kmlData{
		data("id", in.ID),
		data("event_type", in.EventType),
		data("sub_event_type", in.SubEventType),
		data("country", in.Country),
		data("admin1", in.Admin1),
		data("admin2", in.Admin2),
		data("location", in.Location),
		data("geo_precision", in.GeoPrecision),
		data("starts_at", in.StartsAt.UTC().Format(time.RFC3339)),
		data("ends_at", in.EndsAt.UTC().Format(time.RFC3339)),
		data("date_precision", in.DatePrecision),
		data("fatalities_low", optionalInt(in.Fatalities.Low)),
		data("fatalities_best", optionalInt(in.Fatalities.Best)),
		data("fatalities_high", optionalInt(in.Fatalities.High)),
		data("actors", strings.Join(in.Actors, "; ")),
		data("status", in.Status),
	}
	kept := pick(all, func(d kmlData) string { return d.name }, props)
	elements := make([]kmlx.Element, len(kept))
	for i, d := range kept {
		elements[i] = kmlx.Data(d.name, kmlx.Value(d.value))
	}
	return kmlx.ExtendedData(elements...)
}

// optionalInt writes n, or "" for nil.
func optionalInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
