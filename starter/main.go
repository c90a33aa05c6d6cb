// Command starter is the operator's CLI: start a sync run or one record's
// sync, follow it with a progress bar, print its summary as a table or JSON.
// Everything it does can also be done with the temporal CLI and the UI.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"go.temporal.io/sdk/client"
	"go.uber.org/fx"

	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/cli"
	"github.com/zuora-netsuite/connector/internal/settings"
)

const program = "starter"

const usage = `The connector's operator CLI.

Usage:
  starter sync [--only customers,catalog,invoices,adjustments,revrec] [--wait] [--json]
                                                         start a sync run (all phases, in that order)
  starter sync invoice|adjustment|charge|customer <ID> [--wait] [--json]
                                                         sync one record now (its Zuora id; a customer's
                                                         NetSuite id when NetSuite is the customer master)
  starter progress <WORKFLOW-ID> [--wait] [--json]          show a run's or a record's progress
  starter status [--limit N] [--json]                       recent sync runs with their status and progress
  starter errors [--type invoice|adjustment|customer|charge] [--account A-00012] [--json]
                                                            records in Error with their reasons
  starter schedule create|describe|pause|unpause|trigger|delete [--id ID] [--every 1h | --cron "0 2 * * *"] [--only ...]
                                                            Temporal Schedule of sync runs (overlapping runs skipped)
  starter reconcile --from 2026-01-01 --to 2026-12-31 [--wait] [--json]
                                                            compare synced records with NetSuite to the cent
  starter reconcile show <WORKFLOW-ID> [--json]             wait for a reconciliation and print its report
  starter migrate precheck|start|status|approve|pause|resume|recheck|cancel [--json]
  starter migrate override FINDING-ID --reason TEXT | oauth-secret-file PATH
                                                            the Invoice Settlement migration (docs/migration.md)
  starter preflight [--settings FILE] [--json] [--zuora-* and --netsuite-* flags]
                                                            check the Zuora tenant and NetSuite account before
                                                            go-live (no Temporal needed; exit 1 on a BLOCK finding)
  starter cutover check [--settings FILE] [--json] [--zuora-* and --netsuite-* flags]
                                                            before the first run after Zuora's own connector: what
                                                            it left and what happens to each (docs/cutover.md;
                                                            no Temporal needed; exit 1 when a person is needed)
  starter codec-server --encryption-key-file KEYS [--listen 127.0.0.1:8081] [--ui-origin URL]
                                                            decrypt payloads for the Temporal UI and CLI (--help)

Examples:
  starter sync --wait                    run every sync, follow it with a progress bar, print the summary
  starter sync --only invoices --json    start an invoice-only run, print its workflow id as JSON
  starter sync invoice 8a8082c4... --wait
  starter errors --type invoice --account A-00012
  starter schedule create --every 1h && starter schedule describe
  starter reconcile --from 2026-01-01 --to 2026-12-31 --wait
`

type config struct {
	Temporal app.TemporalConfig
	Log      app.LogConfig

	SettingsFile string
	Only         []string
	Window       int
	Wait         bool
	JSON         bool
	WorkflowID   string
	Ops          opsFlags
	Migrate      migrateFlags
}

func parse(args []string, stderr io.Writer) (*config, []string, error) {
	c := &config{}
	fs := cli.NewFlagSet(program, app.EnvPrefix, usage, stderr)
	fs.SetInterspersed(true)
	c.Temporal.AddFlags(fs)
	c.Log.AddFlags(fs)
	fs.StringVar(&c.SettingsFile, "settings", "", "connector settings file (JSON, see docs/settings.md); default: the built-in defaults")
	fs.StringSliceVar(&c.Only, "only", nil, "run only these phases: "+strings.Join(phaseNames(), ", "))
	fs.IntVar(&c.Window, "window", 0, "child workflows in flight (overrides the settings file's run.window)")
	fs.BoolVar(&c.Wait, "wait", false, "follow the workflow to its end with a progress bar")
	fs.BoolVar(&c.JSON, "json", false, "print machine-readable JSON instead of tables")
	fs.StringVar(&c.WorkflowID, "workflow-id", "", "workflow id for the run (default: sync-run-<UTC time>)")
	c.Ops.addFlags(fs)
	c.Migrate.addFlags(fs)
	rest, err := cli.ParseWithArgs(fs, app.EnvPrefix, args)
	if err != nil {
		return nil, nil, err
	}
	if len(rest) == 0 {
		fs.Usage()
		return nil, nil, errors.New("missing command: sync, progress, status, errors, schedule, reconcile, migrate, preflight, cutover or codec-server")
	}
	for _, p := range c.Only {
		if !validPhase(p) {
			return nil, nil, fmt.Errorf("--only %q: want one of %s", p, strings.Join(phaseNames(), ", "))
		}
	}
	if c.Window < 0 {
		return nil, nil, fmt.Errorf("--window %d: must be positive", c.Window)
	}
	if _, err := c.Log.New(); err != nil {
		return nil, nil, err
	}
	if err := c.Temporal.Check(); err != nil {
		return nil, nil, err
	}
	return c, rest, nil
}

