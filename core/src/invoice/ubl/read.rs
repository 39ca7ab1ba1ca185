//! UBL XML → [`Invoice`].

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::roots;
use crate::dian::Environment;
use crate::invoice::xml::{self, Document, Element, Limits, ns};
use crate::invoice::{
    DocumentKind, ExchangeRate, Invoice, InvoiceError, InvoiceLine, ItemCode, MonetaryTotals,
    Party, Source, SourceKind, TaxSubtotal, TaxTotal,
};

/// Reads a DIAN UBL 2.1 document: an `Invoice`, `CreditNote`, `DebitNote`, or an
/// `AttachedDocument` wrapping one of them.
///
/// ```
/// let xml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/invoices/FEV-0001.xml"))?;
/// let invoice = bmc_core::invoice::read_xml(&xml)?;
/// assert_eq!(invoice.number, "SETP990000001");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_xml(bytes: &[u8]) -> Result<Invoice, InvoiceError> {
    read_xml_with(bytes, &Limits::default())
}

/// [`read_xml`] with explicit limits on size, nesting and text (tests use small ones).
pub fn read_xml_with(bytes: &[u8], limits: &Limits) -> Result<Invoice, InvoiceError> {
    let document = xml::parse(bytes, limits)?;
    let root = &document.root;
    let namespace = document.namespace_of(root);
    let kind = match (namespace, &*root.name) {
        (roots::INVOICE, "Invoice") => DocumentKind::Invoice,
        (roots::CREDIT_NOTE, "CreditNote") => DocumentKind::CreditNote,
        (roots::DEBIT_NOTE, "DebitNote") => DocumentKind::DebitNote,
        (roots::ATTACHED, "AttachedDocument") => return read_attached(&document, limits),
        _ => {
            return Err(InvoiceError::UnknownDocument {
                root: root.name.to_string(),
                namespace: namespace.to_string(),
            });
        }
    };
    Fields { kind }.invoice(root, Source::exact(SourceKind::Ubl))
}

/// The invoice inside an `AttachedDocument`: `cac:Attachment/cac:ExternalReference/
/// cbc:Description`, a UBL document as text (usually CDATA).
fn read_attached(document: &Document, limits: &Limits) -> Result<Invoice, InvoiceError> {
    let root = &document.root;
    let description = root
        .path(&[
            (ns::CAC, "Attachment"),
            (ns::CAC, "ExternalReference"),
            (ns::CBC, "Description"),
        ])
        .ok_or_else(|| InvoiceError::MissingField {
            path: "cac:Attachment/cac:ExternalReference/cbc:Description".into(),
            line: root.line,
        })?;
    let inner = xml::parse(description.trimmed().as_bytes(), limits).map_err(|e| {
        InvoiceError::InvalidField {
            path: "cac:Attachment/cac:ExternalReference/cbc:Description".into(),
            line: description.line,
            value: String::new(),
            reason: format!("the embedded document cannot be read: {e}"),
        }
    })?;
    let namespace = inner.namespace_of(&inner.root);
    let kind = match (namespace, &*inner.root.name) {
        (roots::INVOICE, "Invoice") => DocumentKind::Invoice,
        (roots::CREDIT_NOTE, "CreditNote") => DocumentKind::CreditNote,
        (roots::DEBIT_NOTE, "DebitNote") => DocumentKind::DebitNote,
        _ => {
            return Err(InvoiceError::UnknownDocument {
                root: format!("{} (inside AttachedDocument)", inner.root.name),
                namespace: namespace.to_string(),
            });
        }
    };
    Fields { kind }.invoice(&inner.root, Source::exact(SourceKind::AttachedDocument))
}

/// Reads the fields of one document kind.
struct Fields {
    kind: DocumentKind,
}

