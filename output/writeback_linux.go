package output

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing bytes [off, off+n) of f
// to disk, without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE: no durability, no metadata; Close's fsync gives
// both). An error is ignored: the fsync reports what matters.
func startWriteback(f *os.File, off, n int64) {
	c, err := f.SyscallConn()
	if err != nil {
		return
	}
	c.Control(func(fd uintptr) { //nolint:errcheck // see above
		unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE) //nolint:errcheck
	})
}
