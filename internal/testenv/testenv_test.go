package testenv

import (
	"errors"
	"fmt"
	"testing"
)

// verdict records what Need asked of its test instead of doing it.
type verdict struct {
	testing.TB
	failed, skipped string
}

func (v *verdict) Helper()                           {}
func (v *verdict) Fatalf(format string, args ...any) { v.failed = fmt.Sprintf(format, args...) }
func (v *verdict) Skipf(format string, args ...any)  { v.skipped = fmt.Sprintf(format, args...) }

// A missing part skips a test, except under CI=true, where it fails it;
// a part that is there does neither.
func TestNeedSkipsOrFailsUnderCI(t *testing.T) {
	missing := errors.New("not installed")
	for _, tc := range []struct {
		ci                 string
		err                error
		wantFail, wantSkip bool
	}{
		{"", missing, false, true},
		{"false", missing, false, true},
		{"true", missing, true, false},
		{"true", nil, false, false},
		{"", nil, false, false},
	} {
		t.Setenv("CI", tc.ci)
		v := &verdict{TB: t}
		Need(v, "nginx (make test installs it)", tc.err)
		if (v.failed != "") != tc.wantFail || (v.skipped != "") != tc.wantSkip {
			t.Errorf("CI=%q, err %v: failed %q, skipped %q", tc.ci, tc.err, v.failed, v.skipped)
		}
	}
}
