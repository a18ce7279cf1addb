package output

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// The files a Set keeps next to a target NAME in its directory, with KEY
// = key(NAME) and RUN the run's random id:
//
//	.KEY.resreport-lock      the target's advisory lock (removed at the end)
//	.KEY.resreport-RUN.tmp   the new content, until Commit renames it
//	.KEY.resreport-RUN.old   during Commit: the previous content (a hard link)
//	.KEY.resreport-RUN.new   during Commit: marks a target that did not exist
//	.KEY.resreport-RUN.del   a replaced directory being removed
const (
	marker     = ".resreport-"
	lockSuffix = marker + "lock"
)

type kind string

const (
	kindTmp kind = "tmp"
	kindOld kind = "old"
	kindNew kind = "new"
	kindDel kind = "del"
)

var (
	reWork = regexp.MustCompile(`^\.(.+)\.resreport-([0-9a-f]{12})\.(tmp|old|new|del)$`)
	reLock = regexp.MustCompile(`^\.(.+)\.resreport-lock$`)
)

// maxKey bounds the target name inside the names above, so that they fit
// in a 255-byte directory entry.
const maxKey = 200

// key is the part of a work file's name that stands for the target name:
// the name itself, or for a long name a prefix and a hash of it.
func key(name string) string {
	if len(name) <= maxKey {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:maxKey-17] + "~" + hex.EncodeToString(sum[:8])
}

func lockName(k string) string              { return "." + k + lockSuffix }
func workName(k, run string, t kind) string { return "." + k + marker + run + "." + string(t) }

// parseWork splits a work file's name into key, run and kind.
func parseWork(name string) (k, run string, t kind, ok bool) {
	m := reWork.FindStringSubmatch(name)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], kind(m[3]), true
}

// isWork reports whether name is one of the files above.
func isWork(name string) bool { return reWork.MatchString(name) || reLock.MatchString(name) }

// newRunID returns a random run id (12 hex digits).
func newRunID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
