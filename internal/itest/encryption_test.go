package itest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/zuora-netsuite/connector/internal/codec"
	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// With payload encryption on, a whole run's histories (the run, every child
// workflow, every activity input, result, heartbeat and failure) show no
// customer name, invoice number, amount, Zuora id or credential in plain
// text; through the codec they decode to the real data. Workflow ids and
// search attributes stay readable on purpose: they are Temporal's indexes.
func TestPayloadEncryption_NoTenantDataOrSecretInPlainTextInHistory(t *testing.T) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	ring, err := codec.ParseKeyRing("test", "itest-1="+base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	cdc := codec.New(ring)
	f, err := fixture.Generate("seed=41,accounts=4,invoices=12,items=1-5,tax=0.5,negative=0.2,broken=2,adjustments=3")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{DataConverter: cdc.DataConverter(), FailureConverter: cdc.FailureConverter(),
		Configure: func(c *sandbox.Config) {
			// Faults put activity failures (error texts) into history too.
			c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, ErrorRate: 0.3}
			c.ZuoraFaults = sandbox.Faults{ErrorRate: 0.1}
		}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const runID = "itest-encryption"
	res := e.RunSync(ctx, runID, settings.Default())

	// The result came back through the codec and reads as usual.
	if inv := res.Progress.Invoices; inv.Selected == 0 || inv.Synced == 0 || inv.Errored == 0 || inv.Done() != inv.Selected || len(res.Errors) == 0 {
		t.Errorf("decoded run result: invoices %+v, %d errors (want every selected invoice done, some synced, the broken ones errored)", inv, len(res.Errors))
	}
	for _, re := range res.Errors {
		if re.Reason == "" || re.ID == "" {
			t.Errorf("decoded run result has an error without id or reason: %+v", re)
		}
	}
	// Without the key the result cannot be read.
	var plain workflows.SyncRunResult
	if err := DevServer(t).Client().GetWorkflow(ctx, runID, "").Get(ctx, &plain); err == nil {
		t.Errorf("a client without the codec read the encrypted result: %+v", plain)
	} else {
		t.Logf("without the codec: %v", err)
	}

	sensitive := tenantSensitiveStrings(t, f)
	cfg := sandbox.DefaultConfig()
	for _, s := range append([]string{cfg.Zuora.ClientID, cfg.Zuora.ClientSecret, cfg.NetSuite.ConsumerKey, cfg.NetSuite.ConsumerSecret,
		cfg.NetSuite.TokenID, cfg.NetSuite.TokenSecret}, e.Sandbox.IssuedTokens("zuora")...) {
		sensitive = append(sensitive, sensitiveString{"credential", s})
	}
	if len(e.Sandbox.IssuedTokens("zuora")) == 0 {
		t.Error("the sandbox issued no Zuora token: the token check would be empty")
	}

	scan := scanHistories(e.RunHistories(ctx), sensitive, cdc)
	t.Logf("%d workflow runs, %d events, %d payloads, %d encoded failures checked", scan.runs, scan.events, scan.payloads, scan.encodedFailures)
	for _, p := range append(append(scan.plainText, scan.unencrypted...), scan.problems...) {
		t.Error(p)
	}
	if scan.runs < 10 || scan.events < 100 || scan.payloads < 50 {
		t.Fatalf("the scan saw too little: %d runs, %d events, %d payloads", scan.runs, scan.events, scan.payloads)
	}
	if scan.encodedFailures == 0 || scan.decodedFailures == 0 {
		t.Errorf("%d encoded failures, %d decoded: with faults and broken invoices the histories should hold some", scan.encodedFailures, scan.decodedFailures)
	}
	// The scan looks where the data is: decoded, the same payloads show it.
	// (Amounts and names travel only inside activities, never in payloads, so
	// only ids and numbers are required here.)
	t.Logf("decoded payloads show: %v", scan.decodedKinds)
	for _, kind := range []string{"Zuora id", "invoice number"} {
		if scan.decodedKinds[kind] == 0 {
			t.Errorf("no %s found in the decoded payloads: the plain-text check may be looking at the wrong data", kind)
		}
	}

	// Control: the same tenant synced without encryption fails the same scan.
	pe := New(t, f, Options{})
	pe.RunSync(ctx, runID+"-plain", settings.Default())
	control := scanHistories(pe.RunHistories(ctx), sensitive, nil)
	t.Logf("without encryption: %d plain-text findings, %d unencrypted payloads", len(control.plainText), len(control.unencrypted))
	if len(control.plainText) == 0 || len(control.unencrypted) == 0 {
		t.Error("the scan finds nothing in an unencrypted run: it cannot tell encrypted from plain")
	}
}

