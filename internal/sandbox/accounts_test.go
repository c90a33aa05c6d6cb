package sandbox

import (
	"context"
	"testing"

	"github.com/zuora-netsuite/connector/internal/zuora"
)

// Zuora numbers an account created without AccountNumber itself and refuses
// a number another account already has (create and update), which the
// NetSuite-master customer sync's "Let Destination Auto-Number" relies on.
func TestZuoraAccountNumbering(t *testing.T) {
	e := start(t, t.TempDir(), tinyTenant())
	ctx := context.Background()
	id, err := e.z.CreateObject(ctx, zuora.ObjAccount, map[string]any{"Name": "Auto & Co", "Currency": "USD", "Status": "Draft"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var a zuora.Account
	if err := e.z.GetObject(ctx, zuora.ObjAccount, id, &a); err != nil {
		t.Fatal(err)
	}
	if a.AccountNumber == "" || a.AccountNumber == "A-1" || a.Name != "Auto & Co" {
		t.Fatalf("auto-numbered account %+v", a)
	}
	if _, err := e.z.CreateObject(ctx, zuora.ObjAccount, map[string]any{"Name": "Dup", "AccountNumber": "A-1"}, ""); err == nil {
		t.Error("a second account numbered A-1 was created")
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjAccount, id, map[string]any{"AccountNumber": "A-1"}); err == nil {
		t.Error("an account was renumbered to another account's number")
	}
	if err := e.z.UpdateObject(ctx, zuora.ObjAccount, id, map[string]any{"AccountNumber": a.AccountNumber, "Name": "Same number"}); err != nil {
		t.Errorf("keeping its own number refused: %v", err)
	}
}
