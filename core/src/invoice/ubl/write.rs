//! [`Invoice`] → UBL XML, shaped as DIAN's annex 1.9 lays a document out.
//!
//! Used by the sample generator and by round-trip tests. The document carries DIAN's
//! extension (numbering range, software, QR) but no XAdES signature: signing needs the
//! issuer's certificate, which a library of the exchange never holds.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use sha2::{Digest, Sha384};

use super::roots;
use crate::invoice::xml::ns;
use crate::invoice::{DocumentKind, Invoice, TaxSubtotal};

/// The numbering range and software written into DIAN's extension.
#[derive(Debug, Clone)]
pub struct Issuance {
    /// `sts:InvoiceAuthorization`: the resolution number of the numbering range.
    pub authorization: String,
    /// First number of the range.
    pub range_from: u64,
    /// Last number of the range.
    pub range_to: u64,
    /// `sts:SoftwareID`.
    pub software_id: String,
    /// The software PIN (only its hash is written, as `sts:SoftwareSecurityCode`).
    pub software_pin: String,
}

impl Default for Issuance {
    /// DIAN's published test range (habilitación): resolution 18760000001, SETP 990000000 to
    /// 995000000.
    fn default() -> Issuance {
        Issuance {
            authorization: "18760000001".into(),
            range_from: 990_000_000,
            range_to: 995_000_000,
            software_id: "56f2ae4e-9812-4fad-9255-08fcfcd5ccb0".into(),
            software_pin: "12345".into(),
        }
    }
}

