package activities

import (
	"context"
	"sync"
	"time"

	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// tenantFactsTTL: how long a worker trusts the tenant's answer. Runs start
// every few minutes at most (the reference recommends 30 between runs), and
// the migration flips Invoice Settlement once; 5 minutes saves a call per
// run burst without keeping a stale answer across a migration for long.
const tenantFactsTTL = 5 * time.Minute

var tenantFactsCache = struct {
	sync.Mutex
	m map[*zuora.Client]cachedFacts
}{m: map[*zuora.Client]cachedFacts{}}

type cachedFacts struct {
	facts workflows.TenantFacts
	at    time.Time
}

// TenantFacts asks the Zuora tenant whether it is on Invoice Settlement
// (zuora.Client.InvoiceSettlementEnabled: the credit memo endpoint answers
// only there). The run records the answer in its history, so a replay or a
// continue-as-new never asks again; this cache only spares Zuora the same
// question from runs started close together on one worker.
func (a *Activities) TenantFacts(ctx context.Context) (workflows.TenantFacts, error) {
	tenantFactsCache.Lock()
	c, ok := tenantFactsCache.m[a.Zuora]
	tenantFactsCache.Unlock()
	if ok && a.now().Sub(c.at) < tenantFactsTTL {
		return c.facts, nil
	}
	is, err := a.Zuora.InvoiceSettlementEnabled(ctx)
	if err != nil {
		return workflows.TenantFacts{}, retryable("asking Zuora whether the tenant is on Invoice Settlement", err)
	}
	facts := workflows.TenantFacts{InvoiceSettlement: is}
	if is {
		// Only "on Invoice Settlement" is kept: a tenant never leaves it,
		// while "not yet" stops being true the moment Zuora finishes the
		// migration (a run right after it, on a cached "not yet", ran the
		// adjustment phase against an IS tenant and failed).
		tenantFactsCache.Lock()
		tenantFactsCache.m[a.Zuora] = cachedFacts{facts: facts, at: a.now()}
		tenantFactsCache.Unlock()
	}
	return facts, nil
}
