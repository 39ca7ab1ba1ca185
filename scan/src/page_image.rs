//! A page of a document as an image a person can look at: a PDF's page rendered with
//! poppler's `pdftoppm`, an image scaled, both as PNG.

use image::imageops::FilterType;

use crate::ScanError;

/// The narrowest and widest page images made, in pixels.
pub const WIDTHS: std::ops::RangeInclusive<u32> = 200..=2400;

/// Page `number` (from 1) of `document` (a PDF, or a PNG, JPEG or TIFF image, which has one
/// page) as a PNG `width` pixels wide, the height in proportion. A page the document does
/// not have is [`ScanError::NoPage`].
pub fn page_png(document: &[u8], number: usize, width: u32) -> Result<Vec<u8>, ScanError> {
    let width = width.clamp(*WIDTHS.start(), *WIDTHS.end());
    if number == 0 {
        return Err(ScanError::NoPage);
    }
    if document.starts_with(b"%PDF") {
        return pdf_page(document, number, width);
    }
    if number > 1 {
        return Err(ScanError::NoPage);
    }
    let image = image::load_from_memory(document)
        .map_err(|e| ScanError::read(std::path::Path::new("(document)"), &e))?;
    let image = if image.width() > width {
        let height =
            (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1) as u32;
        image.resize_exact(width, height, FilterType::Triangle)
    } else {
        image
    };
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| ScanError::failed("png", e.to_string()))?;
    Ok(png)
}

fn pdf_page(document: &[u8], number: usize, width: u32) -> Result<Vec<u8>, ScanError> {
    let dir = crate::tools::scratch_dir()?;
    let rendered = render(document, number, width, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    rendered
}

fn render(
    document: &[u8],
    number: usize,
    width: u32,
    dir: &std::path::Path,
) -> Result<Vec<u8>, ScanError> {
    let file = dir.join("document.pdf");
    std::fs::write(&file, document).map_err(|e| ScanError::write(&file, &e))?;
    let prefix = dir.join("page");
    let page = number.to_string();
    let width = width.to_string();
    let output = std::process::Command::new("pdftoppm")
        .args(["-f", &page, "-l", &page, "-png", "-singlefile"])
        .args(["-scale-to-x", &width, "-scale-to-y", "-1"])
        .arg(&file)
        .arg(&prefix)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ScanError::ToolMissing {
                    program: "pdftoppm",
                    install: "poppler-utils",
                }
            } else {
                ScanError::failed("pdftoppm", format!("cannot run it: {e}"))
            }
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // pdftoppm refuses a page past the last with "Wrong page range given".
    if stderr.contains("Wrong page range") {
        return Err(ScanError::NoPage);
    }
    if !output.status.success() {
        return Err(ScanError::failed(
            "pdftoppm",
            format!("failed ({}): {}", output.status, stderr.trim()),
        ));
    }
    let png = prefix.with_extension("png");
    std::fs::read(&png).map_err(|e| ScanError::read(&png, &e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn an_image_is_scaled_to_the_width_and_has_one_page() {
        let image = image::GrayImage::from_pixel(1000, 500, image::Luma([200]));
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        let png = page_png(&bytes, 1, 400).unwrap();
        let page = image::load_from_memory(&png).unwrap();
        assert_eq!((page.width(), page.height()), (400, 200));
        assert!(matches!(page_png(&bytes, 2, 400), Err(ScanError::NoPage)));
        assert!(matches!(page_png(&bytes, 0, 400), Err(ScanError::NoPage)));
        assert_eq!(
            page_png(b"not an image", 1, 400).unwrap_err().code(),
            "SCAN_READ_FAILED"
        );
    }

    #[test]
    fn a_pdf_page_is_rendered() {
        let pdf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/invoices/FEV-0002.pdf"
        ))
        .unwrap();
        match page_png(&pdf, 1, 600) {
            Ok(png) => {
                let page = image::load_from_memory(&png).unwrap();
                assert_eq!(page.width(), 600);
                assert!(page.height() > 600, "a portrait page");
                assert!(matches!(page_png(&pdf, 9, 600), Err(ScanError::NoPage)));
            }
            // CI installs poppler-utils.
            Err(ScanError::ToolMissing { .. }) => eprintln!("pdftoppm is not installed"),
            Err(e) => panic!("{e}"),
        }
    }
}
