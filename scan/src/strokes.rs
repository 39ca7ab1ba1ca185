//! Stroke weight: thin typefaces and faint scans, made legible for OCR.

use image::GrayImage;

/// Thickens dark strokes by one pixel (a 3 × 3 minimum): thin typefaces such as Courier
/// come out of scanners too faint for Tesseract.
pub fn thicken(page: &GrayImage) -> GrayImage {
    let (w, h) = page.dimensions();
    let mut out = page.clone();
    if w < 3 || h < 3 {
        return out;
    }
    let src = page.as_raw();
    let w = w as usize;
    let dst = out.as_mut();
    for y in 1..h as usize - 1 {
        for x in 1..w - 1 {
            let mut m = 255u8;
            for dy in 0..3 {
                let row = (y + dy - 1) * w + x - 1;
                m = m.min(src[row]).min(src[row + 1]).min(src[row + 2]);
            }
            dst[y * w + x] = m;
        }
    }
    out
}
