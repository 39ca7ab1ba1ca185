//! The external programs: Tesseract, and poppler's `pdftotext` and `pdftoppm`.

use std::path::Path;
use std::process::Command;

use image::GrayImage;

use bmc_core::invoice::ocr::OcrOptions;
use bmc_core::invoice::{Invoice, InvoiceError};

use crate::ScanError;

fn run(
    program: &'static str,
    args: &[&std::ffi::OsStr],
    install: &'static str,
) -> Result<Vec<u8>, ScanError> {
    let output = Command::new(program)
        .args(args)
        // One thread per page: pages run in parallel instead.
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ScanError::ToolMissing { program, install }
            } else {
                ScanError::failed(program, format!("cannot run it: {e}"))
            }
        })?;
    if !output.status.success() {
        return Err(ScanError::failed(
            program,
            format!(
                "failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(output.stdout)
}

/// Tesseract's TSV for an image file, in Spanish, reading the page as one block of text.
pub fn tesseract_tsv(image: &Path) -> Result<String, ScanError> {
    let out = run(
        "tesseract",
        &[
            image.as_os_str(),
            "stdout".as_ref(),
            "-l".as_ref(),
            "spa".as_ref(),
            "--psm".as_ref(),
            "6".as_ref(),
            "tsv".as_ref(),
        ],
        "tesseract-ocr tesseract-ocr-spa",
    )?;
    String::from_utf8(out)
        .map_err(|e| ScanError::failed("tesseract", format!("wrote non-UTF-8: {e}")))
}

/// The text layer of a PDF as TSV (`pdftotext -tsv`), or `None` when it has no text.
pub fn pdf_text_tsv(pdf: &Path) -> Result<Option<String>, ScanError> {
    let out = run(
        "pdftotext",
        &["-tsv".as_ref(), pdf.as_os_str(), "-".as_ref()],
        "poppler-utils",
    )?;
    let text = String::from_utf8(out)
        .map_err(|e| ScanError::failed("pdftotext", format!("wrote non-UTF-8: {e}")))?;
    let words = text
        .lines()
        .filter(|l| l.starts_with("5\t") && !l.ends_with("###"))
        .count();
    Ok((words > 0).then_some(text))
}

/// The most pages of a PDF that are rendered for OCR; the rest are left unread.
pub const MAX_PAGES: usize = 50;

/// Every page of a PDF (up to [`MAX_PAGES`]) rendered in grey at `dpi`.
pub fn render_pages(pdf: &Path, dpi: u32) -> Result<Vec<GrayImage>, ScanError> {
    let dir = scratch_dir()?;
    let rendered = render_into(pdf, dpi, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    rendered
}

fn render_into(pdf: &Path, dpi: u32, dir: &Path) -> Result<Vec<GrayImage>, ScanError> {
    let prefix = dir.join("page");
    run(
        "pdftoppm",
        &[
            "-r".as_ref(),
            dpi.to_string().as_ref(),
            "-gray".as_ref(),
            "-l".as_ref(),
            MAX_PAGES.to_string().as_ref(),
            pdf.as_os_str(),
            prefix.as_os_str(),
        ],
        "poppler-utils",
    )?;
    // pdftoppm names the pages page-1.pgm, or page-01.pgm when there are ten or more.
    let mut files: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| ScanError::read(dir, &e))?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let number = path
                .file_stem()?
                .to_str()?
                .strip_prefix("page-")?
                .parse()
                .ok()?;
            Some((number, path))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ScanError::failed(
            "pdftoppm",
            format!("rendered no page of {}", pdf.display()),
        ));
    }
    files
        .iter()
        .map(|(_, path)| {
            let bytes = std::fs::read(path).map_err(|e| ScanError::read(path, &e))?;
            let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Pnm)
                .map_err(|e| {
                    ScanError::failed("pdftoppm", format!("unreadable page image: {e}"))
                })?;
            Ok(image.to_luma8())
        })
        .collect()
}

