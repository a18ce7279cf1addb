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
	"unicode/utf8"
)

// File is one input log file.
type File struct {
	Path string      // as found under the log directory
	Host int32       // index into Plan.Hosts
	Size int64       // bytes on disk when discovered (compressed size for .gz)
	Gzip bool        //
	Info os.FileInfo // the file at discovery: a file replaced since is reported, not read
}

// Plan is what Discover found: the host table and the files to read.
type Plan struct {
	Root  string
	Hosts []string // sorted; File.Host indexes it
	Files []File   // sorted by host, then path

	// Ignored lists files that match the pattern but are not resource logs
	// in this format (the JSON-lines twin kv_resource.log), and Warnings,
	// in path order, the paths left out and the doubts about the plan.
	Ignored  []string
	Warnings []Warning
}

// Warning is a path discovery left out, or a doubt about one.
type Warning struct {
	Path   string // the file or directory
	Host   string // the host it belongs or would belong to
	Kind   string // one of the Warn* kinds
	Reason string // e.g. "permission denied"
}

// The kinds of a Warning.
const (
	WarnUnreadable = "unreadable" // a directory or file that cannot be read, or not a regular file: skipped
	WarnDuplicate  = "duplicate"  // X.log.gz beside X.log, the same log: skipped, X.log is read
	WarnSameHost   = "same_host"  // a second directory of one host name: read as the same host
)

func (w Warning) String() string { return w.Path + ": " + w.Reason }

