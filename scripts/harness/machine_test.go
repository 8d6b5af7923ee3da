package harness

import "testing"

func TestLoadAvgTakesTheFirstN(t *testing.T) {
	const proc = "2.25 3.06 3.25 3/412 12345\n"
	for _, tt := range []struct {
		text string
		n    int
		want string
	}{
		{proc, 1, "2.25"},
		{proc, 3, "2.25 3.06 3.25"},
		{"2.25\n", 3, "unknown"},
		{"", 1, "unknown"},
	} {
		if got := loadAvgFields(tt.text, tt.n); got != tt.want {
			t.Errorf("loadAvgFields(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}

func TestMachineMem(t *testing.T) {
	if got := (Machine{MemKB: 24684532}).Mem(); got != "24106 MB RAM" {
		t.Errorf("Mem = %q", got)
	}
	if got := (Machine{}).Mem(); got != "unknown memory" {
		t.Errorf("Mem of nothing = %q", got)
	}
}
