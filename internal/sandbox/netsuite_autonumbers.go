package sandbox

import (
	"slices"

	"github.com/zuora-netsuite/connector/internal/netsuite"
)

// Auto-Generated Numbers (Setup > Company > Auto-Generated Numbers): with
// numbering on and Allow Override off, the number field is not editable.
// Whether REST refuses a written number or replaces it is not documented;
// the hostile reading is the silent one: the written number is dropped and
// the record takes the next auto number (as the UI does), so a connector
// that numbers from Zuora would not notice. The metadata marks the field
// readOnly, the signal `starter preflight` reads (seed sync-preferences.txt).

// numberFields: the number field of each record type with auto numbering.
var numberFields = map[string]string{netsuite.TypeCustomer: "entityId", netsuite.TypeInvoice: "tranId", netsuite.TypeCreditMemo: "tranId"}

func (a *nsAccount) numberLocked(typ string) (string, bool) {
	f, ok := numberFields[typ]
	return f, ok && slices.Contains(a.AutoNumberNoOverride, typ)
}

// dropLockedNumber removes a written number the account does not let a
// writer override.
func (a *nsAccount) dropLockedNumber(typ string, rec Record) {
	if f, ok := a.numberLocked(typ); ok {
		delete(rec, f)
	}
}

// markLockedNumber marks the number field readOnly in a record schema.
func (a *nsAccount) markLockedNumber(typ string, props map[string]any) {
	f, ok := a.numberLocked(typ)
	if !ok {
		return
	}
	if s, ok := props[f].(map[string]any); ok {
		s["readOnly"] = true
	}
}
