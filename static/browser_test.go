package static_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"incidentmap/internal/testenv"
)

// The viewer in a real browser: Debian's headless Chromium driven through
// the DevTools protocol. Without /usr/bin/chromium or the built pages the
// tests skip, except under CI=true, where they fail (internal/testenv).

// browser is one headless Chromium with a fresh profile, and what it saw:
// every request it made and every error it logged.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	errors   []string
}

// newBrowser starts a headless Chromium with a window of width x height.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	testenv.Built(t, "index.html")
	opts := append(chromiumOptions(t, width, height), chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("force-color-profile", "srgb"))
	return startBrowser(t, opts)
}

// chromiumOptions start Debian's Chromium (the test skips without it, or
// fails under CI=true) with a fresh profile, a window of width x height
// and testenv.ChromiumFlags.
func chromiumOptions(t *testing.T, width, height int) []chromedp.ExecAllocatorOption {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(t)), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	}
	for name, value := range testenv.ChromiumFlags {
		opts = append(opts, chromedp.Flag(name, value))
	}
	return opts
}

// startBrowser starts Chromium with opts, watched by a new browser, for at
// most three minutes; it stops when the test ends.
func startBrowser(t *testing.T, opts []chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b := &browser{}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(b.observe))
	t.Cleanup(cancelTab)
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return b
}

// observe records requests and errors: console.error, uncaught exceptions
// and the browser's own error log (failed loads, CSP violations).
func (b *browser) observe(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.errors = append(b.errors, "console: "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		msg := ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
		b.errors = append(b.errors, "exception: "+msg)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			b.errors = append(b.errors, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// checkClean fails the test for any request that left 127.0.0.1 and any
// error the page logged.
func (b *browser) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		t.Error("the browser made no request")
	}
	for _, raw := range b.requests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("unparsable request %q", raw)
			continue
		}
		if u.Scheme == "data" || u.Scheme == "blob" {
			continue
		}
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("a request left 127.0.0.1: %s", raw)
		}
	}
	for _, e := range b.errors {
		t.Errorf("the page logged an error: %s", e)
	}
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression, awaiting it when it is a promise,
// and decodes its value into out (nil: ignore it).
func (b *browser) eval(t *testing.T, expr string, out any) {
	t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%.200s: %v", expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%.200s: %v: %s", expr, err, raw)
		}
	}
}

// open loads a viewer URL and waits until the map has drawn its tiles and
// the list has answered.
func (b *browser) open(t *testing.T, u string) {
	t.Helper()
	b.run(t, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#t-end")))
	b.settle(t)
}

func (b *browser) settle(t *testing.T) {
	t.Helper()
	b.waitFor(t, `window.__incidentmap !== undefined`)
	var settled bool
	b.eval(t, `Promise.race([window.__incidentmap.settled().then(() => true),
		new Promise((done) => setTimeout(() => done(false), 30000))])`, &settled)
	if !settled {
		var state any
		b.eval(t, `({loaded: window.__incidentmap.map?.loaded(), moving: window.__incidentmap.map?.isMoving(),
			debug: window.__incidentmap.debug, window: window.__incidentmap.state?.window,
			status: document.getElementById("list-status")?.textContent})`, &state)
		t.Fatalf("the map and its list did not settle in 30s: %+v", state)
	}
}

// waitFor waits up to 20 seconds for a JavaScript condition to hold.
func (b *browser) waitFor(t *testing.T, cond string) {
	t.Helper()
	var ok bool
	b.eval(t, `new Promise((done) => { const end = Date.now() + 20000;
		const w = () => (`+cond+`) ? done(true) : Date.now() > end ? done(false) : setTimeout(w, 50); w(); })`, &ok)
	if !ok {
		t.Fatalf("waited 20s in vain for %s", cond)
	}
}

// click waits for the element to exist and clicks it within one script, so a
// list redrawn between finding the node and clicking it cannot fail the test
// (a CDP click holds a node id that a redraw invalidates).
func (b *browser) click(t *testing.T, sel string) {
	t.Helper()
	b.waitFor(t, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
	b.eval(t, fmt.Sprintf(`document.querySelector(%q).click()`, sel), nil)
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	b.eval(t, fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, sel), &s)
	return s
}

// renderedLocations are the locations of the incidents the map draws.
func (b *browser) renderedLocations(t *testing.T) []string {
	t.Helper()
	var out []string
	b.eval(t, `window.__incidentmap.rendered().map((f) => f.location || "cluster")`, &out)
	return out
}

// axe runs axe-core (from static/node_modules, injected by the test, never
// served) and returns the serious and critical violations.
func (b *browser) axe(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is not installed (make web runs npm ci): %v", err)
	}
	var ok bool
	b.eval(t, string(src)+";\ntrue", &ok)
	var out []string
	b.eval(t, `axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`, &out)
	return out
}

// screenshot keeps a PNG of the page in artifacts/ and returns it.
func (b *browser) screenshot(t *testing.T, name string) []byte {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(artifact(t, name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: artifacts/%s (%d bytes)", name, len(buf))
	return buf
}

// artifact is the path of the file name in the repository's artifacts/
// directory, which it makes when missing.
func artifact(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(testenv.RepoRoot(t), "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

func containsAny(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}