/// Tesseract TSVs of the pages of one document as one TSV, each page numbered in turn.
pub fn join_pages(tsvs: &[String]) -> String {
    let mut out = String::new();
    for (i, tsv) in tsvs.iter().enumerate() {
        for (l, line) in tsv.lines().enumerate() {
            if l == 0 {
                // The header row, once.
                if i == 0 {
                    out.push_str(line);
                    out.push('\n');
                }
                continue;
            }
            let mut fields = line.splitn(3, '\t');
            match (fields.next(), fields.next(), fields.next()) {
                (Some(level), Some(_), Some(rest)) => {
                    out.push_str(&format!("{level}\t{}\t{rest}\n", i + 1));
                }
                _ => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// What reading a scan gave: the OCR output, the invoice read from it (or why none could
/// be), and the skew removed.
#[derive(Debug)]
pub struct ScanRead {
    /// Tesseract's TSV of the pass that was kept.
    pub tsv: String,
    /// The invoice, or the error reading it.
    pub invoice: Result<Invoice, InvoiceError>,
    /// Degrees of skew removed before OCR.
    pub skew: f32,
    /// Whether the kept pass had its strokes thickened.
    pub thickened: bool,
    /// The text of DIAN's QR code on the page, when it has one.
    pub qr: Option<String>,
}

impl ScanRead {
    /// How good a reading is: more fields trusted first, then fewer in doubt. A reading
    /// that lost a row has fewer fields to doubt, so counting doubts alone would prefer it.
    fn quality(&self) -> (usize, std::cmp::Reverse<usize>) {
        match &self.invoice {
            Ok(invoice) => {
                let doubtful = invoice.source.doubtful_fields().len();
                let fields = invoice.source.confidence.len();
                (fields - doubtful, std::cmp::Reverse(doubtful))
            }
            Err(_) => (0, std::cmp::Reverse(usize::MAX)),
        }
    }

    fn is_clean(&self) -> bool {
        self.invoice
            .as_ref()
            .is_ok_and(|i| i.source.doubtful_fields().is_empty())
    }
}

/// Reads an invoice from the images of its pages: each straightened and OCR'd, the
/// pages read as one document (a table that goes on over several pages is one table).
/// When the reading has doubtful fields, the pages are OCR'd again with their strokes
/// thickened (thin typefaces and faint scans read much better so) and the better reading
/// is kept. DIAN's QR code is looked for on every page; the first found confirms the
/// fields it carries.
pub fn read_scan(pages: &[GrayImage], options: &OcrOptions<'_>) -> Result<ScanRead, ScanError> {
    if pages.is_empty() {
        return Err(ScanError::NoPage);
    }
    let mut straight = Vec::with_capacity(pages.len());
    let mut skew = 0.0;
    let mut qr = None;
    for (i, page) in pages.iter().enumerate() {
        let (page, page_skew) = crate::deskew::straighten(page);
        if i == 0 {
            skew = page_skew;
        }
        if qr.is_none() {
            qr = qr_text(&page)?;
        }
        straight.push(crate::graphics::blank_blocks(&page));
    }
    let read = |images: &[GrayImage], thickened: bool| -> Result<ScanRead, ScanError> {
        let tsvs = images.iter().map(ocr_gray).collect::<Result<Vec<_>, _>>()?;
        let tsv = if tsvs.len() == 1 {
            tsvs.into_iter().next().unwrap_or_default()
        } else {
            join_pages(&tsvs)
        };
        let mut invoice = bmc_core::invoice::ocr::from_tesseract_tsv(&tsv, options);
        if let (Ok(invoice), Some(qr)) = (&mut invoice, &qr) {
            bmc_core::invoice::ocr::confirm_with_qr(invoice, qr);
        }
        Ok(ScanRead {
            tsv,
            invoice,
            skew,
            thickened,
            qr: qr.clone(),
        })
    };
    let first = read(&straight, false)?;
    if first.is_clean() {
        return Ok(first);
    }
    let thick: Vec<GrayImage> = straight.iter().map(crate::strokes::thicken).collect();
    let second = read(&thick, true)?;
    Ok(if second.quality() > first.quality() {
        second
    } else {
        first
    })
}

/// Reads an invoice from an image file (see [`read_scan`]).
pub fn read_image(path: &Path, options: &OcrOptions<'_>) -> Result<ScanRead, ScanError> {
    let page = image::open(path)
        .map_err(|e| ScanError::read(path, &e))?
        .to_luma8();
    read_scan(&[page], options)
}

/// The text of DIAN's QR code on a page (`zbarimg`), when there is one. Without zbarimg
/// installed the page is read without it.
fn qr_text(page: &GrayImage) -> Result<Option<String>, ScanError> {
    let dir = scratch_dir()?;
    let file = dir.join("qr.png");
    page.save(&file).map_err(|e| ScanError::write(&file, &e))?;
    let output = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
        .arg(&file)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            Ok((text.contains("CUFE:") || text.contains("CUDE:")).then_some(text))
        }
        // Status 4: no code found.
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ScanError::failed("zbarimg", format!("cannot run it: {e}"))),
    }
}

pub(crate) fn scratch_dir() -> Result<std::path::PathBuf, ScanError> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bmc-ocr-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| ScanError::write(&dir, &e))?;
    Ok(dir)
}

/// Tesseract's TSV for a page held in memory.
fn ocr_gray(page: &GrayImage) -> Result<String, ScanError> {
    let dir = scratch_dir()?;
    let file = dir.join("page.png");
    page.save(&file).map_err(|e| ScanError::write(&file, &e))?;
    let tsv = tesseract_tsv(&file);
    let _ = std::fs::remove_dir_all(&dir);
    tsv
}

/// Reads an invoice from a scanned document held in memory: a PDF by its text layer when it
/// has one (milliseconds), by OCR of its pages otherwise; a PNG, JPEG or TIFF image by OCR
/// (see [`read_scan`]).
pub fn read_bytes(bytes: &[u8], options: &OcrOptions<'_>) -> Result<ScanRead, ScanError> {
    if !bytes.starts_with(b"%PDF") {
        let page = image::load_from_memory(bytes)
            .map_err(|e| ScanError::read(Path::new("(upload)"), &e))?
            .to_luma8();
        return read_scan(&[page], options);
    }
    let dir = scratch_dir()?;
    let file = dir.join("document.pdf");
    let read = std::fs::write(&file, bytes)
        .map_err(|e| ScanError::write(&file, &e))
        .and_then(|()| match pdf_text_tsv(&file)? {
            Some(tsv) => Ok(ScanRead {
                invoice: bmc_core::invoice::ocr::from_tesseract_tsv(&tsv, options),
                tsv,
                skew: 0.0,
                thickened: false,
                qr: None,
            }),
            None => read_scan(&render_pages(&file, 300)?, options),
        });
    let _ = std::fs::remove_dir_all(&dir);
    read
}