type historyScan struct {
	runs, events, payloads           int
	encodedFailures, decodedFailures int
	plainText, unencrypted, problems []string
	decodedKinds                     map[string]int
}

// scanHistories looks for the sensitive strings in every event (workflow ids
// and search attributes aside), with payloads base64-decoded as stored, and
// checks every payload is encrypted. With cdc it also decodes payloads and
// failures and counts which kinds of sensitive data they really hold.
func scanHistories(histories []RunHistory, sensitive []sensitiveString, cdc *codec.Codec) historyScan {
	s := historyScan{runs: len(histories), decodedKinds: map[string]int{}}
	var decoded strings.Builder
	for _, h := range histories {
		for _, ev := range h.Events {
			s.events++
			where := fmt.Sprintf("workflow %s event %d (%s)", h.WorkflowID, ev.EventId, ev.EventType)
			text := withDecodedPayloads(protojson.Format(redactIndexes(ev)))
			for _, ss := range sensitive {
				if ss.in(text) {
					s.plainText = append(s.plainText, fmt.Sprintf("%s shows a %s in plain text: %q", where, ss.kind, ss.value))
				}
			}
			visitMessages(ev.ProtoReflect(), func(m protoreflect.Message) {
				switch p := m.Interface().(type) {
				case *commonpb.Payload:
					s.payloads++
					if enc := string(p.Metadata["encoding"]); enc != codec.MetadataEncoding {
						s.unencrypted = append(s.unencrypted, fmt.Sprintf("%s: a payload with encoding %q is not encrypted", where, enc))
						return
					}
					if cdc == nil {
						return
					}
					dec, err := cdc.Decode([]*commonpb.Payload{p})
					if err != nil {
						s.problems = append(s.problems, fmt.Sprintf("%s: decoding: %v", where, err))
						return
					}
					decoded.Write(dec[0].Data)
					decoded.WriteByte('\n')
				case *failurepb.Failure:
					if p.EncodedAttributes == nil {
						return
					}
					s.encodedFailures++
					if p.Message != "Encoded failure" || p.StackTrace != "" {
						s.problems = append(s.problems, fmt.Sprintf("%s: an encoded failure still has message %q", where, p.Message))
					}
					if cdc == nil {
						return
					}
					// FailureToError decodes in place; the clone keeps the history as read.
					if err := cdc.FailureConverter().FailureToError(proto.Clone(p).(*failurepb.Failure)); err != nil && err.Error() != "" && err.Error() != "Encoded failure" {
						s.decodedFailures++
						decoded.WriteString(err.Error() + "\n")
					}
				}
			}, true)
		}
	}
	for _, ss := range sensitive {
		if ss.in(decoded.String()) {
			s.decodedKinds[ss.kind]++
		}
	}
	return s
}

type sensitiveString struct{ kind, value string }

// in reports whether text holds the value as is or JSON-escaped (names have quotes).
func (s sensitiveString) in(text string) bool {
	if strings.Contains(text, s.value) {
		return true
	}
	q, _ := json.Marshal(s.value)
	return strings.Contains(text, string(q[1:len(q)-1]))
}

// tenantSensitiveStrings is what a fixture holds that must not be readable in
// history: account names and numbers, every Zuora id, invoice and other
// record numbers, and amounts of 100 or more (smaller ones, like "7.25",
// are too short to tell from other text).
func tenantSensitiveStrings(t *testing.T, f *fixture.Fixture) []sensitiveString {
	t.Helper()
	var out []sensitiveString
	seen := map[string]bool{}
	add := func(kind, v string) {
		if len(v) >= 6 && !seen[v] {
			seen[v] = true
			out = append(out, sensitiveString{kind, v})
		}
	}
	for obj, recs := range f.Zuora.Objects {
		for _, r := range recs {
			for k, v := range r {
				switch {
				case k == "Id":
					add("Zuora id", fmt.Sprint(v))
				case obj == "Account" && k == "Name":
					add("customer name", fmt.Sprint(v))
				case k == "InvoiceNumber":
					add("invoice number", fmt.Sprint(v))
				case strings.HasSuffix(k, "Number"):
					add("record number", fmt.Sprint(v))
				case strings.Contains(k, "Amount") || k == "Balance":
					d, err := decimal.NewFromString(fmt.Sprint(v))
					if err == nil && d.Abs().GreaterThanOrEqual(decimal.NewFromInt(100)) {
						add("amount", d.Abs().StringFixed(2))
					}
				}
			}
		}
	}
	return out
}

