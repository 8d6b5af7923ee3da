package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// contentSecurityPolicy allows nothing but this server on the HTML pages.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

var templateFuncs = template.FuncMap{
	"dates":       formatDates,
	"fatalities":  formatFatalities,
	"claimFigure": formatClaimFigure,
	"safeURL":     isHTTPURL,
	"host":        hostOf,
}

// pages holds one template set per content template, each with the base.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"page", "landing", "incidents", "incident", "api"} {
		out[name] = template.Must(template.New("base").Funcs(templateFuncs).
			ParseFS(templateFiles, "templates/base.html", "templates/"+name+".html"))
	}
	return out
}()

func (s *Server) render(c echo.Context, name string, data any) error {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "base", data); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", contentSecurityPolicy)
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// renderPage shows any document as indented JSON inside an HTML page.
func (s *Server) renderPage(c echo.Context, title string, doc any) error {
	if f, ok := doc.(featureJSON); ok {
		if props, ok := f.Properties.(geo.IncidentProps); ok {
			in := geo.IncidentFromProps(f.ID, nil, props)
			return s.render(c, "incident", map[string]any{"Title": in.Title, "Incident": in})
		}
	}
	text, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return s.render(c, "page", map[string]any{"Title": title, "JSON": string(text)})
}

func (s *Server) renderLanding(c echo.Context) error {
	return s.render(c, "landing", map[string]any{"Title": "Sahel incidents"})
}

func (s *Server) renderIncidentTable(c echo.Context, list []geo.Incident, links []link, n matchCount) error {
	return s.render(c, "incidents", map[string]any{"Title": "Incidents", "Incidents": list, "Links": links,
		"Matched": n.n, "Capped": !n.exact})
}

// apiDocHTML lists the routes of the OpenAPI document for people.
func (s *Server) apiDocHTML(c echo.Context) error {
	var doc struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(openAPI), &doc); err != nil {
		return err
	}
	type route struct{ Method, Path, Summary string }
	var routes []route
	for path, ops := range doc.Paths {
		for method, op := range ops {
			routes = append(routes, route{strings.ToUpper(method), path, op.Summary})
		}
	}
	sortRoutes := func(a, b route) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) }
	slices.SortFunc(routes, sortRoutes)
	return s.render(c, "api", map[string]any{"Title": "API", "Routes": routes})
}

// formatDates writes an incident's interval at its precision: "27-31 March
// 2022", "19 April 2022".
func formatDates(in geo.Incident) string {
	a, b := in.StartsAt.UTC(), in.EndsAt.UTC()
	switch {
	case a.Format("2006-01-02") == b.Format("2006-01-02"):
		return a.Format("2 January 2006")
	case a.Year() == b.Year() && a.Month() == b.Month():
		return fmt.Sprintf("%d-%s", a.Day(), b.Format("2 January 2006"))
	case a.Year() == b.Year():
		return a.Format("2 January") + " - " + b.Format("2 January 2006")
	}
	return a.Format("2 January 2006") + " - " + b.Format("2 January 2006")
}

func formatFatalities(f geo.Fatalities) string {
	return optDash(f.Low) + " / " + optDash(f.Best) + " / " + optDash(f.High)
}

func formatClaimFigure(c geo.Claim) string {
	switch {
	case c.FatalitiesLow == nil && c.FatalitiesHigh == nil:
		return "no figure"
	case c.FatalitiesHigh == nil:
		return "at least " + optDash(c.FatalitiesLow)
	case c.FatalitiesLow == nil:
		return "at most " + optDash(c.FatalitiesHigh)
	case *c.FatalitiesLow == *c.FatalitiesHigh:
		return optDash(c.FatalitiesLow)
	}
	return optDash(c.FatalitiesLow) + "-" + optDash(c.FatalitiesHigh)
}

func optDash(n *int) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprint(*n)
}

// isHTTPURL reports whether s is an absolute http(s) URL, the only kind we link.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func hostOf(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Host
	}
	return s
}

// assets serves the pages' stylesheet.
func (s *Server) assets() http.Handler {
	sub, _ := fs.Sub(assetFiles, "assets")
	return http.StripPrefix("/assets/", http.FileServer(http.FS(sub)))
}
