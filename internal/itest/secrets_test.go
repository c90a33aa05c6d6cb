package itest

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zuora-netsuite/connector/internal/sandbox"
	"github.com/zuora-netsuite/connector/internal/sandbox/fixture"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/workflows"
)

// No secret enters workflow history: inputs, results, heartbeats, failures
// (with faults on, so error texts are in there too) of the run and of every
// invoice workflow.
func TestNoSecretInWorkflowHistory(t *testing.T) {
	f, err := fixture.Generate("seed=21,accounts=3,invoices=12,items=1-5,tax=0.5,broken=2")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, f, Options{Configure: func(c *sandbox.Config) {
		c.NetSuiteFaults = sandbox.Faults{Concurrency: 15, ErrorRate: 0.1, SpuriousAuthRate: 0.05}
		c.ZuoraFaults = sandbox.Faults{ErrorRate: 0.1}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e.RunSync(ctx, "itest-secrets", settings.Default(), workflows.PhaseInvoices)

	cfg := sandbox.DefaultConfig()
	secrets := []string{cfg.Zuora.ClientSecret, cfg.NetSuite.ConsumerSecret, cfg.NetSuite.TokenSecret}
	ids := []string{"itest-secrets"}
	for _, inv := range f.Zuora.Objects["Invoice"] {
		ids = append(ids, "invoice:"+inv["Id"].(string))
	}
	events := 0
	for _, id := range ids {
		it := e.Temporal.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatalf("history of %s: %v", id, err)
			}
			events++
			text := withDecodedPayloads(protojson.Format(ev))
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Fatalf("workflow %s event %d (%s) contains a secret", id, ev.EventId, ev.EventType)
				}
			}
		}
	}
	if probe := withDecodedPayloads(`{"data": "` + base64.StdEncoding.EncodeToString([]byte(`{"x":"sandbox-zuora-secret"}`)) + `"}`); !strings.Contains(probe, secrets[0]) {
		t.Fatal("the payload decoder does not see into payloads")
	}
	if events < 50 {
		t.Fatalf("read only %d history events; the check saw too little", events)
	}
	t.Logf("%d history events of %d workflows checked", events, len(ids))
}

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// withDecodedPayloads appends the decoded payloads (protojson shows them in
// base64) so the search sees inputs, results and heartbeat details as JSON.
func withDecodedPayloads(text string) string {
	var b strings.Builder
	b.WriteString(text)
	for _, m := range payloadData.FindAllStringSubmatch(text, -1) {
		if raw, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.WriteByte('\n')
			b.Write(raw)
		}
	}
	return b.String()
}
