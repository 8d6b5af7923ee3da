// Package testenv is what tests need from the machine, under one rule: a
// test that lacks a part it needs (PostGIS, Chromium, GDAL, nginx, the built
// pages) is skipped with a message saying how to get it, except under
// CI=true, where it fails: CI never skips. make test installs and starts
// every part.
//
// Starting the whole program on a seeded database is the subpackage
// testapp's: it imports internal/cli, which this package must not, so that
// the tests inside tiles, store and internal/cli may use the rule.
package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Need skips t when err is not nil, or fails it under CI=true. what names
// the missing part and how to get it ("GDAL (make test installs gdal-bin)").
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("this test needs %s: %v; under CI=true it must run", what, err)
	} else {
		t.Skipf("this test needs %s: %v", what, err)
	}
}

// RepoRoot is the repository's root directory (the one holding go.mod),
// looked up from the test's working directory, its package's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Command finds the program name on PATH, or in /usr/sbin (not on a
// non-root PATH: nginx); without it the test skips, or fails under CI=true.
// install says how to get it ("make test installs gdal-bin").
func Command(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join("/usr/sbin", name)); statErr == nil {
			return filepath.Join("/usr/sbin", name)
		}
	}
	Need(t, fmt.Sprintf("%s (%s)", name, install), err)
	return path
}

// GDAL runs one of GDAL's programs (ogrinfo, ogr2ogr) with args and returns
// its output; it fails the test when the program fails. Without GDAL the
// test skips, or fails under CI=true.
func GDAL(t testing.TB, name string, args ...string) string {
	t.Helper()
	return GDALWith(t, nil, name, args...)
}

// GDALWith is GDAL with env ("NAME=value") added to its environment.
func GDALWith(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Command(t, name, "make test installs gdal-bin"), args...)
	cmd.Env = append(append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// OGCAPIDriver is the environment under which GDAL's OGCAPI driver reads
// vector tilesets: nothing when the installed GDAL's does, else
// GDAL_DRIVER_PATH naming the folder where scripts/gdal-ogcapi.sh built
// that driver from Debian's source with its vector branch (Debian 12's
// GDAL 3.6.2 was built without it). The script fetches from Debian once
// and then reuses its build; when it fails, the test skips, or fails
// under CI=true.
func OGCAPIDriver(t testing.TB) []string {
	t.Helper()
	Command(t, "ogrinfo", "make test installs gdal-bin")
	cmd := exec.Command("bash", filepath.Join(RepoRoot(t), "scripts", "gdal-ogcapi.sh"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, stderr.String())
	}
	Need(t, "GDAL's OGCAPI driver with vector tiles (scripts/gdal-ogcapi.sh builds it)", err)
	if dir := strings.TrimSpace(string(out)); dir != "" {
		return []string{"GDAL_DRIVER_PATH=" + dir}
	}
	return nil
}

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// Chromium returns the path of Debian's Chromium; without it the test
// skips, or fails under CI=true.
func Chromium(t testing.TB) string {
	t.Helper()
	_, err := os.Stat(chromiumPath)
	Need(t, "Debian's chromium (scripts/deps.sh installs it)", err)
	return chromiumPath
}

// ChromiumFlags are the command-line flags (without their "--") every
// browser test starts Chromium with, whatever else it adds: no sandbox
// (tests may run as root), software GL, no QUIC and no component updates
// (nothing leaves the machine on the browser's own), no scrollbars in
// screenshots, English.
var ChromiumFlags = map[string]any{
	"no-sandbox": true, "disable-gpu": true, "disable-quic": true, "disable-component-update": true,
	"use-gl": "swiftshader", "enable-unsafe-swiftshader": true, "hide-scrollbars": true, "lang": "en-GB",
}

// Built checks that the file of static/dist at name (index.html,
// embed.html) exists; without it (make web builds the pages) the test
// skips, or fails under CI=true.
func Built(t testing.TB, name string) {
	t.Helper()
	_, err := os.Stat(filepath.Join(RepoRoot(t), "static", "dist", name))
	Need(t, "the built pages (make web)", err)
}

// FreePort is a TCP port of 127.0.0.1 free when asked.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// errUnset says that an environment variable is missing.
func errUnset(name string) error { return errors.New(name + " is not set") }
