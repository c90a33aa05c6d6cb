package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/preflight"
	"github.com/zuora-netsuite/connector/internal/settings"
)

const preflightUsage = `Checks a Zuora tenant and a NetSuite account before go-live, through Zuora's
describe API (GET /v1/describe/{object}) and NetSuite's metadata catalog: every
field the connector reads or writes exists, its custom fields are there under the
settings' names, Auto-Generated Numbers allow override where numbers come from
Zuora, tax is configured as netsuite.legacyTax says, OneWorld subsidiaries are set,
and whether the tenant is on Invoice Settlement. It writes nothing and needs no
Temporal server. Exit 1 when any finding is BLOCK; VERIFY rows are for the UI.

Usage:
  starter preflight [--settings FILE] [--json] [Zuora and NetSuite flags, as the worker's]
`

type preflightConfig struct {
	SettingsFile string
	JSON         bool
	APIs         app.APIConfig
	Log          app.LogConfig
}

// preflightMain runs the checks; it returns the exit code (0 ready, 1 a
// blocking finding or a failure, 2 usage).
func preflightMain(args []string, stdout, stderr io.Writer) int {
	c := &preflightConfig{}
	fs := cli.NewFlagSet(program+" preflight", app.EnvPrefix, preflightUsage, stderr)
	fs.StringVar(&c.SettingsFile, "settings", "", "connector settings file (JSON, see docs/settings.md); default: the built-in defaults")
	fs.BoolVar(&c.JSON, "json", false, "print machine-readable JSON instead of a table")
	c.APIs.AddFlags(fs)
	c.Log.AddFlags(fs)
	if err := cli.Parse(fs, app.EnvPrefix, args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "%s preflight: %v\nRun '%s preflight --help' for the flags and their environment variables.\n", program, err, program)
		return cli.ExitUsage
	}
	logger, err := c.Log.New()
	if err != nil {
		fmt.Fprintf(stderr, "%s preflight: %v\n", program, err)
		return cli.ExitUsage
	}
	s := settings.Default()
	if c.SettingsFile != "" {
		if s, err = settings.Load(c.SettingsFile); err != nil {
			fmt.Fprintf(stderr, "%s preflight: %v\n", program, err)
			return 1
		}
	}
	if err := s.Validate(); err != nil {
		fmt.Fprintf(stderr, "%s preflight: %v\n", program, err)
		return 1
	}
	z, err := c.APIs.NewZuora(logger, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%s preflight: %v\n", program, err)
		return 1
	}
	ns, err := c.APIs.NewNetSuite(logger, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%s preflight: %v\n", program, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rep := preflight.Run(ctx, z, ns, s)
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "%s preflight: interrupted\n", program)
		return 1
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printPreflight(stdout, rep)
	}
	if rep.Blocking > 0 {
		return 1
	}
	return 0
}

func printPreflight(w io.Writer, rep preflight.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tCHECK\tWHERE\tFINDING\tFIX")
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Check, dash(f.Where), oneLine(f.Finding), dash(oneLine(f.Fix)))
	}
	_ = tw.Flush()
	if rep.Blocking > 0 {
		fmt.Fprintf(w, "\n%d blocking finding(s): fix them before go-live, then run starter preflight again.\n", rep.Blocking)
	} else {
		fmt.Fprintln(w, "\nNo blocking finding. Check the VERIFY rows in the NetSuite UI before go-live.")
	}
}
