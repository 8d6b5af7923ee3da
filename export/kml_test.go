package export

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/internal/testenv"
)

// kmlFile is what the tests read of a KML document.
type kmlFile struct {
	XMLName    xml.Name        `xml:"http://www.opengis.net/kml/2.2 kml"`
	Placemarks []placemarkRead `xml:"Document>Placemark"`
}

type placemarkRead struct {
	Name        string `xml:"name"`
	Description string `xml:"description"`
	Begin       string `xml:"TimeSpan>begin"`
	End         string `xml:"TimeSpan>end"`
	Data        []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"ExtendedData>Data"`
	Point string `xml:"Point>coordinates"`
}

func (p placemarkRead) data(name string) string {
	for _, d := range p.Data {
		if d.Name == name {
			return d.Value
		}
	}
	return "(missing)"
}

// readKML parses the KML file at path.
func readKML(t *testing.T, path string) kmlFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc kmlFile
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the KML is not well-formed XML: %v", err)
	}
	return doc
}

func TestKMLIsRegistered(t *testing.T) {
	f, ok := Lookup("kml")
	if !ok || f.MediaType != "application/vnd.google-earth.kml+xml" || f.Extension != "kml" {
		t.Fatalf("Lookup(kml) = %+v, %v", f, ok)
	}
}

func TestKMLPlacemarkPerIncidentWithTimeSpanAndData(t *testing.T) {
	seed := seedIncidents(t)
	doc := readKML(t, writeFormat(t, "kml", seed))
	if len(doc.Placemarks) != len(seed) {
		t.Fatalf("%d placemarks for %d incidents", len(doc.Placemarks), len(seed))
	}
	for i, in := range seed {
		p := doc.Placemarks[i]
		if p.Name != in.Title {
			t.Errorf("%s: name %q, want the title %q", in.ID, p.Name, in.Title)
		}
		if want := in.StartsAt.UTC().Format(time.RFC3339); p.Begin != want {
			t.Errorf("%s: TimeSpan begins %q, want %q", in.ID, p.Begin, want)
		}
		if want := in.EndsAt.UTC().Format(time.RFC3339); p.End != want {
			t.Errorf("%s: TimeSpan ends %q, want %q", in.ID, p.End, want)
		}
		if p.data("id") != in.ID || p.data("event_type") != in.EventType || p.data("country") != in.Country ||
			p.data("fatalities_best") != optionalInt(in.Fatalities.Best) {
			t.Errorf("%s: ExtendedData %+v", in.ID, p.Data)
		}
		pt := in.Geometry.Bound().Min
		if want := strconv.FormatFloat(pt[0], 'f', -1, 64) + "," + strconv.FormatFloat(pt[1], 'f', -1, 64); p.Point != want {
			t.Errorf("%s: point %q, want %q", in.ID, p.Point, want)
		}
	}
}

func TestKMLDescriptionListsEveryClaimAndSource(t *testing.T) {
	seed := seedIncidents(t)
	doc := readKML(t, writeFormat(t, "kml", seed))
	for i, in := range seed {
		d := doc.Placemarks[i].Description
		want := []string{in.StartsAt.UTC().Format(time.DateOnly), html.EscapeString(in.Location)}
		for _, c := range in.Claims {
			want = append(want, html.EscapeString(c.Claimant), html.EscapeString(c.Statement), html.EscapeString(c.Source),
				fatalityRange(c.FatalitiesLow, c.FatalitiesHigh))
			if c.ClaimedOn != nil {
				want = append(want, c.ClaimedOn.String())
			}
		}
		for _, s := range in.Sources {
			want = append(want, html.EscapeString(s.Publisher), html.EscapeString(s.Title), html.EscapeString(s.URL))
			if s.PublishedOn != nil {
				want = append(want, s.PublishedOn.String())
			}
		}
		for _, w := range want {
			if !strings.Contains(d, w) {
				t.Errorf("%s: the description lacks %q", in.ID, w)
			}
		}
		checkDescriptionMarkup(t, d)
	}
}

// checkDescriptionMarkup fails unless d is made only of the markup the
// writer puts there: p, b, h4, ul, li, and a with an http(s) href.
func checkDescriptionMarkup(t *testing.T, d string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<div>" + d + "</div>"))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("the description is not the writer's markup: %v\n%s", err, d)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch start.Name.Local {
		case "div", "p", "b", "h4", "ul", "li":
			if len(start.Attr) > 0 {
				t.Errorf("<%s> has attributes %v", start.Name.Local, start.Attr)
			}
		case "a":
			if len(start.Attr) != 1 || start.Attr[0].Name.Local != "href" {
				t.Errorf("a link with attributes %v", start.Attr)
				continue
			}
			if u, err := url.Parse(start.Attr[0].Value); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				t.Errorf("a link to %q", start.Attr[0].Value)
			}
		default:
			t.Errorf("the description holds a <%s> element", start.Name.Local)
		}
	}
}

func TestKMLEscapesHostileText(t *testing.T) {
	in := hostileIncident()
	path := writeFormat(t, "kml", []geo.Incident{in})
	doc := readKML(t, path)
	if len(doc.Placemarks) != 1 {
		t.Fatalf("%d placemarks, want 1", len(doc.Placemarks))
	}
	p := doc.Placemarks[0]
	if want := withoutControls(hostileText); p.Name != want {
		t.Errorf("name %q, want %q", p.Name, want)
	}
	if p.data("actors") != withoutControls(hostileText) {
		t.Errorf("actors %q", p.data("actors"))
	}
	checkDescriptionMarkup(t, p.Description)
	if n := strings.Count(p.Description, html.EscapeString(withoutControls(hostileText))); n != 6 {
		t.Errorf("the hostile text shows %d times in the description, want 6 (location, summary, claimant, statement, publisher, title):\n%s", n, p.Description)
	}
	if strings.Contains(p.Description, `href="javascript`) {
		t.Errorf("a javascript: link: %s", p.Description)
	}
	out := testenv.GDAL(t, "ogrinfo", "-al", "-q", path)
	if !strings.Contains(out, "Name (String) = "+withoutControls(hostileText)) {
		t.Errorf("GDAL does not read the title back:\n%s", out)
	}
}