/// Writes `invoice` as a UBL 2.1 document of its kind.
pub fn write_xml(invoice: &Invoice, issuance: &Issuance) -> String {
    let mut w = Writer::default();
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    let root_ns = match invoice.kind {
        DocumentKind::Invoice => roots::INVOICE,
        DocumentKind::CreditNote => roots::CREDIT_NOTE,
        DocumentKind::DebitNote => roots::DEBIT_NOTE,
    };
    let root = invoice.kind.root_name();
    w.open(
        root,
        &[
            ("xmlns", root_ns),
            ("xmlns:cac", ns::KNOWN[1]),
            ("xmlns:cbc", ns::KNOWN[0]),
            ("xmlns:ext", ns::KNOWN[2]),
            ("xmlns:sts", ns::KNOWN[3]),
            ("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#"),
        ],
    );
    extensions(&mut w, invoice, issuance);
    w.leaf("cbc:UBLVersionID", &[], "UBL 2.1");
    if let Some(op) = &invoice.operation_type {
        w.leaf("cbc:CustomizationID", &[], op);
    }
    let profile = match invoice.kind {
        DocumentKind::Invoice => "DIAN 2.1: Factura Electrónica de Venta",
        DocumentKind::CreditNote => "DIAN 2.1: Nota Crédito de Factura Electrónica de Venta",
        DocumentKind::DebitNote => "DIAN 2.1: Nota Débito de Factura Electrónica de Venta",
    };
    w.leaf("cbc:ProfileID", &[], profile);
    if let Some(env) = invoice.environment {
        w.leaf("cbc:ProfileExecutionID", &[], env.code());
    }
    w.leaf("cbc:ID", &[], &invoice.number);
    if let Some(cufe) = &invoice.cufe {
        let (scheme, env) = (
            match invoice.kind {
                DocumentKind::Invoice => "CUFE-SHA384",
                _ => "CUDE-SHA384",
            },
            invoice.environment.map_or("1", |e| e.code()),
        );
        w.leaf(
            "cbc:UUID",
            &[("schemeID", env), ("schemeName", scheme)],
            cufe,
        );
    }
    w.leaf("cbc:IssueDate", &[], &invoice.issue_date.to_string());
    if let Some(time) = &invoice.issue_time {
        w.leaf("cbc:IssueTime", &[], time);
    }
    if let (DocumentKind::Invoice, Some(due)) = (invoice.kind, invoice.due_date) {
        w.leaf("cbc:DueDate", &[], &due.to_string());
    }
    w.leaf(
        &format!("cbc:{}", invoice.kind.type_code_name()),
        &[],
        &invoice.type_code,
    );
    w.leaf("cbc:DocumentCurrencyCode", &[], &invoice.currency);
    w.leaf(
        "cbc:LineCountNumeric",
        &[],
        &invoice.lines.len().to_string(),
    );
    if let Some(reference) = &invoice.billing_reference {
        w.open("cac:BillingReference", &[]);
        w.open("cac:InvoiceDocumentReference", &[]);
        w.leaf("cbc:ID", &[], reference);
        w.close("cac:InvoiceDocumentReference");
        w.close("cac:BillingReference");
    }
    party(&mut w, "cac:AccountingSupplierParty", &invoice.seller);
    party(&mut w, "cac:AccountingCustomerParty", &invoice.buyer);
    if let Some(rate) = &invoice.exchange_rate {
        w.open("cac:PaymentExchangeRate", &[]);
        w.leaf("cbc:SourceCurrencyCode", &[], &rate.source_currency);
        w.leaf("cbc:TargetCurrencyCode", &[], &rate.target_currency);
        w.leaf("cbc:CalculationRate", &[], &rate.rate.to_string());
        if let Some(date) = rate.date {
            w.leaf("cbc:Date", &[], &date.to_string());
        }
        w.close("cac:PaymentExchangeRate");
    }
    if let (DocumentKind::Invoice, Some(due)) = (invoice.kind, invoice.due_date) {
        w.open("cac:PaymentMeans", &[]);
        w.leaf("cbc:ID", &[], "2");
        w.leaf("cbc:PaymentMeansCode", &[], "ZZZ");
        w.leaf("cbc:PaymentDueDate", &[], &due.to_string());
        w.close("cac:PaymentMeans");
    }
    let currency = invoice.currency.as_str();
    for total in &invoice.tax_totals {
        w.open("cac:TaxTotal", &[]);
        w.amount("cbc:TaxAmount", currency, total.amount);
        for sub in &total.subtotals {
            tax_subtotal(&mut w, currency, sub);
        }
        w.close("cac:TaxTotal");
    }
    let totals_name = match invoice.kind {
        DocumentKind::DebitNote => "cac:RequestedMonetaryTotal",
        _ => "cac:LegalMonetaryTotal",
    };
    let t = &invoice.totals;
    w.open(totals_name, &[]);
    w.amount("cbc:LineExtensionAmount", currency, t.line_extension);
    w.amount("cbc:TaxExclusiveAmount", currency, t.tax_exclusive);
    w.amount("cbc:TaxInclusiveAmount", currency, t.tax_inclusive);
    for (name, value) in [
        ("cbc:AllowanceTotalAmount", t.allowance_total),
        ("cbc:ChargeTotalAmount", t.charge_total),
        ("cbc:PrepaidAmount", t.prepaid),
    ] {
        if let Some(value) = value {
            w.amount(name, currency, value);
        }
    }
    w.amount("cbc:PayableAmount", currency, t.payable);
    w.close(totals_name);
    let line_name = format!("cac:{}", invoice.kind.line_name());
    let quantity_name = format!("cbc:{}", invoice.kind.quantity_name());
    for line in &invoice.lines {
        w.open(&line_name, &[]);
        w.leaf("cbc:ID", &[], &line.id);
        let unit = line.unit.as_deref().unwrap_or("NIU");
        w.leaf(
            &quantity_name,
            &[("unitCode", unit)],
            &line.quantity.to_string(),
        );
        w.amount("cbc:LineExtensionAmount", currency, line.base);
        if !line.taxes.is_empty() {
            let total: Decimal = line.taxes.iter().map(|t| t.amount).sum();
            w.open("cac:TaxTotal", &[]);
            w.amount("cbc:TaxAmount", currency, total);
            for sub in &line.taxes {
                tax_subtotal(&mut w, currency, sub);
            }
            w.close("cac:TaxTotal");
        }
        w.open("cac:Item", &[]);
        w.leaf("cbc:Description", &[], &line.description);
        if let Some(code) = &line.seller_code {
            w.open("cac:SellersItemIdentification", &[]);
            w.leaf("cbc:ID", &[], code);
            w.close("cac:SellersItemIdentification");
        }
        if let Some(code) = &line.item_code {
            let agency = match code.scheme.as_str() {
                "010" => Some(("schemeAgencyID", "9")),
                "020" => Some(("schemeAgencyID", "195")),
                _ => None,
            };
            let mut attrs = vec![("schemeID", code.scheme.as_str())];
            attrs.extend(agency);
            w.open("cac:StandardItemIdentification", &[]);
            w.leaf("cbc:ID", &attrs, &code.code);
            w.close("cac:StandardItemIdentification");
        }
        w.close("cac:Item");
        w.open("cac:Price", &[]);
        w.amount("cbc:PriceAmount", currency, line.unit_price);
        w.leaf(
            "cbc:BaseQuantity",
            &[("unitCode", unit)],
            &line.quantity.to_string(),
        );
        w.close("cac:Price");
        w.close(&line_name);
    }
    w.close(root);
    w.out
}

