package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"incidentmap/geo"
)

// uploadIdleTimeout cuts an upload that sends no byte for this long. A large
// import may take minutes to send; what ends it is silence, not length (the
// server-wide read timeout does not apply to it).
const uploadIdleTimeout = 30 * time.Second

// upload reads a request body that may be large and slow: each read gets a
// fresh idle deadline, the bytes are counted, and the first read failure
// (the client went away, fell silent, or sent a body shorter than it said)
// is kept and cancels the work reading it, so that a cut upload stores
// nothing and is reported as cut, not as bad data.
type upload struct {
	body   io.Reader
	rc     *http.ResponseController
	idle   time.Duration
	cancel context.CancelFunc

	mu  sync.Mutex
	n   int64
	err error // the first failure other than io.EOF and the size limit
}

// newUpload wraps body (already bounded by http.MaxBytesReader); cancel
// stops what reads it.
func newUpload(body io.Reader, w http.ResponseWriter, idle time.Duration, cancel context.CancelFunc) *upload {
	return &upload{body: body, rc: http.NewResponseController(w), idle: idle, cancel: cancel}
}

func (u *upload) Read(p []byte) (int, error) {
	_ = u.rc.SetReadDeadline(time.Now().Add(u.idle)) // ErrNotSupported in tests without a connection
	n, err := u.body.Read(p)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.n += int64(n)
	var tooLarge *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.As(err, &tooLarge) && u.err == nil {
		u.err = err
		u.cancel()
	}
	return n, err
}

// cut returns, when the upload failed before its end, the error to answer:
// how many bytes arrived and why it stopped; nil when the body was whole.
func (u *upload) cut() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err == nil {
		return nil
	}
	why := "the connection ended before the body did"
	var timeout interface{ Timeout() bool }
	if errors.As(u.err, &timeout) && timeout.Timeout() {
		why = fmt.Sprintf("no byte arrived for %s", u.idle)
	}
	return &geo.Error{Code: geo.EInvalid, Param: "body", Cause: u.err,
		Message: fmt.Sprintf("the upload was cut short after %d bytes: %s; nothing was stored", u.n, why)}
}
