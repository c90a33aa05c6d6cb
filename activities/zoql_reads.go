package activities

import (
	"github.com/zuora-netsuite/connector/internal/mapping"
	"github.com/zuora-netsuite/connector/internal/zuora"
)

// ZOQLRead is one object the connector reads through ZOQL with the fields it
// selects (fields are comma separated, custom fields under their default
// names; settings zuoraFields renames them on the wire).
type ZOQLRead struct {
	Object string
	Fields string
}

// ZOQLReads lists every ZOQL field list the activities use, from the same
// constants the queries are built from, so `starter preflight` checks the
// fields the connector really selects against the tenant's describe answer.
func ZOQLReads() []ZOQLRead {
	return []ZOQLRead{
		{zuora.ObjAccount, mapping.CustomerAccountFields},
		{zuora.ObjAccount, accountFields},
		{zuora.ObjProductRatePlanCharge, mapping.CatalogChargeFields},
		{zuora.ObjProductRatePlanCharge, prpcFields},
		{zuora.ObjRatePlanCharge, rpcFields},
		{zuora.ObjSubscription, subscriptionFields},
		{zuora.ObjInvoice, mapping.InvoiceFields + ", CreatedDate"},
		{zuora.ObjInvoice, migInvoiceFields},
		{zuora.ObjInvoice, reconcileInvoiceFields},
		{zuora.ObjInvoiceItem, invoiceItemFields},
		{zuora.ObjTaxationItem, taxFields},
		{zuora.ObjInvoiceItemAdjustment, mapping.AdjustmentFields + ", CreatedDate"},
		{zuora.ObjInvoiceItemAdjustment, reconcileIIAFields},
		{zuora.ObjPayment, mapping.PaymentFields},
		{zuora.ObjInvoicePayment, invoicePaymentFields},
		{zuora.ObjInvoice, paidInvoiceFields},
		{zuora.ObjPaymentMethod, paymentMethodFields},
		{zuora.ObjPayment, reconPaymentFields},
		{zuora.ObjInvoicePayment, reconInvoicePaymentFields},
		{zuora.ObjRefund, reconRefundFields},
		{zuora.ObjRefund, mapping.RefundFields},
		{zuora.ObjRefundInvoicePayment, refundPartFields},
		{zuora.ObjPayment, nsCreatedPaymentFields},
		{zuora.ObjInvoice, nsPaidInvoiceFields},
		{zuora.ObjRefund, nsCreatedRefundFields},
		{zuora.ObjPayment, nsRefundedPaymentFields},
		{zuora.ObjPaymentMethod, zuoraMethodByNameFields},
	}
}
