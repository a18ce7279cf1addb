package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves flags before positional arguments, so that
// `resreport LOG_DIR --since T -o r.html` works as in the reference (the
// cli package stops parsing flags at the first positional argument). The
// command name, if any, stays first; "--" ends flag parsing.
func permuteArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	flags := app.Flags
	if len(rest) > 0 {
		if cmd := app.Command(rest[0]); cmd != nil {
			out = append(out, rest[0])
			rest = rest[1:]
			flags = cmd.Flags
		}
	}
	takesValue := map[string]bool{}
	for _, f := range flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var opts, pos []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			pos = append(pos, rest[i+1:]...)
			i = len(rest)
		case len(a) > 1 && a[0] == '-':
			opts = append(opts, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				opts = append(opts, rest[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	out = append(out, opts...)
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}
