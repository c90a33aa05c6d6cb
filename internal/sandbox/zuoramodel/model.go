// Package zuoramodel is the Zuora object model the sandbox emulates, as a
// data table: objects, their fields, each field's type and whether ZOQL can
// filter on it, and where each row comes from. It is written from Zuora's
// published contracts, never from the connector's own structs
// (internal/zuora): a field the connector names that is not here is refused
// by the sandbox the way Zuora refuses it.
//
// Sources (docs/wire.md, "Zuora object model"):
//   - SrcSOAP: the ZOQL/SOAP object model (docs.zuora.com, "Zuora SOAP API >
//     Objects", the same classes as the MuleSoft Zuora connector WSDL and the
//     generated clients' ProxyGet<Object> types);
//   - SrcREST: the v1 OpenAPI (api-evangelist/zuora openapi/zuora-*-api-openapi.yml);
//   - SrcNS(schema): the <Object>ObjectNSFields schemas of the same OpenAPI,
//     the fields Zuora's NetSuite connector package installs;
//   - SrcSeedIIA: the connector documentation (seeds/iia-transaction-sync)
//     that writes Integration Id/Status on invoice item adjustments, an object
//     with no NSFields schema in the OpenAPI.
//
// Tenant custom fields (suffix __c) are not in this table: they exist only
// when the tenant declares them (fixture "settings.customFields").
package zuoramodel

import (
	"sort"
	"strings"
)

// Type is a field's ZOQL type.
type Type string

const (
	TypeID       Type = "ID"       // a 32-character id (string)
	TypeString   Type = "string"   // text or picklist
	TypeDecimal  Type = "decimal"  // a JSON number
	TypeInteger  Type = "integer"  // a JSON number without fraction (ZOQL ProcessingType, ...)
	TypeBoolean  Type = "boolean"  // true/false
	TypeDate     Type = "date"     // YYYY-MM-DD
	TypeDateTime Type = "dateTime" // RFC 3339 with the tenant's offset
)

// Field is one row of the table.
type Field struct {
	Name       string
	Type       Type
	Filterable bool   // may appear in a ZOQL WHERE
	Source     string // where the row comes from
}

// Object is one Zuora object.
type Object struct {
	Name string
	// ZOQL: answerable by POST /v1/action/query. CreditMemo (REST only) is not.
	ZOQL   bool
	Fields []Field
	byName map[string]Field // lower-case name -> field
}

const (
	SrcSOAP = "ZOQL/SOAP object model (docs.zuora.com Zuora SOAP API objects; MuleSoft Zuora WSDL ProxyGet classes)"
	SrcREST = "v1 OpenAPI (api-evangelist/zuora openapi)"
	// SrcSandboxLink: a storage link the API gives through a path, not a
	// field (an item listed under its memo's /items).
	SrcSandboxLink = "sandbox storage link (the API gives it through the path)"
	SrcSeedIIA     = "connector docs seeds/iia-transaction-sync (Integration Status/ID written on the adjustment)"
	// SrcUncertain marks a row whose presence in ZOQL is not confirmed by a
	// public source; docs/wire.md lists them.
	SrcUncertain = "UNCERTAIN: v1 REST resource; ZOQL presence unconfirmed"
)

// SrcNS names an NSFields schema of the OpenAPI.
func SrcNS(schema, file string) string {
	return "Zuora OpenAPI " + schema + " (api-evangelist/zuora openapi/" + file + ")"
}

// f builds filterable fields of one source; nf non-filterable ones.
func f(src string, t Type, names ...string) []Field {
	out := make([]Field, len(names))
	for i, n := range names {
		out[i] = Field{Name: n, Type: t, Filterable: true, Source: src}
	}
	return out
}

func nf(src string, t Type, names ...string) []Field {
	out := f(src, t, names...)
	for i := range out {
		out[i].Filterable = false
	}
	return out
}