impl Fields {
    fn invoice(&self, root: &Element, source: Source) -> Result<Invoice, InvoiceError> {
        let kind = self.kind;
        let type_code = match opt_text(root, &[(ns::CBC, kind.type_code_name())]) {
            Some(code) => code.to_string(),
            None => match kind {
                DocumentKind::Invoice => {
                    return Err(missing(root, &format!("cbc:{}", kind.type_code_name())));
                }
                DocumentKind::CreditNote => "91".to_string(),
                DocumentKind::DebitNote => "92".to_string(),
            },
        };
        let environment = match root.child(ns::CBC, "ProfileExecutionID") {
            Some(e) => Some(Environment::parse(e.trimmed()).map_err(|_| {
                invalid(
                    e,
                    "cbc:ProfileExecutionID",
                    "must be 1 (production) or 2 (test)",
                )
            })?),
            None => None,
        };
        let totals_name = match kind {
            DocumentKind::DebitNote => "RequestedMonetaryTotal",
            _ => "LegalMonetaryTotal",
        };
        let totals_element = root
            .child(ns::CAC, totals_name)
            .ok_or_else(|| missing(root, &format!("cac:{totals_name}")))?;
        Ok(Invoice {
            kind,
            type_code,
            operation_type: opt_text(root, &[(ns::CBC, "CustomizationID")]).map(str::to_string),
            environment,
            number: text(root, &[(ns::CBC, "ID")], "cbc:ID")?.to_string(),
            prefix: prefix(root),
            issue_date: date(root, &[(ns::CBC, "IssueDate")], "cbc:IssueDate")?,
            issue_time: opt_text(root, &[(ns::CBC, "IssueTime")]).map(str::to_string),
            due_date: opt_date(root, &[(ns::CBC, "DueDate")], "cbc:DueDate")?.or(opt_date(
                root,
                &[(ns::CAC, "PaymentMeans"), (ns::CBC, "PaymentDueDate")],
                "cac:PaymentMeans/cbc:PaymentDueDate",
            )?),
            cufe: opt_text(root, &[(ns::CBC, "UUID")]).map(str::to_string),
            currency: opt_text(root, &[(ns::CBC, "DocumentCurrencyCode")])
                .unwrap_or("COP")
                .to_string(),
            exchange_rate: exchange_rate(root)?,
            seller: party(root, "AccountingSupplierParty")?,
            buyer: party(root, "AccountingCustomerParty")?,
            lines: root
                .children(ns::CAC, kind.line_name())
                .enumerate()
                .map(|(i, line)| self.line(line, i + 1))
                .collect::<Result<_, _>>()?,
            tax_totals: root
                .children(ns::CAC, "TaxTotal")
                .enumerate()
                .map(|(i, t)| tax_total(t, &format!("cac:TaxTotal[{}]", i + 1)))
                .collect::<Result<_, _>>()?,
            totals: monetary_totals(totals_element, &format!("cac:{totals_name}"))?,
            billing_reference: opt_text(
                root,
                &[
                    (ns::CAC, "BillingReference"),
                    (ns::CAC, "InvoiceDocumentReference"),
                    (ns::CBC, "ID"),
                ],
            )
            .map(str::to_string),
            source,
        })
    }

    fn line(&self, line: &Element, position: usize) -> Result<InvoiceLine, InvoiceError> {
        let at = format!("cac:{}[{position}]", self.kind.line_name());
        let quantity_name = self.kind.quantity_name();
        let quantity_element = line
            .child(ns::CBC, quantity_name)
            .ok_or_else(|| missing(line, &format!("{at}/cbc:{quantity_name}")))?;
        let item = line
            .child(ns::CAC, "Item")
            .ok_or_else(|| missing(line, &format!("{at}/cac:Item")))?;
        let item_code = item
            .path(&[(ns::CAC, "StandardItemIdentification"), (ns::CBC, "ID")])
            .map(|id| ItemCode {
                scheme: id.attr("schemeID").unwrap_or_default().trim().to_string(),
                code: id.trimmed().to_string(),
            });
        let mut taxes = Vec::new();
        for (t, total) in line.children(ns::CAC, "TaxTotal").enumerate() {
            for (s, sub) in total.children(ns::CAC, "TaxSubtotal").enumerate() {
                taxes.push(tax_subtotal(
                    sub,
                    &format!("{at}/cac:TaxTotal[{}]/cac:TaxSubtotal[{}]", t + 1, s + 1),
                )?);
            }
        }
        Ok(InvoiceLine {
            id: text(line, &[(ns::CBC, "ID")], &format!("{at}/cbc:ID"))?.to_string(),
            description: opt_text(item, &[(ns::CBC, "Description")])
                .unwrap_or_default()
                .to_string(),
            quantity: decimal_of(quantity_element, &format!("{at}/cbc:{quantity_name}"))?,
            unit: quantity_element
                .attr("unitCode")
                .map(|u| u.trim().to_string()),
            unit_price: amount(
                line,
                &[(ns::CAC, "Price"), (ns::CBC, "PriceAmount")],
                &format!("{at}/cac:Price/cbc:PriceAmount"),
            )?,
            base: amount(
                line,
                &[(ns::CBC, "LineExtensionAmount")],
                &format!("{at}/cbc:LineExtensionAmount"),
            )?,
            taxes,
            item_code,
            seller_code: opt_text(
                item,
                &[(ns::CAC, "SellersItemIdentification"), (ns::CBC, "ID")],
            )
            .map(str::to_string),
        })
    }
}

