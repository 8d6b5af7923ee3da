package harness

import (
	"fmt"
	"strconv"
	"time"
)

// MS formats a duration in milliseconds, with sensible precision:
// "250 ms", "12.5 ms", "1.50 ms".
func MS(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.2f ms", f)
}

// Size formats a byte count: "12 MB", "1.5 MB", "30 KB", "1.2 KB", "512 B".
func Size(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Thousands formats n with commas: 1000000 -> 1,000,000.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// YesNo is the "met" column of a targets table: "yes", or a bold "**no**".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}
