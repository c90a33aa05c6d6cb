package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Default is what a new connector starts with: the Zuora connector's own
// defaults, no cutover dates, no item ceiling.
func Default() Settings {
	return Settings{
		Customer:    CustomerSync{Master: MasterZuora, Behavior: SyncNewAndModified, NumberMapping: NumberFromSource, AllowNumberUpdates: true},
		Catalog:     CatalogSync{ItemIDMapping: ItemIDFromChargeID, ItemIDPrefix: "Zuora Charge ", Behavior: SyncNewAndModified},
		Transaction: TransactionSync{NumberMapping: NumberFromSource, LineClassificationSource: ClassificationFromAccount},
		Advanced:    Advanced{UseStandardInvoiceSync: true, NetSuitePaymentSyncBehavior: SyncNewAndModified},
		Run:         Run{Window: 20, BatchSize: 100, BatchesPerContinue: 200, ChildrenPerContinue: 1000},
		Migration:   Migration{OnAccountAccountingCode: "Accounts Receivable", ReasonCode: "AR Mig - negative invoice"},
		Invoice:     Invoice{LineCeiling: 5000, OverCeiling: OverCeilingIgnore, SummaryFallback: OverCeilingIgnore},
		NetSuite:    NetSuite{DateFormat: "M/D/YYYY", Fields: DefaultNetSuiteFields()},
		ZuoraFields: ZuoraFields{DoNotSync: DefaultDoNotSyncField, MigrationWriteOff: DefaultMigrationWriteOffField},
	}
}

// UnmarshalJSON starts from Default, so a partial settings document (a
// workflow started from the temporal CLI with only some fields) means "the
// defaults, except these" rather than zero values.
func (s *Settings) UnmarshalJSON(b []byte) error {
	type plain Settings
	p := plain(Default())
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Settings(p)
	return nil
}

// Load reads and validates a settings file.
func Load(path string) (Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Settings{}, fmt.Errorf("settings: %w", err)
	}
	return Parse(data, path)
}

// Parse reads a settings document over the defaults; unknown fields are an
// error naming them (a typo must not silently keep a default), and the
// result is validated.
func Parse(data []byte, source string) (Settings, error) {
	type plain Settings
	p := plain(Default())
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Settings{}, fmt.Errorf("settings %s: %s", source, describeJSONError(data, err))
	}
	if dec.More() {
		return Settings{}, fmt.Errorf("settings %s: more than one JSON document", source)
	}
	s := Settings(p)
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("settings %s:\n%w", source, err)
	}
	return s, nil
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line := bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n")) + 1
		return fmt.Sprintf("line %d: %v", line, se)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: %s is not a %s", te.Field, te.Value, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ") + " (see docs/settings.md for the fields)"
	}
	return err.Error()
}

// Validate returns every problem, each naming its JSON path.
func (s Settings) Validate() error {
	var errs []error
	oneOf := func(path, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		errs = append(errs, fmt.Errorf("%s: %q is not one of %q", path, v, allowed))
	}
	date := func(path, v string) {
		if v == "" {
			return
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a date (YYYY-MM-DD)", path, v))
		}
	}
	between := func(path string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%s: %d is not between %d and %d", path, v, lo, hi))
		}
	}
	customField := func(path, v string) {
		if len(v) < 4 || !strings.HasSuffix(v, "__c") || strings.ContainsAny(v, " ,'()") {
			errs = append(errs, fmt.Errorf("%s: %q is not a Zuora custom field name (Zuora names the fields an admin creates …__c)", path, v))
		}
	}
	customField("zuoraFields.doNotSync", s.ZuoraFields.DoNotSync)
	customField("zuoraFields.migrationWriteOff", s.ZuoraFields.MigrationWriteOff)
	oneOf("customerSync.master", s.Customer.Master, MasterZuora, MasterNetSuite)
	oneOf("customerSync.behavior", s.Customer.Behavior, SyncNewAndModified, SyncNewOnly)
	oneOf("customerSync.numberMapping", s.Customer.NumberMapping, NumberFromSource, NameFromSource, DestinationAutoNumber)
	oneOf("catalogSync.itemIdMapping", s.Catalog.ItemIDMapping, ItemIDFromChargeID, ItemIDFromChargeName)
	oneOf("catalogSync.behavior", s.Catalog.Behavior, SyncNewAndModified, SyncNewOnly)
	if s.Catalog.ItemIDMapping == ItemIDFromChargeID && s.Catalog.ItemIDPrefix == "" {
		errs = append(errs, errors.New(`catalogSync.itemIdPrefix: empty; "Use Zuora Charge ID" maps a fixed prefix plus the charge id`))
	}
	oneOf("transactionSync.numberMapping", s.Transaction.NumberMapping, NumberFromSource, DestinationAutoNumber)
	oneOf("transactionSync.lineClassificationSource", s.Transaction.LineClassificationSource, ClassificationFromAccount, ClassificationFromCharge)
	date("advanced.invoiceCutoverDate", s.Advanced.InvoiceCutoverDate)
	date("advanced.iiaCutoverDate", s.Advanced.IIACutoverDate)
	date("advanced.debitMemoCutoverDate", s.Advanced.DebitMemoCutoverDate)
	date("advanced.creditMemoCutoverDate", s.Advanced.CreditMemoCutoverDate)
	if s.Advanced.MaxInvoiceItems < 0 {
		errs = append(errs, fmt.Errorf("advanced.maxInvoiceItems: %d is negative (0 means no ceiling)", s.Advanced.MaxInvoiceItems))
	}
	between("run.window", s.Run.Window, 1, 1000)
	between("run.batchSize", s.Run.BatchSize, 1, 100)
	between("run.batchesPerContinue", s.Run.BatchesPerContinue, 1, 5000)
	between("run.childrenPerContinue", s.Run.ChildrenPerContinue, 1, 1500)
	if s.Migration.OnAccountAccountingCode == "" {
		errs = append(errs, errors.New("migration.onAccountAccountingCode: empty (the default is Accounts Receivable)"))
	}
	errs = append(errs, s.validateNetSuite()...)
	errs = append(errs, s.validatePayments()...)
	errs = append(errs, s.validateNetSuitePayments()...)
	errs = append(errs, s.validateNetSuiteRefunds()...)
	return errors.Join(errs...)
}
