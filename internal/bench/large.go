package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/app"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// zoqlPage is how many rows one ZOQL query/queryMore call returns: the
// bulk read the physical limit of a large invoice assumes (issue 13).
const zoqlPage = 2000

// largeRun is one large invoice synced under one invoice.overCeiling policy.
type largeRun struct {
	policy                 string
	items, taxItems, lines int // Zuora invoice items, taxation items, both
	scenario
}

// zuoraReadsNeeded: the ZOQL calls that read every item and tax line at
// 2,000 rows a call.
func (l largeRun) zuoraReadsNeeded() int {
	return ceilDiv(l.items, zoqlPage) + ceilDiv(l.taxItems, zoqlPage)
}

// netsuiteWritesNeeded: split needs one write per record of at most the
// ceiling; summarize one record (its summary fits: the generated tenant
// books on a handful of groups).
func (l largeRun) netsuiteWritesNeeded(ceiling int) int {
	if l.policy == settings.OverCeilingSplit {
		return ceilDiv(l.lines, ceiling)
	}
	return 1
}

// limit is the physical limit: the needed Zuora reads and NetSuite writes,
// one after another, each at its configured latency.
func (l largeRun) limit(o options) time.Duration {
	return time.Duration(l.zuoraReadsNeeded())*o.zuoraL + time.Duration(l.netsuiteWritesNeeded(o.lineCeiling))*o.largeL
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// large syncs one invoice of largeItems items (largeTax of them taxed) under
// policy, on one worker process, at the ceiling lineCeiling.
func (b *bench) large(ctx context.Context, policy string, r *results) error {
	spec := fmt.Sprintf("seed=6,accounts=1,invoices=0,large=%d,large-count=1,tax=%g", b.o.largeItems, b.o.largeTax)
	e, f, err := b.newEnvFixture(spec, b.o.largeL)
	if err != nil {
		return err
	}
	defer e.close()
	run := largeRun{policy: policy, items: len(f.Zuora.Objects["InvoiceItem"]), taxItems: len(f.Zuora.Objects["TaxationItem"])}
	run.lines = run.items + run.taxItems
	fmt.Printf("bench: large invoice under %s: %d items + %d tax lines, ceiling %d, L=%s per write, Zuora %s per call\n",
		policy, run.items, run.taxItems, b.o.lineCeiling, b.o.largeL, b.o.zuoraL)
	// One invoice's lines are written one request after another: one worker.
	if err := b.startWorkers(e, 1); err != nil {
		return err
	}
	s := b.settings()
	s.Invoice.LineCeiling, s.Invoice.OverCeiling = b.o.lineCeiling, policy
	res, wall, queries, err := b.runSync(ctx, e, "bench-large-"+policy, s)
	if err != nil {
		return err
	}
	run.scenario = scenario{records: res.Progress.Invoices.Synced, errored: res.Progress.Invoices.Errored, wall: wall,
		writes: netsuiteWrites(e.sb.Stats("netsuite")), queries: queries}
	run.nsReads, run.nsWrites = netsuiteRequests(e.sb.Stats("netsuite"))
	run.zuoraCalls, run.zoqlCalls = zuoraCalls(e.sb.Stats("zuora"))
	if run.hist, err = b.histories(ctx, e.queue); err != nil {
		return err
	}
	if err := e.measureWorkers(&run.scenario); err != nil {
		return err
	}
	r.large = append(r.large, run)
	fmt.Printf("bench: large under %s: %d synced (%d errors) in %s, %d Zuora calls, %d NetSuite writes\n",
		policy, run.records, run.errored, wall.Round(time.Millisecond), run.zuoraCalls, run.nsWrites)
	return nil
}

// selectionRun is the invoice selection of a backlog, measured in-process.
type selectionRun struct {
	backlog, selected, zuoraCalls, pages int
	wall                                 time.Duration
}

// selection counts the Zuora calls the invoice selection makes for a backlog
// of selectInvoices invoices: the selection activity called page by page as
// the run workflow calls it (the page size the run uses for the bench's
// window), without Temporal, as activities/zoql_test.go does at 6,000.
func (b *bench) selection(ctx context.Context, r *results) error {
	n := b.o.selectInvoices
	spec := fmt.Sprintf("seed=7,accounts=100,invoices=%d,items=1-1,tax=0", n)
	fmt.Printf("bench: selection of a backlog of %d invoices (in-process)\n", n)
	e, err := b.newEnv(spec, b.o.writeL)
	if err != nil {
		return err
	}
	defer e.close()
	apis := app.APIConfig{ZuoraURL: e.sb.ZuoraURL(), ZuoraClientID: e.cfg.Zuora.ClientID, ZuoraClientSecret: e.cfg.Zuora.ClientSecret,
		NetSuiteURL: e.sb.NetSuiteURL(), NetSuiteAccount: e.cfg.NetSuite.Account, ConsumerKey: e.cfg.NetSuite.ConsumerKey,
		ConsumerSecret: e.cfg.NetSuite.ConsumerSecret, TokenID: e.cfg.NetSuite.TokenID, TokenSecret: e.cfg.NetSuite.TokenSecret,
		NetSuiteConcurrency: b.o.c, HTTPTimeout: time.Minute}
	z, err := apis.NewZuora(b.log, nil)
	if err != nil {
		return err
	}
	ns, err := apis.NewNetSuite(b.log, nil)
	if err != nil {
		return err
	}
	acts := &activities.Activities{Zuora: z, NetSuite: ns, Logger: b.log}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(b.log))
	act := suite.NewTestActivityEnvironment()
	act.RegisterActivity(acts.SelectInvoices)
	s := b.settings()
	// The page size workflows/sync_run.go asks for.
	in := workflows.SelectInput{Settings: s, Limit: max(2*s.Run.Window, 100)}
	before, _ := zuoraCalls(e.sb.Stats("zuora"))
	start := time.Now()
	sel := selectionRun{backlog: n}
	for {
		v, err := act.ExecuteActivity(acts.SelectInvoices, in)
		if err != nil {
			return err
		}
		var page workflows.SelectResult
		if err := v.Get(&page); err != nil {
			return err
		}
		sel.pages++
		sel.selected += len(page.Records)
		if page.Done || len(page.Records) == 0 {
			break
		}
		in.AfterID = page.Records[len(page.Records)-1].ID
		if sel.pages > n {
			return fmt.Errorf("selection did not end after %d pages", sel.pages)
		}
	}
	sel.wall = time.Since(start)
	after, _ := zuoraCalls(e.sb.Stats("zuora"))
	sel.zuoraCalls = after - before
	r.selection = sel
	fmt.Printf("bench: selection: %d of %d invoices selected in %d pages, %d Zuora calls, %s\n",
		sel.selected, n, sel.pages, sel.zuoraCalls, sel.wall.Round(time.Millisecond))
	return nil
}

// zuoraCalls counts the Zuora API calls (token minting and the sandbox's
// admin endpoints excluded), and of them the ZOQL query/queryMore calls.
func zuoraCalls(s sandbox.Stats) (calls, zoql int) {
	for k, v := range s.Requests {
		if strings.Contains(k, "/_sandbox/") || strings.Contains(k, "/oauth/token") {
			continue
		}
		calls += int(v)
		if strings.Contains(k, "/v1/action/query") {
			zoql += int(v)
		}
	}
	return calls, zoql
}

// netsuiteRequests counts every NetSuite request, refused ones included,
// as reads (GETs and SuiteQL) and writes (every other record call).
func netsuiteRequests(s sandbox.Stats) (reads, writes int) {
	for k, v := range s.Requests {
		if strings.Contains(k, "/_sandbox/") || strings.Contains(k, "/auth/oauth2/") {
			continue
		}
		if strings.HasPrefix(k, "GET ") || strings.HasPrefix(k, "HEAD ") || strings.Contains(k, "/query/v1/suiteql") {
			reads += int(v)
		} else {
			writes += int(v)
		}
	}
	return reads, writes
}
