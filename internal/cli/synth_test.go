package cli

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"incidentmap/internal/testenv"
)

func TestSynthFlagsAreCheckedBeforeTheDatabase(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{{"synth"}, {"synth", "--count", "0"}, {"synth", "--count", "50000001"}} {
		err := Run(context.Background(), args, noEnv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--count must be 1..50000000") {
			t.Errorf("run %v = %v, want a --count error", args, err)
		}
	}
}

func TestSynthLoadsOnceThenRefusesTheSameIds(t *testing.T) {
	dsn := testenv.NewDatabase(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := Run(ctx, []string{"synth", "--count", "3000", "--seed", "3"}, env, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^synthesized 3000 incidents in [\d.]+ s \(\d+/s\)\n$`).MatchString(out.String()) {
		t.Errorf("synth printed %q", out.String())
	}
	err := Run(ctx, []string{"synth", "--count", "10", "--seed", "3"}, env, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "synth-3-00000001") || !strings.Contains(err.Error(), "already loaded") {
		t.Errorf("second synth of seed 3 = %v, want a duplicate id error", err)
	}
}
