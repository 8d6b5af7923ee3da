package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/paulmach/orb"

	"incidentmap/internal/testenv"
	"incidentmap/internal/testenv/testapp"
)

// Two instances on one database behind nginx, Debian's package, as a
// caching reverse proxy with the configuration of docs/scaling.md: a write
// through one instance shows through the other and through nginx, and nginx
// serves a repeated tile from its cache, then revalidates it with the ETag.
func TestScaleOutBehindNginx(t *testing.T) {
	nginxBin := testenv.Command(t, "nginx", "make test installs it")
	dsn := testenv.NewDatabase(t)
	a := testapp.StartOn(t, dsn)
	b := testapp.Serve(t, dsn)
	a.WaitTileIndex(t)
	b.WaitTileIndex(t)
	proxy := startNginx(t, nginxBin, a, b)
	editor := a.NewToken(t, "scaleout-editor", "editor")

	gao := orb.Point{-0.0447, 16.2717}
	tile, _ := testapp.TilePath(gao, 12)
	tile += "?datetime=2022-06-14"
	window := "datetime=2022-06-14&bbox=-0.5,16,0.5,16.5" // items

	t.Run("nginx spreads requests over both instances", func(t *testing.T) {
		seen := map[string]bool{}
		for range 6 {
			res, _ := proxy.Get(t, "/healthz")
			seen[res.Header.Get("X-Upstream")] = true
		}
		if !seen[strings.TrimPrefix(a.URL, "http://")] || !seen[strings.TrimPrefix(b.URL, "http://")] {
			t.Errorf("upstreams seen %v, want %s and %s", seen, a.URL, b.URL)
		}
	})
	t.Run("both instances give a tile the same content ETag", func(t *testing.T) {
		ra, _ := a.Get(t, tile)
		rb, _ := b.Get(t, tile)
		if ra.Header.Get("ETag") == "" || ra.Header.Get("ETag") != rb.Header.Get("ETag") {
			t.Errorf("ETags %q and %q", ra.Header.Get("ETag"), rb.Header.Get("ETag"))
		}
	})
	t.Run("nginx serves a repeated tile from its cache, then revalidates it", func(t *testing.T) {
		first := cacheStatus(t, proxy, tile)
		again := cacheStatus(t, proxy, tile)
		if first != "MISS" || (again != "HIT" && again != "REVALIDATED") {
			t.Errorf("X-Cache-Status %s then %s, want MISS then HIT or REVALIDATED", first, again)
		}
		time.Sleep(nginxHold + 100*time.Millisecond) // the cached copy expires
		if later := cacheStatus(t, proxy, tile); later != "REVALIDATED" {
			t.Errorf("X-Cache-Status after expiry %s, want REVALIDATED (an instance answered 304 to its ETag)", later)
		}
	})
	t.Run("a write through one instance shows through the other and through nginx", func(t *testing.T) {
		feature := strings.NewReplacer("test-sevare-2022-05", "scaleout-gao-2022-06", "-4.0947, 14.5246", "-0.0447, 16.2717",
			"2022-05-10", "2022-06-14", "Sévaré", "Gao", "Mopti", "Gao").Replace(testapp.NewIncident)
		a.TileLayers(t, tile) // cached everywhere before the write
		b.TileLayers(t, tile)
		proxy.TileLayers(t, tile)
		res, body := a.Do(t, http.MethodPost, "/collections/incidents/items", editor, strings.NewReader(feature),
			"Content-Type", "application/geo+json")
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("POST through A: %d %s", res.StatusCode, body)
		}
		written := time.Now()
		id := "scaleout-gao-2022-06"
		checks := []struct {
			name  string
			limit time.Duration
			shows func() bool
		}{
			{"items through B", time.Second, func() bool { return slices.Contains(b.Incidents(t, window).IDs(), id) }},
			{"tile through B", time.Second, func() bool { return slices.Contains(testapp.FeatureIDs(b.TileLayers(t, tile)["incidents"]), id) }},
			{"items through nginx", time.Second, func() bool { return slices.Contains(proxy.Incidents(t, window).IDs(), id) }},
			// nginx keeps a tile to the end of the second it got it in,
			// then revalidates it; the polling adds its 20 ms.
			{"tile through nginx", nginxHold + 50*time.Millisecond, func() bool {
				return slices.Contains(testapp.FeatureIDs(proxy.TileLayers(t, tile)["incidents"]), id)
			}},
		}
		for _, c := range checks {
			for !c.shows() {
				if time.Since(written) > 5*time.Second {
					t.Fatalf("%s: the write never showed within 5 s", c.name)
				}
				time.Sleep(20 * time.Millisecond)
			}
			took := time.Since(written)
			t.Logf("%s: the write showed after %v", c.name, took.Round(time.Millisecond))
			if took > c.limit {
				t.Errorf("%s: the write took %v to show, more than %v", c.name, took, c.limit)
			}
		}
	})
	t.Run("a write through A is an event on live streams of B and through nginx", func(t *testing.T) {
		liveAcrossInstances(t, a, b, proxy, editor)
	})
}

