//! The certificate's page: A4, DejaVu Sans, amounts as Colombians write them.

use super::canvas::{Canvas, Weight};
use super::{CertificateError, qr, qr_payload};
use crate::dian::id::{format_id, id_label};
use crate::invoice::type_code;
use crate::money::{NumberStyle, format_amount};
use crate::pipeline::Registration;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 48.0;
const RIGHT: f32 = WIDTH - 48.0;

/// The layout's pen: a canvas and the current baseline.
struct Writer {
    canvas: Canvas,
    y: f32,
}

fn weight(bold: bool) -> Weight {
    if bold { Weight::Bold } else { Weight::Regular }
}

impl Writer {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.canvas.text(weight(bold), size, x, self.y, text);
    }

    fn right(&mut self, right: f32, size: f32, bold: bool, text: &str) {
        let width = self.canvas.width(weight(bold), size, text);
        // To a hundredth of a point: exact enough, and short in the page's content.
        let x = ((right - width) * 100.0).round() / 100.0;
        self.text(x, size, bold, text);
    }

    fn down(&mut self, points: f32) {
        self.y += points;
    }

    fn rule(&mut self) {
        self.canvas.rect(LEFT, self.y, RIGHT - LEFT, 0.6);
    }

    /// Draws the QR code of `payload` with its top right corner at (`right`, `top`), modules of
    /// `module` points (a round size keeps the page's numbers short).
    fn qr(&mut self, payload: &str, right: f32, top: f32, module: f32) {
        let Some((runs, modules)) = qr::runs(payload) else {
            return;
        };
        let left = right - modules as f32 * module;
        for (column, row, length) in runs {
            self.canvas.rect(
                left + column as f32 * module,
                top + row as f32 * module,
                length as f32 * module,
                module,
            );
        }
    }
}

fn cop(value: rust_decimal::Decimal) -> String {
    format_amount(value, NumberStyle::Colombian)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max - 1).collect();
        short.push('…');
        short
    }
}

/// Renders the certificate of `registration` as a PDF.
pub fn render(registration: &Registration) -> Result<Vec<u8>, CertificateError> {
    let mut w = Writer {
        canvas: Canvas::new(WIDTH, HEIGHT)?,
        y: 64.0,
    };
    draw(&mut w, registration);
    let title = format!(
        "Comprobante de registro de factura {}",
        registration.registration_id
    );
    w.canvas.finish(&title, "es-CO")
}

