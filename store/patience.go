package store

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// openReadPool opens the pool of reads on dsn. Its connections give up on
// a server that sends nothing for the statement timeout plus 5 s while they
// wait for an answer: a replica that is frozen or cut off by the network
// then fails the read (EUnavailable: 503) instead of holding the request
// until it wakes, for PostgreSQL's statement_timeout cannot fire in a
// server that does not run, and lib/pq keeps waiting after it cancels. A
// DSN with statement_timeout=0 (no limit) gets no such patience either.
func openReadPool(dsn string, statementTimeout time.Duration) (*sql.DB, error) {
	if ms, err := strconv.Atoi(dsnParam(dsn, "statement_timeout")); err == nil {
		statementTimeout = time.Duration(ms) * time.Millisecond
	}
	if statementTimeout <= 0 {
		return sql.Open("postgres", dsn)
	}
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	c.Dialer(patientDialer{patience: statementTimeout + 5*time.Second})
	return sql.OpenDB(c), nil
}

// dsnParam is a parameter of a postgres:// URL ("" in key=value form).
func dsnParam(dsn, key string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

// patientDialer dials connections that wait at most patience for each read.
type patientDialer struct{ patience time.Duration }

func (d patientDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func (d patientDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, addr)
}

func (d patientDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &patientConn{Conn: c, patience: d.patience}, nil
}

// patientConn fails a read that gets nothing for patience, or by the
// deadline the driver set (connect_timeout), whichever comes first. A
// pooled connection does not read while idle, so only a statement's wait
// counts.
type patientConn struct {
	net.Conn
	patience time.Duration
	deadline time.Time // the driver's read deadline; zero: none
}

func (c *patientConn) Read(b []byte) (int, error) {
	d := time.Now().Add(c.patience)
	if !c.deadline.IsZero() && c.deadline.Before(d) {
		d = c.deadline
	}
	if err := c.Conn.SetReadDeadline(d); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *patientConn) SetDeadline(t time.Time) error {
	c.deadline = t
	return c.Conn.SetDeadline(t)
}

func (c *patientConn) SetReadDeadline(t time.Time) error {
	c.deadline = t
	return c.Conn.SetReadDeadline(t)
}

// pingWithin pings db, and gives up when ctx ends even though the driver
// does not: lib/pq waits for a frozen server's answer after cancelling, here
// until the read pool's patience runs out (its goroutine ends then).
func pingWithin(ctx context.Context, db *sql.DB) error {
	done := make(chan error, 1)
	go func() { done <- db.PingContext(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
