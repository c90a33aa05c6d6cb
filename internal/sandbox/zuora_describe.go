package sandbox

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/zuora-netsuite/connector/internal/sandbox/zuoramodel"
)

// GET /v1/describe/{object}: Zuora answers XML (v1 OpenAPI GET_Describe,
// api-evangelist/zuora openapi/zuora-describe-api-openapi.yml:
// <object><name/><label/><fields><field><name/><label/><type/><contexts>…),
// generated here from the object model table and the tenant's custom fields.

type describeObject struct {
	XMLName xml.Name        `xml:"object"`
	Name    string          `xml:"name"`
	Label   string          `xml:"label"`
	Fields  []describeField `xml:"fields>field"`
}

type describeField struct {
	Name       string   `xml:"name"`
	Label      string   `xml:"label"`
	Type       string   `xml:"type"`
	Contexts   []string `xml:"contexts>context"`
	Selectable bool     `xml:"selectable"`
	Createable bool     `xml:"createable"`
	Updateable bool     `xml:"updateable"`
	Filterable bool     `xml:"filterable"`
	Custom     bool     `xml:"custom"`
	Required   bool     `xml:"required"`
}

var describeTypes = map[zuoramodel.Type]string{zuoramodel.TypeID: "text", zuoramodel.TypeString: "text", zuoramodel.TypeDecimal: "decimal",
	zuoramodel.TypeInteger: "integer", zuoramodel.TypeBoolean: "boolean", zuoramodel.TypeDate: "date", zuoramodel.TypeDateTime: "datetime"}

func (z *zuoraAPI) describe(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("object")
	z.mu.RLock()
	sch, ok := zuoramodel.For(name, nil)
	if ok {
		sch, _ = zuoramodel.For(sch.Object.Name, z.tenant.CustomFields[sch.Object.Name])
	}
	z.mu.RUnlock()
	if !ok {
		// 404 "an XML document that indicates the error" (its elements are not
		// published: chosen).
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(404)
		_, _ = w.Write([]byte(xml.Header + "<error><message>no object named " + xmlEscape(name) + "</message></error>\n"))
		return
	}
	out := describeObject{Name: sch.Object.Name, Label: label(sch.Object.Name)}
	add := func(fl zuoramodel.Field, custom bool) {
		ctx := []string{"soap", "export"}
		if !sch.Object.ZOQL {
			ctx = []string{"export"}
		}
		system := strings.EqualFold(fl.Name, "Id") || strings.HasSuffix(fl.Name, "Date") && (fl.Name == "CreatedDate" || fl.Name == "UpdatedDate")
		out.Fields = append(out.Fields, describeField{Name: fl.Name, Label: label(strings.TrimSuffix(strings.TrimSuffix(fl.Name, "__NS"), "__c")), Type: describeTypes[fl.Type], Contexts: ctx,
			Selectable: true, Createable: !system, Updateable: !system, Filterable: fl.Filterable, Custom: custom})
	}
	for _, fl := range sch.Object.Fields {
		add(fl, strings.HasSuffix(fl.Name, "__NS"))
	}
	for _, c := range sch.Customs() {
		fl, _ := sch.Field(c)
		add(fl, true)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(200)
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	_ = enc.Encode(out)
}

// label spells an API name as the UI does: "ProductRatePlanCharge" -> "Product Rate Plan Charge".
func label(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' && !(name[i-1] >= 'A' && name[i-1] <= 'Z') {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
