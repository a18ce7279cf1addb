package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// sweep removes what dead runs left in dir: temporaries nobody holds the
// lock of, and the work files of a commit that did not finish, which it
// undoes (the previous version is put back) under the target's lock.
// Another live run's files are left alone: it holds their locks.
func (s *Set) sweep(dir string) {
	if s.swept[dir] || !canLock {
		return
	}
	s.swept[dir] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	names := map[string]string{}  // key -> target name
	work := map[string][]string{} // key -> its .old, .new and .del files
	var locks []string
	for _, e := range entries {
		n := e.Name()
		if k, _, kd, ok := parseWork(n); ok {
			if p := filepath.Join(dir, n); kd == kindTmp && removeDead(s.locks, p) {
				s.cleaned = append(s.cleaned, "removed "+p+" (left by a run that did not finish)")
			} else if kd != kindTmp {
				work[k] = append(work[k], n)
			}
			continue
		}
		if reLock.MatchString(n) {
			locks = append(locks, n)
			continue
		}
		names[key(n)] = n
	}
	keys := make([]string, 0, len(work))
	for k := range work {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.recoverKey(dir, k, names[k], work[k])
	}
	for _, n := range locks {
		removeDead(s.locks, filepath.Join(dir, n))
	}
}

// removeDead removes path (a file or a directory tree) if no process
// holds its lock (mine are the set's own locks).
func removeDead(mine map[string]*nameLock, path string) bool {
	if _, ok := mine[path]; ok {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if ok, _ := tryLock(f); !ok || !sameFile(f, path) {
		return false
	}
	return os.RemoveAll(path) == nil
}

// recoverKey undoes the unfinished commit of target name (key k) in dir,
// if the target's lock can be had (it is this set's, or nobody's).
func (s *Set) recoverKey(dir, k, name string, files []string) {
	lockPath := filepath.Join(dir, lockName(k))
	if _, mine := s.locks[lockPath]; !mine {
		l, err := lockTarget(dir, k, k)
		if err != nil {
			return // a live run is committing it
		}
		defer l.release()
	}
	if name == "" && len(k) < maxKey {
		name = k // the target itself is missing (a directory renamed aside); a longer key is a hash
	}
	for _, n := range files {
		p := filepath.Join(dir, n)
		_, _, kd, _ := parseWork(n)
		var err error
		switch {
		case kd == kindDel:
			err = os.RemoveAll(p)
		case name == "":
			continue // cannot tell which target it was
		case kd == kindNew:
			err = os.RemoveAll(filepath.Join(dir, name))
			if err == nil {
				err = os.Remove(p)
			}
		case kd == kindOld:
			err = putBack(p, filepath.Join(dir, name), filepath.Join(dir, workName(k, newRunID(), kindDel)))
		}
		switch {
		case err != nil:
		case kd == kindDel:
			s.cleaned = append(s.cleaned, "removed "+p+" (left by a run that did not finish)")
		default:
			s.cleaned = append(s.cleaned, "put "+filepath.Join(dir, name)+" back as it was before a run that died during its commit")
		}
	}
}

// putBack renames the previous version old over target; a directory in
// the way is renamed to del first, then removed.
func putBack(old, target, del string) error {
	oi, err := os.Lstat(old)
	if err != nil {
		return err
	}
	ti, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.Rename(old, target)
	case err != nil:
		return err
	case os.SameFile(oi, ti): // the commit had not replaced it yet
		return os.Remove(old)
	case oi.IsDir():
		if err := os.Rename(target, del); err != nil {
			return err
		}
		if err := os.Rename(old, target); err != nil {
			os.Rename(del, target)
			return err
		}
		return os.RemoveAll(del)
	}
	return os.Rename(old, target)
}
