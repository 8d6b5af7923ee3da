package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"incidentmap/geo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations in order. golang-migrate holds a
// PostgreSQL advisory lock while it runs, so several instances may start at
// once; each file runs in its own transaction.
func (s *Store) Migrate(ctx context.Context) error {
	// A migration may build an index over millions of rows: the
	// per-statement limit that protects requests does not apply to it, so
	// migrations get a connection of their own without it.
	db, err := sql.Open("postgres", withParam(s.dsn, "statement_timeout", "0"))
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := migrator(ctx, db)
	if err != nil {
		return err
	}
	defer m.Close() //nolint:errcheck // frees the source and the connection; Up's error is the one that counts
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate: %w", translate(err))
	}
	return nil
}

// Ready reports whether the database answers and its schema is the one this
// binary expects.
// After a restart of the database, idle connections of the pool may fail
// once each (PostgreSQL terminated them) and leave the pool; so a failed
// ping is tried again once before the database is called unavailable.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		if ctx.Err() != nil {
			return err
		}
		if err := s.Ping(ctx); err != nil {
			return err
		}
	}
	var version int
	var dirty bool
	err := s.db.QueryRowContext(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty)
	if err != nil {
		return &geo.Error{Code: geo.EUnavailable, Message: "schema not migrated"}
	}
	want, err := latestMigration()
	if err != nil {
		return err
	}
	if dirty || version != want {
		return &geo.Error{Code: geo.EUnavailable, Message: fmt.Sprintf("schema is at version %d (dirty %v), want %d", version, dirty, want)}
	}
	return nil
}

func migrator(ctx context.Context, db *sql.DB) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, translate(err)
	}
	drv, err := postgres.WithConnection(ctx, conn, &postgres.Config{})
	if err != nil {
		conn.Close()
		return nil, translate(err)
	}
	return migrate.NewWithInstance("iofs", src, "postgres", drv)
}

func latestMigration() (int, error) {
	src, err := iofs.New(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	v, err := src.First()
	for err == nil {
		next, nerr := src.Next(v)
		if nerr != nil {
			break
		}
		v = next
	}
	return int(v), err
}