/// Wraps a written document in a DIAN `AttachedDocument` (the container sent to the buyer),
/// the document as CDATA in `cac:Attachment/cac:ExternalReference/cbc:Description`.
pub fn write_attached_document(invoice: &Invoice, document_xml: &str) -> String {
    let mut w = Writer::default();
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    w.open(
        "AttachedDocument",
        &[
            ("xmlns", roots::ATTACHED),
            ("xmlns:cac", ns::KNOWN[1]),
            ("xmlns:cbc", ns::KNOWN[0]),
            ("xmlns:ext", ns::KNOWN[2]),
            ("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#"),
        ],
    );
    w.leaf("cbc:UBLVersionID", &[], "UBL 2.1");
    w.leaf("cbc:CustomizationID", &[], "Documentos adjuntos");
    w.leaf("cbc:ProfileID", &[], "Factura Electrónica de Venta");
    if let Some(env) = invoice.environment {
        w.leaf("cbc:ProfileExecutionID", &[], env.code());
    }
    w.leaf("cbc:ID", &[], &format!("AD{}", invoice.number));
    w.leaf("cbc:IssueDate", &[], &invoice.issue_date.to_string());
    if let Some(time) = &invoice.issue_time {
        w.leaf("cbc:IssueTime", &[], time);
    }
    w.leaf("cbc:DocumentType", &[], "Contenedor de Factura Electrónica");
    w.leaf("cbc:ParentDocumentID", &[], &invoice.number);
    party_short(&mut w, "cac:SenderParty", &invoice.seller);
    party_short(&mut w, "cac:ReceiverParty", &invoice.buyer);
    w.open("cac:Attachment", &[]);
    w.open("cac:ExternalReference", &[]);
    w.leaf("cbc:MimeCode", &[], "text/xml");
    w.leaf("cbc:EncodingCode", &[], "UTF-8");
    w.indent();
    let safe = document_xml.replace("]]>", "]]]]><![CDATA[>");
    let _ = writeln!(
        w.out,
        "<cbc:Description><![CDATA[{safe}]]></cbc:Description>"
    );
    w.close("cac:ExternalReference");
    w.close("cac:Attachment");
    w.close("AttachedDocument");
    w.out
}

fn extensions(w: &mut Writer, invoice: &Invoice, issuance: &Issuance) {
    w.open("ext:UBLExtensions", &[]);
    w.open("ext:UBLExtension", &[]);
    w.open("ext:ExtensionContent", &[]);
    w.open("sts:DianExtensions", &[]);
    if invoice.kind == DocumentKind::Invoice {
        w.open("sts:InvoiceControl", &[]);
        w.leaf("sts:InvoiceAuthorization", &[], &issuance.authorization);
        w.open("sts:AuthorizationPeriod", &[]);
        w.leaf("cbc:StartDate", &[], "2019-01-19");
        w.leaf("cbc:EndDate", &[], "2030-01-19");
        w.close("sts:AuthorizationPeriod");
        w.open("sts:AuthorizedInvoices", &[]);
        if let Some(prefix) = &invoice.prefix {
            w.leaf("sts:Prefix", &[], prefix);
        }
        w.leaf("sts:From", &[], &issuance.range_from.to_string());
        w.leaf("sts:To", &[], &issuance.range_to.to_string());
        w.close("sts:AuthorizedInvoices");
        w.close("sts:InvoiceControl");
    }
    w.open("sts:InvoiceSource", &[]);
    w.leaf(
        "cbc:IdentificationCode",
        &[
            ("listAgencyID", "6"),
            (
                "listAgencyName",
                "United Nations Economic Commission for Europe",
            ),
            (
                "listSchemeURI",
                "urn:oasis:names:specification:ubl:codelist:gc:CountryIdentificationCode-2.1",
            ),
        ],
        "CO",
    );
    w.close("sts:InvoiceSource");
    w.open("sts:SoftwareProvider", &[]);
    w.leaf(
        "sts:ProviderID",
        &[
            ("schemeAgencyID", "195"),
            (
                "schemeID",
                invoice.seller.check_digit.as_deref().unwrap_or(""),
            ),
            ("schemeName", "31"),
        ],
        &invoice.seller.id,
    );
    w.leaf(
        "sts:SoftwareID",
        &[("schemeAgencyID", "195")],
        &issuance.software_id,
    );
    w.close("sts:SoftwareProvider");
    let security = crate::hex::lower(&Sha384::digest(
        format!(
            "{}{}{}",
            issuance.software_id, issuance.software_pin, invoice.number
        )
        .as_bytes(),
    ));
    w.leaf(
        "sts:SoftwareSecurityCode",
        &[("schemeAgencyID", "195")],
        &security,
    );
    w.open("sts:AuthorizationProvider", &[]);
    w.leaf(
        "sts:AuthorizationProviderID",
        &[
            ("schemeAgencyID", "195"),
            ("schemeID", "4"),
            ("schemeName", "31"),
        ],
        "800197268",
    );
    w.close("sts:AuthorizationProvider");
    if invoice.cufe.is_some() {
        w.leaf("sts:QRCode", &[], &crate::invoice::qr::qr_text(invoice));
    }
    w.close("sts:DianExtensions");
    w.close("ext:ExtensionContent");
    w.close("ext:UBLExtension");
    w.close("ext:UBLExtensions");
}

