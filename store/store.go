// Package store keeps incidents and places in PostGIS. SQL sits beside the
// method that runs it; every value reaches SQL as a $n parameter; driver
// errors come back as *geo.Error (EUnavailable when the database is down).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"incidentmap/geo"
)

// Options tune the connection pool and the per-statement limits.
type Options struct {
	MaxOpenConns     int           // default 20, per pool
	ReadDSN          string        // a read replica for reads (DATABASE_READ_URL); "" reads the primary
	StatementTimeout time.Duration // default 15s; applied by PostgreSQL to every statement
	ConnectTimeout   time.Duration // default 5s
	// ExportConns is how many read connections exports may use at once
	// (default half of MaxOpenConns): the rest stay for interactive
	// reads, however many exports run. See exportQuery.
	ExportConns int
}

// Store is a PostGIS-backed incident store, safe for concurrent use. Writes,
// tokens, LISTEN and what the tile index reads after a change go to the
// primary (db); other reads go to read, a replica when one is configured.
// The two are separate pools even on one database, so that a flood of
// reads never queues a write, or the index catching up with it, behind
// them.
type Store struct {
	db      *sql.DB
	read    *sql.DB
	dsn     string
	replica bool // read is DATABASE_READ_URL, not the primary
	// exportConns holds a token per export query running (ExportConns).
	exportConns chan struct{}
}

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and checks that it answers. The DSN gains connect_timeout and
// statement_timeout unless it sets them.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	if o.MaxOpenConns == 0 {
		o.MaxOpenConns = 20
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = 15 * time.Second
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	full, err := withDefaults(dsn, o)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("postgres", full)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	configure(db, o)
	if o.ExportConns <= 0 {
		o.ExportConns = max(1, o.MaxOpenConns/2)
	}
	s := &Store{db: db, dsn: full, replica: o.ReadDSN != "", exportConns: make(chan struct{}, o.ExportConns)}
	readFull := full
	if o.ReadDSN != "" {
		if readFull, err = withDefaults(o.ReadDSN, o); err != nil {
			db.Close()
			return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
		}
	}
	if s.read, err = openReadPool(readFull, o.StatementTimeout); err != nil {
		db.Close()
		return nil, fmt.Errorf("open read database: %w", err)
	}
	configure(s.read, o)
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func configure(db *sql.DB, o Options) {
	db.SetMaxOpenConns(o.MaxOpenConns)
	db.SetMaxIdleConns(o.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
}

// withDefaults adds the timeouts to a DSN, in URL or key=value form, and
// turns JIT compilation off: on the map's queries it spends longer
// compiling than the execution it speeds up takes (BENCHMARKS.md, "Figures behind the code").
func withDefaults(dsn string, o Options) (string, error) {
	if dsn == "" {
		return "", fmt.Errorf("DATABASE_URL is empty")
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		setDefault(q, "connect_timeout", fmt.Sprint(int(o.ConnectTimeout.Seconds())))
		setDefault(q, "statement_timeout", fmt.Sprint(o.StatementTimeout.Milliseconds()))
		setDefault(q, "jit", "off")
		setDefault(q, "sslmode", "prefer")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s connect_timeout=%d statement_timeout=%d jit=off", dsn,
		int(o.ConnectTimeout.Seconds()), o.StatementTimeout.Milliseconds()), nil
}

// withParam returns dsn with key set to value (replacing any value).
func withParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value // in key=value form the last one counts
}

func setDefault(q url.Values, key, value string) {
	if q.Get(key) == "" {
		q.Set(key, value)
	}
}

// Close closes the pools.
func (s *Store) Close() error {
	s.read.Close()
	return s.db.Close()
}

// Ping checks that the databases answer. When the read replica does not,
// the EUnavailable error names it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return translate(err)
	}
	err := translate(pingWithin(ctx, s.read))
	if err == nil || !s.replica {
		return err
	}
	const which = "the read replica (DATABASE_READ_URL)"
	var ge *geo.Error
	if errors.As(err, &ge) && ge.Code == geo.EUnavailable {
		return &geo.Error{Code: geo.EUnavailable, Message: which + ": " + ge.Message, Cause: ge.Cause}
	}
	if ctx.Err() != nil {
		return &geo.Error{Code: geo.EUnavailable, Message: which + " did not answer in time"}
	}
	return fmt.Errorf("%s: %w", which, err)
}

// DataVersion returns a number that grows with every write to incidents,
// claims, sources or places.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT version FROM data_version`).Scan(&v)
	return v, translate(err)
}

// transact runs fn in a transaction that commits when fn returns nil and rolls
// back when it returns an error or panics.
func (s *Store) transact(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) (err error) {
	return transactOn(ctx, s.db, opts, fn)
}

// transactOn is transact on a given pool.
func transactOn(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
			return
		}
		err = translate(tx.Commit())
	}()
	return fn(tx)
}

// Pools returns the primary pool and the read pool, for their metrics.
func (s *Store) Pools() (primary, read *sql.DB) { return s.db, s.read }
