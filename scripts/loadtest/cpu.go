package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the CPU time used so far, in seconds: by the whole machine
// (busy and idle), by the server, by the PostgreSQL backends of the load's
// database, and by this client.
type cpuSample struct {
	at             time.Time
	busy, idle     float64
	server, client float64
	postgres       map[string]float64 // by backend pid
}

// clockTick is USER_HZ, the unit of /proc's CPU times on Linux.
const clockTick = 100

// sampleCPU reads /proc. Backends that ended before the second sample are
// not counted; the pool keeps its connections, so they are few.
func sampleCPU(serverPid int, db string) cpuSample {
	s := cpuSample{at: time.Now(), server: procCPU(strconv.Itoa(serverPid)), client: procCPU("self"), postgres: map[string]float64{}}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i := 1; i < len(f) && i <= 8; i++ { // user nice system idle iowait irq softirq steal
			v, _ := strconv.ParseFloat(f[i], 64)
			if i == 4 || i == 5 {
				s.idle += v / clockTick
			} else {
				s.busy += v / clockTick
			}
		}
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		cmd, err := os.ReadFile(dir + "/cmdline")
		if err != nil || !strings.HasPrefix(string(cmd), "postgres: ") || !strings.Contains(string(cmd), " "+db+" ") {
			continue
		}
		s.postgres[filepath.Base(dir)] = procCPU(filepath.Base(dir))
	}
	return s
}

// procCPU is the user and system time of process pid ("self": this one).
func procCPU(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses:
	// state is the 3rd field of stat, utime the 14th, stime the 15th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseFloat(f[11], 64)
	system, _ := strconv.ParseFloat(f[12], 64)
	return (user + system) / clockTick
}

// cpuUse says where the CPU went between two samples, in percent of one
// core.
func cpuUse(from, to cpuSample, db string) string {
	wall := to.at.Sub(from.at).Seconds()
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v/wall) }
	busy := to.busy - from.busy
	server, client := to.server-from.server, to.client-from.client
	pg := 0.0
	for pid, v := range to.postgres { // a backend new since from counts from 0
		pg += v - from.postgres[pid]
	}
	return fmt.Sprintf("server %s, PostgreSQL (the backends of %s) %s, this load client %s, everything else %s, idle %s",
		pct(server), db, pct(pg), pct(client), pct(max(0, busy-server-pg-client)), pct(to.idle-from.idle))
}

// dbName is the database named by a postgres:// URL.
func dbName(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		return strings.TrimPrefix(u.Path, "/")
	}
	return ""
}
