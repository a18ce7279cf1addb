package htmlreport

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Open opens the report at path in the user's browser: xdg-open on Linux,
// open on macOS, and on WSL the Windows default browser (a /mnt/<drive>/…
// path becomes file:///<DRIVE>:/…, a path inside the distribution becomes
// file://wsl.localhost/<distro>/…). It returns once the opener has started
// the browser.
func Open(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	name, args, err := openCommand(runtime.GOOS, detectWSL(), os.Getenv("WSL_DISTRO_NAME"), abs)
	if err != nil {
		return err
	}
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Openers return as soon as the browser runs, but a few (xdg-open with a
	// terminal browser) wait for it: give up waiting after openWait, and
	// report only a failure that came before.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			msg := strings.TrimSpace(out.String())
			return fmt.Errorf("open %s: %s %s: %w %s", path, name, strings.Join(args, " "), err, msg)
		}
	case <-time.After(openWait):
	}
	return nil
}

// openWait is how long Open waits for the opener to exit.
const openWait = 5 * time.Second

// detectWSL reports whether this Linux runs under the Windows Subsystem for
// Linux.
func detectWSL() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	if os.Getenv("WSL_DISTRO_NAME") != "" || os.Getenv("WSL_INTEROP") != "" {
		return true
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

// openCommand returns the command that opens the absolute path abs: a pure
// function of the platform, so that every case is unit-tested.
func openCommand(goos string, wsl bool, distro, abs string) (name string, args []string, err error) {
	switch goos {
	case "darwin":
		return "open", []string{abs}, nil
	case "windows":
		return "cmd", []string{"/c", "start", "", fileURL(strings.ReplaceAll(abs, `\`, "/"))}, nil
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if !wsl {
			return "xdg-open", []string{abs}, nil
		}
		if u, ok := wslDriveURL(abs); ok {
			return "cmd.exe", []string{"/c", "start", "", u}, nil
		}
		if distro != "" {
			return "cmd.exe", []string{"/c", "start", "", "file://wsl.localhost/" + escapePath(distro) + escapePath(abs)}, nil
		}
		return "xdg-open", []string{abs}, nil
	}
	return "", nil, fmt.Errorf("--open is not supported on %s; open %s yourself", goos, abs)
}

// wslDriveURL turns /mnt/<letter>/rest into file:///<LETTER>:/rest.
func wslDriveURL(abs string) (string, bool) {
	rest, ok := strings.CutPrefix(abs, "/mnt/")
	if !ok || len(rest) < 1 {
		return "", false
	}
	d := rest[0]
	if !('a' <= d && d <= 'z' || 'A' <= d && d <= 'Z') || (len(rest) > 1 && rest[1] != '/') {
		return "", false
	}
	tail := "/"
	if len(rest) > 1 {
		tail = rest[1:]
	}
	return fileURL(strings.ToUpper(string(d)) + ":" + tail), true
}

// fileURL makes a file URL of a slash path ("D:/x/y.html" or "/x/y.html").
func fileURL(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + escapePath(p)
}

// escapePath percent-encodes every byte of p but letters, digits, '/',
// ':' (after a drive letter) and "-._~", so that the URL holds no space and
// none of the characters cmd.exe treats specially (& | < > ^ ( ) ! "). The
// '%' of the escapes remain: cmd.exe expands %NAME% on a command line only
// for a defined variable, and names like "20report" are not.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '/', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == ':' && i == 2 && p[0] == '/':
			b.WriteByte(c) // the drive's colon in /D:/…
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
