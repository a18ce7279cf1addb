package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// File is one input log file.
type File struct {
	Path string // as found under the log directory
	Host int32  // index into Plan.Hosts
	Size int64  // bytes on disk when discovered (compressed size for .gz)
	Gzip bool
}

// Plan is what Discover found: the host table and the files to read.
type Plan struct {
	Root  string
	Hosts []string // sorted; File.Host indexes it
	Files []File   // sorted by host, then path

	// Ignored lists files that match the pattern but are not resource logs
	// in this format (the JSON-lines twin kv_resource.log), and Warnings the
	// directories and files that could not be read.
	Ignored  []string
	Warnings []error
}

var (
	reIPv4   = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+`)
	reWorker = regexp.MustCompile(`^worker_\d+_\d+`)
)

// HostOf returns the host of a file at relative directory rel (slash or
// OS separated) under the log directory: the first path component that
// starts like an IPv4 address or matches worker_N_N, else "localhost".
// Invalid UTF-8 in a directory name is replaced with U+FFFD.
func HostOf(rel string) string {
	for _, p := range strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == filepath.Separator }) {
		if reIPv4.MatchString(p) || reWorker.MatchString(p) {
			return strings.ToValidUTF8(p, "\uFFFD")
		}
	}
	return "localhost"
}

// Matches reports whether a file name is a resource log for the pattern:
// it contains pattern and ends in .log or .log.gz, which also takes rotated
// resource.<stamp>.log[.gz] files.
func Matches(name, pattern string) bool {
	return strings.Contains(name, pattern) && (strings.HasSuffix(name, ".log") || strings.HasSuffix(name, ".log.gz"))
}

// isJSONTwin reports whether name is the JSON-lines twin of the resource
// log (kv_resource.log and its rotations), a different format.
func isJSONTwin(name, pattern string) bool {
	return strings.HasPrefix(name, "kv_"+pattern)
}

// Discover walks root without following symbolic links to directories and
// returns the resource logs under it. Unreadable directories and files are
// recorded in Plan.Warnings and skipped. A root that is a file is read as
// the single log of host "localhost".
func Discover(root, pattern string) (*Plan, error) {
	root = filepath.Clean(root)
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	plan := &Plan{Root: root}
	type found struct {
		path, host string
		size       int64
	}
	var files []found
	if !st.IsDir() {
		files = append(files, found{root, "localhost", st.Size()})
	} else {
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				plan.Warnings = append(plan.Warnings, fmt.Errorf("skip %s: %w", path, err))
				if d != nil && d.IsDir() && path != root {
					return fs.SkipDir
				}
				if path == root {
					return err
				}
				return nil
			}
			if d.IsDir() || !Matches(d.Name(), pattern) {
				return nil
			}
			if isJSONTwin(d.Name(), pattern) {
				plan.Ignored = append(plan.Ignored, path)
				return nil
			}
			info, err := os.Stat(path) // follows a link to a file
			if err != nil {
				plan.Warnings = append(plan.Warnings, fmt.Errorf("skip %s: %w", path, err))
				return nil
			}
			if !info.Mode().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				rel = ""
			}
			files = append(files, found{path, HostOf(rel), info.Size()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", root, err)
		}
	}
	hostIdx := map[string]int32{}
	for _, f := range files {
		hostIdx[f.host] = 0
	}
	for h := range hostIdx {
		plan.Hosts = append(plan.Hosts, h)
	}
	sort.Strings(plan.Hosts)
	for i, h := range plan.Hosts {
		hostIdx[h] = int32(i)
	}
	for _, f := range files {
		plan.Files = append(plan.Files, File{Path: f.path, Host: hostIdx[f.host], Size: f.size, Gzip: strings.HasSuffix(f.path, ".gz")})
	}
	sort.Slice(plan.Files, func(i, j int) bool {
		a, b := plan.Files[i], plan.Files[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Path < b.Path
	})
	return plan, nil
}

// ErrNoFiles is returned (wrapped) when a log directory holds no resource log.
var ErrNoFiles = errors.New("no resource log files found")