// loadSettings reads the settings file over the defaults and applies flags.
func (c *config) loadSettings() (settings.Settings, error) {
	s := settings.Default()
	if c.SettingsFile != "" {
		var err error
		if s, err = settings.Load(c.SettingsFile); err != nil {
			return s, err
		}
	}
	if c.Window > 0 {
		s.Run.Window = c.Window
	}
	if err := applyConnectorState(&s, c.Migrate.StateDir); err != nil {
		return s, err
	}
	return s, s.Validate()
}

func main() {
	// codec-server needs no Temporal connection: it has its own flags (codec.go).
	if len(os.Args) > 1 && os.Args[1] == "codec-server" {
		os.Exit(codecServerMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	// preflight talks to Zuora and NetSuite only (preflight.go).
	if len(os.Args) > 1 && os.Args[1] == "preflight" {
		os.Exit(preflightMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	// cutover check, too (cutover.go).
	if len(os.Args) > 1 && os.Args[1] == "cutover" {
		os.Exit(cutoverMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	cfg, args, err := parse(os.Args[1:], os.Stderr)
	if err != nil {
		cli.Fail(program, err)
	}
	var tc client.Client
	fxApp := fx.New(
		fx.NopLogger,
		fx.Supply(cfg),
		fx.Provide(
			func(c *config) (*slog.Logger, error) { return c.Log.New() },
			func(c *config, l *slog.Logger) (client.Client, error) {
				opts, err := c.Temporal.ClientOptions(quietLogger(l))
				if err != nil {
					return nil, err
				}
				tc, err := client.Dial(opts)
				if err != nil {
					return nil, fmt.Errorf("connecting to Temporal at %s: %w (is the server running? make demo starts one)", c.Temporal.Address, err)
				}
				return tc, nil
			},
		),
		fx.Populate(&tc),
	)
	if err := fxApp.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, cli.StartupError(err))
		os.Exit(1)
	}
	defer tc.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, cfg, tc, args, os.Stdout, os.Stderr)
	tc.Close()
	os.Exit(code)
}

// run executes one command and returns the exit code: 0 done, 1 failed, 2 usage.
func run(ctx context.Context, c *config, tc client.Client, args []string, stdout, stderr io.Writer) int {
	var err error
	switch args[0] {
	case "sync":
		err = cmdSync(ctx, c, tc, args[1:], stdout, stderr)
	case "progress":
		err = cmdProgress(ctx, c, tc, args[1:], stdout, stderr)
	case "status":
		err = cmdStatus(ctx, c, tc, args[1:], stdout, stderr)
	case "errors":
		err = cmdErrors(ctx, c, tc, args[1:], stdout, stderr)
	case "schedule":
		err = cmdSchedule(ctx, c, tc, args[1:], stdout, stderr)
	case "reconcile":
		err = cmdReconcile(ctx, c, tc, args[1:], stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, c, tc, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "%s: unknown command %q (want sync, progress, status, errors, schedule, reconcile, migrate, preflight, cutover or codec-server; see --help)\n", program, args[0])
		return cli.ExitUsage
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %v\n", program, err)
		return cli.ExitUsage
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", program, err)
		return 1
	}
	return 0
}

type usageError struct{ error }

func quietLogger(l *slog.Logger) *slog.Logger {
	// The SDK logs every connection detail at info; an operator's CLI shows warnings only.
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}
