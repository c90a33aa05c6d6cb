package preflight_test

import (
	"context"
	"testing"

	"github.com/zuora-netsuite/connector/internal/sandbox/sbtest"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// zuora.Describe decodes the XML describe answer (the sandbox serves the
// shape of the Zuora OpenAPI GET_Describe): standard and tenant custom
// fields, and a 404 for an object the tenant does not have.
func TestZuoraDescribeDecodesTheXMLAnswer(t *testing.T) {
	f := tenant(t)
	z := sbtest.Start(t, f, 5).Zuora
	ctx := context.Background()
	d, err := z.Describe(ctx, "Invoice")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Invoice" || len(d.Fields) < 10 {
		t.Fatalf("describe Invoice: %q with %d fields", d.Name, len(d.Fields))
	}
	id, ok := d.Field("id") // names are case-insensitive, as in ZOQL
	if !ok || id.Name != "Id" || !id.Selectable {
		t.Errorf("Invoice.Id: %+v %v", id, ok)
	}
	wo, ok := d.Field("MigrationWriteOff__c")
	if !ok || !wo.Custom {
		t.Errorf("the tenant's custom field MigrationWriteOff__c: %+v %v", wo, ok)
	}
	if _, ok := d.Field("RevRecTriggerDate"); ok {
		t.Errorf("Invoice has a field the object model does not")
	}
	_, err = z.Describe(ctx, "NoSuchObject")
	if !zuora.IsNotFound(err) {
		t.Fatalf("describe of an unknown object: %v, want a 404", err)
	}
}