fn party(w: &mut Writer, role: &str, party: &crate::invoice::Party) {
    let nit = party.id_type == "31";
    w.open(role, &[]);
    w.leaf("cbc:AdditionalAccountID", &[], if nit { "1" } else { "2" });
    w.open("cac:Party", &[]);
    w.open("cac:PartyName", &[]);
    w.leaf("cbc:Name", &[], &party.name);
    w.close("cac:PartyName");
    w.open("cac:PartyTaxScheme", &[]);
    w.leaf("cbc:RegistrationName", &[], &party.name);
    company_id(w, party);
    w.leaf("cbc:TaxLevelCode", &[("listName", "48")], "R-99-PN");
    w.open("cac:TaxScheme", &[]);
    w.leaf("cbc:ID", &[], "01");
    w.leaf("cbc:Name", &[], "IVA");
    w.close("cac:TaxScheme");
    w.close("cac:PartyTaxScheme");
    w.open("cac:PartyLegalEntity", &[]);
    w.leaf("cbc:RegistrationName", &[], &party.name);
    company_id(w, party);
    w.close("cac:PartyLegalEntity");
    w.close("cac:Party");
    w.close(role);
}

fn party_short(w: &mut Writer, role: &str, party: &crate::invoice::Party) {
    w.open(role, &[]);
    w.open("cac:PartyTaxScheme", &[]);
    w.leaf("cbc:RegistrationName", &[], &party.name);
    company_id(w, party);
    w.close("cac:PartyTaxScheme");
    w.close(role);
}

fn company_id(w: &mut Writer, party: &crate::invoice::Party) {
    let mut attrs = vec![
        ("schemeAgencyID", "195"),
        (
            "schemeAgencyName",
            "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)",
        ),
    ];
    if let Some(dv) = &party.check_digit {
        attrs.push(("schemeID", dv.as_str()));
    }
    attrs.push(("schemeName", party.id_type.as_str()));
    w.leaf("cbc:CompanyID", &attrs, &party.id);
}

fn tax_subtotal(w: &mut Writer, currency: &str, sub: &TaxSubtotal) {
    w.open("cac:TaxSubtotal", &[]);
    w.amount("cbc:TaxableAmount", currency, sub.taxable);
    w.amount("cbc:TaxAmount", currency, sub.amount);
    w.open("cac:TaxCategory", &[]);
    if let Some(percent) = sub.percent {
        w.leaf("cbc:Percent", &[], &percent.to_string());
    }
    w.open("cac:TaxScheme", &[]);
    w.leaf("cbc:ID", &[], &sub.tax);
    let name = match sub.tax.as_str() {
        "01" => "IVA",
        "03" => "ICA",
        "04" => "INC",
        _ => "",
    };
    w.leaf("cbc:Name", &[], name);
    w.close("cac:TaxScheme");
    w.close("cac:TaxCategory");
    w.close("cac:TaxSubtotal");
}

/// An indenting XML writer that escapes text and attribute values.
#[derive(Default)]
struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
        self.out.push('>');
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push('\n');
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        let _ = writeln!(self.out, "{}</{name}>", escape(text));
    }

    fn amount(&mut self, name: &str, currency: &str, value: Decimal) {
        self.leaf(name, &[("currencyID", currency)], &value.to_string());
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
