package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// status is the status a client of newClient gets from a receiver on
// 127.0.0.1 that answers with h, or the client's error.
func status(t *testing.T, allowPrivate bool, h http.Handler) (int, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := newClient(time.Second, allowPrivate).Get(srv.URL)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

func TestClientRefusesPrivateTargetsUnlessAllowed(t *testing.T) {
	noContent := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	if _, err := status(t, false, noContent); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("a loopback receiver without %s: %v, want refused", AllowPrivateEnv, err)
	}
	if code, err := status(t, true, noContent); err != nil || code != http.StatusNoContent {
		t.Errorf("a loopback receiver allowed: %d, %v", code, err)
	}
	// A redirect is the answer, not a way around the guard.
	redirect := http.RedirectHandler("http://169.254.169.254/", http.StatusFound)
	if code, err := status(t, true, redirect); err != nil || code != http.StatusFound {
		t.Errorf("a redirect: %d, %v, want the 302 itself", code, err)
	}
}