// nginxHold is how long nginx may serve a tile from its cache without
// asking: until the end of the second named by X-Accel-Expires, the one in
// which the instance answered.
const nginxHold = time.Second

func cacheStatus(t *testing.T, proxy *testapp.App, path string) string {
	t.Helper()
	res, body := proxy.Get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s through nginx: %d %s", path, res.StatusCode, body)
	}
	return res.Header.Get("X-Cache-Status")
}

// nginxConf is the configuration of docs/scaling.md, with every path in
// one directory so that nginx runs as a child of the test.
var nginxConf = template.Must(template.New("nginx.conf").Parse(`{{if .Root}}user root;
{{end}}worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 256; }

http {
    access_log {{.Dir}}/access.log;
    client_body_temp_path {{.Dir}}/client_body;
    proxy_temp_path {{.Dir}}/proxy;
    fastcgi_temp_path {{.Dir}}/fastcgi;
    uwsgi_temp_path {{.Dir}}/uwsgi;
    scgi_temp_path {{.Dir}}/scgi;

    # Every instance is stateless: any of them answers any request.
    upstream incidentmap {
{{range .Upstreams}}        server {{.}};
{{end}}        keepalive 16;
    }

    # Tiles only, on disk, evicted when unused for 10 minutes.
    proxy_cache_path {{.Dir}}/cache levels=1:2 keys_zone=tiles:10m max_size=1g inactive=10m use_temp_path=off;

    server {
        listen 127.0.0.1:{{.Port}};

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        add_header X-Upstream $upstream_addr always;  # the test reads it; drop it in production

        # Everything else passes through: items carry a data-version ETag
        # and "max-age=0, must-revalidate", which nginx does not store, so a
        # client's If-None-Match reaches an instance and gets its 304 there.
        location / {
            proxy_pass http://incidentmap;
        }

        # Tiles carry a content ETag and "public, no-cache". nginx never
        # stores a no-cache answer, so it is told to ignore Cache-Control.
        # It keeps a tile until the end of the second the instance named in
        # X-Accel-Expires (the one it answered in; 1 s when absent), then
        # revalidates it with If-None-Match: an instance answers 304 from
        # its own tile cache and nginx serves its copy again.
        location /tiles/ {
            proxy_pass http://incidentmap;
            proxy_cache tiles;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 1s;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_bypass $http_authorization;  # drafts are shown to editors only
            proxy_no_cache $http_authorization;
            add_header X-Cache-Status $upstream_cache_status always;
            add_header X-Upstream $upstream_addr always;
        }
    }
}
`))

// startNginx runs nginx in front of the instances on a free port until the
// test ends, and returns it as an app.
func startNginx(t *testing.T, bin string, instances ...*testapp.App) *testapp.App {
	t.Helper()
	dir := t.TempDir()
	var upstreams []string
	for _, in := range instances {
		upstreams = append(upstreams, strings.TrimPrefix(in.URL, "http://"))
	}
	var conf bytes.Buffer
	port := testenv.FreePort(t)
	err := nginxConf.Execute(&conf, map[string]any{"Dir": dir, "Port": port, "Upstreams": upstreams, "Root": os.Geteuid() == 0})
	if err != nil {
		t.Fatal(err)
	}
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", confFile, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful: finish the requests in flight
		select {
		case err := <-exited:
			if err != nil {
				t.Logf("nginx: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Logf("nginx killed after 10 s: %v", <-exited)
		}
	})
	proxy := &testapp.App{URL: fmt.Sprintf("http://127.0.0.1:%d", port), DSN: instances[0].DSN, Env: instances[0].Env}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s%s", err, out.String(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", strings.TrimPrefix(proxy.URL, "http://"), time.Second); err == nil {
			c.Close()
			return proxy
		}
		if time.Since(start) > 10*time.Second {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx not listening on %s after 10 s:\n%s", proxy.URL, log)
		}
	}
}
