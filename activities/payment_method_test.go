package activities_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/zuora-netsuite/connector/activities"
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// Reference money-sync §1.6: Zuora's connector finds the NetSuite payment
// method named exactly as the Zuora payment-method type. The settings' map
// and default come first; a type neither names is matched by name; a type
// NetSuite has no method of stays unmapped (the mapping then ends the record
// in Error naming the type).
func TestPaymentMethod_MatchedByTheZuoraTypeNameWhenTheSettingsNameNone(t *testing.T) {
	f := generated(t, "seed=8,accounts=2,invoices=6,negative=0,payments=3")
	byName := map[string]string{}
	for _, pm := range f.NetSuite.Records[netsuite.TypePaymentMethod] {
		byName[fmt.Sprint(pm["name"])] = fmt.Sprint(pm["id"])
	}
	if byName["Check"] == "" {
		t.Fatalf("the generated account has no NetSuite payment method named Check: %v", byName)
	}
	a, _ := sandboxTenant(t, f)
	ctx := context.Background()

	s := settings.Default()
	got, err := activities.PaymentMethodByName(ctx, a, s, "Check")
	if err != nil {
		t.Fatal(err)
	}
	if m := got.Payments.MethodFor("Check"); m != byName["Check"] {
		t.Fatalf("Check matched %q, want NetSuite's method named Check (%s)", m, byName["Check"])
	}
	if s.Payments.Methods["Check"] != "" {
		t.Fatal("the caller's settings were changed")
	}

	s.Payments.Methods = map[string]string{"Check": "9999"}
	if got, _ := activities.PaymentMethodByName(ctx, a, s, "Check"); got.Payments.MethodFor("Check") != "9999" {
		t.Fatalf("paymentSync.methods must win over the name: got %q", got.Payments.MethodFor("Check"))
	}
	s.Payments.Methods, s.Payments.DefaultMethod = nil, "8888"
	if got, _ := activities.PaymentMethodByName(ctx, a, s, "ACH"); got.Payments.MethodFor("ACH") != "8888" {
		t.Fatalf("paymentSync.defaultMethod must win over the name: got %q", got.Payments.MethodFor("ACH"))
	}

	s.Payments.DefaultMethod = ""
	got, err = activities.PaymentMethodByName(ctx, a, s, "PayPal")
	if err != nil {
		t.Fatal(err)
	}
	if m := got.Payments.MethodFor("PayPal"); m != "" {
		t.Fatalf("PayPal has no NetSuite method of that name, yet it matched %q", m)
	}
}
