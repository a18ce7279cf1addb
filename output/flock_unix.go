//go:build unix

package output

import (
	"errors"
	"os"
	"syscall"
)

// canLock says whether tryLock keeps other processes out.
const canLock = true

// tryLock takes an exclusive advisory lock on f without waiting; false
// when another open file (another run, or a dead run's file being cleaned
// by a third) holds it. The lock goes with the descriptor: it is released
// when f is closed or its process dies.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, nil
	}
	return false, err
}