var (
	reIPv4   = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+`)
	reWorker = regexp.MustCompile(`^worker_\d+_\d+`)
)

// HostOf returns the host of a file at relative directory rel (slash or
// OS separated) under the log directory (see hostDir).
func HostOf(rel string) string {
	host, _ := hostDir(rel)
	return host
}

// hostDir returns the host of the files in relative directory rel and the
// directory that names it (slash-separated, "" for the log directory):
// the first path component that starts like an IPv4 address or matches
// worker_N_N; else the directory holding the last "logs" component
// (<host>/logs, <wrapper>/<host>/logs); else rel itself; "localhost" for
// the log directory. The name is made text without merging directories:
// a byte that is not valid UTF-8 becomes \xHH and a backslash \\ (see
// hostName).
func hostDir(rel string) (host, dir string) {
	var parts []string
	for _, p := range strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == filepath.Separator }) {
		if p != "." {
			parts = append(parts, p)
		}
	}
	for i, p := range parts {
		if reIPv4.MatchString(p) || reWorker.MatchString(p) {
			return hostName(p), strings.Join(parts[:i+1], "/")
		}
	}
	name := strings.Join(parts, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == "logs" {
			parts = parts[:i]
			name = ""
			if i > 0 {
				name = parts[i-1]
			}
			break
		}
	}
	if len(parts) == 0 {
		return "localhost", ""
	}
	return hostName(name), strings.Join(parts, "/")
}

// hostName escapes the bytes of a directory name that are not valid UTF-8
// as \xHH, and backslashes as \\, so that two names stay two hosts.
func hostName(p string) string {
	if utf8.ValidString(p) && !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, p[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(p[i : i+size])
		}
		i += size
	}
	return b.String()
}

// kindOf names a file mode that is not a regular file's.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m.IsDir():
		return "directory"
	}
	return "special file (" + m.String() + ")"
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
// returns the resource logs under it. Unreadable directories and files,
// matching names that are not regular files (FIFOs, devices, sockets:
// they are never opened) and X.log.gz beside X.log are recorded in
// Plan.Warnings and skipped; a host name of two directories is recorded
// there too. An error of the machine (see environmentErr) stops the walk.
// A root that is a regular file is read as the single log of host
// "localhost"; any other root that is not a directory is an error.
func Discover(root, pattern string) (*Plan, error) {
	root = filepath.Clean(root)
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("log directory %s is a %s, not a directory or a regular file", root, kindOf(st.Mode()))
	}
	plan := &Plan{Root: root}
	files := []found{{path: root, host: "localhost", info: st}}
	if st.IsDir() {
		if files, err = plan.walk(pattern); err != nil {
			return nil, fmt.Errorf("log directory: %w", err)
		}
	}
	files = plan.dropDuplicates(files)
	plan.checkSameHost(files)
	plan.setFiles(files)
	sort.SliceStable(plan.Warnings, func(i, j int) bool { return plan.Warnings[i].Path < plan.Warnings[j].Path })
	return plan, nil
}

// found is a log file found by the walk, with its host and the directory
// that names the host (see hostDir).
type found struct {
	path, host, dir string
	info            os.FileInfo
}

// walk finds the logs under p.Root, recording what it skips.
func (p *Plan) walk(pattern string) ([]found, error) {
	var files []found
	err := filepath.WalkDir(p.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if env := environmentErr(err); env != nil {
				return env
			}
			if path == p.Root {
				return err
			}
			p.skip(path, d != nil && d.IsDir(), errReason(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !Matches(d.Name(), pattern) {
			return nil
		}
		if isJSONTwin(d.Name(), pattern) {
			p.Ignored = append(p.Ignored, path)
			return nil
		}
		info, err := os.Stat(path) // follows a link to a file
		if err != nil {
			if env := environmentErr(err); env != nil {
				return env
			}
			p.skip(path, false, linkReason(path, err))
			return nil
		}
		if !info.Mode().IsRegular() {
			p.skip(path, false, "a "+kindOf(info.Mode())+", not a regular file")
			return nil
		}
		host, dir := hostDir(p.rel(filepath.Dir(path)))
		files = append(files, found{path, host, dir, info})
		return nil
	})
	return files, err
}

// rel is path relative to the root ("" if it is not under it).
func (p *Plan) rel(path string) string {
	rel, err := filepath.Rel(p.Root, path)
	if err != nil {
		return ""
	}
	return rel
}

// skip records an unreadable path, with the host it would belong to.
func (p *Plan) skip(path string, isDir bool, reason string) {
	dir := path
	if !isDir {
		dir = filepath.Dir(path)
	}
	p.Warnings = append(p.Warnings, Warning{Path: path, Host: HostOf(p.rel(dir)), Kind: WarnUnreadable, Reason: reason})
}

// errReason is what went wrong with a path, without the path (a
// *fs.PathError names it) and the operation.
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// linkReason is errReason, naming a dangling symbolic link as one.
func linkReason(path string, err error) string {
	if st, lerr := os.Lstat(path); errors.Is(err, fs.ErrNotExist) && lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
		return "a dangling symbolic link"
	}
	return errReason(err)
}

// dropDuplicates leaves out X.log.gz when X.log is found too: the same
// log, one being compressed (the .gz may still be incomplete) or kept by
// gunzip -k. The plain file is read.
func (p *Plan) dropDuplicates(files []found) []found {
	plain := map[string]bool{}
	for _, f := range files {
		plain[f.path] = true
	}
	out := files[:0]
	for _, f := range files {
		if base, ok := strings.CutSuffix(f.path, ".gz"); ok && plain[base] {
			p.Warnings = append(p.Warnings, Warning{Path: f.path, Host: f.host, Kind: WarnDuplicate,
				Reason: "a gzipped copy of " + base + ", which is read instead"})
			continue
		}
		out = append(out, f)
	}
	return out
}

// checkSameHost records each directory whose host name an earlier
// directory already has (the same IP under two wrappers): its files are
// read as that host's, which is right only if they are one host's logs.
func (p *Plan) checkSameHost(files []found) {
	first := map[string]string{} // host -> its first directory
	warned := map[string]bool{}
	for _, f := range files {
		d, ok := first[f.host]
		if !ok {
			first[f.host] = f.dir
			continue
		}
		if d == f.dir || warned[f.dir] {
			continue
		}
		warned[f.dir] = true
		p.Warnings = append(p.Warnings, Warning{Path: filepath.Join(p.Root, filepath.FromSlash(f.dir)), Host: f.host, Kind: WarnSameHost,
			Reason: fmt.Sprintf("host %s is also %s: both read as one host (one host's logs in two places?)",
				f.host, filepath.Join(p.Root, filepath.FromSlash(d)))})
	}
}

// setFiles builds the host table and the sorted file list.
func (p *Plan) setFiles(files []found) {
	hostIdx := map[string]int32{}
	for _, f := range files {
		hostIdx[f.host] = 0
	}
	for h := range hostIdx {
		p.Hosts = append(p.Hosts, h)
	}
	sort.Strings(p.Hosts)
	for i, h := range p.Hosts {
		hostIdx[h] = int32(i)
	}
	for _, f := range files {
		p.Files = append(p.Files, File{Path: f.path, Host: hostIdx[f.host], Size: f.info.Size(),
			Gzip: strings.HasSuffix(f.path, ".gz"), Info: f.info})
	}
	sort.Slice(p.Files, func(i, j int) bool {
		a, b := p.Files[i], p.Files[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Path < b.Path
	})
}

// ErrNoFiles is returned (wrapped) when a log directory holds no resource log.
var ErrNoFiles = errors.New("no resource log files found")
