package activities

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/settings"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// The Zuora payment method of a NetSuite customer payment (reference
// money-sync §3.2: "The NS payment method matches a valid Zuora payment
// method. The lookup is by name, into PaymentMethodId"). An entry in
// paymentSync.netSuiteMethods wins; a NetSuite method it does not name is
// looked up by its name, which must be one of Zuora's exact type strings
// (§1.6, the other direction). Decided in docs/settings.md.

// zuoraMethodByNameFields: what the lookup reads of a Zuora payment method.
const zuoraMethodByNameFields = "Id, Type, AccountId, PaymentMethodStatus"

type zuoraMethodRow struct {
	ID        string `json:"Id"`
	Type      string `json:"Type"`
	AccountID string `json:"AccountId"`
	Status    string `json:"PaymentMethodStatus"`
}

// withZuoraMethodByName returns s with p's NetSuite payment method mapped to
// the Zuora PaymentMethodId found by name, on a copy of the map (the
// workflow's settings are never changed). reason is not empty when no single
// Zuora method matches: the payment then ends in Error with it. A payment
// without a method, or whose method the map names, is left to the mapping.
func (a *Activities) withZuoraMethodByName(ctx context.Context, s settings.Settings, p mapping.NSPayment) (_ settings.Settings, reason string, _ error) {
	nsID := p.PaymentMethod
	if nsID == "" || s.Payments.ZuoraMethodFor(nsID) != "" || strings.Trim(nsID, "0123456789") != "" {
		return s, "", nil
	}
	rows, err := a.NetSuite.QueryAll(ctx, "SELECT id, name FROM paymentmethod WHERE id = "+nsID+" ORDER BY id")
	if err != nil {
		return s, "", retryable("reading NetSuite payment method "+nsID, err)
	}
	if len(rows) == 0 {
		return s, fmt.Sprintf("NetSuite payment method %s does not exist (paymentSync.netSuiteMethods does not map it, so it was looked up by name)", nsID), nil
	}
	name := suiteCell(rows[0], "name")
	where := fmt.Sprintf("NetSuite payment method %s (%q) is not in paymentSync.netSuiteMethods", nsID, name)
	if !slices.Contains(settings.ZuoraPaymentMethodTypes, name) {
		return s, fmt.Sprintf("%s and its name is not a Zuora payment method type (one of %s); map it in paymentSync.netSuiteMethods.%s",
			where, strings.Join(settings.ZuoraPaymentMethodTypes, ", "), nsID), nil
	}
	// ZOQL has no parentheses: the tenant's shared methods (no account) and
	// the payment's account's own are two queries.
	base := "select " + zuoraMethodByNameFields + " from " + zuora.ObjPaymentMethod + " where Type = " + zuora.Quote(name) + " and AccountId = "
	found, err := zuora.QueryAll[zuoraMethodRow](ctx, a.Zuora, base+"null")
	if err != nil {
		return s, "", retryable("looking up Zuora payment methods of type "+name, err)
	}
	if p.CustomerZuoraID != "" {
		own, err := zuora.QueryAll[zuoraMethodRow](ctx, a.Zuora, base+zuora.Quote(p.CustomerZuoraID))
		if err != nil {
			return s, "", retryable("looking up Zuora payment methods of type "+name, err)
		}
		found = append(found, own...)
	}
	var ids []string
	for _, m := range found {
		// Only an Active method the payment's account may use (Zuora refuses
		// one of another account); the query already says so, the check
		// keeps a wider answer from slipping through.
		if m.Type == name && m.Status == "Active" && (m.AccountID == "" || m.AccountID == p.CustomerZuoraID) {
			ids = append(ids, m.ID)
		}
	}
	ids = uniqueSorted(ids)
	switch len(ids) {
	case 0:
		return s, fmt.Sprintf("%s and no Active Zuora payment method of Type %s is shared or on Zuora account %s; add one or map it in paymentSync.netSuiteMethods.%s",
			where, name, orNoneID(p.CustomerZuoraID), nsID), nil
	case 1:
	default:
		sort.Strings(ids)
		return s, fmt.Sprintf("%s and %d Active Zuora payment methods of Type %s match (%s); map one in paymentSync.netSuiteMethods.%s",
			where, len(ids), name, strings.Join(ids, ", "), nsID), nil
	}
	methods := make(map[string]string, len(s.Payments.NetSuiteMethods)+1)
	for k, v := range s.Payments.NetSuiteMethods {
		methods[k] = v
	}
	methods[nsID] = ids[0]
	s.Payments.NetSuiteMethods = methods
	return s, "", nil
}

func orNoneID(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}