// RunHistory is the full event history of one workflow run.
type RunHistory struct {
	WorkflowID, RunID string
	Events            []*historypb.HistoryEvent
}

// RunHistories reads every workflow run on the Env's task queue (a sync run,
// its children, every continue-as-new run), all events. It waits until every
// child a history started is among them, so nothing is missed while
// visibility catches up.
func (e *Env) RunHistories(ctx context.Context) []RunHistory {
	e.T.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var (
			runs    []RunHistory
			started = map[string]bool{}
			listed  = map[string]bool{}
			token   []byte
		)
		for {
			resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				Query: fmt.Sprintf("TaskQueue = '%s'", e.TaskQueue), NextPageToken: token, PageSize: 1000})
			if err != nil {
				e.T.Fatalf("listing workflows on %s: %v", e.TaskQueue, err)
			}
			for _, wf := range resp.Executions {
				h := RunHistory{WorkflowID: wf.Execution.WorkflowId, RunID: wf.Execution.RunId}
				listed[h.WorkflowID] = true
				it := e.Temporal.GetWorkflowHistory(ctx, h.WorkflowID, h.RunID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
				for it.HasNext() {
					ev, err := it.Next()
					if err != nil {
						e.T.Fatalf("history of %s/%s: %v", h.WorkflowID, h.RunID, err)
					}
					h.Events = append(h.Events, ev)
					if a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil {
						started[a.WorkflowId] = true
					}
				}
				runs = append(runs, h)
			}
			if token = resp.NextPageToken; len(token) == 0 {
				break
			}
		}
		var missing []string
		for id := range started {
			if !listed[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 && len(runs) > 0 {
			return runs
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("visibility does not list %d started child workflows, e.g. %s", len(missing), missing[0])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// redactIndexes is ev without what Temporal must read to index and route:
// workflow ids (derived from Zuora ids by design) and search attributes.
func redactIndexes(ev *historypb.HistoryEvent) *historypb.HistoryEvent {
	c := proto.Clone(ev).(*historypb.HistoryEvent)
	visitMessages(c.ProtoReflect(), func(m protoreflect.Message) {
		var clear []protoreflect.FieldDescriptor
		m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			if fd.Name() == "workflow_id" || (fd.Message() != nil && fd.Message().FullName() == "temporal.api.common.v1.SearchAttributes") {
				clear = append(clear, fd)
			}
			return true
		})
		for _, fd := range clear {
			m.Clear(fd)
		}
	}, false)
	return c
}

// visitMessages calls fn on m and every message inside it; with
// skipIndexes it does not descend into search attributes.
func visitMessages(m protoreflect.Message, fn func(protoreflect.Message), skipIndexes bool) {
	if skipIndexes && m.Descriptor().FullName() == "temporal.api.common.v1.SearchAttributes" {
		return
	}
	fn(m)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					visitMessages(mv.Message(), fn, skipIndexes)
					return true
				})
			}
		case fd.IsList():
			if fd.Kind() == protoreflect.MessageKind {
				for i := 0; i < v.List().Len(); i++ {
					visitMessages(v.List().Get(i).Message(), fn, skipIndexes)
				}
			}
		case fd.Kind() == protoreflect.MessageKind:
			visitMessages(v.Message(), fn, skipIndexes)
		}
		return true
	})
}