fn draw(w: &mut Writer, r: &Registration) {
    let inv = &r.invoice;
    w.text(LEFT, 9.0, true, "BOLSA MERCANTIL DE COLOMBIA");
    w.down(20.0);
    w.text(LEFT, 17.0, true, "Comprobante de registro de factura");
    w.down(22.0);
    let status = if r.registrable {
        "Factura REGISTRADA"
    } else {
        "Factura NO REGISTRABLE"
    };
    w.text(LEFT, 11.0, true, status);
    w.qr(&qr_payload(r), RIGHT, 40.0, 2.5);
    w.down(22.0);
    w.text(
        LEFT,
        9.5,
        false,
        &format!("Registro No. {}", r.registration_id),
    );
    w.down(14.0);
    w.text(
        LEFT,
        9.5,
        false,
        &format!(
            "Fecha de registro: {}",
            r.registration_date.format("%d/%m/%Y")
        ),
    );
    w.down(14.0);
    w.text(LEFT, 8.0, false, "Código de verificación:");
    w.down(11.0);
    w.text(LEFT, 8.0, false, &r.verification_code);
    w.down(20.0);
    w.rule();
    w.down(18.0);

    w.text(LEFT, 10.5, true, "Factura");
    w.down(15.0);
    let kind = type_code::name(&inv.type_code).unwrap_or(&inv.type_code);
    w.text(LEFT, 9.5, false, &format!("{kind} No. {}", inv.number));
    w.down(13.0);
    w.text(
        LEFT,
        9.5,
        false,
        &format!(
            "Fecha de emisión: {}   Moneda: {}",
            inv.issue_date.format("%d/%m/%Y"),
            inv.currency
        ),
    );
    w.down(13.0);
    if let Some(cufe) = &inv.cufe {
        w.text(LEFT, 7.0, false, &format!("CUFE: {cufe}"));
        w.down(13.0);
    }
    w.down(4.0);
    for (label, party) in [("Vendedor", &inv.seller), ("Comprador", &inv.buyer)] {
        w.text(
            LEFT,
            9.5,
            false,
            &format!(
                "{label}: {} — {} {}",
                shorten(&party.name, 48),
                id_label(&party.id_type),
                format_id(&party.id, party.check_digit.as_deref())
            ),
        );
        w.down(13.0);
    }
    w.down(8.0);
    w.rule();
    w.down(18.0);

    w.text(LEFT, 10.5, true, "Líneas");
    w.down(15.0);
    w.text(LEFT, 8.0, true, "#");
    w.text(LEFT + 18.0, 8.0, true, "Producto");
    w.text(340.0, 8.0, true, "Grupo");
    w.right(RIGHT, 8.0, true, "Base");
    w.down(12.0);
    let decisions = r.commission.as_ref().map(|c| &c.lines);
    let shown = inv.lines.len().min(18);
    for (i, line) in inv.lines.iter().take(shown).enumerate() {
        let product = r
            .lines
            .get(i)
            .and_then(|m| m.product.as_ref())
            .map_or(line.description.as_str(), |p| p.product_name.as_str());
        let group = decisions
            .and_then(|d| d.get(i))
            .map(|d| {
                if d.eligible {
                    d.group.as_deref().unwrap_or("").to_string()
                } else {
                    "no elegible".to_string()
                }
            })
            .unwrap_or_default();
        w.text(LEFT, 8.0, false, &line.id);
        w.text(LEFT + 18.0, 8.0, false, &shorten(product, 52));
        w.text(340.0, 8.0, false, &group);
        w.right(RIGHT, 8.0, false, &cop(line.base));
        w.down(11.0);
    }
    if inv.lines.len() > shown {
        w.text(
            LEFT + 18.0,
            8.0,
            false,
            &format!("… y {} líneas más", inv.lines.len() - shown),
        );
        w.down(11.0);
    }
    w.down(2.0);
    w.text(LEFT + 18.0, 8.5, true, "Subtotal de la factura");
    w.right(RIGHT, 8.5, true, &cop(inv.totals.line_extension));
    w.down(12.0);
    w.text(LEFT + 18.0, 8.5, false, "Total de la factura");
    w.right(RIGHT, 8.5, false, &cop(inv.totals.payable));
    w.down(18.0);
    w.rule();
    w.down(18.0);

    w.text(LEFT, 10.5, true, "Comisión de registro");
    w.down(15.0);
    match &r.commission {
        Some(c) => {
            for g in &c.groups {
                w.text(
                    LEFT,
                    9.0,
                    false,
                    &format!(
                        "{} ({} %) sobre {}",
                        g.label,
                        g.rate_percent.normalize().to_string().replace('.', ","),
                        cop(g.base)
                    ),
                );
                w.right(RIGHT, 9.0, false, &cop(g.fee));
                w.down(12.0);
            }
            let limit = match c.limit {
                crate::commission::LimitApplied::Minimum => " (tarifa mínima)",
                crate::commission::LimitApplied::Maximum => " (tarifa máxima)",
                crate::commission::LimitApplied::None => "",
            };
            w.text(LEFT, 9.5, true, &format!("Comisión{limit}"));
            w.right(RIGHT, 9.5, true, &cop(c.fee));
            w.down(13.0);
            w.text(LEFT, 9.5, false, "IVA 19 %");
            w.right(RIGHT, 9.5, false, &cop(c.iva));
            w.down(13.0);
            w.text(LEFT, 10.5, true, "Total a pagar");
            w.right(RIGHT, 10.5, true, &cop(c.total));
            w.down(15.0);
            let hash: String = c.rule_set.hash.chars().take(16).collect();
            w.text(
                LEFT,
                7.5,
                false,
                &format!(
                    "Tarifa: {} versión {} (huella {hash})",
                    c.rule_set.id, c.rule_set.version
                ),
            );
            w.down(12.0);
        }
        None => {
            w.text(
                LEFT,
                9.5,
                false,
                "No se liquida comisión: la factura no se puede registrar.",
            );
            w.down(13.0);
            for f in r
                .findings
                .iter()
                .filter(|f| f.severity == crate::compliance::Severity::Error)
                .take(6)
            {
                w.text(
                    LEFT,
                    8.0,
                    false,
                    &shorten(&format!("{}: {}", f.code, f.message_es), 110),
                );
                w.down(11.0);
            }
        }
    }
    w.y = HEIGHT - 70.0;
    w.rule();
    w.down(14.0);
    w.text(
        LEFT,
        7.0,
        false,
        "La factura registrada en bolsa está exenta de retención en la fuente (Decreto 1625 de 2016, art. 1.2.4.6.10).",
    );
    w.down(10.0);
    w.text(
        LEFT,
        7.0,
        false,
        "Verifique este comprobante con su código: el código es la huella SHA-256 del registro.",
    );
}