fn party(root: &Element, role: &str) -> Result<Party, InvoiceError> {
    let at = format!("cac:{role}/cac:Party");
    let party = root
        .path(&[(ns::CAC, role), (ns::CAC, "Party")])
        .ok_or_else(|| missing(root, &at))?;
    // PartyTaxScheme carries the tax id; PartyLegalEntity repeats it and is the fallback.
    let scheme = party
        .child(ns::CAC, "PartyTaxScheme")
        .or_else(|| party.child(ns::CAC, "PartyLegalEntity"))
        .ok_or_else(|| missing(party, &format!("{at}/cac:PartyTaxScheme")))?;
    let company_id = scheme
        .child(ns::CBC, "CompanyID")
        .ok_or_else(|| missing(scheme, &format!("{at}/cac:PartyTaxScheme/cbc:CompanyID")))?;
    let name = scheme
        .child(ns::CBC, "RegistrationName")
        .map(Element::trimmed)
        .or_else(|| opt_text(party, &[(ns::CAC, "PartyName"), (ns::CBC, "Name")]))
        .unwrap_or_default();
    Ok(Party {
        id_type: company_id
            .attr("schemeName")
            .unwrap_or_default()
            .trim()
            .to_string(),
        id: company_id.trimmed().to_string(),
        check_digit: company_id
            .attr("schemeID")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        name: name.to_string(),
    })
}

/// `sts:Prefix` of the numbering range, in any `ext:UBLExtension`.
/// `cac:PaymentExchangeRate`, when present.
fn exchange_rate(root: &Element) -> Result<Option<ExchangeRate>, InvoiceError> {
    let Some(rate) = root.child(ns::CAC, "PaymentExchangeRate") else {
        return Ok(None);
    };
    let path = "cac:PaymentExchangeRate";
    Ok(Some(ExchangeRate {
        source_currency: text(
            rate,
            &[(ns::CBC, "SourceCurrencyCode")],
            &format!("{path}/cbc:SourceCurrencyCode"),
        )?
        .to_string(),
        target_currency: text(
            rate,
            &[(ns::CBC, "TargetCurrencyCode")],
            &format!("{path}/cbc:TargetCurrencyCode"),
        )?
        .to_string(),
        rate: amount(
            rate,
            &[(ns::CBC, "CalculationRate")],
            &format!("{path}/cbc:CalculationRate"),
        )?,
        date: opt_date(rate, &[(ns::CBC, "Date")], &format!("{path}/cbc:Date"))?,
    }))
}

fn prefix(root: &Element) -> Option<String> {
    root.child(ns::EXT, "UBLExtensions")?
        .children(ns::EXT, "UBLExtension")
        .find_map(|ext| {
            ext.path(&[
                (ns::EXT, "ExtensionContent"),
                (ns::STS, "DianExtensions"),
                (ns::STS, "InvoiceControl"),
                (ns::STS, "AuthorizedInvoices"),
                (ns::STS, "Prefix"),
            ])
        })
        .map(|p| p.trimmed().to_string())
        .filter(|p| !p.is_empty())
}

