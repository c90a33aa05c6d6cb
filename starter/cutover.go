package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/settings"
)

const cutoverUsage = `Before the first run on a tenant that Zuora's own NetSuite connector synced:
lists what that connector left (Zuora invoices, adjustments and accounts in
Processing, Creating..., Error...; NetSuite records carrying a Zuora id but none of
this connector's external ids and linked from no Zuora record) and what this
connector will do with each: match and complete (its NetSuite record is linked,
nothing created), sync (none exists: synced once), resume (this connector's own
record), or leave for a person. It writes nothing and needs no Temporal server.
Turn the old connector's schedule off first (docs/cutover.md). Exit 1 when
something needs a person.

Usage:
  starter cutover check [--settings FILE] [--json] [Zuora and NetSuite flags, as the worker's]
`

type cutoverConfig struct {
	SettingsFile string
	JSON         bool
	APIs         app.APIConfig
	Log          app.LogConfig
}

// cutoverMain runs `starter cutover check`; it returns the exit code (0
// nothing for a person, 1 something for a person or a failure, 2 usage).
func cutoverMain(args []string, stdout, stderr io.Writer) int {
	c := &cutoverConfig{}
	fs := cli.NewFlagSet(program+" cutover check", app.EnvPrefix, cutoverUsage, stderr)
	fs.StringVar(&c.SettingsFile, "settings", "", "connector settings file (JSON, see docs/settings.md); default: the built-in defaults")
	fs.BoolVar(&c.JSON, "json", false, "print machine-readable JSON instead of a table")
	c.APIs.AddFlags(fs)
	c.Log.AddFlags(fs)
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fs.Usage()
			return 0
		}
		fmt.Fprintf(stderr, "%s cutover: want the subcommand check (%s cutover check --help)\n", program, program)
		return cli.ExitUsage
	}
	if err := cli.Parse(fs, app.EnvPrefix, args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "%s cutover check: %v\nRun '%s cutover check --help' for the flags and their environment variables.\n", program, err, program)
		return cli.ExitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s cutover check: %v\n", program, err)
		return 1
	}
	logger, err := c.Log.New()
	if err != nil {
		fmt.Fprintf(stderr, "%s cutover check: %v\n", program, err)
		return cli.ExitUsage
	}
	s := settings.Default()
	if c.SettingsFile != "" {
		if s, err = settings.Load(c.SettingsFile); err != nil {
			return fail(err)
		}
	}
	if err := s.Validate(); err != nil {
		return fail(err)
	}
	z, err := c.APIs.NewZuora(logger, nil)
	if err != nil {
		return fail(err)
	}
	ns, err := c.APIs.NewNetSuite(logger, nil)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a := &activities.Activities{Zuora: z, NetSuite: ns, Logger: logger}
	rep, err := a.CutoverCheck(ctx, s)
	if err != nil {
		return fail(err)
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printCutover(stdout, rep)
	}
	if rep.NeedsPerson > 0 {
		return 1
	}
	return 0
}

func printCutover(w io.Writer, rep activities.CutoverReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tSYSTEM\tRECORD\tID\tNUMBER\tLEFT AS\tNETSUITE\tDETAIL")
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Action, f.System, f.Object, f.ID, dash(f.Number), f.LeftAs, dash(f.NetSuite), dash(oneLine(f.Detail)))
	}
	_ = tw.Flush()
	var actions []string
	for k := range rep.Counts {
		actions = append(actions, k)
	}
	sort.Strings(actions)
	fmt.Fprint(w, "\nCounts:")
	if len(actions) == 0 {
		fmt.Fprint(w, " nothing left by Zuora's connector")
	}
	for i, k := range actions {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(w, "%s %s %d", sep, k, rep.Counts[k])
	}
	fmt.Fprintln(w)
	if rep.NeedsPerson > 0 {
		fmt.Fprintf(w, "\n%d record(s) need a person before the first run (see DETAIL); then run starter cutover check again.\n", rep.NeedsPerson)
	} else {
		fmt.Fprintln(w, "\nNothing needs a person: the first run links, syncs or resumes every record above.")
	}
}