func TestKMLOpensInGDAL(t *testing.T) {
	for name, list := range map[string][]geo.Incident{"seed": seedIncidents(t), "synthetic": synthIncidents(20000)} {
		t.Run(name, func(t *testing.T) {
			path := writeFormat(t, "kml", list)
			out := testenv.GDAL(t, "ogrinfo", "-al", "-so", path)
			t.Logf("ogrinfo -al -so incidents.kml:\n%s", out)
			for _, want := range []string{"Feature Count: " + strconv.Itoa(len(list)), "begin: DateTime", "end: DateTime",
				"Name: String", "description: String", "id: String", "event_type: String", "fatalities_best: String"} {
				if !strings.Contains(out, want) {
					t.Errorf("ogrinfo does not say %q", want)
				}
			}
			in := list[len(list)-1]
			out = testenv.GDAL(t, "ogrinfo", "-al", "-q", "-where", "id = '"+in.ID+"'", path)
			begin := "begin (DateTime) = " + in.StartsAt.UTC().Format("2006/01/02 15:04:05+00")
			if !strings.Contains(out, begin) || !strings.Contains(out, "POINT (") {
				t.Errorf("GDAL reads %s as\n%s\nwant %q and a point", in.ID, out, begin)
			}
		})
	}
}

func TestKMLOfNoIncidentsIsAnEmptyDocument(t *testing.T) {
	doc := readKML(t, writeFormat(t, "kml", nil))
	if len(doc.Placemarks) != 0 {
		t.Fatalf("%d placemarks", len(doc.Placemarks))
	}
}

func TestKMLStopsAtTheFirstError(t *testing.T) {
	list := synthIncidents(3)
	boom := errors.New("boom")
	failing := func(fn func(*geo.Incident) error) error {
		if err := fn(&list[0]); err != nil {
			return err
		}
		return boom
	}
	if err := WriteKML(context.Background(), io.Discard, failing, nil); !errors.Is(err, boom) {
		t.Errorf("each's error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteKML(ctx, io.Discard, eachOf(list), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: got %v", err)
	}
	var buf bytes.Buffer
	if err := WriteKML(context.Background(), &buf, eachOf(list), nil); err != nil || !strings.HasSuffix(buf.String(), "</Document></kml>") {
		t.Errorf("a whole document ends with </Document></kml>: %v, %q", err, buf.String()[max(0, buf.Len()-40):])
	}
}
