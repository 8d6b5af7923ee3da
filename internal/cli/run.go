// Package cli is the incidentmap program: its commands, which the root
// package's main runs through Run. incidentmap serves geocoded conflict incidents from PostGIS as
// OGC API - Features (GeoJSON, GeoJSONSeq, CSV, HTML) and vector tiles.
//
//	incidentmap serve [--addr HOST:PORT]
//	incidentmap migrate
//	incidentmap seed
//	incidentmap synth --count N [--seed S]
//	incidentmap import [--format F] [--dry-run] FILE|-
//	incidentmap token create --name NAME --scope editor|admin
//	incidentmap token revoke NAME
//	incidentmap publish --out DIR [--datetime ...] [--bbox ...] [--title ...] [--lang fr|en] [--as-of ...] [filters]
//
// DATABASE_URL names the database; INCIDENTMAP_ADDR the listen address
// (default :8080); INCIDENTMAP_PUBLIC_URL the base URL of links.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"incidentmap/store"
)

// env is what every command gets. The database is opened on first use, so
// that a command checks its flags before it needs DATABASE_URL.
type env struct {
	ctx    context.Context
	cfg    config
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	st     *store.Store
}

// store opens the database once.
func (e *env) store() (*store.Store, error) {
	if e.st == nil {
		st, err := openStore(e.ctx, e.cfg)
		if err != nil {
			return nil, err
		}
		e.st = st
	}
	return e.st, nil
}

// withStore adapts a command body that needs the database.
func withStore(fn func(context.Context, *env, *store.Store, []string) error) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		st, err := e.store()
		if err != nil {
			return err
		}
		return fn(ctx, e, st, args)
	}
}

// command is one subcommand: its usage line, how many arguments it takes
// after its flags, and its flags, which return the function that runs it.
type command struct {
	usage string
	args  int // exact number of positional arguments
	flags func(fs *flag.FlagSet, cfg *config) func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{
	"serve": {"serve [--addr HOST:PORT]   serve HTTP (migrates first)", 0,
		func(fs *flag.FlagSet, cfg *config) func(context.Context, *env, []string) error {
			fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
			return withStore(func(ctx context.Context, e *env, st *store.Store, _ []string) error {
				return serve(ctx, e.cfg, st, e.log, e.stdout)
			})
		}},
	"migrate": {"migrate                    apply database migrations", 0,
		func(*flag.FlagSet, *config) func(context.Context, *env, []string) error {
			return withStore(func(ctx context.Context, _ *env, st *store.Store, _ []string) error { return st.Migrate(ctx) })
		}},
	"seed": {"seed                       load the bundled Sahel places and incidents (idempotent)", 0,
		func(*flag.FlagSet, *config) func(context.Context, *env, []string) error {
			return withStore(func(ctx context.Context, e *env, st *store.Store, _ []string) error { return Seed(ctx, st, e.stdout) })
		}},
	"synth": {"synth --count N [--seed S] load N synthetic benchmark incidents (new ids only)", 0,
		func(fs *flag.FlagSet, _ *config) func(context.Context, *env, []string) error {
			var o synthOptions
			o.flags(fs)
			return func(ctx context.Context, e *env, _ []string) error {
				if err := o.check(); err != nil {
					return err
				}
				st, err := e.store()
				if err != nil {
					return err
				}
				return synthesize(ctx, st, o, e.stdout)
			}
		}},
	"import":       {"import [--format F] [--dry-run] FILE|-   F: geojson, geojsonseq, acled, ucdp", 1, importCommand},
	"token create": {"token create --name NAME --scope editor|admin   print a new API token", 0, tokenCreateCommand},
	"token revoke": {"token revoke NAME         revoke a token", 1, tokenRevokeCommand},
	"publish":      {"publish --out DIR [--datetime D] [--bbox B] [--title T] [--lang fr|en] [--as-of T] [filters]   write a server-free archive of a view", 0, publishCommand},
}

func usage() string {
	var lines []string
	for _, c := range commands {
		lines = append(lines, "  "+c.usage)
	}
	sort.Strings(lines)
	return "usage: incidentmap COMMAND [flags]\n\ncommands:\n" + strings.Join(lines, "\n")
}

// Run is the whole program, testable: args without the program name, the
// environment as a lookup function, and the standard streams. Every failure
// comes back as one error (main prints it on one line and exits 1).
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("no command\n" + usage())
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		_, err := fmt.Fprintln(stdout, usage())
		return err
	}
	name, rest := args[0], args[1:]
	if name == "token" && len(rest) > 0 {
		name, rest = "token "+rest[0], rest[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q\n%s", name, usage())
	}
	cfg := configFrom(getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runCmd := cmd.flags(fs, &cfg)
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("%s: %w (usage: incidentmap %s)", name, err, cmd.usage)
	}
	if fs.NArg() != cmd.args {
		return fmt.Errorf("%s: takes %d argument(s), got %d (usage: incidentmap %s)", name, cmd.args, fs.NArg(), cmd.usage)
	}
	e := &env{ctx: ctx, cfg: cfg, log: slog.New(slog.NewJSONHandler(stderr, nil)), stdin: stdin, stdout: stdout}
	defer func() {
		if e.st != nil {
			e.st.Close()
		}
	}()
	return runCmd(ctx, e, fs.Args())
}
