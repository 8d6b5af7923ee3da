package harness

import (
	"testing"
	"time"
)

func TestPercentileAndFormats(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if p := Percentile(d, 50); p != 5 {
		t.Errorf("p50 = %v, want 5", p)
	}
	if p := Percentile(d, 99); p != 10 {
		t.Errorf("p99 = %v, want 10", p)
	}
	if p := Percentile(nil, 50); p != 0 {
		t.Errorf("p50 of nothing = %v, want 0", p)
	}
	if s := Thousands(10000000); s != "10,000,000" {
		t.Errorf("Thousands = %q", s)
	}
	if s := MS(1500 * time.Microsecond); s != "1.50 ms" {
		t.Errorf("MS = %q", s)
	}
	for n, want := range map[int64]string{512: "512 B", 1536: "1.5 KB", 30 << 10: "30 KB", 3 << 19: "1.5 MB", 24106 << 20: "24106 MB"} {
		if s := Size(n); s != want {
			t.Errorf("Size(%d) = %q, want %q", n, s, want)
		}
	}
	if YesNo(true) != "yes" || YesNo(false) != "**no**" {
		t.Errorf("YesNo = %q, %q", YesNo(true), YesNo(false))
	}
}