// The real programs share the keys: a worker and a starter started with one
// key file run a sync whose history is encrypted; the starter's codec server
// decodes it for the temporal CLI (as for the UI); a starter without the
// keys cannot read the run.
func TestPayloadEncryption_WorkerStarterAndCodecServerProgramsShareTheKeys(t *testing.T) {
	f, err := fixture.Generate("seed=42,accounts=2,invoices=5,items=1-3,tax=0.5")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{NoWorker: true})
	bins := Binaries(t)
	srv := DevServer(t)
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	keyText := "prog-1=" + base64.StdEncoding.EncodeToString(raw) + "\n"
	keyFile := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(keyFile, []byte(keyText), 0o600); err != nil {
		t.Fatal(err)
	}
	ring, _ := codec.ParseKeyRing("test", keyText)
	cdc := codec.New(ring)

	common := []string{"--temporal-address", srv.FrontendHostPort(), "--task-queue", e.TaskQueue, "--log-level", "warn"}
	w := StartProcess(t, bins+"/worker", append([]string{"--http-addr", FreeAddr(t), "--zuora-url", e.Sandbox.ZuoraURL(),
		"--netsuite-url", e.Sandbox.NetSuiteURL(), "--encryption", "on", "--encryption-key-file", keyFile}, common...))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	starter := func(env []string, args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, bins+"/starter", append(args, common...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("starter: %v", err)
		}
		return string(out), code
	}
	const runID = "itest-encryption-programs"
	out, code := starter([]string{"CONNECTOR_ENCRYPTION_KEY_FILE=" + keyFile}, "sync", "--only", "invoices", "--workflow-id", runID, "--wait", "--json")
	if code != 0 {
		t.Fatalf("starter sync with the key file: exit %d\n%s\nworker: %s", code, out, w.Output())
	}
	if !strings.Contains(out, `"synced": 5`) && !strings.Contains(out, `"synced":5`) {
		t.Errorf("starter printed no decoded summary with 5 synced invoices:\n%s", out)
	}

	invID := fmt.Sprint(f.Zuora.Objects["Invoice"][0]["Id"])
	scan := scanHistories(e.RunHistories(ctx), tenantSensitiveStrings(t, f), cdc)
	for _, p := range append(append(scan.plainText, scan.unencrypted...), scan.problems...) {
		t.Error(p)
	}
	if scan.runs < 6 || scan.payloads < 20 {
		t.Fatalf("scan saw too little: %d runs, %d payloads", scan.runs, scan.payloads)
	}

	// Without the keys, against a local server, the starter runs unencrypted and cannot read the result.
	out, code = starter(nil, "progress", runID, "--json")
	if code == 0 || !strings.Contains(out, "binary/encrypted") {
		t.Errorf("starter without the keys read the encrypted run (exit %d):\n%s", code, out)
	}
	// A key file with a short key is a usage error.
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("k="+base64.StdEncoding.EncodeToString(raw[:16])+"\n"), 0o600)
	out, code = starter(nil, "progress", runID, "--encryption-key-file", short)
	if code != 2 || !strings.Contains(out, "exactly 32") || strings.Contains(out, base64.StdEncoding.EncodeToString(raw[:16])) {
		t.Errorf("short key: exit %d, want 2 and a length message without the key:\n%s", code, out)
	}

	// The codec server decodes for the temporal CLI exactly as for the UI.
	addr := FreeAddr(t)
	StartProcess(t, bins+"/starter", []string{"codec-server", "--listen", addr, "--encryption-key-file", keyFile, "--log-level", "warn"})
	WaitTCP(t, addr, 20*time.Second)
	show := func(extra ...string) string {
		cmd := exec.CommandContext(ctx, TemporalCLI(), append([]string{"workflow", "show", "--address", srv.FrontendHostPort(),
			"--workflow-id", "invoice:" + invID, "--output", "json"}, extra...)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("temporal workflow show: %v\n%s", err, b)
		}
		return string(b)
	}
	plain, dec := show(), show("--codec-endpoint", "http://"+addr)
	encB64 := base64.StdEncoding.EncodeToString([]byte(codec.MetadataEncoding))
	input := `"invoiceId":"` + invID + `"`
	if !strings.Contains(plain, encB64) || strings.Contains(withDecodedPayloads(plain), input) {
		t.Errorf("the CLI without the codec server does not show only encrypted payloads:\n%.1500s", plain)
	}
	if strings.Contains(dec, encB64) || !strings.Contains(withDecodedPayloads(dec), input) {
		t.Errorf("through the codec server the CLI does not show the decoded input of invoice %s:\n%.1500s", invID, dec)
	}
}
