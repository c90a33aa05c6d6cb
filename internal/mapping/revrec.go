package mapping

import (
	"github.com/zuora-netsuite/connector/internal/netsuite"
	"github.com/zuora-netsuite/connector/internal/settings"
)

// Rev rec date preferences on the product rate plan charge (RevRecStart__NS, RevRecEnd__NS).
const (
	RevRecChargePeriodStart = "Charge Period Start"
	RevRecTriggerDate       = "Rev Rec Trigger Date"
	RevRecUseTemplate       = "Use NetSuite Rev Rec Template"
	RevRecChargePeriodEnd   = "Charge Period End"
	RevRecSubscriptionEnd   = "Subscription End Date"
)

// RevRec is a line's revenue recognition fields.
type RevRec struct {
	Start, End string
	Delay      bool // NetSuite's "Delay Rev Rec" (deferRevRec)
}

// RevRecFor implements the seed's "Detailed Delayed Revenue Recognition
// Rules", start-date and end-date logic, branch by branch.
func RevRecFor(src LineSource, s settings.Settings) RevRec {
	// "If the NetSuite Connector option NetSuite Revenue Recognition is set to
	// No, the Rev Rec Start and Rev Rec End dates and Delay Rev Rec will be empty/false."
	if !s.Advanced.NetSuiteRevRec {
		return RevRec{}
	}
	item, charge := src.Item, src.Charge
	code := item.RevRecCode
	if code == "" {
		code = charge.RevRecCode
	}
	// "If the Invoice Charge has a Rev Rec Code but the Charge's NetSuite Rev
	// Rec Template Type is Variable, the Rev Rec Start/End Dates and Delay Rev
	// Rec will be blank/false" (recognized by project status in NetSuite).
	if code != "" && charge.RevRecTemplateType == TemplateVariable {
		return RevRec{}
	}
	var rr RevRec
	switch {
	case code == "":
		// "If the invoice charge does not have a Rev Rec Code, the invoice
		// item's Service Start Date will be mapped as the Rev Rec Start Date."
		rr.Start = item.ServiceStartDate
	case item.RevRecTriggerDate == "":
		// "...has a Rev Rec Code but the invoice item's Trigger Date is not
		// populated, the Delay Rev Rec will be set to true and the invoice item
		// Service Start Date will be mapped as the Rev Rec Start Date temporarily."
		rr.Delay = true
		rr.Start = item.ServiceStartDate
	case charge.RevRecStart == RevRecUseTemplate:
		// Standard with a trigger date: Delay false; "Use NetSuite Rev Rec
		// Template" maps no start date.
	case item.RevRecTriggerDate < item.ServiceStartDate:
		// "Otherwise if the Trigger Date is before the Service Start Date: the
		// invoice item's Service Start Date will be mapped."
		rr.Start = item.ServiceStartDate
	case charge.RevRecStart == RevRecTriggerDate:
		// On or after the service start, preference Rev Rec Trigger Date.
		rr.Start = item.RevRecTriggerDate
	default:
		// On or after the service start, preference Charge Period Start (and
		// the unset preference, which the connector's UI defaults to it).
		rr.Start = item.ServiceStartDate
	}
	rr.End = revRecEnd(src)
	return rr
}

// revRecEnd: seed "Revenue Recognition End Date Logic".
func revRecEnd(src LineSource) string {
	switch {
	case src.Charge.RevRecStart == RevRecUseTemplate || src.Charge.RevRecEnd == RevRecUseTemplate:
		return ""
	case src.Charge.RevRecEnd == RevRecChargePeriodEnd:
		return src.Item.ServiceEndDate
	case src.Charge.RevRecEnd == RevRecSubscriptionEnd:
		if src.Subscription == nil {
			return ""
		}
		return src.Subscription.SubscriptionEndDate
	}
	return ""
}

// RevRecUpdate: seed "Once the Revenue Recognition Date is set in Zuora,
// NetSuite Connector will update the appropriate NetSuite transaction lines to
// recognize the revenue (NetSuite Connector sets Delay Rev Rec to false) and
// set the revenue recognition start and end dates accordingly." current is the
// NetSuite line as it stands; changed is false while it must stay delayed.
func RevRecUpdate(src LineSource, s settings.Settings, current netsuite.Line) (netsuite.Line, bool) {
	if current.DeferRevRec == nil || !*current.DeferRevRec {
		return current, false
	}
	rr := RevRecFor(src, s)
	if !s.Advanced.NetSuiteRevRec || rr.Delay {
		return current, false
	}
	updated := current
	updated.DeferRevRec = ptr(false)
	updated.RevRecStartDate, updated.RevRecEndDate = rr.Start, rr.End
	return updated, true
}
