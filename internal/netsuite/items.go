package netsuite

// CatalogItem is an item the product catalog sync writes: the common item
// fields plus the Zuora charge's revenue recognition preferences, kept in
// the connector bundle's item custom fields so invoice lines can follow them.
type CatalogItem struct {
	Item
	RevRecStart string `json:"custitem_zuora_rev_rec_start,omitempty"` // RevRecStart__NS
	RevRecEnd   string `json:"custitem_zuora_rev_rec_end,omitempty"`   // RevRecEnd__NS
	RevRecCode  string `json:"custitem_zuora_rev_rec_code,omitempty"`  // the charge's RevRecCode
}

// ItemTypes maps the charge's ItemType__NS to the REST record type, and
// SuiteQL's item.itemtype values to the same record types.
var (
	ItemTypes = map[string]string{"Inventory": TypeInventoryItem, "Non Inventory": TypeNonInventory, "Service": TypeServiceItem}

	SuiteQLItemTypes = map[string]string{"InvtPart": TypeInventoryItem, "NonInvtPart": TypeNonInventory, "Service": TypeServiceItem}
)