fn tax_total(total: &Element, at: &str) -> Result<TaxTotal, InvoiceError> {
    let subtotals = total
        .children(ns::CAC, "TaxSubtotal")
        .enumerate()
        .map(|(i, s)| tax_subtotal(s, &format!("{at}/cac:TaxSubtotal[{}]", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TaxTotal {
        tax: subtotals.first().map(|s| s.tax.clone()).unwrap_or_default(),
        amount: amount(
            total,
            &[(ns::CBC, "TaxAmount")],
            &format!("{at}/cbc:TaxAmount"),
        )?,
        subtotals,
    })
}

fn tax_subtotal(sub: &Element, at: &str) -> Result<TaxSubtotal, InvoiceError> {
    let category = sub
        .child(ns::CAC, "TaxCategory")
        .ok_or_else(|| missing(sub, &format!("{at}/cac:TaxCategory")))?;
    let percent = match category.child(ns::CBC, "Percent") {
        Some(p) => Some(decimal_of(p, &format!("{at}/cac:TaxCategory/cbc:Percent"))?),
        None => None,
    };
    Ok(TaxSubtotal {
        tax: text(
            category,
            &[(ns::CAC, "TaxScheme"), (ns::CBC, "ID")],
            &format!("{at}/cac:TaxCategory/cac:TaxScheme/cbc:ID"),
        )?
        .to_string(),
        taxable: amount(
            sub,
            &[(ns::CBC, "TaxableAmount")],
            &format!("{at}/cbc:TaxableAmount"),
        )?,
        amount: amount(
            sub,
            &[(ns::CBC, "TaxAmount")],
            &format!("{at}/cbc:TaxAmount"),
        )?,
        percent,
    })
}

fn monetary_totals(totals: &Element, at: &str) -> Result<MonetaryTotals, InvoiceError> {
    let optional = |name: &str| -> Result<Option<Decimal>, InvoiceError> {
        match totals.child(ns::CBC, name) {
            Some(e) => Ok(Some(decimal_of(e, &format!("{at}/cbc:{name}"))?)),
            None => Ok(None),
        }
    };
    let line_extension = amount(
        totals,
        &[(ns::CBC, "LineExtensionAmount")],
        &format!("{at}/cbc:LineExtensionAmount"),
    )?;
    Ok(MonetaryTotals {
        line_extension,
        tax_exclusive: optional("TaxExclusiveAmount")?.unwrap_or(line_extension),
        tax_inclusive: optional("TaxInclusiveAmount")?.unwrap_or(line_extension),
        allowance_total: optional("AllowanceTotalAmount")?,
        charge_total: optional("ChargeTotalAmount")?,
        prepaid: optional("PrepaidAmount")?,
        payable: amount(
            totals,
            &[(ns::CBC, "PayableAmount")],
            &format!("{at}/cbc:PayableAmount"),
        )?,
    })
}

fn opt_text<'e>(element: &'e Element, steps: &[(u16, &str)]) -> Option<&'e str> {
    element
        .path(steps)
        .map(Element::trimmed)
        .filter(|t| !t.is_empty())
}

fn text<'e>(
    element: &'e Element,
    steps: &[(u16, &str)],
    at: &str,
) -> Result<&'e str, InvoiceError> {
    opt_text(element, steps).ok_or_else(|| missing(element, at))
}

fn amount(element: &Element, steps: &[(u16, &str)], at: &str) -> Result<Decimal, InvoiceError> {
    let found = element.path(steps).ok_or_else(|| missing(element, at))?;
    decimal_of(found, at)
}

/// A UBL decimal: optional sign, digits, optional `.` and digits. No thousands separators,
/// no exponent: anything else is refused rather than guessed.
fn decimal_of(element: &Element, at: &str) -> Result<Decimal, InvoiceError> {
    let value = element.trimmed();
    parse_plain_decimal(value).ok_or_else(|| {
        invalid(
            element,
            at,
            "is not a plain decimal such as 1250000.00 (digits, optional '.', no separators)",
        )
    })
}

/// Parses `-?[0-9]+(\.[0-9]+)?` into a decimal with the written scale.
pub(crate) fn parse_plain_decimal(value: &str) -> Option<Decimal> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (frac.is_empty() != digits.contains('.'))
        && frac.bytes().all(|b| b.is_ascii_digit())
        && int.len() + frac.len() <= 28;
    if !plain {
        return None;
    }
    Decimal::from_str(value).ok()
}

fn date(element: &Element, steps: &[(u16, &str)], at: &str) -> Result<NaiveDate, InvoiceError> {
    opt_date(element, steps, at)?.ok_or_else(|| missing(element, at))
}

fn opt_date(
    element: &Element,
    steps: &[(u16, &str)],
    at: &str,
) -> Result<Option<NaiveDate>, InvoiceError> {
    match element.path(steps) {
        Some(found) => NaiveDate::parse_from_str(found.trimmed(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(found, at, "is not a date YYYY-MM-DD")),
        None => Ok(None),
    }
}

fn missing(element: &Element, at: &str) -> InvoiceError {
    InvoiceError::MissingField {
        path: at.to_string(),
        line: element.line,
    }
}

fn invalid(element: &Element, at: &str, reason: &str) -> InvoiceError {
    InvoiceError::InvalidField {
        path: at.to_string(),
        line: element.line,
        value: element.trimmed().chars().take(80).collect(),
        reason: reason.to_string(),
    }
}
