package activities

import (
	"context"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// ConnectorZOQL is every ZOQL shape the connector sends (field lists with
// representative filters), for TestConnectorZOQL_AllAcceptedByTheObjectModel.
func ConnectorZOQL() []string {
	cut := settings.Default()
	cut.Advanced.InvoiceCutoverDate, cut.Advanced.IIACutoverDate = "2026-01-01", "2026-01-01"
	return []string{
		mapping.InvoiceSelectionZOQL(settings.Default()), mapping.InvoiceSelectionZOQL(cut),
		mapping.AdjustmentSelectionZOQL(settings.Default()), mapping.AdjustmentSelectionZOQL(cut),
		"select " + accountFields + " from Account where Id = 'x' or Id = 'y'",
		"select " + taxFields + " from TaxationItem where InvoiceId = 'x'",
		"select " + taxFields + " from TaxationItem where InvoiceItemId = 'x' or InvoiceItemId = 'y'",
		"select " + rpcFields + " from RatePlanCharge where Id = 'x'",
		"select Id, RatePlanChargeId, SubscriptionId from InvoiceItem where Id = 'x'", // memo items from invoice items (catalogBySource)
		"select " + prpcFields + " from ProductRatePlanCharge where Id = 'x'",
		"select " + subscriptionFields + " from Subscription where Id = 'x'",
		"select " + invoiceItemFields + " from InvoiceItem where InvoiceId = 'x'",
		"select " + invoiceItemFields + " from InvoiceItem where Id = 'x' or Id = 'y'",
		"select " + migInvoiceFields + " from Invoice where Status = 'Posted'",
		"select " + reconcileInvoiceFields + " from Invoice where AccountId = 'a' and TransferredToAccounting = 'Yes' and InvoiceDate >= '2026-01-01' and InvoiceDate <= '2026-12-31'",
		"select " + reconcileIIAFields + " from InvoiceItemAdjustment where AccountId = 'a' and TransferredToAccounting = 'Yes' and AdjustmentDate >= '2026-01-01'",
		"select " + mapping.CatalogChargeFields + " from ProductRatePlanCharge",
		"select Id, Name from ProductRatePlanCharge where Name = 'x'",
		"select " + mapping.CustomerAccountFields + " from Account where IntegrationId__NS = 'x'",
		"select Id, Status, TransferredToAccounting, AdjustmentDate, CreatedDate, " + zuora.FieldDoNotSync + " from InvoiceItemAdjustment",
		"select Id, AccountNumber, Name, Status, Balance, CreditBalance from Account",
		"select Id, InvoiceNumber, AccountId, Status, Amount, Balance from Invoice where Status = 'Posted' or Status = 'Draft'",
		"select Id, AccountId, Amount, Status, PaymentNumber from Payment where Status = 'Draft' or Status = 'Error' or Status = 'Canceled'",
		"select Id, Status, ApplyCreditBalance, Scheduled from PaymentRun",
		"select " + mapping.InvoiceFields + ", CreatedDate from Invoice where Status = 'Posted'",
		"select Id, AccountNumber, Currency from Account",
		"select Id, AccountNumber, Status, SynctoNetSuite__NS from Account where Id = 'x'",
	}
}

// SetReconcileChunk lets a test cut a page into several chunks of accounts.
func SetReconcileChunk(n int) func() {
	old := reconcileChunk
	reconcileChunk = n
	return func() { reconcileChunk = old }
}

// RestartInIDOrder is restartInIDOrder, for the batch-order test.
var RestartInIDOrder = restartInIDOrder

// PaymentMethodByName is withPaymentMethodByName for the tests.
func PaymentMethodByName(ctx context.Context, a *Activities, s settings.Settings, zuoraType string) (settings.Settings, error) {
	return newLookupResolver(a.NetSuite).withPaymentMethodByName(ctx, s, zuoraType)
}

// PartQueue exposes the split writers' scheduler to tests.
type PartQueue struct{ q *partQueue }

func NewPartQueueForTest(parts, batches, budget int) PartQueue {
	q := &partQueue{busy: map[int]bool{}, known: map[int]bool{}, budget: budget}
	for p := range parts {
		q.left = append(q.left, partWork{part: p, batches: batches})
	}
	return PartQueue{q}
}

func (q PartQueue) Take() (int, bool, bool)            { return q.q.take() }
func (q PartQueue) Release(part, left int, wrote bool) { q.q.release(part, left, wrote) }
func (q PartQueue) Left(part int) int {
	for _, pl := range q.q.left {
		if pl.part == part {
			return pl.batches
		}
	}
	return 0
}
