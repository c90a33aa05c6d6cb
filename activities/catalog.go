package activities

import (
	"context"
	"fmt"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
	"github.com/zuora-netsuite/connector/workflows"
)

// SelectCharges returns the next page of product rate plan charges that are
// new or (with Sync New and Modified Records) modified since their last
// sync, in id order after in.AfterID.
func (a *Activities) SelectCharges(ctx context.Context, in workflows.SelectInput) (workflows.SelectResult, error) {
	ctx = nsFields(ctx, in.Settings)
	// The run's snapshot, read once and cut by keyset (selection.go).
	return keysetPage(ctx, a.Zuora, "select "+mapping.CatalogChargeFields+" from ProductRatePlanCharge", "product rate plan charges", in,
		func(ch zuora.ProductRatePlanCharge) string { return ch.ID },
		func(ch zuora.ProductRatePlanCharge) (workflows.SelectedRecord, bool) {
			ok, _ := mapping.ChargeSelectable(ch, in.Settings)
			return workflows.SelectedRecord{ID: ch.ID, Number: ch.Name}, ok
		})
}

// nsItem is a NetSuite item as SuiteQL's item table shows it.
type nsItem struct {
	id, itemID, externalID, recordType string
}

// SyncCharge syncs one charge to the NetSuite item of its Item Type: created
// by upsert on the external id zuora-charge-<id> (exactly once), or updated
// when it exists and the behavior is Sync New and Modified Records; then the
// item's id and Sync Complete are written back to the charge.
func (a *Activities) SyncCharge(ctx context.Context, in workflows.CatalogSyncInput) (workflows.CatalogSyncResult, error) {
	ctx = nsFields(ctx, in.Settings)
	res, err := a.syncCharge(ctx, in)
	res.ChargeID = in.ChargeID
	if err != nil {
		if !permanent(err) {
			return res, retryable("syncing charge "+in.ChargeID, err)
		}
		if res, err = a.chargeError(ctx, res, "NetSuite refused the item: "+err.Error()); err != nil {
			return res, err
		}
	}
	if res.Outcome != workflows.OutcomeSkipped {
		a.record(workflows.RecordCharge, res.Outcome)
	}
	return res, nil
}

func (a *Activities) syncCharge(ctx context.Context, in workflows.CatalogSyncInput) (workflows.CatalogSyncResult, error) {
	s := in.Settings
	res := workflows.CatalogSyncResult{ChargeID: in.ChargeID}
	var ch zuora.ProductRatePlanCharge
	if err := a.Zuora.GetObject(ctx, zuora.ObjProductRatePlanCharge, in.ChargeID, &ch); err != nil {
		if zuora.IsNotFound(err) {
			return workflows.CatalogSyncResult{Outcome: workflows.OutcomeSkipped, Reason: "the charge no longer exists in Zuora"}, nil
		}
		return res, fmt.Errorf("reading charge %s: %w", in.ChargeID, err)
	}
	if ok, why := mapping.ChargeSelectable(ch, s); !ok {
		res.Outcome, res.Reason = workflows.OutcomeSkipped, why
		return res, nil
	}
	itemID := mapping.CatalogItemID(ch, s)
	res.Number = itemID
	var problems []mapping.Problem
	if s.Catalog.ItemIDMapping == settings.ItemIDFromChargeName && ch.Name != "" {
		same, err := zuora.QueryAll[zuora.ProductRatePlanCharge](ctx, a.Zuora, "select Id, Name from ProductRatePlanCharge where Name = "+zuora.Quote(ch.Name))
		if err != nil {
			return res, fmt.Errorf("checking that the charge name is unique: %w", err)
		}
		problems = append(problems, mapping.ValidateChargeNameUnique(ch, same, s)...)
	} else {
		problems = append(problems, mapping.ValidateChargeNameUnique(ch, nil, s)...)
	}

	lookups := newLookupResolver(a.NetSuite)
	if err := lookups.classifications(ctx, chargeClass(ch)); err != nil {
		return res, err
	}
	// GL accounts by name or number, as the charge's fields may hold either.
	accounts := map[string]string{}
	codes := []string{ch.AccountingCode, ch.RecognizedRevAccount, ch.DeferredRevAccount}
	if err := lookups.resolve(ctx, "account", "acctname", accounts, codes); err != nil {
		return res, err
	}
	// A second resolver: the first remembers names per table, not per column.
	if err := newLookupResolver(a.NetSuite).resolve(ctx, "account", "acctnumber", accounts, codes); err != nil {
		return res, err
	}
	problems = append(problems, mapping.ValidateCharge(ch, lookups.l, accounts)...)

	recordType, _ := mapping.NetSuiteItemType(ch)
	res.RecordType = recordType
	existing, err := a.chargeItem(ctx, ch)
	if err != nil {
		return res, err
	}
	if existing != nil && recordType != "" {
		problems = append(problems, mapping.ValidateItemTypeUnchanged(ch, existing.recordType, recordType)...)
	}
	if owner, err := a.itemByColumn(ctx, "itemid", itemID); err != nil {
		return res, err
	} else if owner != nil && (existing == nil || owner.id != existing.id) {
		problems = append(problems, mapping.ValidateItemIDFree(ch, itemID, owner.id, owner.externalID)...)
	}
	if len(problems) > 0 {
		return a.chargeError(ctx, res, problemText(problems))
	}

	body := mapping.NetSuiteItemFromCharge(ch, lookups.l, accounts, s)
	switch {
	case existing == nil:
		id, err := a.NetSuite.Upsert(ctx, recordType, netsuite.ItemExternalID(ch.ID), body)
		if err != nil {
			return res, fmt.Errorf("creating the NetSuite %s: %w", recordType, err)
		}
		res.NetSuiteID, res.Action = id, workflows.ActionCreated
	case s.Catalog.Behavior == settings.SyncNewOnly:
		// Only reached when an earlier attempt made the item and lost the
		// answer: Sync New Records Only never updates it.
		res.NetSuiteID, res.Action = existing.id, workflows.ActionUnchanged
	default:
		if err := a.NetSuite.Patch(ctx, recordType, existing.id, body); err != nil {
			return res, fmt.Errorf("updating NetSuite %s %s: %w", recordType, existing.id, err)
		}
		res.NetSuiteID, res.Action = existing.id, workflows.ActionUpdated
	}
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjProductRatePlanCharge, ch.ID, map[string]any{
		"IntegrationId__NS": res.NetSuiteID, "IntegrationStatus__NS": zuora.StatusSyncComplete, "SyncDate__NS": zuoraDate(a.now()),
	}); err != nil {
		return res, fmt.Errorf("writing back Sync Complete: %w", err)
	}
	res.Outcome = workflows.OutcomeSynced
	a.log(ctx).Info("charge synced", "charge_id", ch.ID, "netsuite_id", res.NetSuiteID, "item_id", itemID, "action", res.Action)
	return res, nil
}

