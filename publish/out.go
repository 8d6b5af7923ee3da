package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckOut refuses an output directory that exists and is not an empty
// directory, or whose parent is missing, before any work is done.
func CheckOut(dir string) error {
	if dir == "" {
		return errors.New("--out: an output directory is required")
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return fmt.Errorf("--out: the parent directory %s does not exist", parent)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return fmt.Errorf("--out: %s exists and is not a directory", dir)
		}
		return fmt.Errorf("--out: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("--out: %s exists and is not empty", dir)
	}
	return nil
}
