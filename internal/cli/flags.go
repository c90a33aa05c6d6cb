// Package cli holds what the three programs share on the command line: every
// flag is also readable from an environment variable, bad flags exit with
// code 2 and a message that says what to do, and secrets can come from files.
package cli

import (
	"errors"
	"fmt"
	"go.uber.org/dig"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// ExitUsage is the exit code for a bad command line, as flag packages use.
const ExitUsage = 2

// EnvName is the environment variable that sets a flag: PREFIX_FLAG_NAME.
func EnvName(prefix, flag string) string {
	return prefix + "_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// NewFlagSet makes a flag set whose usage lists each flag with its
// environment variable, so --help tells a new user both ways to set it.
func NewFlagSet(program, envPrefix, summary string, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(program, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(out)
	fs.Usage = func() {
		if strings.Contains(summary, "Usage:") {
			fmt.Fprintf(out, "%s\n", strings.TrimRight(summary, "\n"))
		} else {
			fmt.Fprintf(out, "%s\n\nUsage: %s [flags]\n", summary, program)
		}
		fmt.Fprintf(out, "\nFlags (each also settable by the environment variable shown):\n")
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			f.Usage = strings.TrimSuffix(f.Usage, " ["+EnvName(envPrefix, f.Name)+"]") + " [" + EnvName(envPrefix, f.Name) + "]"
		})
		fmt.Fprint(out, fs.FlagUsages())
	}
	return fs
}

// Parse parses args, then fills every flag not given on the command line from
// its environment variable. A value the flag rejects names the variable.
func Parse(fs *pflag.FlagSet, envPrefix string, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return applyEnv(fs, envPrefix)
}

// ParseWithArgs is Parse for programs that take positional arguments
// (subcommands); it returns them.
func ParseWithArgs(fs *pflag.FlagSet, envPrefix string, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs.Args(), applyEnv(fs, envPrefix)
}

func applyEnv(fs *pflag.FlagSet, envPrefix string) error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed {
			return
		}
		name := EnvName(envPrefix, f.Name)
		v, ok := os.LookupEnv(name)
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s: %w", name, err))
		}
	})
	return errors.Join(errs...)
}

// Fail prints a command-line error with a pointer to --help and exits 2.
// --help itself exits 0.
func Fail(program string, err error) {
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "%s: %v\nRun '%s --help' for the flags and their environment variables.\n", program, err, program)
	os.Exit(ExitUsage)
}

// Secret returns a secret given directly or, when file is set, read from that
// file (trailing newline trimmed). The value never appears in errors.
func Secret(name, value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: cannot read secret file %s: %w", name, file, errors.Unwrap(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// StartupError is what a program prints when fx could not build it: the
// cause (e.g. "connecting to Temporal at ...: connection refused"), not the
// dependency-graph path fx wraps it in.
func StartupError(err error) error { return dig.RootCause(err) }