// chargeItem is the NetSuite item already made for the charge: the one its
// Integration Id names, else the one with its external id.
func (a *Activities) chargeItem(ctx context.Context, ch zuora.ProductRatePlanCharge) (*nsItem, error) {
	if ch.IntegrationID != "" {
		it, err := a.itemByColumn(ctx, "id", ch.IntegrationID)
		if err != nil || it != nil {
			return it, err
		}
	}
	return a.itemByColumn(ctx, "externalid", netsuite.ItemExternalID(ch.ID))
}

// itemByColumn reads the first item (of any item type) whose column has value.
func (a *Activities) itemByColumn(ctx context.Context, column, value string) (*nsItem, error) {
	rows, err := a.NetSuite.QueryAll(ctx, fmt.Sprintf("SELECT id, itemid, itemtype, externalid FROM item WHERE %s = %s ORDER BY id", column, netsuite.Quote(value)))
	if err != nil {
		return nil, fmt.Errorf("looking up NetSuite items by %s: %w", column, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	r := rows[0]
	return &nsItem{id: suiteCell(r, "id"), itemID: suiteCell(r, "itemid"), externalID: suiteCell(r, "externalid"),
		recordType: netsuite.SuiteQLItemTypes[suiteCell(r, "itemtype")]}, nil
}

// chargeError ends a charge in Error with the reason on the charge's
// Integration Status (charges have no Transferred To Accounting).
func (a *Activities) chargeError(ctx context.Context, res workflows.CatalogSyncResult, reason string) (workflows.CatalogSyncResult, error) {
	if err := a.markChargeError(ctx, res.ChargeID, reason); err != nil {
		return res, err
	}
	res.Outcome, res.Reason = workflows.OutcomeError, reason
	a.log(ctx).Info("charge sync ended in error", "charge_id", res.ChargeID, "reason", reason)
	return res, nil
}

func (a *Activities) markChargeError(ctx context.Context, chargeID, reason string) error {
	if err := a.Zuora.UpdateObject(ctx, zuora.ObjProductRatePlanCharge, chargeID, map[string]any{
		"IntegrationStatus__NS": statusText("Error: ", reason),
	}); err != nil {
		if zuora.IsNotFound(err) {
			return nil // deleted meanwhile: nothing left to mark
		}
		return retryable("recording the error on charge "+chargeID, err)
	}
	return nil
}

// MarkChargeFailed records a charge sync whose retries ran out as Error.
func (a *Activities) MarkChargeFailed(ctx context.Context, in workflows.MarkFailedInput) error {
	a.record(workflows.RecordCharge, workflows.OutcomeError)
	return a.markChargeError(ctx, in.ID, in.Reason)
}