func join(parts ...[]Field) []Field {
	var out []Field
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// nsBasic are the three fields every synced object gets from the package.
func nsBasic(src string) []Field {
	return join(f(src, TypeString, "IntegrationId__NS", "IntegrationStatus__NS"), f(src, TypeDateTime, "SyncDate__NS"))
}

var objects = []*Object{
	{Name: "Account", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "ParentId", "BillToId", "SoldToId", "DefaultPaymentMethodId"),
		f(SrcSOAP, TypeString, "AccountNumber", "Name", "Status", "Currency", "Batch", "PaymentTerm", "CrmId", "Notes", "SalesRepName"),
		f(SrcSOAP, TypeDecimal, "Balance", "CreditBalance", "TotalInvoiceBalance", "UnappliedBalance"),
		f(SrcSOAP, TypeInteger, "BillCycleDay"),
		f(SrcSOAP, TypeBoolean, "AutoPay"),
		f(SrcSOAP, TypeDate, "LastInvoiceDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("AccountObjectNSFields", "zuora-accounts-api-openapi.yml"), TypeString, "Class__NS", "CustomerType__NS", "Department__NS",
			"IntegrationId__NS", "IntegrationStatus__NS", "Location__NS", "Subsidiary__NS", "SynctoNetSuite__NS"),
		f(SrcNS("AccountObjectNSFields", "zuora-accounts-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	{Name: "Invoice", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId", "SourceId"),
		f(SrcSOAP, TypeString, "InvoiceNumber", "Status", "Comments", "TransferredToAccounting", "PostedBy", "Source"),
		f(SrcSOAP, TypeDecimal, "Amount", "AmountWithoutTax", "TaxAmount", "Balance", "AdjustmentAmount", "PaymentAmount",
			"RefundAmount", "CreditBalanceAdjustmentAmount", "TaxExemptAmount"),
		f(SrcSOAP, TypeDate, "InvoiceDate", "DueDate", "TargetDate"),
		f(SrcSOAP, TypeDateTime, "PostedDate", "CreatedDate", "UpdatedDate"),
		nsBasic(SrcNS("InvoiceObjectNSFields", "zuora-invoices-api-openapi.yml")),
	)},
	// InvoiceItem: no ChargeType, no RevRecTriggerDate (Z3); ProcessingType is
	// numeric in ZOQL (0 charge, 1 discount, 2 prepayment, 3 tax).
	{Name: "InvoiceItem", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "InvoiceId", "RatePlanChargeId", "SubscriptionId", "ProductId", "AppliedToInvoiceItemId"),
		f(SrcSOAP, TypeString, "AccountingCode", "ChargeName", "ChargeNumber", "ProductDescription", "ProductName",
			"RevRecCode", "RevRecTriggerCondition", "SKU", "SubscriptionNumber", "TaxCode", "TaxMode", "UOM"),
		f(SrcSOAP, TypeDecimal, "ChargeAmount", "Quantity", "TaxAmount", "TaxExemptAmount", "UnitPrice"),
		f(SrcSOAP, TypeInteger, "ProcessingType"),
		f(SrcSOAP, TypeDate, "RevRecStartDate", "ServiceEndDate", "ServiceStartDate"),
		f(SrcSOAP, TypeDateTime, "ChargeDate", "CreatedDate", "UpdatedDate"),
		nsBasic(SrcNS("InvoiceItemObjectNSFields", "zuora-invoices-api-openapi.yml")),
	)},
	// TaxationItem: the OpenAPI has no TaxationItemObjectNSFields, so no __NS fields.
	{Name: "TaxationItem", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "InvoiceId", "InvoiceItemId"),
		f(SrcSOAP, TypeString, "AccountingCode", "Jurisdiction", "LocationCode", "Name", "TaxCode", "TaxCodeDescription",
			"TaxMode", "TaxRateDescription", "TaxRateType"),
		f(SrcSOAP, TypeDecimal, "ExemptAmount", "TaxAmount", "TaxRate"),
		f(SrcSOAP, TypeDate, "TaxDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	{Name: "InvoiceItemAdjustment", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId", "InvoiceId", "SourceId", "CancelledById"),
		f(SrcSOAP, TypeString, "AccountingCode", "AdjustmentNumber", "Comment", "CustomerName", "CustomerNumber", "InvoiceItemName",
			"InvoiceNumber", "ReasonCode", "ReferenceId", "SourceType", "Status", "TransferredToAccounting", "Type"),
		f(SrcSOAP, TypeDecimal, "Amount"),
		f(SrcSOAP, TypeDate, "AdjustmentDate", "ServiceEndDate", "ServiceStartDate"),
		f(SrcSOAP, TypeDateTime, "CancelledDate", "CreatedDate", "UpdatedDate"),
		nsBasic(SrcSeedIIA),
	)},
	{Name: "Subscription", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId", "OriginalId", "PreviousSubscriptionId"),
		f(SrcSOAP, TypeString, "Name", "Status", "TermType", "Notes"),
		f(SrcSOAP, TypeInteger, "Version", "InitialTerm", "RenewalTerm"),
		f(SrcSOAP, TypeBoolean, "AutoRenew"),
		f(SrcSOAP, TypeDate, "TermStartDate", "TermEndDate", "SubscriptionStartDate", "SubscriptionEndDate",
			"ContractEffectiveDate", "ServiceActivationDate", "ContractAcceptanceDate", "CancelledDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("SubscriptionObjectNSFields", "zuora-accounts-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS",
			"Project__NS", "SalesOrder__NS"),
		f(SrcNS("SubscriptionObjectNSFields", "zuora-accounts-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// RatePlanCharge: no SubscriptionId (it hangs off RatePlan, Z3).
	{Name: "RatePlanCharge", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "ProductRatePlanChargeId", "RatePlanId", "OriginalId"),
		f(SrcSOAP, TypeString, "Name", "ChargeNumber", "ChargeType", "ChargeModel", "AccountingCode", "Description", "RevRecCode",
			"RevRecTriggerCondition", "TriggerEvent", "UOM", "BillingPeriod", "EndDateCondition"),
		f(SrcSOAP, TypeDecimal, "Quantity", "MRR", "TCV", "DMRC", "DTCV"),
		f(SrcSOAP, TypeInteger, "Version", "Segment"),
		f(SrcSOAP, TypeBoolean, "IsLastSegment"),
		f(SrcSOAP, TypeDate, "EffectiveStartDate", "EffectiveEndDate", "TriggerDate", "ChargedThroughDate", "ProcessedThroughDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	{Name: "Product", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id"),
		f(SrcSOAP, TypeString, "Name", "SKU", "Description", "Category"),
		f(SrcSOAP, TypeDate, "EffectiveStartDate", "EffectiveEndDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("ProductObjectNSFields", "zuora-catalog-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS", "ItemType__NS"),
		f(SrcNS("ProductObjectNSFields", "zuora-catalog-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	{Name: "ProductRatePlan", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "ProductId"),
		f(SrcSOAP, TypeString, "Name", "Description"),
		f(SrcSOAP, TypeDate, "EffectiveStartDate", "EffectiveEndDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("ProductRatePlanObjectNSFields", "zuora-product-rate-plans-api-openapi.yml"), TypeString, "BillingPeriod__NS", "Class__NS",
			"Department__NS", "IncludeChildren__NS", "IntegrationId__NS", "IntegrationStatus__NS", "ItemType__NS", "Location__NS",
			"MultiCurrencyPrice__NS", "Price__NS", "Subsidiary__NS"),
		f(SrcNS("ProductRatePlanObjectNSFields", "zuora-product-rate-plans-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	{Name: "ProductRatePlanCharge", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "ProductRatePlanId"),
		f(SrcSOAP, TypeString, "Name", "ChargeType", "ChargeModel", "AccountingCode", "RevRecCode", "Description", "BillCycleType",
			"BillingPeriod", "TriggerEvent", "UOM", "DeferredRevenueAccount", "RecognizedRevenueAccount", "RevRecTriggerCondition"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("ProductRatePlanChargeObjectNSFields", "zuora-product-rate-plan-charges-api-openapi.yml"), TypeString, "Class__NS",
			"DeferredRevAccount__NS", "Department__NS", "IncludeChildren__NS", "IntegrationId__NS", "IntegrationStatus__NS", "ItemType__NS",
			"Location__NS", "RecognizedRevAccount__NS", "RevRecEnd__NS", "RevRecStart__NS", "RevRecTemplateType__NS", "Subsidiary__NS"),
		f(SrcNS("ProductRatePlanChargeObjectNSFields", "zuora-product-rate-plan-charges-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// ProductRatePlanChargeTier holds a catalog charge's price (Z5: a credit
	// memo charge without an honoured amount takes this price).
	{Name: "ProductRatePlanChargeTier", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "ProductRatePlanChargeId"),
		f(SrcSOAP, TypeString, "Currency", "PriceFormat"),
		f(SrcSOAP, TypeDecimal, "Price", "StartingUnit", "EndingUnit"),
		f(SrcSOAP, TypeInteger, "Tier"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	{Name: "Payment", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId", "PaymentMethodId"),
		f(SrcSOAP, TypeString, "Status", "Type", "PaymentNumber", "ReferenceId", "Comment", "TransferredToAccounting"),
		f(SrcSOAP, TypeDecimal, "Amount", "AppliedAmount", "UnappliedAmount", "RefundAmount"),
		f(SrcSOAP, TypeDate, "EffectiveDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("PaymentObjectNSFields", "zuora-payments-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS",
			"Origin__NS", "Transaction__NS"),
		f(SrcNS("PaymentObjectNSFields", "zuora-payments-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// InvoicePayment: a payment's application to one invoice on tenants
	// without Invoice Settlement (SOAP InvoicePayment object; not available
	// once IS is on: the payment parts replace it, docs/wire.md).
	{Name: "InvoicePayment", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "InvoiceId", "PaymentId"),
		f(SrcSOAP, TypeDecimal, "Amount", "RefundAmount"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	// PaymentPart: GETPaymentPartType, an application of a payment to an
	// invoice or a debit memo on Invoice Settlement tenants (GET
	// /v1/payments/{paymentKey}/parts; zuora-payments-api-openapi.yml);
	// paymentId is the sandbox's link to the payment.
	{Name: "PaymentPart", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "invoiceId", "debitMemoId"),
		nf(SrcREST, TypeDecimal, "amount"),
		nf(SrcREST, TypeDateTime, "createdDate", "updatedDate"),
		nf(SrcSandboxLink, TypeID, "paymentId"),
	)},
	// Refund: SOAP Refund object (PaymentId links a payment refund to its
	// payment; SourceType Payment / CreditBalance / CreditMemo). Status and
	// Type values as GETRefundType's enums (zuora-refunds-api-openapi.yml).
	{Name: "Refund", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId", "PaymentId", "PaymentMethodId"),
		f(SrcSOAP, TypeString, "Status", "Type", "SourceType", "MethodType", "RefundNumber", "ReferenceID", "Comment", "ReasonCode",
			"TransferredToAccounting"),
		f(SrcSOAP, TypeDecimal, "Amount"),
		f(SrcSOAP, TypeDate, "RefundDate"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
		f(SrcNS("RefundObjectNSFields", "zuora-refunds-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS",
			"Origin__NS", "SynctoNetSuite__NS"),
		f(SrcNS("RefundObjectNSFields", "zuora-refunds-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// RefundInvoicePayment: how much of one InvoicePayment a refund refunded
	// (SOAP RefundInvoicePayment object; tenants without Invoice Settlement,
	// like InvoicePayment).
	{Name: "RefundInvoicePayment", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "RefundId", "InvoicePaymentId"),
		f(SrcSOAP, TypeDecimal, "RefundAmount"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	// PaymentMethod: the payment sync matches its Type (exact strings, e.g.
	// CreditCard, WireTransfer) to a NetSuite payment method.
	{Name: "PaymentMethod", ZOQL: true, Fields: join(
		f(SrcSOAP, TypeID, "Id", "AccountId"),
		f(SrcSOAP, TypeString, "Type", "CreditCardType", "PaymentMethodStatus"),
		f(SrcSOAP, TypeDateTime, "CreatedDate", "UpdatedDate"),
	)},
	// PaymentRun: the migration pre-check reads it through ZOQL; Zuora
	// documents payment runs as v1 REST (GET /v1/payment-runs). Kept as an
	// UNCERTAIN row (docs/wire.md).
	{Name: "PaymentRun", ZOQL: true, Fields: join(
		f(SrcUncertain, TypeID, "Id"),
		f(SrcUncertain, TypeString, "Status", "RunNumber"),
		f(SrcUncertain, TypeBoolean, "ApplyCreditBalance", "Scheduled"),
		f(SrcUncertain, TypeDate, "TargetDate", "RunDate"),
	)},
	// CreditMemo: REST only (camelCase), Invoice Settlement tenants.
	{Name: "CreditMemo", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "accountId", "referredInvoiceId"),
		nf(SrcREST, TypeString, "number", "status", "reasonCode", "comment", "transferredToAccounting", "source", "sourceId"),
		nf(SrcREST, TypeDecimal, "amount", "balance", "appliedAmount", "refundAmount", "unappliedAmount", "taxAmount"),
		nf(SrcREST, TypeDate, "effectiveDate", "memoDate", "creditMemoDate"),
		nf(SrcREST, TypeDateTime, "createdDate", "updatedDate", "postedOn"),
		nf(SrcNS("CreditMemoObjectNSFields", "zuora-credit-memos-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS",
			"Origin__NS", "Transaction__NS"),
		nf(SrcNS("CreditMemoObjectNSFields", "zuora-credit-memos-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// DebitMemo: REST only (camelCase), Invoice Settlement tenants
	// (GETDebitMemoType; the connector's fields are DebitMemoObjectNSFields:
	// no Origin__NS or Transaction__NS, unlike the credit memo).
	{Name: "DebitMemo", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "accountId", "referredInvoiceId", "referredCreditMemoId"),
		nf(SrcREST, TypeString, "number", "accountNumber", "status", "reasonCode", "comment", "transferredToAccounting", "sourceType", "paymentTerm"),
		nf(SrcREST, TypeDecimal, "amount", "balance", "beAppliedAmount", "taxAmount", "totalTaxExemptAmount"),
		nf(SrcREST, TypeDate, "debitMemoDate", "dueDate", "targetDate"),
		nf(SrcREST, TypeDateTime, "createdDate", "updatedDate", "postedOn"),
		nf(SrcNS("DebitMemoObjectNSFields", "zuora-debit-memos-api-openapi.yml"), TypeString, "IntegrationId__NS", "IntegrationStatus__NS"),
		nf(SrcNS("DebitMemoObjectNSFields", "zuora-debit-memos-api-openapi.yml"), TypeDateTime, "SyncDate__NS"),
	)},
	// CreditMemoItem: the sandbox's storage of credit memo items (made by
	// POST /v1/creditmemos from charges); GET /v1/creditmemos/{key}/items
	// answers them in GETCreditMemoItemType's shape (sourceItemType
	// ProductRatePlanCharge, sourceItemId the charge).
	{Name: "CreditMemoItem", ZOQL: false, Fields: join(
		nf(SrcSandboxLink, TypeID, "Id", "creditMemoId", "productRatePlanChargeId"),
		nf(SrcREST, TypeDecimal, "amount"),
		nf(SrcREST, TypeString, "onAccountAccountingCode"),
	)},
	// CreditMemoTaxationItem: GETCMTaxItemType, answered inside its item's
	// creditTaxItems; salesTaxPayableAccountingCode kept flat,
	// creditMemoItemId the sandbox's link to the item (its Id).
	{Name: "CreditMemoTaxationItem", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "sourceTaxItemId"),
		nf(SrcREST, TypeString, "name", "jurisdiction", "locationCode", "taxCode", "taxCodeDescription", "taxRateDescription", "taxRateType",
			"salesTaxPayableAccountingCode"),
		nf(SrcREST, TypeDecimal, "taxAmount", "taxRate", "exemptAmount"),
		nf(SrcREST, TypeDate, "taxDate"),
		nf(SrcSandboxLink, TypeID, "creditMemoItemId"),
	)},
	// CreditMemoPart: GETCreditMemoPartType, an application of a credit memo
	// to an invoice or a debit memo (GET /v1/creditmemos/{key}/parts);
	// creditMemoId is the sandbox's link to the memo.
	{Name: "CreditMemoPart", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "invoiceId", "debitMemoId"),
		nf(SrcREST, TypeDecimal, "amount"),
		nf(SrcREST, TypeDateTime, "createdDate", "updatedDate"),
		nf(SrcSandboxLink, TypeID, "creditMemoId"),
	)},
	// DebitMemoItem: GETDebitMemoItemType (REST only). debitMemoId is not a
	// field of the API's item: it is the sandbox's link from an item to the
	// memo whose /items path lists it (SrcSandboxLink).
	{Name: "DebitMemoItem", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "sourceItemId", "subscriptionId", "appliedToItemId"),
		nf(SrcREST, TypeString, "description", "processingType", "sourceItemType", "sku", "skuName", "unitOfMeasure", "comment", "taxMode"),
		nf(SrcREST, TypeDecimal, "amount", "amountWithoutTax", "balance", "quantity", "unitPrice"),
		nf(SrcREST, TypeDate, "serviceStartDate", "serviceEndDate"),
		nf(SrcREST, TypeDateTime, "createdDate", "updatedDate"),
		nf(SrcSandboxLink, TypeID, "debitMemoId"),
	)},
	// DebitMemoTaxationItem: GETDMTaxItemType, answered inside its item's
	// taxItems. financeInformation.salesTaxPayableAccountingCode is kept
	// flat; debitMemoItemId is the sandbox's link to the item.
	{Name: "DebitMemoTaxationItem", ZOQL: false, Fields: join(
		nf(SrcREST, TypeID, "id", "sourceTaxItemId"),
		nf(SrcREST, TypeString, "name", "jurisdiction", "locationCode", "taxCode", "taxCodeDescription", "taxRateDescription", "taxRateType",
			"salesTaxPayableAccountingCode"),
		nf(SrcREST, TypeDecimal, "taxAmount", "taxRate", "exemptAmount"),
		nf(SrcREST, TypeDate, "taxDate"),
		nf(SrcSandboxLink, TypeID, "debitMemoItemId"),
	)},
}

var byName = func() map[string]*Object {
	m := map[string]*Object{}
	for _, o := range objects {
		o.byName = map[string]Field{}
		for _, fl := range o.Fields {
			o.byName[strings.ToLower(fl.Name)] = fl
		}
		m[strings.ToLower(o.Name)] = o
	}
	return m
}()

// Lookup finds an object by name, case-insensitively.
func Lookup(name string) (*Object, bool) {
	o, ok := byName[strings.ToLower(name)]
	return o, ok
}

// Objects lists the object names, sorted.
func Objects() []string {
	out := make([]string, 0, len(objects))
	for _, o := range objects {
		out = append(out, o.Name)
	}
	sort.Strings(out)
	return out
}

// Field finds a field of the table by name, case-insensitively.
func (o *Object) Field(name string) (Field, bool) {
	fl, ok := o.byName[strings.ToLower(name)]
	return fl, ok
}

// IsCustom reports a tenant custom field name (Zuora gives fields an admin
// creates the __c suffix: docs.zuora.com "Create custom fields").
func IsCustom(name string) bool { return strings.HasSuffix(name, "__c") && len(name) > 3 }

// Schema is an object's fields on one tenant: the table plus the custom
// fields the tenant declares.
type Schema struct {
	Object *Object
	custom map[string]string // lower -> declared name
}

// For builds the schema of obj on a tenant declaring customs (names ending __c).
func For(obj string, customs []string) (*Schema, bool) {
	o, ok := Lookup(obj)
	if !ok {
		return nil, false
	}
	s := &Schema{Object: o, custom: map[string]string{}}
	for _, c := range customs {
		s.custom[strings.ToLower(c)] = c
	}
	return s, true
}

// Field resolves a field name to its canonical spelling; custom fields are
// strings, filterable (Zuora lets an admin mark them so; hostile reading
// would refuse, but the connector never filters on one it did not declare).
func (s *Schema) Field(name string) (Field, bool) {
	if fl, ok := s.Object.Field(name); ok {
		return fl, true
	}
	if c, ok := s.custom[strings.ToLower(name)]; ok {
		return Field{Name: c, Type: TypeString, Filterable: true, Source: "tenant custom field (fixture settings.customFields)"}, true
	}
	return Field{}, false
}

// Customs lists the declared custom fields.
func (s *Schema) Customs() []string {
	out := make([]string, 0, len(s.custom))
	for _, c := range s.custom {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
