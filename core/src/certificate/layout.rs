//! The certificate's page: A4, DejaVu Sans, amounts as Colombians write them.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::{CertificateError, qr_payload};
use crate::dian::id::{format_id, id_label};
use crate::invoice::type_code;
use crate::money::{NumberStyle, format_amount};
use crate::pipeline::Registration;

static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        (include_bytes!("../../../data/fonts/DejaVuSans.ttf") as &'static [u8]).into(),
        0,
    )
});
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        (include_bytes!("../../../data/fonts/DejaVuSans-Bold.ttf") as &'static [u8]).into(),
        0,
    )
});

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 48.0;
const RIGHT: f32 = WIDTH - 48.0;

/// Advance width of DejaVu Sans in ems (advance / 2048 units), exact for the characters
/// amounts are made of.
fn em(c: char, bold: bool) -> f32 {
    const UNITS: f32 = 2048.0;
    match c {
        '0'..='9' | '$' => {
            if bold {
                1425.0 / UNITS
            } else {
                1303.0 / UNITS
            }
        }
        '.' | ',' | ' ' => {
            if bold {
                778.0 / UNITS
            } else {
                651.0 / UNITS
            }
        }
        '%' => 1946.0 / UNITS,
        _ => 1270.0 / UNITS,
    }
}

struct Writer<'a, 'b> {
    surface: &'a mut Surface<'b>,
    regular: Font,
    bold: Font,
    y: f32,
}

impl Writer<'_, '_> {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let font = if bold { &self.bold } else { &self.regular };
        self.surface.draw_text(
            Point::from_xy(x, self.y),
            font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn right(&mut self, right: f32, size: f32, bold: bool, text: &str) {
        let width: f32 = text.chars().map(|c| em(c, bold)).sum::<f32>() * size;
        self.text(right - width, size, bold, text);
    }

    fn down(&mut self, points: f32) {
        self.y += points;
    }

    fn rule(&mut self) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(LEFT, self.y, RIGHT - LEFT, 0.6) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
        }
    }

    fn qr(&mut self, payload: &str, left: f32, top: f32, side: f32) {
        let Ok(code) = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        else {
            return;
        };
        let n = code.width();
        let module = side / n as f32;
        let colors = code.to_colors();
        let mut path = PathBuilder::new();
        for y in 0..n {
            for x in 0..n {
                if colors[y * n + x] == qrcode::Color::Dark
                    && let Some(rect) = Rect::from_xywh(
                        left + x as f32 * module,
                        top + y as f32 * module,
                        module,
                        module,
                    )
                {
                    path.push_rect(rect);
                }
            }
        }
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
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
    let (Some(regular), Some(bold)) = (REGULAR.clone(), BOLD.clone()) else {
        return Err(CertificateError::Pdf {
            message: "the embedded DejaVu Sans font cannot be read".into(),
        });
    };
    let mut document = Document::new();
    {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or(CertificateError::Pdf {
            message: "page size".into(),
        })?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut w = Writer {
            surface: &mut surface,
            regular,
            bold,
            y: 64.0,
        };
        draw(&mut w, registration);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| CertificateError::Pdf {
        message: format!("{e:?}"),
    })
}

fn draw(w: &mut Writer<'_, '_>, r: &Registration) {
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
    w.qr(&qr_payload(r), RIGHT - 96.0, 40.0, 96.0);
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
