package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"incidentmap/geo"
	"incidentmap/publish"
	"incidentmap/server"
	"incidentmap/static"
	"incidentmap/tiles"
)

// publishOptions are the flags of publish: --out, --title, and the view's
// parameters under their HTTP names (--datetime, --bbox, --lang, --theme,
// --event_type, --country, --q, --min_fatalities, --filter, --filter-lang
// ...), with --as-of for as_of.
type publishOptions struct {
	out, title string
	params     map[string]*string // HTTP parameter name -> flag value
	fs         *flag.FlagSet
}

// flagName is the flag of an HTTP parameter: as_of is --as-of, as in
// interface.md; the others keep their names.
func flagName(param string) string {
	if param == "as_of" {
		return "as-of"
	}
	return param
}

func publishCommand(fs *flag.FlagSet, _ *config) func(context.Context, *env, []string) error {
	o := &publishOptions{params: map[string]*string{}, fs: fs}
	fs.StringVar(&o.out, "out", "", "the folder to write (must not exist, or be empty)")
	fs.StringVar(&o.title, "title", "", "the page's heading (default: the caption)")
	for _, p := range server.ArchiveParams() {
		o.params[p] = fs.String(flagName(p), "", "the view's "+p+", as in the HTTP API")
	}
	return func(ctx context.Context, e *env, _ []string) error {
		if err := runPublish(ctx, e, o); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return nil
	}
}

// query is the view as the HTTP API would receive it: the flags given.
func (o *publishOptions) query() url.Values {
	q := url.Values{}
	o.fs.Visit(func(f *flag.Flag) {
		for p, v := range o.params {
			if flagName(p) == f.Name {
				q.Set(p, *v)
			}
		}
	})
	return q
}

// runPublish checks every option before it touches the database, then
// writes the archive (publish.Write: all or nothing).
func runPublish(ctx context.Context, e *env, o *publishOptions) error {
	q := o.query()
	f, err := server.ParseView(q)
	if err != nil {
		return flagError(err)
	}
	if len(o.title) > 300 || strings.ContainsAny(o.title, "\n\r") {
		return fmt.Errorf("--title: must be one line of at most 300 characters")
	}
	if err := publish.CheckOut(o.out); err != nil {
		return err
	}
	assets := static.FS()
	style, err := server.ArchiveStyle(assets, q, "")
	if err != nil {
		return fmt.Errorf("the viewer's style (make web): %w", err)
	}
	basemapData, err := readBasemap(assets)
	if err != nil {
		return err
	}
	if basemapData == nil {
		return fmt.Errorf("the web assets are not built (make web): no basemap")
	}
	basemap, err := tiles.NewBasemap(basemapData)
	if err != nil {
		return err
	}
	st, err := e.store()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tileService := tiles.New(st, tiles.Options{Logger: slog.New(warnings{e.log.Handler()}), LoadWait: 10 * time.Minute})
	go tileService.Run(ctx)
	sum, err := publish.Write(ctx, o.out, publish.View{
		Filter: f, Title: o.title, Lang: q.Get("lang"), Theme: q.Get("theme"), Style: style, Now: time.Now(),
	}, publish.Sources{Incidents: st, Tiles: tileService, Basemap: basemap, Assets: assets})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "published %d incidents to %s (incident tiles: %d, zoom %d-%d; basemap tiles: %d, zoom %d-%d)\n",
		sum.Incidents, sum.Dir, sum.IncidentTiles, sum.IncidentZooms[0], sum.IncidentZooms[1],
		sum.BasemapTiles, sum.BasemapZooms[0], sum.BasemapZooms[1])
	return err
}

// flagError names the flag of a parameter's error: "--as-of: ..." for
// "as_of: ...".
func flagError(err error) error {
	var ge *geo.Error
	if errors.As(err, &ge) && ge.Param != "" {
		return fmt.Errorf("--%s: %s", flagName(ge.Param), ge.Message)
	}
	return err
}

// warnings passes on warnings and errors only: a command's stderr is for
// what went wrong, not for the tile index's progress.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnings{w.Handler.WithAttrs(attrs)}
}

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
